// The composer's "Link an article": clicking a found article puts its title and link into the reply at the cursor.
if (!window.parleyArticleLinks) {
  window.parleyArticleLinks = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert-link]");
    if (!button) return;
    const reply = document.getElementById("reply-text");
    if (!reply) return;
    const text = button.dataset.insertLink;
    const at = reply.selectionStart ?? reply.value.length;
    const before = reply.value.slice(0, at);
    const glue = before && !/\s$/.test(before) ? " " : "";
    reply.value = before + glue + text + reply.value.slice(reply.selectionEnd ?? at);
    reply.dispatchEvent(new Event("input", { bubbles: true }));
    reply.focus();
  });
  // Enter in the article search looks articles up; it must not send the half-written reply.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.id === "article-query") event.preventDefault();
  });
}
