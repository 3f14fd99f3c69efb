// Registration: the organization starts in the browser's time zone (the server checks it).
(function () {
  "use strict";
  var field = document.getElementById("time_zone");
  try {
    if (field && !field.value) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { /* an old browser: the organization starts in UTC, editable later */ }
})();
