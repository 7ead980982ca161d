// State guide: small enhancements; every page works without this file.
(function () {
  "use strict";
  // Apply the status filter as soon as a status is chosen (the Filter button still works without JS).
  var select = document.getElementById("status-filter");
  if (select && select.form) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  }
})();
