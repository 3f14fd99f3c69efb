// The signatures table's "Select all" box. Without scripts it stays hidden, and
// "Approve every sign-on awaiting you" does the same work on the server. Possible
// duplicates are left out (approving one would keep both without the lead choosing), and
// so are rejected and withdrawn ones (approving would list again what was decided).
(function () {
  "use strict";
  var all = document.querySelector("[data-select-all]");
  if (!all) return;
  var form = all.form;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="ids"]:not([data-skip])'));
  all.closest(".select-all").hidden = false;
  function reflect() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length && ticked > 0;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    all.indeterminate = false;
  });
  boxes.forEach(function (box) { box.addEventListener("change", reflect); });
  reflect();
})();
