// Suggestions while typing in a composer: a trigger ("/" for canned responses, "@" for colleagues) and a few
// letters list what matches, fetched from the server; arrows move, Enter, Tab or a click inserts, Escape closes.
// `parleySuggest({ field, list, token, url, label, insert })`:
//   field, list — ids of the textarea and of its listbox; token — a pattern ending at the caret whose groups
//   are (before, trigger, query); url(field, query) — where to fetch {results: [...]}; label(result) — the
//   option's [title, detail]; insert(result) — the text that replaces the trigger and query.
window.parleySuggest = function (options) {
  "use strict";

  var active = -1;
  var results = [];
  var pending = null;

  function box() { return document.getElementById(options.list); }

  function tokenBefore(field) {
    var match = options.token.exec(field.value.slice(0, field.selectionStart));
    return match ? { start: field.selectionStart - match[2].length - match[3].length, query: match[3] } : null;
  }

  function close() {
    var list = box();
    if (list) { list.hidden = true; list.innerHTML = ""; }
    results = []; active = -1;
    var field = document.getElementById(options.field);
    if (field) field.setAttribute("aria-expanded", "false");
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(box().children, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
  }

  function insert(field, result) {
    var token = tokenBefore(field);
    if (!token) return;
    var text = options.insert(result);
    field.value = field.value.slice(0, token.start) + text + field.value.slice(field.selectionStart);
    var caret = token.start + text.length;
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
      item.id = options.list + "-option-" + i;
      var parts = options.label(result);
      var title = document.createElement("strong");
      title.textContent = parts[0];
      var detail = document.createElement("span");
      detail.className = "muted";
      detail.textContent = parts[1];
      item.appendChild(title);
      item.appendChild(detail);
      item.addEventListener("mousedown", function (e) { e.preventDefault(); insert(field, result); });
      list.appendChild(item);
    });
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  function lookUp(field) {
    var token = tokenBefore(field);
    var url = token && options.url(field, token.query);
    if (!url) { close(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(url, { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (tokenBefore(field)) show(field, data.results); })
      .catch(function () {});
  }

  document.addEventListener("input", function (e) {
    if (e.target.id === options.field && e.isTrusted !== false) lookUp(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id !== options.field || !results.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % results.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + results.length) % results.length); }
    else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); insert(e.target, results[Math.max(active, 0)]); }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("focusout", function (e) { if (e.target.id === options.field) setTimeout(close, 150); });
};
