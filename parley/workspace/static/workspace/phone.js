// Phones: "Menu" unfolds every section of the navigation, and an opened conversation starts at its latest
// message with the composer right under it rather than at the oldest message.
(function () {
  "use strict";

  var phone = window.matchMedia("(max-width: 720px)");

  document.addEventListener("click", function (e) {
    var toggle = e.target.closest(".menu-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("is-open", open);
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!phone.matches || location.hash) return;
    // The composer at the bottom of the screen puts the latest message just above it.
    var composer = document.querySelector("#conversation .composer");
    if (composer) composer.scrollIntoView({ block: "end" });
  });
})();
