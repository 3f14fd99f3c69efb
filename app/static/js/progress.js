// Work that goes on in the background (invitations leaving the outbox, a large export being
// laid out) is followed in place: the page asks for itself again every few seconds and swaps
// in the new figures. It never reloads itself, which would send a screen reader and the
// keyboard focus back to the top of the page. Without this file the page still works: it
// shows the figures as they were when it loaded, with a link to look again.
(function () {
  "use strict";
  var EVERY_MS = 3000;

  function init() {
    var region = document.querySelector("[data-progress]");
    if (!region || region.getAttribute("data-progress") !== "running") return;

    function later() { window.setTimeout(check, EVERY_MS); }

    // Other parts of the page that follow the same work (the invitations' counts and table)
    // are swapped in from the same fetched page, so they never disagree with the figures.
    // Keyboard focus stays on the same control (by id) when its part is replaced.
    function swapParts(doc) {
      var focused = document.activeElement;
      var focusId = focused && focused.id ? focused.id : null;
      Array.prototype.forEach.call(document.querySelectorAll("[data-progress-part][id]"), function (part) {
        var fresh = doc.getElementById(part.id);
        if (!fresh) return;
        var hadFocus = focusId && part.contains(focused);
        part.innerHTML = fresh.innerHTML;
        if (hadFocus) {
          var again = document.getElementById(focusId);
          if (again) again.focus();
        }
      });
    }

    function check() {
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.ok && type.indexOf("text/html") !== 0) {
            // The export is ready: this address now answers with the file itself.
            window.location.assign(window.location.href);
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) { if (region.getAttribute("data-progress") === "running") later(); return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          swapParts(doc);
          var fresh = doc.querySelector("[data-progress]");
          if (!fresh) {
            region.textContent = region.getAttribute("data-done-text") || "Done.";
            region.setAttribute("data-progress", "done");
            return;
          }
          region.innerHTML = fresh.innerHTML;
          region.setAttribute("data-progress", fresh.getAttribute("data-progress"));
          if (fresh.getAttribute("data-progress") === "running") later();
        })
        .catch(later);
    }

    later();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
