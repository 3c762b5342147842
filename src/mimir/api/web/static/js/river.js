/* The river: a count of the articles that arrived live (server-sent events through htmx's SSE
 * extension put them on top of the list), no copy of an article already shown, and a list that
 * never grows without end. */
(function () {
  "use strict";
  var KEEP = 500;

  /* the filters' form leaves its empty fields out of the address */
  function tidyFilters() {
    var form = document.querySelector("form.river-filters");
    if (!form) return;
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.value) field.disabled = true;
      });
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
      }, 0);
    });
  }

  function start() {
    tidyFilters();
    var list = document.getElementById("river");
    var status = document.getElementById("river-status");
    if (!list || !status) return;
    var live = document.getElementById("river-live");
    var arrived = 0;

    function connection(state, text) {
      list.setAttribute("data-live", state);
      if (live) { live.textContent = text; live.setAttribute("data-state", state); }
    }
    document.body.addEventListener("htmx:sseOpen", function () { connection("open", "Live"); });
    document.body.addEventListener("htmx:sseError", function () {
      connection("retrying", "Reconnecting\u2026");
    });

    list.addEventListener("htmx:sseBeforeMessage", function (event) {
      var found = /data-id="(\d+)"/.exec((event.detail && event.detail.data) || "");
      if (found && list.querySelector('[data-id="' + found[1] + '"]')) event.preventDefault();
    });

    list.addEventListener("htmx:sseMessage", function () {
      arrived += 1;
      var empty = document.getElementById("river-empty");
      if (empty) empty.hidden = true;
      status.textContent = arrived + (arrived === 1 ? " new article" : " new articles");
      var items = list.querySelectorAll("[data-nav-item]");
      for (var i = items.length - 1; i >= KEEP; i--) {
        if (items[i] !== document.activeElement) items[i].remove();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
