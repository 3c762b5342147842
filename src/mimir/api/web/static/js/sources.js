/* The sources pages: after the wizard saves a source, go to its page; the import form sends
 * its file to the API as multipart (FormData, with the CSRF token) and shows the report. */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* ---- the wizard: the API answers {"source": {...}, "discovery": ...} ---- */
  document.addEventListener("mimir:done", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-source-saved")) return;
    var made = event.detail && event.detail.source;
    if (made && made.id) location.assign("/sources/" + encodeURIComponent(made.id));
  });

  /* ---- import ---- */
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function list(box, title, items, render) {
    if (!items || !items.length) return;
    box.appendChild(el("h3", title + " (" + items.length + ")"));
    var ul = el("ul", null, "report-list");
    items.forEach(function (item) { ul.appendChild(render(item)); });
    box.appendChild(ul);
  }

  function showReport(box, r) {
    box.textContent = "";
    var added = r.added || [];
    var present = r.already_present || [];
    var skipped = r.skipped || [];
    var summary = el("p", null, "report-summary");
    summary.setAttribute("role", "status");
    summary.textContent = (r.filename ? r.filename + " (" + r.format + "): " : r.format + ": ") +
      r.found + " found, " + added.length + (r.dry_run ? " would be added, " : " added, ") +
      present.length + " already present, " + skipped.length + " skipped" +
      (r.dry_run ? " (a dry run: nothing was stored)." : ".");
    box.appendChild(summary);
    list(box, "Imported", added, function (a) {
      var li = el("li");
      var link = el("a", a.name);
      link.href = "/sources/" + encodeURIComponent(a.id);
      li.appendChild(link);
      return li;
    });
    list(box, "Already present", present, function (p) {
      var li = el("li");
      li.appendChild(el("strong", p.name));
      li.appendChild(document.createTextNode(": " + p.reason));
      return li;
    });
    list(box, "Skipped", skipped, function (s) {
      var li = el("li", null, "skipped");
      li.appendChild(el("strong", s.entry));
      li.appendChild(document.createTextNode(": " + s.reason));
      return li;
    });
    list(box, "Warnings", r.warnings || [], function (w) { return el("li", w); });
    var unknown = r.unknown_keys || {};
    list(box, "Settings Mimir does not use (kept)", Object.keys(unknown), function (name) {
      return el("li", name + ": " + unknown[name].join(", "));
    });
    var w = r.watches || {};
    list(box, "Watches added from keyword rules", w.added || [], function (n) { return el("li", n); });
    list(box, "Channels added", w.channels_added || [], function (n) { return el("li", n); });
    list(box, "Watches already present", w.already_present || [], function (n) { return el("li", n); });
    list(box, "Notes", w.notes || [], function (n) { return el("li", n); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-import")) return;
    event.preventDefault();
    var error = form.querySelector(".form-error");
    var box = document.getElementById("import-report");
    var input = form.querySelector('input[type="file"]');
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    if (!input.files || !input.files.length) {
      error.textContent = "Choose a file first.";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    var data = new FormData();
    data.append("file", input.files[0], input.files[0].name);
    var params = new URLSearchParams();
    if (form.querySelector('[name="dry_run"]').checked) params.set("dry_run", "true");
    if (form.querySelector('[name="enable_all"]').checked) params.set("enable_all", "true");
    var url = form.getAttribute("data-import") + (params.toString() ? "?" + params : "");
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: data
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return { ok: response.ok, status: response.statusText, body: body };
      });
    }).then(function (result) {
      if (!result.ok) {
        error.textContent = (result.body && result.body.detail) || result.status || "The import failed";
        error.hidden = false;
        return;
      }
      showReport(box, result.body);
    }).catch(function (err) {
      error.textContent = "Mimir could not be reached: " + err.message;
      error.hidden = false;
    }).finally(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
