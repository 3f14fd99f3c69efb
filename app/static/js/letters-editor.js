// The letter editor: a live preview of the Markdown body (rendered and cleaned by the
// server, so it shows exactly what the letter will show) and a warning before leaving
// with unsaved changes. Everything also works without this file.
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("letter-editor");
    if (!form) return;
    var body = form.querySelector("textarea[name=body]");
    var preview = document.getElementById("body-preview");
    var removed = document.getElementById("body-removed");
    var url = form.getAttribute("data-preview-url");
    var token = form.querySelector("input[name=csrf_token]");
    var dirty = false;
    var timer = null;
    var seq = 0;

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });

    function showRemoved(items) {
      var list = removed.querySelector("ul");
      list.textContent = "";
      items.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
      removed.classList.toggle("hidden", items.length === 0);
    }

    function refresh() {
      var mine = ++seq;
      var data = new FormData();
      data.append("csrf_token", token ? token.value : "");
      data.append("body", body.value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          // Only the newest answer counts; an older request may arrive last.
          if (!result || mine !== seq) return;
          preview.innerHTML = result.html; // cleaned by nh3 on the server
          showRemoved(result.removed || []);
        })
        .catch(function () { /* the Preview button still works */ });
    }

    if (body && preview && url) {
      body.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 350);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
