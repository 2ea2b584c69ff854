// @mentions in the note box: "@" and a few letters list the colleagues who match; the chosen one is
// written as their handle, which the server recognises and notifies.
window.parleySuggest({
  field: "note-text",
  list: "mention-suggestions",
  token: /(^|\s)(@)([\w.+-]*)$/,
  url: function (field, query) { return field.dataset.mentionUrl && field.dataset.mentionUrl + "?q=" + encodeURIComponent(query); },
  label: function (result) { return [result.name, "@" + result.handle]; },
  insert: function (result) { return "@" + result.handle + " "; }
});
