// The workspace's live socket: refresh what changed, show who else is viewing, count @mentions.
// The Details panel is refreshed too, unless the agent is editing one of its forms.
(function () {
  "use strict";

  var body = document.body;
  var me = Number(body.dataset.userId);
  var conversationId = Number(body.dataset.conversationId) || null;
  var PING_MS = 30000;
  var MAX_BACKOFF_MS = 30000;
  var socket = null;
  var attempts = 0;
  var pingTimer = null;
  var refreshTimers = {};
  var viewers = [];
  var detailsStale = false;

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/workspace/";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // Several events often arrive together (a reply and its status change); fetch once for them.
  function refreshSoon(selector, url) {
    clearTimeout(refreshTimers[selector]);
    refreshTimers[selector] = setTimeout(function () {
      if (document.querySelector(selector)) htmx.ajax("GET", url, { target: selector, swap: "outerHTML" });
    }, 150);
  }

  function refreshTimeline() {
    var timeline = document.getElementById("timeline");
    if (timeline) refreshSoon("#timeline", timeline.dataset.refreshUrl);
  }

  function fieldChanged(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      var initial = Array.prototype.findIndex.call(field.options, function (o) { return o.defaultSelected; });
      return field.selectedIndex !== (initial < 0 ? 0 : initial);
    }
    return field.value !== field.defaultValue;
  }

  // Focus inside the panel or a value not yet saved: a refresh now would throw the agent's work away.
  function beingEdited(panel) {
    if (panel !== document.activeElement && panel.contains(document.activeElement)) return true;
    return Array.prototype.some.call(panel.querySelectorAll("input, select, textarea"), fieldChanged);
  }

  function markDetailsStale(panel) {
    detailsStale = true;
    var notice = panel.querySelector(".details-stale");
    if (notice) notice.hidden = false;
  }

  function refreshDetails() {
    var panel = document.getElementById("details");
    if (!panel) return;
    if (beingEdited(panel)) { markDetailsStale(panel); return; }
    detailsStale = false;
    var expanded = Array.prototype.map.call(panel.querySelectorAll("details"), function (d) { return d.open; });
    htmx.ajax("GET", panel.dataset.refreshUrl, { target: "#details", swap: "outerHTML" }).then(function () {
      var fresh = document.getElementById("details");
      if (!fresh) return;
      fresh.querySelectorAll("details").forEach(function (d, i) { d.open = Boolean(expanded[i]); });
    });
  }

  function refreshDetailsSoon() {
    clearTimeout(refreshTimers.details);
    refreshTimers.details = setTimeout(refreshDetails, 150);
  }

  function refreshList() {
    refreshSoon("#conversation-list", location.pathname + location.search);
  }

  function showViewers() {
    var box = document.getElementById("presence");
    if (!box) return;
    var others = viewers.filter(function (v) { return v.user_id !== me; });
    box.textContent = "";
    box.hidden = others.length === 0;
    others.forEach(function (viewer) {
      var avatar = document.createElement("span");
      avatar.className = "avatar small";
      avatar.title = viewer.name;
      avatar.textContent = viewer.name.split(/\s+/).slice(0, 2).map(function (p) { return p.charAt(0); }).join("").toUpperCase();
      box.appendChild(avatar);
    });
    if (others.length) {
      var names = others.map(function (v) { return v.name; });
      var text = document.createElement("span");
      text.className = "presence-text";
      text.textContent = (names.length === 1 ? names[0] + " is" : names.slice(0, -1).join(", ") + " and " + names[names.length - 1] + " are") + " viewing";
      box.appendChild(text);
    }
  }

  function bumpMentionBadge() {
    var badge = document.getElementById("mention-badge");
    if (!badge) return;
    var count = Number(badge.dataset.count || 0) + 1;
    badge.dataset.count = count;
    badge.textContent = count;
    badge.classList.remove("is-empty");
  }

  function handle(message) {
    var event = message.event;
    var payload = message.payload || {};
    if (!event) return;
    if (event === "presence") {
      if (payload.conversation_id === conversationId) { viewers = payload.viewers || []; showViewers(); }
      return;
    }
    if (event === "agent.mentioned" && payload.agent_id === me) bumpMentionBadge();
    var relevant = event.indexOf("message.") === 0 || event.indexOf("conversation.") === 0;
    if (!relevant) return;
    if (conversationId) {
      if (payload.conversation_id === conversationId) { refreshTimeline(); refreshDetailsSoon(); }
    } else if (document.getElementById("conversation-list")) {
      refreshList();
    }
  }

  function setOffline(offline) {
    var status = document.getElementById("live-status");
    if (status) status.hidden = !offline;
  }

  function connect() {
    socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      attempts = 0;
      setOffline(false);
      if (conversationId) send({ action: "view", conversation_id: conversationId });
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ action: "ping" }); }, PING_MS);
    });
    socket.addEventListener("message", function (e) {
      try { handle(JSON.parse(e.data)); } catch (err) { console.error("workspace socket:", err); }
    });
    socket.addEventListener("close", function () {
      clearInterval(pingTimer);
      setOffline(attempts > 0);
      // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      attempts += 1;
      setTimeout(connect, delay);
    });
  }

  // A swapped-in conversation (after an action) keeps showing who is there.
  document.addEventListener("htmx:afterSwap", showViewers);

  // The agent may start typing while the refreshed panel is on its way; keep what they typed.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var panel = document.getElementById("details");
    if (panel && e.detail.target === panel && beingEdited(panel)) {
      e.detail.shouldSwap = false;
      markDetailsStale(panel);
    }
  });

  // A refresh skipped while the agent was editing happens once they leave the panel with nothing unsaved.
  document.addEventListener("focusout", function () {
    if (!detailsStale) return;
    setTimeout(function () {
      var panel = document.getElementById("details");
      if (panel && !beingEdited(panel)) refreshDetails();
    }, 0);
  });
  connect();
})();
