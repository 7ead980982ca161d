/* Marketplace enhancements; every page works without this file. */
(function () {
  "use strict";
  // Search filters: re-run the search (htmx swaps the results) when a select changes.
  var form = document.getElementById("search-form");
  if (form) {
    // Shared and bookmarked search URLs carry only the filters that are on (no empty parameters).
    form.addEventListener("formdata", function (event) {
      var empty = [];
      event.formData.forEach(function (value, key) { if (value === "") { empty.push(key); } });
      empty.forEach(function (key) {
        var kept = event.formData.getAll(key).filter(function (v) { return v !== ""; });
        event.formData.delete(key);
        kept.forEach(function (v) { event.formData.append(key, v); });
      });
    });
    // "Filters (n)": how many filters are on, as they are changed.
    var count = form.querySelector(".filters-count");
    var panel = document.getElementById("filters");
    var recount = function () {
      if (!count || !panel) { return; }
      var on = {};
      panel.querySelectorAll("input, select").forEach(function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit") { return; }
        if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim() !== "") { on[el.name] = true; }
      });
      if (on.radius && !on.zip) { delete on.radius; }
      count.textContent = "(" + Object.keys(on).length + ")";
    };
    form.addEventListener("input", recount);
    form.addEventListener("change", recount);
    // "Show trucks" closes the off-canvas filters on phones (htmx swaps the results behind it).
    form.addEventListener("click", function (event) {
      var button = event.target && event.target.closest ? event.target.closest("[data-close-filters]") : null;
      if (button && panel && window.bootstrap && window.bootstrap.Offcanvas) {
        var open = window.bootstrap.Offcanvas.getInstance(panel);
        if (open) { open.hide(); }
      }
    });
    form.addEventListener("change", function (event) {
      if (event.target && event.target.tagName === "SELECT" && typeof form.requestSubmit === "function") {
        form.requestSubmit();
      }
    });
  }
  // Listing form: choosing a chassis code clears make/model so the catalog fills them on save.
  var code = document.getElementById("id_chassis_code");
  if (code) {
    code.addEventListener("change", function () {
      var label = code.options[code.selectedIndex] ? code.options[code.selectedIndex].text : "";
      var parts = label.split(" — ");
      if (parts.length > 1) {
        var makeModel = parts[1].split(" (")[0].split(" ");
        var make = document.getElementById("id_make");
        var model = document.getElementById("id_model");
        if (make && !make.value) { make.value = makeModel.shift(); }
        if (model && !model.value) { model.value = makeModel.join(" "); }
      }
    });
  }
})();
