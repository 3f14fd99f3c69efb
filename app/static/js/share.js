// The share panel's copy buttons. Without scripts the fields stay selectable, read-only text.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copied="' + field.id + '"]');
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Copied."; },
        function () { field.select(); if (status) status.textContent = "Press Ctrl+C (⌘C) to copy."; }
      );
    });
  });
})();
