// The article editor's "Images": an uploaded image's Markdown goes into the body at the cursor, without a page reload
// (which would lose the body's unsaved changes). Without this script the form posts and the page shows the Markdown.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-image-upload]");
  if (!form) return;
  event.preventDefault();
  const problem = form.querySelector("[data-image-problem]");
  const button = form.querySelector("button");
  problem.textContent = "";
  button.disabled = true;
  try {
    const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
    const answer = await response.json();
    if (!response.ok) {
      problem.textContent = answer.message;
      return;
    }
    const body = document.getElementById("id_body");
    const at = body.selectionStart ?? body.value.length;
    const before = body.value.slice(0, at);
    const glue = before && !before.endsWith("\n") ? "\n\n" : "";
    body.value = before + glue + answer.markdown + "\n" + body.value.slice(body.selectionEnd ?? at);
    body.dispatchEvent(new Event("input", { bubbles: true }));
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = answer.markdown;
    item.appendChild(code);
    document.getElementById("article-images").appendChild(item);
    form.reset();
  } catch (error) {
    problem.textContent = form.dataset.failedText + " " + error.message;
  } finally {
    button.disabled = false;
  }
});
