// Long free text: a counter under the field says how much of its limit is used ("812 of 4,000
// characters"), and how far over it is. The server refuses a text over the limit, keeping it in the field
// (app.web.forms.TextLimit); nothing is cut here either. The counter is a polite live region: it is
// updated when typing pauses, so a screen reader says it once instead of at every key.
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  var numbers;
  try { numbers = new Intl.NumberFormat(lang); } catch (e) { numbers = new Intl.NumberFormat(); }

  // As the server counts: characters, not UTF-16 units, and a line break once.
  function length(text) { return Array.from(text.replace(/\r\n/g, "\n")).length; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? numbers.format(values[key]) : all;
    });
  }

  function update(field) {
    var counter = document.getElementById(field.id + "-count");
    var max = parseInt(field.getAttribute("data-limit") || "", 10);
    if (!counter || isNaN(max)) return;
    var count = length(field.value);
    var over = count > max;
    counter.textContent = fill(counter.getAttribute(over ? "data-over-text" : "data-text"), {
      count: count, max: max, over: count - max
    });
    counter.classList.toggle("text-danger", over);
  }

  // One listener for every field, those a script adds later too (a new moment of the session form).
  var timers = {};
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLElement) || !field.hasAttribute("data-limit")) return;
    window.clearTimeout(timers[field.id]);
    timers[field.id] = window.setTimeout(function () { update(field); }, 400);
  });
  document.querySelectorAll("[data-limit]").forEach(update);
})();
