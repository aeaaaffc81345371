// Copy the newly created API token to the clipboard (no inline scripts: CSP).
(function () {
  var button = document.querySelector("[data-copy-target]");
  if (!button || !navigator.clipboard) {
    return; // without the clipboard API the user selects and copies the text
  }
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  var status = document.getElementById("copy-status");
  button.hidden = false;
  input.addEventListener("focus", function () {
    input.select();
  });
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = button.getAttribute("data-copied-text");
      if (status) {
        status.textContent = button.getAttribute("data-copied-text");
      }
    });
  });
})();
