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

  // "Add from the recipient book": choosing an entry adds its address block at once, as the
  // "Add from book" button does without JavaScript. Blocks are numbered recipients-0-…,
  // recipients-1-… in page order, which the server's move and remove buttons rely on.
  function initBook() {
    var select = document.getElementById("book_entry");
    var template = document.getElementById("recipient-template");
    var dataNode = document.getElementById("book-data");
    var end = document.getElementById("recipients-end");
    if (!select || !template || !dataNode || !end) return;
    var entries = JSON.parse(dataNode.textContent || "{}");
    var picker = select.closest(".book-picker");
    var max = parseInt(picker.getAttribute("data-max-recipients"), 10) || 30;
    var status = document.getElementById("book-added");
    var fieldset = end.parentNode;
    // Choosing is enough now; the button is for pages without JavaScript.
    var button = picker.querySelector("button[value=book]");
    if (button) button.classList.add("hidden");

    function blocks() {
      return fieldset.querySelectorAll(":scope > .address-block-editor");
    }

    function moveDownButton(index) {
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "action";
      button.value = "down-" + index;
      button.className = "secondary";
      button.textContent = "Move down";
      return button;
    }

    select.addEventListener("change", function () {
      var entry = entries[select.value];
      if (!entry) return;
      var existing = blocks();
      var index = existing.length;
      if (index >= max) {
        status.textContent = "A letter can have at most " + max + " recipients.";
        return;
      }
      var html = template.innerHTML
        .split("__NUMBER__").join(String(index + 1))
        .split("__N__").join(String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var block = holder.firstElementChild;
      if (index === 0) {
        var up = block.querySelector("[data-move=up]");
        if (up) up.remove();
      } else {
        // The block before it was the last one: it can now move down.
        var before = existing[index - 1].querySelector(".block-buttons");
        var remove = before.querySelector("button[value^=remove-]");
        before.insertBefore(moveDownButton(index - 1), remove);
      }
      Object.keys(entry).forEach(function (name) {
        var input = block.querySelector("[name='recipients-" + index + "-" + name + "']");
        if (input) input.value = entry[name];
      });
      fieldset.insertBefore(block, end);
      var empty = document.getElementById("no-recipients");
      if (empty) empty.remove();
      var label = select.options[select.selectedIndex].text;
      select.value = "0";
      status.textContent = "Added " + label + " as recipient " + (index + 1) + ".";
      select.form.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function start() {
    init();
    initBook();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
