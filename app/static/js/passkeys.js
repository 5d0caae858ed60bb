// Passkeys (WebAuthn) without inline script: a button with data-passkey="create" or "get" and
// data-passkey-options (the server's options, base64url JSON) runs the browser's ceremony, puts
// the answer (base64url JSON) in its form's [data-passkey-result] field and submits the form as
// an ordinary POST with its CSRF token. The challenge stays with the server.
// Messages come from the page ([data-passkey-messages]), in the user's language.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: options };
  }

  function asJson(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(out);
  }

  function message(key) {
    var holder = document.querySelector("[data-passkey-messages]");
    return (holder && holder.getAttribute("data-" + key)) || "";
  }

  function show(button, text) {
    var status = document.getElementById(button.getAttribute("data-passkey-status") || "passkey-status");
    if (status) {
      status.textContent = text;
      status.hidden = false;
    }
  }

  function explain(error, kind) {
    if (error && error.name === "InvalidStateError" && kind === "create") {
      return message("registered");
    }
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      return message(kind === "create" ? "cancelled-create" : "cancelled");
    }
    if (error && error.name === "SecurityError") {
      return message("insecure");
    }
    return message("failed");
  }

  function run(button) {
    var kind = button.getAttribute("data-passkey");
    var form = button.closest("form");
    var target = form && form.querySelector("[data-passkey-result]");
    if (!target) {
      return;
    }
    var options = JSON.parse(button.getAttribute("data-passkey-options"));
    button.disabled = true;
    var ceremony =
      kind === "create"
        ? navigator.credentials.create(creationOptions(options))
        : navigator.credentials.get(requestOptions(options));
    ceremony.then(
      function (credential) {
        target.value = asJson(credential);
        // Not form.submit(): a form with a field named "submit" hides that method behind the field.
        HTMLFormElement.prototype.submit.call(form);
      },
      function (error) {
        button.disabled = false;
        show(button, explain(error, kind));
      }
    );
  }

  function start() {
    var buttons = document.querySelectorAll("button[data-passkey]");
    var supported = window.PublicKeyCredential && navigator.credentials && window.isSecureContext;
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (!supported) {
        button.disabled = true;
        show(button, message("unsupported"));
        continue;
      }
      button.addEventListener("click", function (event) {
        event.preventDefault();
        run(event.currentTarget);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
