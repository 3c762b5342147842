/* Mimir's web UI: the little JavaScript every page shares (no build step, no inline script).
 *
 * - Forms and buttons with data-api="URL" call the REST API as JSON with the session's CSRF
 *   token, then follow data-then ("reload", a URL with {field} taken from the answer, or
 *   "event:NAME" to trigger an htmx event on <body>); a problem+json error is shown in the
 *   form's .form-error and beside the field it names. data-method sets the method (POST),
 *   data-confirm asks first. Field types: data-type="int|number|bool|list|lines|json", empty
 *   fields with data-omit-empty are left out; checkboxes are booleans.
 * - htmx requests carry X-CSRF-Token too.
 * - The browser's time zone is kept in the mimir_tz cookie; the theme toggle in mimir_theme.
 * - Keyboard: in a [data-nav-list], j / k move between [data-nav-item]s, o or Enter opens the
 *   item's [data-open] link; / focuses the page's [data-search-box].
 * - data-copy="ID" copies that input's value; data-dialog-close closes its <dialog>.
 */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setCookie(name, value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + encodeURIComponent(value) +
      "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  function getCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  /* ---- the toast ---- */
  var toastTimer = null;
  function toast(message, kind) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.className = "toast show" + (kind ? " " + kind : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.className = "toast"; }, 4000);
  }
  window.mimirToast = toast;

  /* ---- forms and buttons that call the API ---- */
  function fieldValue(el) {
    var type = el.getAttribute("data-type");
    if (el.type === "checkbox" && type !== "list") return el.checked;
    var raw = el.value;
    if (el.hasAttribute("data-omit-empty") && raw.trim() === "") return undefined;
    switch (type) {
      case "int": return raw.trim() === "" ? null : parseInt(raw, 10);
      case "number": return raw.trim() === "" ? null : Number(raw);
      case "bool": return raw === "true" || raw === "on" || raw === "1";
      case "list": return raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      case "lines": return raw.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      case "json": return raw.trim() === "" ? null : JSON.parse(raw);
      case "null-empty": return raw.trim() === "" ? null : raw;
      default: return raw;
    }
  }

  function formBody(form) {
    var body = {};
    var multi = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio" && !el.checked) return;
      // checkboxes sharing a name with data-type="list" collect their checked values
      if (el.type === "checkbox" && el.getAttribute("data-type") === "list") {
        multi[el.name] = multi[el.name] || [];
        if (el.checked) multi[el.name].push(el.value);
        return;
      }
      var value = fieldValue(el);
      if (value === undefined) return;
      var path = el.name.split(".");
      var target = body;
      for (var i = 0; i < path.length - 1; i++) {
        target = target[path[i]] = target[path[i]] || {};
      }
      target[path[path.length - 1]] = value;
    });
    Object.keys(multi).forEach(function (k) { body[k] = multi[k]; });
    return body;
  }

  function clearErrors(scope) {
    scope.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
    scope.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    var box = scope.querySelector(".form-error");
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  function showError(scope, detail) {
    // "body.email: value is not a valid email" or "url: ..." names the field
    var match = /^(?:body\.|query\.)?([A-Za-z_][\w.]*)\s*:\s*/.exec(detail || "");
    var field = null;
    if (match && scope.querySelector) {
      var name = match[1];
      field = scope.querySelector('[name="' + name + '"]') ||
        scope.querySelector('[name="' + name.split(".")[0] + '"]');
    }
    if (field) {
      field.setAttribute("aria-invalid", "true");
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = (field.id || field.name) + "-error";
      note.textContent = detail.slice(match[0].length);
      field.setAttribute("aria-describedby", note.id);
      field.insertAdjacentElement("afterend", note);
      field.focus();
    }
    var box = scope.querySelector && scope.querySelector(".form-error");
    if (box) { box.textContent = detail; box.hidden = false; }
    else toast(detail, "error");
  }

  function fill(template, data) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return data && data[key] !== undefined ? encodeURIComponent(data[key]) : "";
    });
  }

  function callApi(el, body) {
    var url = el.getAttribute("data-api");
    var method = (el.getAttribute("data-method") || "POST").toUpperCase();
    var confirmText = el.getAttribute("data-confirm");
    if (confirmText && !window.confirm(confirmText)) return;
    var scope = el.tagName === "FORM" ? el : (el.closest("form, [data-api-scope]") || document);
    if (scope !== document) clearErrors(scope);
    var buttons = el.tagName === "FORM" ? el.querySelectorAll("button") : [el];
    buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf() }
    };
    if (body !== null && method !== "GET" && method !== "DELETE") {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    fetch(url, init).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var parse = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
      return parse.then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      if (!result.response.ok) {
        var detail = (result.data && result.data.detail) || result.response.statusText;
        showError(scope, detail);
        return;
      }
      var then = el.getAttribute("data-then") || "";
      var message = el.getAttribute("data-done");
      if (message) toast(message, "ok");
      el.dispatchEvent(new CustomEvent("mimir:done", { bubbles: true, detail: result.data }));
      if (then === "reload") location.reload();
      else if (then.indexOf("event:") === 0) {
        if (window.htmx) htmx.trigger(document.body, then.slice(6), { data: result.data });
      } else if (then) location.assign(fill(then, result.data));
    }).catch(function (err) {
      showError(scope, "Mimir could not be reached: " + err.message);
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-api")) return;
    event.preventDefault();
    var body;
    try { body = formBody(form); }
    catch (err) { showError(form, "The form has a field that is not valid: " + err.message); return; }
    callApi(form, body);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-api]") : null;
    if (button && button.type !== "submit") {
      event.preventDefault();
      var raw = button.getAttribute("data-body");
      callApi(button, raw ? JSON.parse(raw) : {});
      return;
    }
    var target = event.target;
    var copy = target.closest ? target.closest("[data-copy]") : null;
    if (copy) {  // data-copy="ID": the input's value to the clipboard
      var input = document.getElementById(copy.getAttribute("data-copy"));
      if (!input) return;
      input.select();
      var copied = function () { toast("Copied", "ok"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(copied, function () {
          document.execCommand("copy"); copied();
        });
      } else { document.execCommand("copy"); copied(); }
      return;
    }
    var close = target.closest ? target.closest("[data-dialog-close]") : null;
    if (close) { close.closest("dialog").close(); return; }
    var toggle = target.closest ? target.closest("[data-theme-toggle]") : null;
    if (toggle) {
      var root = document.documentElement;
      var current = root.getAttribute("data-theme") ||
        (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      var next = current === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      setCookie("mimir_theme", next);
      toggle.setAttribute("aria-label", "Switch theme (now: " + next + ")");
      toggle.setAttribute("title", "Theme: " + next);
    }
  });

  /* ---- htmx: CSRF on every request ---- */
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var detail = xhr.statusText;
    try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* HTML */ }
    toast(detail || "The request failed", "error");
  });

  /* ---- keyboard navigation ---- */
  function navItems() {
    var list = document.querySelector("[data-nav-list]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-nav-item]")) : [];
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) {
      return;
    }
    if (event.key === "/") {
      var box = document.querySelector("[data-search-box]");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
      return;
    }
    if (event.key !== "j" && event.key !== "k" && event.key !== "o") return;
    var items = navItems();
    if (!items.length) return;
    var index = items.indexOf(document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("[data-nav-item]") : null);
    if (event.key === "o") {
      if (index < 0) return;
      var link = items[index].querySelector("[data-open]") || items[index].querySelector("a[href]");
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    event.preventDefault();
    var next = event.key === "j" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0);
    if (index < 0) next = 0;
    items.forEach(function (item) { item.classList.remove("current"); });
    items[next].classList.add("current");
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  });

  /* ---- the browser's time zone ---- */
  function setup() {
    var tz = "";
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
    if (tz && getCookie("mimir_tz") !== tz) setCookie("mimir_tz", tz);
    document.querySelectorAll("[data-browser-timezone]").forEach(function (input) {
      if (tz && (!input.value || input.value === "UTC")) input.value = tz;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
