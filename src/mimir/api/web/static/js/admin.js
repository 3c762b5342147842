/* The admin's API keys page: a new key is shown once, in a dialog with a copy button; closing
 * it forgets the key and reloads the list (which shows only the prefix). */
(function () {
  "use strict";

  document.addEventListener("mimir:done", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-key-create")) return;
    var data = event.detail || {};
    var dialog = document.getElementById("key-dialog");
    if (!dialog || !data.key) { location.reload(); return; }
    dialog.querySelector("[data-key-value]").value = data.key;
    form.reset();
    dialog.showModal();
    dialog.querySelector("[data-key-value]").select();
  });

  /* the date picker's day, as the end of that day in the browser's zone (an aware instant) */
  document.addEventListener("input", function (event) {
    var picker = event.target;
    if (!picker.hasAttribute || !picker.hasAttribute("data-expires-date")) return;
    var hidden = picker.form && picker.form.querySelector("[data-expires-at]");
    if (!hidden) return;
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(picker.value);
    hidden.value = parts
      ? new Date(+parts[1], +parts[2] - 1, +parts[3], 23, 59, 59).toISOString() : "";
  });

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog && dialog.id === "key-dialog") {
      dialog.querySelector("[data-key-value]").value = "";
      location.reload();
    }
  }, true);
})();
