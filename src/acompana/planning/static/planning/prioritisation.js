// Ranking page (FP-1, DNP-1): tick every stakeholder of the page, and ticking switches the
// save form to «the ones ticked». Delegated listeners: the table is replaced by htmx.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (!target || !target.matches) {
    return;
  }
  if (target.matches("#select-page")) {
    document.querySelectorAll("input.ranking-select").forEach(function (box) {
      box.checked = target.checked;
    });
  }
  if (target.matches("#select-page, input.ranking-select")) {
    var ticked = document.querySelector("input.ranking-select:checked") !== null;
    var mode = document.querySelector('#save-form input[name="mode"][value="selected"]');
    if (mode && ticked) {
      mode.checked = true;
    }
  }
});
