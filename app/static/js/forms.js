// Every form page: what the server already does, made easier to see.
// - A form that came back with errors moves the focus to the summary of the errors at its top (or to the
//   notice of a conflicting save), so a screen reader reads it at once and a keyboard user starts there.
// - A link of the summary puts the focus in its field (the first of a group), its label in sight, so the
//   worker types there at once; without script the link still scrolls to the field.
// - A form being sent disables its buttons until the next page arrives, so a second click cannot send it
//   again. The server does not rely on this: create forms carry a one-time key (app/web/form_pages.py).
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary") || document.getElementById("conflict");
    if (summary) {
      summary.focus();
    }
  }

  function toField(event) {
    var link = event.target.closest ? event.target.closest("#error-summary a[href^='#']") : null;
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var field = target.matches("input, select, textarea")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!field) {
      return;
    }
    event.preventDefault();
    var closed = field.closest("details:not([open])");
    if (closed) {
      closed.open = true;
    }
    var label = target === field ? document.querySelector("label[for='" + field.id + "']") : target.querySelector("legend");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  }

  function whileSending(event) {
    var form = event.target;
    // Only a post that leads to a new page: a GET form (a filter, a PDF download) leaves the page as it is.
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented || form.method !== "post" || form.target) {
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    // After this event: the button that was clicked is still sent with the form (its name and value).
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
      form.setAttribute("aria-busy", "true");
    }, 0);
  }

  // Back to this page from the browser's cache: the buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("[aria-disabled=true]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
  document.addEventListener("submit", whileSending);
  document.addEventListener("click", toField);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
