// The agent's desk in the browser: composer drafts kept on the server as they type (and a warning
// when leaving before the last keystrokes are saved), and keyboard shortcuts.
(function () {
  "use strict";

  var SAVE_AFTER_MS = 700;
  var pending = {};  // draft kind -> timer of a save not sent yet
  var inFlight = 0;

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function saveDraft(field) {
    var composer = field.closest("[data-draft-url]");
    if (!composer) return;
    var kind = field.dataset.draftKind;
    delete pending[kind];
    inFlight += 1;
    var body = new URLSearchParams({ kind: kind, text: field.value });
    fetch(composer.dataset.draftUrl, {
      method: "POST", credentials: "same-origin", body: body, headers: { "X-CSRFToken": csrfToken() },
    }).catch(function (err) { console.error("draft not saved:", err); })
      .then(function () { inFlight -= 1; });
  }

  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.dataset || !field.dataset.draftKind) return;
    clearTimeout(pending[field.dataset.draftKind]);
    pending[field.dataset.draftKind] = setTimeout(function () { saveDraft(field); }, SAVE_AFTER_MS);
  });

  // Sending a composer's form supersedes its draft: nothing is left to save.
  document.addEventListener("submit", function (e) {
    var field = e.target.querySelector("[data-draft-kind]");
    if (field) { clearTimeout(pending[field.dataset.draftKind]); delete pending[field.dataset.draftKind]; }
  }, true);

  window.addEventListener("beforeunload", function (e) {
    if (Object.keys(pending).length || inFlight) { e.preventDefault(); e.returnValue = ""; }
  });

  // --- keyboard shortcuts -------------------------------------------------------------------------

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#conversation-list li.row")); }

  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (row) { return row.classList.contains("is-selected"); });
    var next = Math.min(Math.max(current + step, 0), all.length - 1);
    if (current >= 0) all[current].classList.remove("is-selected");
    all[next].classList.add("is-selected");
    all[next].querySelector("a.row-link").focus();
  }

  function openComposer(kind) {
    var tab = document.getElementById("tab-" + kind);
    var field = document.getElementById(kind + "-text");
    if (!tab || !field) return false;
    tab.checked = true;
    field.focus();
    return true;
  }

  function submitAction(action, fields) {
    var composer = document.querySelector("[data-draft-url]");
    if (!composer) return false;
    var url = composer.dataset.draftUrl.replace(/draft\/$/, action + "/");
    htmx.ajax("POST", url, { target: "#conversation", swap: "outerHTML", values: fields });
    return true;
  }

  function toggleHelp() {
    var help = document.getElementById("shortcut-help");
    if (help) help.hidden = !help.hidden;
  }

  var KEYS = {
    j: function () { moveSelection(1); return true; },
    k: function () { moveSelection(-1); return true; },
    r: function () { return openComposer("reply"); },
    n: function () { return openComposer("note"); },
    a: function () {
      // The assign form posts the team too; keep the one the conversation has.
      var team = document.getElementById("id_team");
      return submitAction("assign", { assignee: document.body.dataset.userId, team: team ? team.value : "" });
    },
    s: function () { return submitAction("status", { status: "solved" }); },
    "/": function () {
      var search = document.querySelector("input[name='q']");
      if (!search) return false;
      search.focus();
      return true;
    },
    "?": function () { toggleHelp(); return true; },
  };

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.dataset && e.target.dataset.draftKind) {
      e.preventDefault();
      e.target.form.requestSubmit();
      return;
    }
    if (e.key === "Escape") {
      var help = document.getElementById("shortcut-help");
      if (help && !help.hidden) { help.hidden = true; return; }
      if (typing(e.target)) e.target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var action = KEYS[e.key];
    if (action && action()) e.preventDefault();
  });
})();

// The list's bulk bar: show only the value field of the chosen action; "this page" ticks every row.
(function () {
  "use strict";

  function showValueOf(form) {
    var action = form.querySelector("select[name='action']").value;
    form.querySelectorAll("[data-for]").forEach(function (label) { label.hidden = label.dataset.for !== action; });
  }

  document.addEventListener("change", function (e) {
    var form = e.target.closest("#bulk-form");
    if (!form) return;
    if (e.target.name === "action") showValueOf(form);
    if (e.target.classList.contains("select-page")) {
      document.querySelectorAll("#conversation-list .row-select").forEach(function (box) { box.checked = e.target.checked; });
    }
  });
})();

// Notifications the agent asked to be alerted to (My profile → Notifications): a browser notification and/or a sound.
(function () {
  "use strict";

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var audio = new Context();
    var tone = audio.createOscillator();
    var volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.setValueAtTime(0.15, audio.currentTime);
    volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  document.addEventListener("parley:notified", function (e) {
    var payload = e.detail.payload;
    if (document.body.dataset.notifyBrowser === "1" && window.Notification && Notification.permission === "granted") {
      var text = payload.text || document.body.dataset.mentionedText.replace("{number}", payload.conversation_id);
      var shown = new Notification("Parley", { body: text, tag: "parley-" + (payload.notification_id || payload.message_id) });
      shown.onclick = function () { window.focus(); location.href = "/c/" + payload.conversation_id + "/"; };
    }
    if (document.body.dataset.notifySound === "1") beep();
  });

  // Browsers grant notifications only when asked from a click: ask when the agent ticks the box.
  document.addEventListener("change", function (e) {
    if (e.target.name === "browser" && e.target.checked && window.Notification && Notification.permission === "default") {
      Notification.requestPermission();
    }
  });
})();
