// Copy buttons: <button data-copy="#selector" data-copied="Copied"> copies that field's value, e.g. a token secret shown
// once, and says data-copied (in the agent's language) for a moment.
(function () {
  "use strict";

  function confirmCopied(button) {
    // The label is kept once: a second click while "Copied" shows must not make that the label.
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    // The Clipboard API exists only on secure origins; elsewhere the selected field is copied the old way.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { confirmCopied(button); });
    } else if (document.execCommand("copy")) {
      confirmCopied(button);
    }
  });
})();
