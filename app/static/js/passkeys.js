// Passkeys: the browser's half of the WebAuthn ceremonies. The server makes the options and
// checks the answer (app/auth/passkeys.py); this file only converts between the JSON the
// server speaks (binary fields as base64url) and the ArrayBuffers the browser's
// navigator.credentials API wants, and back.
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBuffers(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = toBuffer(item.id);
      return copy;
    });
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server refused the request. Please reload the page.");
        return data;
      });
    });
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  function register(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = withBuffers(options.excludeCredentials);
    return navigator.credentials.create({ publicKey: options }).then(function (credential) {
      var json = common(credential);
      json.response = {
        clientDataJSON: toBase64url(credential.response.clientDataJSON),
        attestationObject: toBase64url(credential.response.attestationObject),
        transports: credential.response.getTransports ? credential.response.getTransports() : [],
      };
      return json;
    });
  }

  function authenticate(options) {
    options.challenge = toBuffer(options.challenge);
    options.allowCredentials = withBuffers(options.allowCredentials);
    return navigator.credentials.get({ publicKey: options }).then(function (credential) {
      var json = common(credential);
      var r = credential.response;
      json.response = {
        clientDataJSON: toBase64url(r.clientDataJSON),
        authenticatorData: toBase64url(r.authenticatorData),
        signature: toBase64url(r.signature),
        userHandle: r.userHandle ? toBase64url(r.userHandle) : null,
      };
      return json;
    });
  }

  function explain(error) {
    if (error && error.name === "NotAllowedError") return "The passkey request was cancelled or timed out. You can try again.";
    if (error && error.name === "InvalidStateError") return "This passkey is already registered for your account.";
    return (error && error.message) || "Something went wrong with the passkey.";
  }

  function wire(region, ceremony) {
    var button = region.querySelector("[data-passkey-start]");
    var status = region.querySelector("[data-passkey-status]");
    var csrf = region.getAttribute("data-csrf");
    // The button is hidden in the page: without this file it could do nothing.
    if (!window.PublicKeyCredential || !navigator.credentials) {
      status.textContent = "This browser cannot use passkeys.";
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "Waiting for your passkey…";
      post(region.getAttribute("data-options-url"), csrf, {})
        .then(ceremony)
        .then(function (credential) {
          var body = { credential: credential };
          var name = region.querySelector("input[name=name]");
          if (name) body.name = name.value;
          return post(region.getAttribute("data-verify-url"), csrf, body);
        })
        .then(function (data) {
          status.textContent = "Done.";
          window.location.assign(data.redirect);
        })
        .catch(function (error) {
          status.textContent = explain(error);
          button.disabled = false;
        });
    });
  }

  function init() {
    var registering = document.querySelector("[data-passkey-register]");
    if (registering) wire(registering, register);
    var logging = document.querySelector("[data-passkey-login]");
    if (logging) wire(logging, authenticate);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
