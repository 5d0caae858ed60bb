// The printed plan: the "Print" button opens the browser's print dialog. A file of its own,
// not inline, so a Content-Security-Policy without 'unsafe-inline' allows it. Without
// JavaScript the button stays hidden: the browser's own print command still works.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
