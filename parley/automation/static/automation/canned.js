// Canned responses in the reply box: typing "/" (or "::") and a few letters lists the matching
// responses, already filled in for this conversation; Enter, Tab or a click inserts one.
(function () {
  "use strict";

  var TOKEN = /(^|\s)(\/|::)([\w-]*)$/;
  var active = -1;
  var results = [];
  var pending = null;

  function box() { return document.getElementById("canned-suggestions"); }

  function tokenBefore(field) {
    var match = TOKEN.exec(field.value.slice(0, field.selectionStart));
    return match ? { start: field.selectionStart - match[2].length - match[3].length, query: match[3] } : null;
  }

  function close() {
    var list = box();
    if (list) { list.hidden = true; list.innerHTML = ""; }
    results = []; active = -1;
    var field = document.getElementById("reply-text");
    if (field) field.setAttribute("aria-expanded", "false");
  }

  function highlight(index) {
    var list = box();
    active = index;
    Array.prototype.forEach.call(list.children, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
  }

  function insert(field, result) {
    var token = tokenBefore(field);
    if (!token) return;
    var end = field.selectionStart;
    field.value = field.value.slice(0, token.start) + result.text + field.value.slice(end);
    var caret = token.start + result.text.length;
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    close();
    field.focus();
  }

  function show(field, found) {
    var list = box();
    results = found;
    list.innerHTML = "";
    if (!found.length) { close(); return; }
    found.forEach(function (result, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "canned-option-" + i;
      var title = document.createElement("strong");
      title.textContent = "/" + result.shortcut + " · " + result.title;
      var text = document.createElement("span");
      text.className = "muted";
      text.textContent = result.text;
      item.appendChild(title);
      item.appendChild(text);
      item.addEventListener("mousedown", function (e) { e.preventDefault(); insert(field, result); });
      list.appendChild(item);
    });
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  function lookUp(field) {
    var token = tokenBefore(field);
    if (!token || !field.dataset.cannedUrl) { close(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(field.dataset.cannedUrl + "?q=" + encodeURIComponent(token.query), { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (tokenBefore(field)) show(field, data.results); })
      .catch(function () {});
  }

  document.addEventListener("input", function (e) {
    if (e.target.id === "reply-text" && e.isTrusted !== false) lookUp(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id !== "reply-text" || !results.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % results.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + results.length) % results.length); }
    else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); insert(e.target, results[Math.max(active, 0)]); }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("focusout", function (e) { if (e.target.id === "reply-text") setTimeout(close, 150); });
})();
