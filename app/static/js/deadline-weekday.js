// The settings page: the weekday of the deadline being chosen ("Friday, December 4, 2026"),
// so the day written in an invitation matches the one the app prints.
(function () {
  "use strict";
  var input = document.getElementById("deadline");
  var out = document.getElementById("deadline-weekday");
  if (!input || !out) return;
  function show() {
    var match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value);
    if (!match) return;
    // The date as typed, in the letter's zone: no conversion, only its calendar day.
    var day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], 12));
    var text = day.toLocaleDateString("en-US", {
      weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC"
    });
    out.textContent = "Chosen: " + text + " at " + match[4] + ":" + match[5] + ".";
  }
  input.addEventListener("input", show);
  input.addEventListener("change", show);
})();
