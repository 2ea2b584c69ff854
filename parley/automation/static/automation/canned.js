// Canned responses in the reply box: typing "/" (or "::") and a few letters lists the matching
// responses, already filled in for this conversation; Enter, Tab or a click inserts one.
window.parleySuggest({
  field: "reply-text",
  list: "canned-suggestions",
  token: /(^|\s)(\/|::)([\w-]*)$/,
  url: function (field, query) { return field.dataset.cannedUrl && field.dataset.cannedUrl + "?q=" + encodeURIComponent(query); },
  label: function (result) { return ["/" + result.shortcut + " · " + result.title, result.text]; },
  insert: function (result) { return result.text; }
});
