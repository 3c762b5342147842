/* Watches and channels: the 7-day test of a query, a channel's send-test result, a webhook's
 * signing secret shown once. Calls the REST API (/api/v1/watches/test, /watches/{id}/test,
 * /channels/{id}/test) with the session's CSRF token; builds the DOM with textContent only. */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* a text with [start, end) ranges marked */
  function marked(tag, className, h) {
    var node = el(tag, className);
    var text = (h && h.text) || "";
    var at = 0;
    ((h && h.highlights) || []).forEach(function (range) {
      var start = Math.max(range[0], at), end = Math.min(range[1], text.length);
      if (end <= start) return;
      node.appendChild(document.createTextNode(text.slice(at, start)));
      node.appendChild(el("mark", null, text.slice(start, end)));
      at = end;
    });
    node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  }

  function formatDate(iso) {
    try {
      return new Date(iso).toLocaleString(undefined, {
        day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit"
      });
    } catch (e) { return iso; }
  }

  /* a query error: "query: reason (at position N)\n  query\n  ^" */
  function showQueryError(box, detail, query) {
    box.textContent = "";
    var wrap = el("div", "query-error");
    wrap.setAttribute("role", "alert");
    var first = (detail || "").split("\n")[0].replace(/^query:\s*/, "");
    wrap.appendChild(el("p", null, "The query has an error: " + first));
    var match = /\(at position (\d+)\)/.exec(detail || "");
    if (match && query !== null) {
      var pos = Math.min(parseInt(match[1], 10), query.length);
      var pre = el("pre", "query-at");
      pre.appendChild(document.createTextNode(query.slice(0, pos)));
      var at = el("mark", "error-at", query.slice(pos, pos + 1) || " ");
      at.setAttribute("title", "position " + pos);
      pre.appendChild(at);
      pre.appendChild(document.createTextNode(query.slice(pos + 1)));
      wrap.appendChild(pre);
      wrap.setAttribute("data-position", String(pos));
    }
    box.appendChild(wrap);
    var field = document.getElementById("query");
    if (field && match) {
      field.setAttribute("aria-invalid", "true");
      try { field.setSelectionRange(parseInt(match[1], 10), parseInt(match[1], 10) + 1); } catch (e) { /* */ }
    }
  }

  function showMatches(box, data) {
    box.textContent = "";
    var count = data.matches.length;
    var summary = el("p", "test-summary");
    summary.setAttribute("data-test-count", String(count));
    summary.textContent = count === 0 ? "Nothing matched in the last 7 days."
      : (data.more ? "More than " + count : String(count)) +
        (count === 1 && !data.more ? " article matched" : " articles matched") +
        " in the last 7 days" + (data.more ? " (the newest " + count + " shown)." : ".");
    box.appendChild(summary);
    if (!count) return;
    var list = el("ol", "items test-matches");
    data.matches.forEach(function (m) {
      var item = el("li", "item");
      var title = el("div", "title");
      var link = el("a");
      link.href = "/articles/" + encodeURIComponent(m.id);
      link.appendChild(marked("span", null, m.title_highlight && m.title_highlight.text
        ? m.title_highlight : { text: m.title || m.url, highlights: [] }));
      title.appendChild(link);
      item.appendChild(title);
      var meta = el("div", "meta");
      if (m.source_name) meta.appendChild(el("span", null, m.source_name));
      var time = el("time", null, formatDate(m.date));
      time.setAttribute("datetime", m.date);
      meta.appendChild(time);
      if (m.language) meta.appendChild(el("span", null, m.language));
      item.appendChild(meta);
      if (m.snippet && m.snippet.text) item.appendChild(marked("p", "snippet", m.snippet));
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function runTest(button) {
    var box = document.querySelector("[data-test-results]");
    if (!box) return;
    var watchId = button.getAttribute("data-watch-id");
    var field = document.getElementById("query");
    var query = field ? field.value : null;
    var url, body;
    if (watchId) {
      url = "/api/v1/watches/" + encodeURIComponent(watchId) + "/test?limit=20";
      body = {};
      var shown = document.querySelector("[data-watch-query]");
      query = shown ? shown.textContent : null;
    } else {
      if (field) field.removeAttribute("aria-invalid");
      if (!query || !query.trim()) {
        box.textContent = "";
        box.appendChild(el("p", "form-error", "Write a query first."));
        return;
      }
      url = "/api/v1/watches/test";
      body = { query: query, limit: 20 };
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    box.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json",
        "X-CSRF-Token": csrf() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) showMatches(box, result.data);
      else showQueryError(box, (result.data && result.data.detail) || "The test failed", query);
    }).catch(function (err) {
      box.textContent = "";
      box.appendChild(el("p", "form-error", "Mimir could not be reached: " + err.message));
    }).finally(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      box.removeAttribute("aria-busy");
    });
  }

  /* ---- dialogs: a secret shown once ---- */
  function showSecret(value, then) {
    var dialog = document.getElementById("secret-dialog");
    if (!dialog) return false;
    dialog.querySelector("[data-secret-value]").value = value;
    dialog.setAttribute("data-then", then || "");
    dialog.showModal();
    return true;
  }

  function follow(then) {
    if (then === "reload") location.reload();
    else if (then) location.assign(then);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var test = target.closest("[data-watch-test]");
    if (test) { event.preventDefault(); runTest(test); return; }
  });

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog && dialog.id === "secret-dialog") {
      dialog.querySelector("[data-secret-value]").value = "";
      follow(dialog.getAttribute("data-then"));
    }
  }, true);

  document.addEventListener("mimir:done", function (event) {
    var source = event.target;
    var data = event.detail || {};
    if (source.hasAttribute("data-send-test")) {
      var scope = source.closest("[data-api-scope]");
      var out = scope && scope.querySelector("[data-send-result]");
      if (!out) return;
      out.className = "send-result " + (data.ok ? "ok" : "bad");
      out.textContent = data.ok
        ? "Test message delivered to " + data.channel + " in " + data.duration_seconds + " s" +
          (data.status_code ? " (HTTP " + data.status_code + ")." : ".")
        : "Test message failed: " + (data.error_class || "error") +
          (data.error_message ? ": " + data.error_message : "") +
          (data.status_code ? " (HTTP " + data.status_code + ")" : "") + ".";
      return;
    }
    if (source.hasAttribute("data-channel-create")) {
      var then = source.getAttribute("data-next") || "reload";
      if (data.webhook_secret && showSecret(data.webhook_secret, then)) return;
      follow(then);
    }
  });
})();
