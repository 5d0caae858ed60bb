// Session form: add and remove moments without a page reload and show only the tags that fit the
// kind of moment. Without JavaScript the form works as it is: the "add" and "remove" buttons post
// and the server adds an empty moment or leaves the row out, keeping everything else typed.
(function () {
  "use strict";
  var form = document.querySelector("[data-session-form]");
  if (!form) return;
  var container = form.querySelector("[data-moments]");
  var template = document.getElementById("moment-template");
  var addButton = form.querySelector("[data-add-moment]");

  function showTagsFor(block) {
    var select = block.querySelector("select.moment-kind");
    if (!select) return;
    block.querySelectorAll("[data-tag-group]").forEach(function (group) {
      var visible = group.getAttribute("data-tag-group") === select.value;
      group.hidden = !visible;
      if (!visible) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
    });
  }

  function wire(block) {
    var select = block.querySelector("select.moment-kind");
    if (select) select.addEventListener("change", function () { showTagsFor(block); });
    // On load, keep a wrongly ticked tag visible so its error can be seen and fixed.
    var hasChecked = {};
    block.querySelectorAll("[data-tag-group]").forEach(function (group) {
      hasChecked[group.getAttribute("data-tag-group")] = group.querySelector("input:checked") !== null;
    });
    if (select && !hasChecked[select.value === "positive" ? "difficult" : "positive"]) showTagsFor(block);
  }

  container.querySelectorAll("[data-moment]").forEach(wire);

  // The time in the recording only matters for video sessions: hide it otherwise (unless filled).
  var sessionKind = form.querySelector("select[name=kind]");
  function showVideoTimes() {
    var video = sessionKind && /^video_/.test(sessionKind.value);
    form.querySelectorAll("[data-video-time]").forEach(function (box) {
      var input = box.querySelector("input");
      box.hidden = !video && !(input && input.value);
    });
  }
  if (sessionKind) sessionKind.addEventListener("change", showVideoTimes);
  showVideoTimes();

  var maxMoments = addButton ? parseInt(addButton.getAttribute("data-max") || "30", 10) : 30;

  function rows() { return container.querySelectorAll("[data-moment]"); }

  // Rows keep the index of their names (moments-3-...) when one before them goes: a new row takes the
  // next free index, never the number of rows, which could be one still in use.
  function nextIndex() {
    var highest = -1;
    container.querySelectorAll("[data-remove-moment]").forEach(function (button) {
      highest = Math.max(highest, parseInt(button.value, 10));
    });
    return highest + 1;
  }

  function renumber() {
    rows().forEach(function (block, position) {
      var number = block.querySelector("[data-moment-number]");
      if (number) number.textContent = String(position + 1);
    });
    if (addButton) addButton.hidden = rows().length >= maxMoments;
  }

  container.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-remove-moment]") : null;
    if (!button) return;
    event.preventDefault();
    var block = button.closest("[data-moment]");
    var next = block.nextElementSibling || addButton || document.getElementById("moments-heading");
    block.remove();
    renumber();
    // The focus goes on where the removed row was, not back to the top of the page.
    var target = next && next.matches("[data-moment]") ? next.querySelector("select, textarea, input") : next;
    if (target) {
      if (target.id === "moments-heading") target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  if (addButton && template) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (rows().length >= maxMoments) { addButton.hidden = true; return; }
      var index = nextIndex();
      var html = template.innerHTML.replace(/moments-0-/g, "moments-" + index + "-");
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var block = holder.querySelector("[data-moment]");
      block.querySelector("[data-remove-moment]").value = String(index);
      container.appendChild(block);
      wire(block);
      showVideoTimes();
      renumber();
      var first = block.querySelector("select, textarea, input");
      if (first) first.focus();
    });
  }
})();
