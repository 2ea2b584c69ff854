// Sign-in links open a page with a button; pressing it for the visitor keeps one click for people
// while mail scanners, which fetch links without running scripts, never use the link up.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.requestSubmit();
});
