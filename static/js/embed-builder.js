// The snippet's "Copy" button; without JavaScript the code is selected and copied by hand.
const { gettext } = window;
const button = document.getElementById("copy-snippet");
const snippet = document.getElementById("snippet");
const status = document.getElementById("copy-status");
if (button && snippet) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    snippet.select();
    try {
      await navigator.clipboard.writeText(snippet.value);
      status.textContent = gettext("The code is copied: paste it into your page.");
    } catch (error) {
      status.textContent = gettext("Copying is not allowed here: the code is selected, copy it with Ctrl+C.");
    }
  });
}
