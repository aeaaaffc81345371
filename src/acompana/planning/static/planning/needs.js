// Acompaña — needs (necesidades). No inline scripts (CSP); no dependency but htmx where present.
(function () {
  "use strict";

  // Stakeholder picker: a ticked search result moves to the chosen list (so a new search
  // does not drop it); an unticked chosen one is removed.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.name !== "stakeholders" || box.type !== "checkbox") {
      return;
    }
    var results = box.closest("[data-picker-results]");
    var fieldset = box.closest("fieldset");
    var selected = fieldset ? fieldset.querySelector("[data-picker-selected]") : null;
    var row = box.closest(".form-check");
    if (results && selected && box.checked && row) {
      selected.appendChild(row);
    } else if (!results && row && !box.checked && box.closest("[data-picker-selected]")) {
      row.parentNode.removeChild(row);
    }
  });

  // Enter in the picker's search box searches instead of submitting the whole form.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input && input.hasAttribute && input.hasAttribute("data-picker-search")) {
      event.preventDefault();
    }
  });

  // Public request form: the municipalities follow the department chosen.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.getAttribute || !select.getAttribute("data-municipality-target")) {
      return;
    }
    var target = document.getElementById(select.getAttribute("data-municipality-target"));
    var url = select.getAttribute("data-options-url");
    if (!target || !url) {
      return;
    }
    target.disabled = true;
    fetch(url + "?department=" + encodeURIComponent(select.value), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (html) {
          target.innerHTML = html;
        }
      })
      .finally(function () { target.disabled = false; });
  });
})();
