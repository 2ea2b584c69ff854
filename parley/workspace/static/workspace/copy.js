// Copy buttons: <button data-copy="#selector"> copies that field's value, e.g. a token secret shown once.
(function () {
  "use strict";

  function confirmCopied(button) {
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
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
