// Step through a work order's audit events: the diagram of the exact version that ran, with the
// elements done / active / breached at the chosen step; ← → Home End and the buttons move.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  var framesScript = document.getElementById("replay-frames");
  if (!box || !framesScript) { return; }
  var frames = JSON.parse(framesScript.textContent);
  var panels = document.querySelectorAll(".replay-frame");
  var jump = document.getElementById("replay-jump");
  var counter = document.getElementById("replay-step");
  var current = Number(jump.value) || 0;
  var canvas = null;
  var registry = null;
  var CLASSES = { completed: "tf-completed", active: "tf-active", breached: "tf-breached" };

  function paint() {
    if (!canvas) { return; }
    registry.getAll().forEach(function (element) {
      Object.keys(CLASSES).forEach(function (key) { canvas.removeMarker(element.id, CLASSES[key]); });
    });
    var markers = frames[current].markers;
    Object.keys(CLASSES).forEach(function (key) {
      (markers[key] || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, CLASSES[key]); }
      });
    });
  }

  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    for (var i = 0; i < panels.length; i++) { panels[i].hidden = i !== current; }
    jump.value = String(current);
    counter.textContent = String(current + 1);
    box.setAttribute("data-step", String(current));
    var url = new URL(window.location.href);
    url.searchParams.set("step", String(current));
    window.history.replaceState(null, "", url.toString());
    paint();
  }

  var moves = {
    first: function () { return 0; },
    prev: function () { return current - 1; },
    next: function () { return current + 1; },
    last: function () { return frames.length - 1; }
  };
  var buttons = document.querySelectorAll("[data-go]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (event) {
      show(moves[event.currentTarget.getAttribute("data-go")]());
    });
  }
  jump.addEventListener("input", function () { show(Number(jump.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.target && /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName) && event.target !== jump) { return; }
    var keys = { ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" };
    if (!keys[event.key]) { return; }
    event.preventDefault();
    show(moves[keys[event.key]]());
  });

  if (!window.BpmnJS) {
    box.classList.add("diagram-failed");
    box.textContent = box.getAttribute("data-error") + " " + box.getAttribute("data-missing");
    return;
  }
  var viewer = new window.BpmnJS({ container: box });
  fetch(box.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      canvas = viewer.get("canvas");
      registry = viewer.get("elementRegistry");
      var inner = canvas.viewbox().inner;
      if (inner && inner.width) {
        var scale = Math.min(1, (box.clientWidth - 40) / inner.width);
        box.style.height = Math.round(Math.min(560, Math.max(260, inner.height * scale + 60))) + "px";
        canvas.resized();
      }
      canvas.zoom("fit-viewport", "auto");
      show(current);
      box.setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      box.classList.add("diagram-failed");
      box.textContent = box.getAttribute("data-error") + " " + (error && error.message ? error.message : "");
    });
})();
