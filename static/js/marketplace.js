/* Marketplace enhancements; every page works without this file. */
(function () {
  "use strict";
  // Search filters: re-run the search (htmx swaps the results) when a select changes.
  var form = document.getElementById("search-form");
  if (form) {
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
