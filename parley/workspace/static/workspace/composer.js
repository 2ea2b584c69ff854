// The reply composer's counter: characters, or SMS segments, against the channel's limit.
// The server refuses a reply over the limit anyway; this only lets the agent see it coming.
(function () {
  "use strict";

  // GSM 03.38: the basic set, and the extension characters that take two septets.
  var GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXTENDED = "^{}\\[~]|€\f";

  function isGsm(text) {
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (GSM_BASIC.indexOf(c) < 0 && GSM_EXTENDED.indexOf(c) < 0) return false;
    }
    return true;
  }

  function segments(text) {
    if (!text) return 0;
    var septets = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (GSM_BASIC.indexOf(c) >= 0) septets += 1;
      else if (GSM_EXTENDED.indexOf(c) >= 0) septets += 2;
      else { septets = -1; break; }
    }
    // JavaScript strings count UTF-16 code units, as UCS-2 segments do.
    if (septets < 0) return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }

  function update(field) {
    var counter = document.getElementById("reply-counter");
    if (!counter) return;
    var maxLength = Number(field.dataset.maxLength) || 0;
    var used = maxLength ? field.value.length : segments(field.value);
    var limit = maxLength || Number(field.dataset.maxSegments);
    // Agents see why a short message takes several segments: one character outside GSM-7 makes it UCS-2.
    var encoding = maxLength || !field.value ? "" : (isGsm(field.value) ? " (GSM-7)" : " (UCS-2)");
    // The unit comes from the page, in the agent's language.
    counter.textContent = used + " / " + limit + " " + (maxLength ? counter.dataset.characters : counter.dataset.segments + encoding);
    counter.classList.toggle("over-limit", used > limit);
  }

  document.addEventListener("input", function (e) {
    if (e.target.id === "reply-text") update(e.target);
  });
  // A re-rendered composer (a refused reply shown again) starts with its text already counted.
  function updateAll() {
    var field = document.getElementById("reply-text");
    if (field) update(field);
  }
  document.addEventListener("htmx:afterSwap", updateAll);
  document.addEventListener("DOMContentLoaded", updateAll);
})();
