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

    // A shared list link carries only the filters that are set: empty fields are not sent
    // (the server drops them too, for links made without this file).
    document.querySelectorAll("form[method='get']").forEach(function (form) {
      form.addEventListener("submit", function () {
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field.name && !field.disabled && field.value === "" && field.type !== "submit") {
            field.disabled = true;
            window.setTimeout(function () { field.disabled = false; }, 0);
          }
        });
      });
    });

    // On a narrow screen the filters start closed (their summary lists those in force).
    var filters = document.getElementById("filter-panel");
    if (filters && !filters.hasAttribute("data-keep-open") &&
        window.matchMedia("(max-width: 960px)").matches) {
      filters.open = false;
    }

    document.querySelectorAll("form.bulk-form").forEach(enhanceBulkForm);
    followBulkJob();
  });

  // A running bulk job's page: its figures are fetched again every few seconds and replaced in
  // place (no reload, no jump). Without script a <noscript> meta refresh reloads the page.
  function followBulkJob() {
    var job = document.querySelector(".bulk-job[data-refresh]");
    if (!job || !window.fetch || !window.DOMParser) { return; }
    var seconds = Number(job.getAttribute("data-refresh")) || 2;
    function poll() {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { window.setTimeout(poll, seconds * 1000); return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("main");
          var main = document.querySelector("main");
          if (!fresh || !main) { return; }
          main.innerHTML = fresh.innerHTML;
          if (doc.title) { document.title = doc.title; }
          if (main.querySelector(".bulk-job[data-refresh]")) {
            window.setTimeout(poll, seconds * 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, seconds * 1000); });
    }
    window.setTimeout(poll, seconds * 1000);
  }

  // The bulk panel above the rows: "select all on this page", the count of ticked rows, the
  // fields of the chosen action only, and only the steps at least one ticked row can take.
  function enhanceBulkForm(form) {
    var panel = form.querySelector("fieldset.bulk-actions");
    var boxes = form.querySelectorAll("input.row-select");
    if (!panel || !boxes.length) {
      return;
    }
    var transitions = JSON.parse(panel.getAttribute("data-transitions") || "{}");
    var count = panel.querySelector("[data-bulk-count]");
    var submit = panel.querySelector("[data-bulk-submit]");
    var action = panel.querySelector("select[name='action']");
    var status = panel.querySelector("select[name='status']");
    var groups = panel.querySelectorAll("details[data-for-actions]");
    // "Every item the filter matches": its count is the list's, and any step may apply to some.
    var everyMatch = panel.querySelector("input[name='scope'][value='filter']");
    var scopes = panel.querySelectorAll("input[name='scope']");
    var needsLead = ["assigned", "in_progress", "answered"];

    var allLabel = document.createElement("label");
    allLabel.className = "select-all";
    var all = document.createElement("input");
    all.type = "checkbox";
    allLabel.appendChild(all);
    allLabel.appendChild(document.createTextNode(" 全选本页"));
    panel.insertBefore(allLabel, panel.querySelector(".bulk-count").nextSibling);
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      update();
    });

    function reachable(box, target) {
      var from = box.getAttribute("data-status");
      if ((transitions[from] || []).indexOf(target) === -1) { return false; }
      if (needsLead.indexOf(target) !== -1 && !box.hasAttribute("data-assigned")) { return false; }
      return target !== "answered" || box.hasAttribute("data-replied");
    }

    function update() {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
      var filtered = Boolean(everyMatch && everyMatch.checked);
      count.textContent = filtered ? everyMatch.getAttribute("data-bulk-total") : String(ticked.length);
      all.checked = ticked.length === boxes.length;
      submit.disabled = !filtered && ticked.length === 0;
      if (status) {
        Array.prototype.forEach.call(status.options, function (option) {
          if (!option.value) { return; }
          option.disabled = !filtered && !ticked.some(function (box) { return reachable(box, option.value); });
          if (option.disabled && option.selected) { status.value = ""; }
        });
      }
      var chosen = action ? action.value : "";
      groups.forEach(function (group) {
        var mine = group.getAttribute("data-for-actions").split(" ").indexOf(chosen) !== -1;
        group.hidden = Boolean(chosen) && !mine;
        if (mine) { group.open = true; }
      });
    }

    boxes.forEach(function (box) { box.addEventListener("change", update); });
    scopes.forEach(function (radio) { radio.addEventListener("change", update); });
    if (action) { action.addEventListener("change", update); }
    update();
  }
})();
