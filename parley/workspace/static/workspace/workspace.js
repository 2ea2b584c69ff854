// The workspace's live socket: show who else is viewing or typing, count @mentions, follow agents' availability
// (and tell the server this agent is active), and change only what changed:
// an open list updates, inserts, moves or drops the one row an event carries; an open conversation
// appends its new timeline items; the sidebar counts refresh at most every few seconds. The Details
// panel is refreshed too, unless the agent is editing one of its forms.
(function () {
  "use strict";

  var body = document.body;
  var me = Number(body.dataset.userId);
  var conversationId = Number(body.dataset.conversationId) || null;
  var PING_MS = 30000;
  var MAX_BACKOFF_MS = 30000;
  var COUNTS_EVERY_MS = 5000;
  var teamIds = (body.dataset.teamIds || "").split(/\s+/).filter(Boolean).map(Number);
  var socket = null;
  var attempts = 0;
  var pingTimer = null;
  var refreshTimers = {};
  var viewers = [];
  var detailsStale = false;
  var appending = null;
  var appendAgain = false;
  var countsTimer = null;
  var countsFetchedAt = 0;

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/workspace/";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // Several events often arrive together (a reply and its status change); act once for them.
  function soon(key, action) {
    clearTimeout(refreshTimers[key]);
    refreshTimers[key] = setTimeout(action, 150);
  }

  function fragment(url) {
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(function (response) {
      if (!response.ok) throw new Error(url + " answered " + response.status);
      return response.text();
    }).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      return template.content;
    });
  }

  function replaceSummary(content) {
    var fresh = content.querySelector("#conversation-summary");
    var current = document.getElementById("conversation-summary");
    if (fresh && current) { fresh.removeAttribute("hx-swap-oob"); current.replaceWith(fresh); }
  }

  function newestItemId(timeline) {
    return Array.prototype.reduce.call(timeline.querySelectorAll("li[id^='message-']"), function (newest, item) {
      return Math.max(newest, Number(item.id.slice("message-".length)));
    }, 0);
  }

  // Fetch only the items after the newest one shown; one fetch at a time, so none is appended twice.
  function appendNewItems() {
    var timeline = document.getElementById("timeline");
    if (!timeline) return;
    if (appending) { appendAgain = true; return; }
    appending = fragment(timeline.dataset.refreshUrl + "?after=" + newestItemId(timeline)).then(function (content) {
      var current = document.getElementById("timeline");
      if (!current) return;
      content.querySelectorAll("li[id^='message-']").forEach(function (item) {
        if (document.getElementById(item.id)) return;
        current.querySelectorAll("li:not([id])").forEach(function (placeholder) { placeholder.remove(); });
        current.appendChild(item);
      });
      replaceSummary(content);
    }).catch(function (err) { console.error("workspace timeline:", err); }).then(function () {
      appending = null;
      if (appendAgain) { appendAgain = false; appendNewItems(); }
    });
  }

  function replaceItem(messageId) {
    var timeline = document.getElementById("timeline");
    if (!timeline || !document.getElementById("message-" + messageId)) return;
    fragment(timeline.dataset.refreshUrl + "?message=" + messageId).then(function (content) {
      var fresh = content.getElementById("message-" + messageId);
      var current = document.getElementById("message-" + messageId);
      if (fresh && current) current.replaceWith(fresh);
    }).catch(function (err) { console.error("workspace timeline:", err); });
  }

  // A merge moves older messages in: only the whole timeline puts them in place.
  function reloadTimeline() {
    var timeline = document.getElementById("timeline");
    if (timeline) htmx.ajax("GET", timeline.dataset.refreshUrl, { target: "#timeline", swap: "outerHTML" });
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

  // The list's current view and filters, as the address bar holds them.
  function listFilters() {
    var query = new URLSearchParams(location.search);
    var get = function (name) { return (query.get(name) || "").trim(); };
    return { view: get("view") || "all", status: get("status") || "active", kind: get("kind"), priority: get("priority"),
             assignee: get("assignee"), tag: get("tag").toLowerCase(), text: get("q"), page: Number(get("page")) || 1,
             // Filters only the server can judge: a live change is shown in place, never added or dropped.
             serverOnly: ["team", "organization", "customer", "custom_status", "created_from", "created_to", "sort"]
               .some(function (name) { return get(name); }) };
  }

  // The same conditions the server's list applies, except the text search, which only the server can judge.
  function rowMatches(row, filters) {
    if (row.merged_into_id) return false;
    if (filters.view === "mine" && row.assignee_id !== me) return false;
    if (filters.view === "unassigned" && row.assignee_id !== null) return false;
    if (filters.view === "teams" && teamIds.indexOf(row.team_id) < 0) return false;
    if (filters.status === "active" ? !row.active : filters.status !== "any" && row.status !== filters.status) return false;
    if (filters.kind && row.inbox_kind !== filters.kind) return false;
    if (filters.priority && row.priority !== filters.priority) return false;
    if (filters.assignee && String(row.assignee_id) !== filters.assignee) return false;
    return !filters.tag || row.tags.indexOf(filters.tag) >= 0;
  }

  function adjustListCount(delta) {
    var count = document.querySelector("#conversation-list .list-count");
    // A count the server stopped at ("999+") stays as it is.
    if (!count || !/^\d+$/.test(count.textContent)) return;
    var total = Math.max(0, Number(count.textContent) + delta);
    count.textContent = total;
    var noun = document.querySelector("#conversation-list .list-noun");
    if (noun) noun.textContent = total === 1 ? noun.dataset.one : noun.dataset.many;
  }

  // Newest activity first, then the higher number, as the server orders the list.
  function comesBefore(a, b) {
    var at = Date.parse(a.dataset.last), bt = Date.parse(b.dataset.last);
    return at !== bt ? at > bt : Number(a.id.slice(4)) > Number(b.id.slice(4));
  }

  function dropRow(rows, id) {
    var existing = document.getElementById("row-" + id);
    if (!existing || !rows.contains(existing)) return null;
    existing.remove();
    adjustListCount(-1);
    return existing;
  }

  function updateRow(event, payload, row) {
    var rows = document.querySelector("#conversation-list ol.rows");
    if (!rows) return;
    if (event === "conversation.merged") dropRow(rows, payload.merged_id);
    var filters = listFilters();
    var id = row ? row.id : payload.conversation_id;
    var existing = document.getElementById("row-" + id);
    if (!row || !rowMatches(row, filters)) { dropRow(rows, id); return; }
    // A row not shown on a later page or under a text search may not belong there: leave those lists be.
    if (!existing && (filters.text || filters.page > 1 || filters.serverOnly)) return;
    var template = document.createElement("template");
    template.innerHTML = row.html.trim();
    var fresh = template.content.firstElementChild;
    var wasUnread = existing && existing.classList.contains("is-unread");
    if (event === "message.received" || (wasUnread && row.waiting)) fresh.classList.add("is-unread");
    if (existing && filters.serverOnly) { existing.replaceWith(fresh); return; }
    if (existing) existing.remove();
    var before = Array.prototype.find.call(rows.querySelectorAll("li.row"), function (other) { return comesBefore(fresh, other); });
    var shownRows = rows.querySelectorAll("li.row");
    var full = shownRows.length >= (Number(rows.dataset.pageSize) || 50);
    // Newer than everything on a later page, or older than everything on a full one: it belongs to another page.
    var elsewhere = (!before && full) || (filters.page > 1 && before && before === shownRows[0]);
    if (elsewhere) return;
    rows.insertBefore(fresh, before || null);
    rows.querySelectorAll("li.empty").forEach(function (empty) { empty.remove(); });
    if (!existing) adjustListCount(1);
    shownRows = rows.querySelectorAll("li.row");
    if (shownRows.length > (Number(rows.dataset.pageSize) || 50)) shownRows[shownRows.length - 1].remove();
  }

  // Counts change with many events; ask for them at most every few seconds.
  function refreshCountsSoon() {
    if (countsTimer || !document.getElementById("view-counts")) return;
    var wait = Math.max(150, countsFetchedAt + COUNTS_EVERY_MS - Date.now());
    countsTimer = setTimeout(function () {
      countsTimer = null;
      countsFetchedAt = Date.now();
      var view = body.dataset.page === "list" ? listFilters().view : "";
      htmx.ajax("GET", body.dataset.countsUrl + "?view=" + encodeURIComponent(view), { target: "#view-counts", swap: "outerHTML" });
    }, wait);
  }

  // A sentence with its blanks filled in; a function, so that a "$" in a name is taken as written.
  function fill(sentence, values) {
    return sentence.replace(/\{(\w+)\}/g, function (blank, key) { return values[key]; });
  }

  // Who is there, in the agent's language: the page puts the sentences on #presence ("{name} is viewing" …).
  function said(presence, key, names) {
    var words = presence.dataset;
    if (names.length === 1) return fill(words[key + "One"], { name: names[0] });
    return fill(words[key + "Many"], { names: names.slice(0, -1).join(", "), last: names[names.length - 1] });
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
      text.textContent = said(box, "viewing", names);
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

  // A chat customer's typing, shown under the presence line of the conversation it is in.
  var typingTimer = null;
  function showCustomerTyping(payload) {
    if (payload.conversation_id !== conversationId) return;
    var line = document.getElementById("customer-typing");
    var presence = document.getElementById("presence");
    if (!line && presence) {
      line = document.createElement("div");
      line.id = "customer-typing";
      line.className = "muted";
      line.setAttribute("aria-live", "polite");
      presence.insertAdjacentElement("afterend", line);
    }
    if (!line || !presence) return;
    clearTimeout(typingTimer);
    line.textContent = payload.typing ? fill(presence.dataset.customerTyping, { name: payload.name || presence.dataset.theCustomer }) : "";
    if (payload.typing) typingTimer = setTimeout(function () { line.textContent = ""; }, 6000);
  }

  // Colleagues writing a reply in this conversation, shown next to who is viewing it, so two agents do not answer twice.
  var typingAgents = {};
  function showAgentsTyping() {
    var presence = document.getElementById("presence");
    if (!presence) return;
    var line = document.getElementById("agent-typing");
    if (!line) {
      line = document.createElement("span");
      line.id = "agent-typing";
      line.className = "presence-typing";
      line.setAttribute("aria-live", "polite");
    }
    // The presence box is emptied and hidden when nobody else views: keep the line outside it.
    if (line.previousElementSibling !== presence) presence.insertAdjacentElement("afterend", line);
    var names = Object.keys(typingAgents).map(function (id) { return typingAgents[id].name; }).sort();
    line.textContent = !names.length ? "" : said(presence, "typing", names);
  }
  function agentTyping(payload) {
    if (payload.conversation_id !== conversationId) return;
    var known = typingAgents[payload.agent_id];
    if (known) clearTimeout(known.timer);
    if (payload.typing) {
      typingAgents[payload.agent_id] = { name: payload.name, timer: setTimeout(function () {
        delete typingAgents[payload.agent_id];
        showAgentsTyping();
      }, 6000) };
    } else {
      delete typingAgents[payload.agent_id];
    }
    showAgentsTyping();
  }

  // A chat customer waits on a person: a short tone and a count in the tab's title, until the tab is looked at.
  var chatAlerts = 0, plainTitle = document.title;
  function showChatAlerts() {
    var badge = document.getElementById("chat-badge");
    if (badge) { badge.textContent = chatAlerts; badge.dataset.count = chatAlerts; badge.classList.toggle("is-empty", !chatAlerts); }
    document.title = chatAlerts ? "(" + chatAlerts + ") " + plainTitle : plainTitle;
  }
  function chatArrived() {
    chatAlerts += 1;
    showChatAlerts();
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)(), tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = 660; gain.gain.value = 0.05; tone.connect(gain); gain.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.2);
    } catch (err) { /* the browser allows no sound before the agent has clicked: the title still tells */ }
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { chatAlerts = 0; showChatAlerts(); }
  });
  var lastTypingSent = 0;
  document.addEventListener("input", function (e) {
    if (e.target.id !== "reply-text" || !conversationId || Date.now() - lastTypingSent < 2000) return;
    lastTypingSent = Date.now();
    send({ action: "typing", typing: true });
  });
  // Sent: colleagues stop seeing "typing" at once rather than a few seconds later.
  document.addEventListener("submit", function (e) {
    if (!conversationId || !e.target.querySelector("#reply-text")) return;
    lastTypingSent = 0;
    send({ action: "typing", typing: false });
  }, true);

  // The server makes an idle agent away and an active one online again; it hears of activity at most once a minute.
  var ACTIVE_EVERY_MS = 60000;
  var activeSentAt = 0;
  function active() {
    if (Date.now() - activeSentAt < ACTIVE_EVERY_MS) return;
    activeSentAt = Date.now();
    send({ action: "active" });
  }
  ["keydown", "pointerdown", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true, capture: true });
  });

  // Labels come from the header's own control, in the agent's language.
  function availabilityLabel(value) {
    var option = document.querySelector("#availability-choice option[value='" + value + "']");
    return option ? option.textContent : value;
  }

  function showAvailability(payload) {
    var label = availabilityLabel(payload.availability);
    document.querySelectorAll("select[name='assignee'] option[value='" + payload.agent_id + "']").forEach(function (option) {
      var at = option.textContent.lastIndexOf(" — ");
      if (at >= 0) option.textContent = option.textContent.slice(0, at) + " — " + label;
    });
    if (payload.agent_id !== me) return;
    var choice = document.getElementById("availability-choice");
    if (choice) choice.value = payload.availability;
    var dot = document.querySelector("#availability .dot");
    if (dot) dot.className = "dot dot-" + payload.availability;
  }

  function handle(message) {
    var event = message.event;
    var payload = message.payload || {};
    if (!event) return;
    if (event === "agent.availability_changed") { showAvailability(payload); return; }
    if (event === "resync") { resync(); return; }
    if (event === "typing") { showCustomerTyping(payload); return; }
    if (event === "agent.typing") { agentTyping(payload); return; }
    if (event === "message.received" && message.row && message.row.inbox_kind === "chat") chatArrived();
    // The chat tray follows every change to a chat: a new message, a reply, an assignment, an end.
    if (message.row && message.row.inbox_kind === "chat") document.body.dispatchEvent(new CustomEvent("parley:chats"));
    if (event === "presence") {
      if (payload.conversation_id === conversationId) { viewers = payload.viewers || []; showViewers(); }
      return;
    }
    if ((event === "agent.mentioned" || event === "agent.notified") && payload.agent_id === me) {
      bumpMentionBadge();
      document.dispatchEvent(new CustomEvent("parley:notified", { detail: { event: event, payload: payload } }));
    }
    if ("row" in message) { updateRow(event, payload, message.row); refreshCountsSoon(); }
    if (!conversationId) return;
    if (event === "conversation.merged" && (payload.conversation_id === conversationId || payload.merged_id === conversationId)) {
      soon("reload", reloadTimeline);
      soon("details", refreshDetails);
    } else if (payload.conversation_id === conversationId) {
      if (event === "message.delivery_changed") replaceItem(payload.message_id);
      else soon("timeline", appendNewItems);
      if (event.indexOf("conversation.") === 0) soon("details", refreshDetails);
    }
  }

  // The server dropped updates for this page (it fell too far behind): fetch what is shown again.
  function resync() {
    var list = document.getElementById("conversation-list");
    if (list) htmx.ajax("GET", location.href, { target: "#conversation-list", select: "#conversation-list", swap: "outerHTML" });
    refreshCountsSoon();
    if (!conversationId) return;
    soon("timeline", appendNewItems);
    soon("details", refreshDetails);
  }

  function setOffline(offline) {
    var status = document.getElementById("live-status");
    if (status) status.hidden = !offline;
  }

  function connect() {
    socket = new WebSocket(socketUrl());
    socket.addEventListener("open", function () {
      // The server joins the socket to its groups before accepting it: from here on changes arrive live.
      body.dataset.live = "on";
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
      body.dataset.live = "off";
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
