/* Security keys and passkeys (WebAuthn) on the two-factor page and at sign-in.
 *
 * A form marked data-security-key="register" or "sign-in" names (data-options) the JSON the server made with
 * py_webauthn's options_to_json, where binary fields are base64url text. On submit the browser asks the key,
 * the key's answer goes back as JSON (binary fields as base64url again) in the form's hidden `credential`
 * field, and the form is posted for real. The server holds the challenge; it is good for one answer.
 */
(function () {
  "use strict";

  function bytesFrom(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - base64.length % 4) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function base64urlFrom(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBinaryIds(descriptors) {
    return (descriptors || []).map((descriptor) => ({ ...descriptor, id: bytesFrom(descriptor.id) }));
  }

  function creationOptions(options) {
    return { ...options, challenge: bytesFrom(options.challenge), user: { ...options.user, id: bytesFrom(options.user.id) },
             excludeCredentials: withBinaryIds(options.excludeCredentials) };
  }

  function requestOptions(options) {
    return { ...options, challenge: bytesFrom(options.challenge), allowCredentials: withBinaryIds(options.allowCredentials) };
  }

  function answerJson(credential) {
    const answer = credential.response;
    const response = { clientDataJSON: base64urlFrom(answer.clientDataJSON) };
    if (answer.attestationObject) {
      response.attestationObject = base64urlFrom(answer.attestationObject);
      response.transports = answer.getTransports ? answer.getTransports() : [];
    } else {
      response.authenticatorData = base64urlFrom(answer.authenticatorData);
      response.signature = base64urlFrom(answer.signature);
      if (answer.userHandle) response.userHandle = base64urlFrom(answer.userHandle);
    }
    return JSON.stringify({ id: credential.id, rawId: base64urlFrom(credential.rawId), type: credential.type, response,
                            authenticatorAttachment: credential.authenticatorAttachment,
                            clientExtensionResults: credential.getClientExtensionResults() });
  }

  async function askTheKey(form) {
    const options = JSON.parse(document.getElementById(form.dataset.options).textContent);
    if (form.dataset.securityKey === "register") {
      return navigator.credentials.create({ publicKey: creationOptions(options) });
    }
    return navigator.credentials.get({ publicKey: requestOptions(options) });
  }

  document.querySelectorAll("form[data-security-key]").forEach((form) => {
    const status = form.querySelector("[data-security-key-status]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!window.PublicKeyCredential) {
        status.textContent = form.dataset.unsupported;
        return;
      }
      status.textContent = "";
      try {
        form.elements.credential.value = answerJson(await askTheKey(form));
      } catch (error) {
        // The agent cancelled, the request timed out, or no key matched: the browser does not say which.
        status.textContent = form.dataset.cancelled;
        return;
      }
      form.submit();
    });
  });
})();
