/* Parley live chat widget: one dependency-free script.
   Embed: <script src="https://parley.example.com/chat/widget.js" data-inbox="INBOX KEY" async></script>
   API: Parley.setContext({...}), Parley.identify({id, email, name, hash}), Parley.open(), Parley.close(),
        Parley.prefill(text). Everything renders inside a shadow root; every text is set with textContent. */
(function () {
  "use strict";
  if (window.Parley && window.Parley.loaded) return;
  var script = document.currentScript || document.querySelector("script[data-inbox][src*='widget.js']");
  if (!script) return;
  var KEY = script.getAttribute("data-inbox");
  var BASE = new URL(script.src, location.href).origin;
  var STORE = "parley:" + KEY + ":";
  // The widget's words come with the session, translated on the server in the visitor's language.
  var T = {};
  var EMOJI = ["😀", "😊", "😂", "😍", "🙂", "😉", "😢", "😮", "👍", "👎", "🙏", "👏", "🎉", "❤️", "🔥", "✅", "❌", "🤔", "📦", "🚚", "💳", "🛒", "⭐", "👋"];
  var state = {token: localStorage.getItem(STORE + "token") || "", config: null, online: true, visitor: {}, socket: null,
    open: false, lastId: 0, lastAgentId: 0, seenSent: 0, seen: {}, pending: {}, unread: 0, retry: 0, context: null, typingSent: 0, typingTimer: null,
    agentTypingTimer: null, refused: "", baseTitle: document.title};
  var ui = {};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function css(c) {
    var side = c.position === "left" ? "left" : "right";
    return ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif}[hidden]{display:none!important}" +
      ".launcher{position:fixed;bottom:20px;" + side + ":20px;width:56px;height:56px;border-radius:50%;border:0;background:" + c.color +
      ";color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646;font-size:24px}" +
      ".badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;line-height:20px;padding:0 5px}" +
      ".panel{position:fixed;bottom:86px;" + side + ":20px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 110px);" +
      "background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;z-index:2147483647}" +
      ".head{background:" + c.color + ";color:#fff;padding:12px 14px;display:flex;justify-content:space-between;align-items:center}" +
      ".head strong{color:#fff}.x{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}" +
      ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px;background:#f8fafc}" +
      ".msg{max-width:80%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
      ".visitor{align-self:flex-end;background:" + c.color + ";color:#fff}.agent{align-self:flex-start;background:#e5e7eb}" +
      ".msg a{color:inherit;text-decoration:underline}.who{display:block;font-size:11px;opacity:.7}.pending{opacity:.6}.failed{outline:2px solid #dc2626}" +
      ".who .av{display:inline-block;width:20px;height:20px;border-radius:50%;background:#475569;color:#fff;font-size:10px;line-height:20px;text-align:center;margin-right:5px}" +
      ".msg img{display:block;max-width:100%;max-height:200px;border-radius:6px;margin-top:4px}.file{display:block;margin-top:4px}" +
      ".tool{background:none;border:0;font-size:18px;cursor:pointer;padding:0 2px}.emojis{display:flex;flex-wrap:wrap;gap:2px;padding:6px 10px;border-top:1px solid #e5e7eb}" +
      ".emojis button{background:none;border:0;font-size:18px;cursor:pointer;padding:2px}" +
      ".note{font-size:12px;color:#475569;padding:6px 12px;background:#fff7ed}.err{color:#b91c1c}" +
      ".typing{font-size:12px;color:#64748b;padding:0 12px;min-height:18px}" +
      "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e5e7eb;flex-wrap:wrap}input,textarea{flex:1;min-width:0;padding:8px;border:1px solid #cbd5e1;border-radius:8px;color:#111;background:#fff}" +
      "textarea{resize:none;height:40px}button.go{background:" + c.color + ";color:#fff;border:0;border-radius:8px;padding:8px 12px;cursor:pointer}" +
      ".survey{align-self:stretch;max-width:none;background:#fff;border:1px solid #cbd5e1;white-space:normal}.survey .stars{flex-wrap:wrap;padding:6px 0}" +
      ".survey form{padding:6px 0 0;border:0}.survey-comment{font-style:italic}" +
      ".stars{display:flex;gap:4px;padding:8px 12px}.stars button{border:1px solid #cbd5e1;background:#fff;border-radius:6px;padding:4px 9px;cursor:pointer}" +
      ".greet{position:fixed;bottom:86px;" + side + ":20px;max-width:260px;background:#fff;color:#111;padding:10px 12px;border-radius:10px;box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer;z-index:2147483646}" +
      "@media (max-width:480px){.panel{top:0;left:0;right:0;bottom:0;width:100vw;max-width:none;height:100%;max-height:none;border-radius:0}}";
  }

  function build() {
    var c = state.config || {color: "#2563eb", position: "right", name: "", greeting: ""};
    var host = el("div");
    host.id = "parley-chat";
    document.body.appendChild(host);
    var root = host.attachShadow({mode: "open"});
    ui.root = root;
    root.appendChild(el("style", null, css(c)));
    ui.launcher = el("button", "launcher", "💬");
    ui.launcher.setAttribute("aria-label", T.open);
    ui.badge = el("span", "badge");
    ui.badge.hidden = true;
    ui.launcher.appendChild(ui.badge);
    ui.launcher.onclick = function () { state.open ? close() : open(); };
    ui.panel = el("div", "panel");
    ui.panel.hidden = true;
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-label", c.name || T.title);
    var head = el("div", "head");
    head.appendChild(el("strong", null, c.name || T.title));
    var x = el("button", "x", "×");
    x.setAttribute("aria-label", T.close);
    x.onclick = close;
    head.appendChild(x);
    ui.status = el("div", "note");
    ui.status.hidden = true;
    ui.log = el("div", "log");
    ui.log.setAttribute("aria-live", "polite");
    if (c.greeting) ui.log.appendChild(el("div", "msg agent greeting", c.greeting));
    ui.typing = el("div", "typing");
    ui.extra = el("div");
    ui.form = el("form", "composer");
    ui.input = el("textarea");
    ui.input.placeholder = T.placeholder;
    ui.input.setAttribute("aria-label", T.placeholder);
    ui.input.onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); } };
    ui.input.oninput = typed;
    ui.file = el("input");
    ui.file.type = "file"; ui.file.hidden = true; ui.file.accept = (c.file_types || []).join(",");
    ui.file.onchange = function () { if (ui.file.files[0]) upload(ui.file.files[0]); ui.file.value = ""; };
    var attach = el("button", "tool attach", "📎");
    attach.type = "button"; attach.title = T.attach; attach.setAttribute("aria-label", T.attach);
    attach.onclick = function () { ui.file.click(); };
    ui.emojis = el("div", "emojis");
    ui.emojis.hidden = true;
    EMOJI.forEach(function (emoji) {
      var b = el("button", null, emoji);
      b.type = "button";
      b.onclick = function () { insert(emoji); };
      ui.emojis.appendChild(b);
    });
    var smile = el("button", "tool smile", "😊");
    smile.type = "button"; smile.title = T.emoji; smile.setAttribute("aria-label", T.emoji);
    smile.onclick = function () { ui.emojis.hidden = !ui.emojis.hidden; };
    [smile, attach, ui.file, ui.input, el("button", "go", T.send)].forEach(function (n) { ui.form.appendChild(n); });
    ui.form.onsubmit = function (e) { e.preventDefault(); submit(); };
    [head, ui.status, ui.log, ui.typing, ui.extra, ui.emojis, ui.form].forEach(function (n) { ui.panel.appendChild(n); });
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    if (state.refused) { say(T.refused + state.refused, true); ui.form.hidden = true; }
  }

  function say(text, isError) {
    ui.status.textContent = text;
    ui.status.className = isError ? "note err" : "note";
    ui.status.hidden = !text;
  }

  function open() {
    state.open = true;
    ui.panel.hidden = false;
    if (ui.greet) { ui.greet.remove(); ui.greet = null; }
    setUnread(0);
    markSeen();
    ui.input.focus();
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // Read receipts: the agent learns the visitor has seen their replies once the panel shows them.
  function markSeen() {
    if (state.lastAgentId > state.seenSent && send({action: "seen", message_id: state.lastAgentId})) state.seenSent = state.lastAgentId;
  }

  function close() { state.open = false; ui.panel.hidden = true; }

  function setUnread(n) {
    state.unread = n;
    ui.badge.hidden = !n;
    ui.badge.textContent = n ? String(n) : "";
    document.title = n ? "(" + n + ") " + state.baseTitle : state.baseTitle;
  }

  function chime() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.05; osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.15);
    } catch (e) { /* no audio allowed before a user gesture: the badge and title still say it */ }
  }

  // Text as text; only http(s) addresses become links (a product link from an agent), built node by node.
  function appendText(node, text) {
    var parts = String(text).split(/(https?:\/\/[^\s<>"]+)/);
    parts.forEach(function (part, i) {
      if (i % 2) {
        var a = el("a", null, part);
        a.href = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        node.appendChild(a);
      } else if (part) node.appendChild(document.createTextNode(part));
    });
  }

  function insert(text) {
    var input = ui.input, at = input.selectionStart == null ? input.value.length : input.selectionStart;
    input.value = input.value.slice(0, at) + text + input.value.slice(input.selectionEnd == null ? at : input.selectionEnd);
    input.focus();
    input.selectionStart = input.selectionEnd = at + text.length;
  }

  // A file is posted over HTTP (a socket frame is kept small); the answer is the stored message, as an ack is.
  function upload(file) {
    var id = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    var bubble = el("div", "msg visitor pending", T.sending + " " + file.name);
    ui.log.appendChild(bubble);
    var form = new FormData();
    form.append("token", state.token); form.append("client_id", id); form.append("file", file);
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/upload/", {method: "POST", body: form})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (answer.ok) { bubble.remove(); show(answer.data.message); return; }
        bubble.classList.add("failed");
        bubble.appendChild(el("span", "who err", T.failed + answer.data.message));
      })
      .catch(function () { bubble.classList.add("failed"); bubble.appendChild(el("span", "who err", T.failed + file.name)); });
  }

  function appendFiles(bubble, files) {
    (files || []).forEach(function (f) {
      if (f.image) {
        var img = el("img");
        img.src = BASE + f.url; img.alt = f.name;
        bubble.appendChild(img);
      } else {
        var a = el("a", "file", "📄 " + f.name);
        a.href = BASE + f.url; a.target = "_blank"; a.rel = "noopener noreferrer";
        bubble.appendChild(a);
      }
    });
  }

  function show(m) {
    if (state.seen[m.id]) return;
    state.seen[m.id] = true;
    state.lastId = Math.max(state.lastId, m.id);
    var bubble = el("div", "msg " + m.from);
    bubble.setAttribute("data-id", m.id);
    if (m.from === "agent" && m.author) {
      var who = el("span", "who");
      who.appendChild(el("span", "av", m.initials));
      who.appendChild(document.createTextNode(m.author));
      bubble.appendChild(who);
    }
    if (m.survey) surveyCard(bubble, m.survey);
    else appendText(bubble, m.text);
    appendFiles(bubble, m.files);
    ui.log.appendChild(bubble);
    ui.log.scrollTop = ui.log.scrollHeight;
    if (m.from === "agent") {
      showTyping(false);
      state.lastAgentId = Math.max(state.lastAgentId, m.id);
      if (!state.open || document.hidden) { setUnread(state.unread + 1); chime(); } else markSeen();
    }
  }

  // A survey asked in the chat, answered in place: a button per score, then one comment.
  function surveyCard(bubble, survey) {
    bubble.classList.add("survey");
    bubble.setAttribute("data-survey", survey.id);
    while (bubble.lastChild && bubble.lastChild.className !== "who") bubble.removeChild(bubble.lastChild);
    bubble.appendChild(el("div", "survey-question", survey.question));
    var high = survey.scores[survey.scores.length - 1][0];
    if (survey.score == null) {
      var scores = el("div", "stars");
      survey.scores.forEach(function (pair) {
        var b = el("button", null, String(pair[0]));
        b.type = "button";
        b.setAttribute("aria-label", pair[0] + (pair[1] ? " – " + pair[1] : ""));
        if (pair[1]) b.title = pair[1];
        b.onclick = function () { send({action: "survey", survey_id: survey.id, score: pair[0]}); };
        scores.appendChild(b);
      });
      bubble.appendChild(scores);
      return;
    }
    bubble.appendChild(el("div", "survey-answer", T.answered.replace("{score}", survey.score).replace("{high}", high)));
    if (survey.comment) { bubble.appendChild(el("div", "survey-comment", survey.comment)); return; }
    var form = el("form");
    var text = el("textarea");
    text.setAttribute("aria-label", T.comment); text.placeholder = T.comment; text.maxLength = 4000;
    form.appendChild(text);
    form.appendChild(el("button", "go", T.sendComment));
    form.onsubmit = function (e) {
      e.preventDefault();
      if (text.value.trim()) send({action: "survey", survey_id: survey.id, comment: text.value.trim()});
    };
    bubble.appendChild(form);
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function submit() {
    var text = ui.input.value.trim();
    if (!text || state.refused) return;
    var id = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    var bubble = el("div", "msg visitor pending", text);
    ui.log.appendChild(bubble);
    ui.log.scrollTop = ui.log.scrollHeight;
    state.pending[id] = {text: text, bubble: bubble};
    ui.input.value = "";
    send({action: "message", text: text, client_id: id});
    stopTyping();
  }

  function typed() {
    var now = Date.now();
    if (now - state.typingSent > 2000) { state.typingSent = now; send({action: "typing", typing: true}); }
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, 3000);
  }

  function stopTyping() {
    clearTimeout(state.typingTimer);
    if (state.typingSent) { state.typingSent = 0; send({action: "typing", typing: false}); }
  }

  function showTyping(on, name) {
    clearTimeout(state.agentTypingTimer);
    ui.typing.textContent = on ? (name || T.someone) + T.typing : "";
    if (on) state.agentTypingTimer = setTimeout(function () { showTyping(false); }, 6000);
  }

  function detailsForm(withName, note, button) {
    ui.extra.textContent = "";
    var form = el("form", "details");
    if (note) form.appendChild(el("div", "note", note));
    var name = el("input");
    name.placeholder = T.name; name.setAttribute("aria-label", T.name); name.name = "name";
    var email = el("input");
    email.type = "email"; email.placeholder = T.email; email.setAttribute("aria-label", T.email); email.name = "email"; email.required = true;
    if (withName) form.appendChild(name);
    form.appendChild(email);
    form.appendChild(el("button", "go", button));
    form.onsubmit = function (e) {
      e.preventDefault();
      state.visitor.email = email.value.trim();
      state.visitor.name = name.value.trim() || state.visitor.name;
      send({action: "details", name: name.value.trim(), email: email.value.trim()});
    };
    ui.extra.appendChild(form);
    ui.form.hidden = !!withName;
  }

  function offerDetails() {
    var v = state.visitor;
    if (state.config.prechat_form && !v.email && !v.verified) detailsForm(true, "", T.start);
    else if (!state.online && !v.email) detailsForm(false, T.offline, T.save);
    else if (!state.online) { ui.extra.textContent = ""; ui.extra.appendChild(el("div", "note", T.saved + v.email)); }
  }

  function rating(conversationId) {
    ui.extra.textContent = "";
    var box = el("div");
    box.appendChild(el("div", "note", T.rate));
    var stars = el("div", "stars");
    [1, 2, 3, 4, 5].forEach(function (n) {
      var b = el("button", null, n + "★");
      b.setAttribute("aria-label", n + " / 5");
      b.onclick = function () { send({action: "rate", conversation_id: conversationId, score: n}); };
      stars.appendChild(b);
    });
    box.appendChild(stars);
    ui.extra.appendChild(box);
  }

  var handlers = {
    hello: function (f) { state.online = f.online; offerDetails(); },
    history: function (f) { f.messages.forEach(show); },
    message: function (f) { show(f.message); },
    ack: function (f) {
      var p = state.pending[f.client_id];
      if (p) { p.bubble.remove(); delete state.pending[f.client_id]; }
      show(f.message);
    },
    typing: function (f) { showTyping(f.typing, f.name); },
    details_saved: function () { ui.form.hidden = false; ui.extra.textContent = ""; if (!state.online) ui.extra.appendChild(el("div", "note", T.saved + state.visitor.email)); },
    ended: function (f) { if (f.rate !== false) rating(f.conversation_id); },
    survey: function (f) {
      var bubble = ui.log.querySelector('[data-survey="' + Number(f.survey.id) + '"]');
      if (bubble) surveyCard(bubble, f.survey);
    },
    rated: function () { ui.extra.textContent = ""; ui.extra.appendChild(el("div", "note", T.thanks)); },
    greet: function (f) { if (f.show && !state.open) greet(state.config.proactive_message); },
    pong: function () {},
    resync: function () { send({action: "resume", after: state.lastId}); },
    error: function (f) {
      var p = f.client_id && state.pending[f.client_id];
      if (p) { p.bubble.classList.add("failed"); p.bubble.appendChild(el("span", "who err", T.failed + f.message)); delete state.pending[f.client_id]; }
      else say(f.message, true);
    }
  };

  function connect() {
    var url = BASE.replace(/^http/, "ws") + state.socketPath + "?token=" + encodeURIComponent(state.token);
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () {
      state.retry = 0;
      say("");
      send({action: "page", url: location.href, title: document.title});
      send({action: "resume", after: state.lastId});
      if (state.context) send({action: "context", context: state.context});
      Object.keys(state.pending).forEach(function (id) { send({action: "message", text: state.pending[id].text, client_id: id}); });
    };
    socket.onmessage = function (e) {
      var f = JSON.parse(e.data);
      if (handlers[f.event]) handlers[f.event](f);
    };
    socket.onclose = function () {
      if (state.socket !== socket) return;
      state.socket = null;
      say(T.reconnecting);
      state.retry = Math.min(state.retry + 1, 5);
      setTimeout(connect, 500 * Math.pow(2, state.retry));
    };
  }

  function greet(text) {
    if (!text || ui.greet) return;
    ui.greet = el("div", "greet", text);
    ui.greet.setAttribute("role", "status");
    ui.greet.onclick = open;
    ui.root.appendChild(ui.greet);
    setUnread(state.unread + 1);
  }

  function proactive() {
    var c = state.config;
    if (!c.proactive_message) return;
    var paths = c.proactive_paths || [];
    if (paths.length && !paths.some(function (p) { return location.pathname.indexOf(p) === 0; })) return;
    setTimeout(function () { if (!state.open) send({action: "greet"}); }, (c.proactive_delay_seconds || 0) * 1000);
  }

  function start(identity) {
    var body = JSON.stringify({token: state.token, identity: identity || null, referrer: document.referrer});
    return fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/session/", {method: "POST", body: body, headers: {"Content-Type": "text/plain"}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (answer.data.words) T = answer.data.words;
        if (!answer.ok) { state.refused = answer.data.message || "error"; return false; }
        var d = answer.data;
        if (d.token !== state.token) { state.lastId = 0; state.seen = {}; if (ui.log) ui.log.querySelectorAll("[data-id]").forEach(function (n) { n.remove(); }); }
        state.token = d.token; state.config = d.config; state.online = d.online; state.visitor = d.visitor; state.socketPath = d.socket;
        state.refused = "";
        localStorage.setItem(STORE + "token", d.token);
        return true;
      });
  }

  var settings = window.ParleySettings || {};
  var api = {
    loaded: true,
    setContext: function (context) { state.context = context; send({action: "context", context: context}); },
    identify: function (identity) {
      return start(identity).then(function (ok) {
        if (!ok) { say(T.refused + state.refused, true); ui.form.hidden = true; return; }
        ui.form.hidden = false; say("");
        if (state.socket) { var old = state.socket; state.socket = null; old.close(); }
        connect();
      });
    },
    open: function () { open(); },
    close: function () { close(); },
    prefill: function (text) { ui.input.value = text; open(); }
  };
  window.Parley = api;
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && state.open && ui.badge) { setUnread(0); markSeen(); }
  });
  if (settings.context) state.context = settings.context;
  start(settings.identity).then(function (ok) {
    build();
    if (!ok) return;
    connect();
    proactive();
    setInterval(function () { send({action: "ping"}); }, 25000);
    if (typeof settings.onReady === "function") settings.onReady(api);
  }).catch(function () { /* Parley cannot be reached: no widget rather than one that cannot send */ });
})();
