// A form that came back with errors: move the focus to the summary of the errors at its top, so a
// screen reader reads them at once and a keyboard user starts from the list of links to the fields.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
