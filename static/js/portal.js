/* Progressive enhancement only: every task works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Sorting applies at once; without script the "应用" button next to it does the same.
    document.querySelectorAll("select.auto-submit").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (form) {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    });

    // A "select all on this page" checkbox for the bulk form's rows.
    document.querySelectorAll("table.rec-table").forEach(function (table) {
      var boxes = table.querySelectorAll("input.row-select");
      var headCell = table.querySelector("thead th.select-cell");
      if (!boxes.length || !headCell) {
        return;
      }
      var all = document.createElement("input");
      all.type = "checkbox";
      all.id = "select-all-" + Math.random().toString(36).slice(2, 8);
      all.setAttribute("aria-label", "全选本页");
      headCell.textContent = "";
      headCell.appendChild(all);
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
    });
  });
})();
