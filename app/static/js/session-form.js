// Session form: add moments without a page reload and show only the tags that fit the kind
// of moment. Without JavaScript the form works as it is: the "add" button posts and the
// server adds an empty moment.
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

  if (addButton && template) {
    var maxMoments = parseInt(addButton.getAttribute("data-max") || "30", 10);
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var index = container.querySelectorAll("[data-moment]").length;
      if (index >= maxMoments) { addButton.hidden = true; return; }
      var html = template.innerHTML.replace(/moments-0-/g, "moments-" + index + "-");
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var block = holder.querySelector("[data-moment]");
      block.querySelector("[data-moment-number]").textContent = String(index + 1);
      container.appendChild(block);
      wire(block);
      showVideoTimes();
      if (index + 1 >= maxMoments) addButton.hidden = true;
      var first = block.querySelector("select, textarea, input");
      if (first) first.focus();
    });
  }
})();
