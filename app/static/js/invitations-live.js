// The live preview of a pasted list: as the lead types or pastes, the list is checked by the
// server (the same parser and checks as the preview page, at data-live-check) and the count,
// the skipped lines and the rows appear under the box; the last step's buttons ("Invite 30
// organizations", or on a draft "Open the letter and send 30 invitations" and "Keep them")
// become usable on this page, carrying the fingerprint of exactly the list shown. Without
// this file, the Preview button leads to the same checks on their own page.
(function () {
  "use strict";
  var WAIT_MS = 350;
  var SHOWN_ROWS = 200;

  function init() {
    var form = document.querySelector("form[data-live-check]");
    if (!form) return;
    var box = form.querySelector("textarea[name=pasted]");
    var upload = form.querySelector("input[type=file][name=upload]");
    var fingerprint = form.querySelector("input[name=fingerprint]");
    var panel = form.querySelector("[data-live-preview]");
    var summary = form.querySelector("[data-live-summary]");
    var rowsBox = form.querySelector("[data-live-rows]");
    var final = form.querySelector("[data-live-final]");
    var timer = null;
    var asked = 0;

    function buttons() {
      return final ? final.querySelectorAll("button[name=action]") : [];
    }

    function offer(labels) {
      // Usable only for the list just checked: its fingerprint goes with the click.
      var any = false;
      Array.prototype.forEach.call(buttons(), function (button) {
        var label = labels && labels[button.value];
        if (label) { button.textContent = label; any = true; }
        button.hidden = !label;
        button.disabled = !label;
      });
      if (final) final.hidden = !any;
    }

    function cell(row, text, header) {
      var td = document.createElement(header ? "th" : "td");
      if (header) td.scope = "col";
      td.textContent = text;
      row.appendChild(td);
      return td;
    }

    function table(rows) {
      var t = document.createElement("table");
      t.className = "inv-problems";
      var caption = document.createElement("caption");
      caption.textContent = "The lines as read" + (rows.length >= SHOWN_ROWS ? " (the first " + SHOWN_ROWS + ")" : "");
      t.appendChild(caption);
      var head = document.createElement("tr");
      ["Line", "Organization", "Contact", "Email", "Problem"].forEach(function (h) { cell(head, h, true); });
      var thead = document.createElement("thead");
      thead.appendChild(head);
      t.appendChild(thead);
      var body = document.createElement("tbody");
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        cell(tr, String(r.line));
        cell(tr, r.organization || "—");
        cell(tr, r.contact);
        cell(tr, r.email);
        var problem = cell(tr, r.problem || "");
        if (r.problem) problem.className = "problem";
        body.appendChild(tr);
      });
      t.appendChild(body);
      var scroll = document.createElement("div");
      scroll.className = "table-scroll";
      scroll.appendChild(t);
      return scroll;
    }

    function show(answer) {
      panel.hidden = false;
      summary.textContent = answer.error || answer.summary || "";
      rowsBox.textContent = "";
      if (answer.rows && answer.rows.length) rowsBox.appendChild(table(answer.rows));
      fingerprint.value = answer.fingerprint || "";
      offer(answer.error ? null : answer.buttons);
    }

    function check() {
      timer = null;
      var text = box.value.trim();
      if (!text || (upload && upload.files && upload.files.length)) {
        panel.hidden = true;
        fingerprint.value = "";
        offer(null);
        return;
      }
      var mine = ++asked;
      var data = new FormData();
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      data.append("pasted", box.value);
      fetch(form.getAttribute("data-live-check"), {
        method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (mine !== asked) return; // a later check is on its way
          if (answer) show(answer);
          else { panel.hidden = true; offer(null); }
        })
        .catch(function () { if (mine === asked) { panel.hidden = true; offer(null); } });
    }

    function changed() {
      // Until the list as it now stands is checked, nothing can be sent from here.
      fingerprint.value = "";
      offer(null);
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(check, WAIT_MS);
    }

    box.addEventListener("input", changed);
    if (upload) upload.addEventListener("change", changed);
    if (box.value.trim()) check();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
