// Live countdowns: every .countdown[data-due] shows time left or overdue, measured on the
// server's clock (data-server-now on <body>) so a wrong PC clock cannot mislead an agent.
(function () {
  "use strict";
  var textNode = document.getElementById("countdown-text");
  if (!textNode) { return; }
  var text = JSON.parse(textNode.textContent);
  var serverNow = Date.parse(document.body.getAttribute("data-server-now"));
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  var HOUR = 3600 * 1000;

  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + text.d); }
    if (hours) { parts.push(hours + text.h); }
    if (mins) { parts.push(mins + text.min); }
    return parts.slice(0, 2).join(text.sep) || ("0" + text.min);
  }

  function mark(row, level) {
    if (!row) { return; }
    row.classList.remove("row-ok", "row-soon", "row-overdue");
    row.classList.add("row-" + level);
  }

  function tick() {
    var now = Date.now() + offset;
    var nodes = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < nodes.length; i++) {
      var left = Date.parse(nodes[i].getAttribute("data-due")) - now;
      if (isNaN(left)) { continue; }
      nodes[i].textContent = (left < 0 ? text.over : text.left).replace("{t}", duration(left));
      var level = left < 0 ? "overdue" : (left <= HOUR ? "soon" : "ok");
      nodes[i].setAttribute("data-level", level);
      var row = nodes[i].closest("tr.row-ok, tr.row-soon, tr.row-overdue, .step, .due-line");
      if (row && !row.classList.contains("breached")) { mark(row, level); }
    }
  }

  tick();
  window.setInterval(tick, 15000);
})();
