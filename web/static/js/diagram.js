// The work order's own BPMN version in bpmn-js's NavigatedViewer (served from node_modules),
// with finished, active and breached elements marked.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box) { return; }
  if (!window.BpmnJS) {
    box.classList.add("diagram-failed");
    box.textContent = box.getAttribute("data-error") + " " + box.getAttribute("data-missing");
    return;
  }
  var markers = JSON.parse(document.getElementById("diagram-markers").textContent);
  var viewer = new window.BpmnJS({ container: box });

  // Give the box the diagram's own proportions (within limits), so a wide flow is not
  // drawn as a thin strip in the middle of empty space.
  function fitHeight(canvas) {
    var inner = canvas.viewbox().inner;
    if (!inner || !inner.width) { return; }
    var scale = Math.min(1, (box.clientWidth - 40) / inner.width);
    var wanted = inner.height * scale + 60;
    box.style.height = Math.round(Math.min(640, Math.max(260, wanted))) + "px";
    canvas.resized();
  }

  function fail(error) {
    box.classList.add("diagram-failed");
    box.textContent = box.getAttribute("data-error") + " " + (error && error.message ? error.message : "");
  }

  fetch(box.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      fitHeight(canvas);
      var registry = viewer.get("elementRegistry");
      [["completed", "tf-completed"], ["active", "tf-active"], ["breached", "tf-breached"]].forEach(function (pair) {
        (markers[pair[0]] || []).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
        });
      });
      canvas.zoom("fit-viewport", "auto");
      var buttons = document.querySelectorAll("[data-zoom]");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].addEventListener("click", function (event) {
          var how = event.currentTarget.getAttribute("data-zoom");
          if (how === "fit") { canvas.zoom("fit-viewport", "auto"); return; }
          canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
        });
      }
      box.setAttribute("data-ready", "true");
    })
    .catch(fail);
})();
