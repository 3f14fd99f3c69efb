// A personal invitation counts as "opened" when a person starts reading or filling in the
// sign page (first focus, scroll, key or pointer), not when the link is fetched: mail
// security scanners fetch every link and never run this. One POST with the page's CSRF
// token; nothing else on the page depends on it.
(function () {
  "use strict";

  function init() {
    var marker = document.querySelector("[data-opened-url]");
    var token = document.querySelector("input[name=csrf_token]");
    if (!marker || !token) return;
    var sent = false;
    var events = ["focusin", "scroll", "keydown", "pointerdown"];

    function send() {
      if (sent) return;
      sent = true;
      events.forEach(function (name) { window.removeEventListener(name, send, true); });
      var body = new FormData();
      body.append("csrf_token", token.value);
      fetch(marker.getAttribute("data-opened-url"), {
        method: "POST", body: body, credentials: "same-origin",
      }).catch(function () { /* only a count for the lead */ });
    }

    events.forEach(function (name) {
      window.addEventListener(name, send, { capture: true, passive: true });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
