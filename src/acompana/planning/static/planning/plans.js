// Acompaña — the plan grid (planning/plans). No inline scripts (CSP): behaviour by data-*.
(function () {
  "use strict";

  // A chosen service fills its type, and its only topic/mechanism/modality, when empty.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-service-select]")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var form = select.form;
    if (!option || !form) {
      return;
    }
    var fills = {
      service_type: option.getAttribute("data-service-type"),
      topic: option.getAttribute("data-topic"),
      mechanism: option.getAttribute("data-mechanism"),
      modality: option.getAttribute("data-modality")
    };
    Object.keys(fills).forEach(function (name) {
      var target = form.elements[name];
      if (target && !target.value && fills[name]) {
        target.value = fills[name];
      }
    });
  });

  // Picker: a checked search result joins the chosen items (so a new search keeps it).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-picker-option]") || !box.checked) {
      return;
    }
    var picker = box.closest("[data-picker]");
    var chosen = picker && picker.querySelector("[data-picker-selected]");
    var item = box.closest(".form-check");
    if (chosen && item) {
      box.removeAttribute("data-picker-option");
      chosen.appendChild(item);
    }
  });

  // Cancel a new, unsaved line: remove its form row.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-row]");
    if (!button) {
      return;
    }
    var row = button.closest("tr");
    if (row) {
      row.remove();
    }
  });

  // The "no lines yet" row goes away once the table has a line (or a new line's form).
  document.addEventListener("htmx:afterSwap", function () {
    var empty = document.getElementById("no-lines");
    if (empty && document.querySelector("#plan-lines tr:not(#no-lines)")) {
      empty.remove();
    }
  });

  // Enter in a picker's search box searches instead of submitting the line.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-picker] input[type=search]")) {
      event.preventDefault();
    }
  });
})();
