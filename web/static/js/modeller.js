// The process owners' modeller page: bpmn-js with the Camunda properties panel, draft and deploy.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("modeller-config").textContent);
  var canvasEl = document.getElementById("canvas");
  var statusEl = document.getElementById("modeller-status");
  var problemsEl = document.getElementById("problems");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var modeller = window.TicketflowModeller.createModeller(canvasEl, document.getElementById("properties"));
  var marked = [];

  function say(text) { statusEl.textContent = text; }

  function clearProblems() {
    var canvas = modeller.get("canvas");
    marked.forEach(function (id) { canvas.removeMarker(id, "tf-problem"); });
    marked = [];
    problemsEl.innerHTML = "";
    problemsEl.hidden = true;
  }

  function showProblems(problems) {
    var canvas = modeller.get("canvas");
    var registry = modeller.get("elementRegistry");
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.dataset.elementId = p.element_id || "";
      var where = p.element_id ? p.element_id + (p.element_name ? " «" + p.element_name + "»" : "") : config.text.document;
      li.textContent = where + ": " + p.message;
      problemsEl.appendChild(li);
      if (p.element_id && registry.get(p.element_id) && marked.indexOf(p.element_id) < 0) {
        canvas.addMarker(p.element_id, "tf-problem");
        marked.push(p.element_id);
      }
    });
    problemsEl.hidden = problems.length === 0;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    });
  }

  function withXml(action) {
    clearProblems();
    return modeller.saveXML({format: true}).then(function (result) { return action(result.xml); })
      .catch(function (err) { say(config.text.failed + err.message); });
  }

  document.getElementById("save-draft").addEventListener("click", function () {
    withXml(function (xml) {
      return post(config.draftUrl, {xml: xml, based_on: config.basedOn}).then(function (r) {
        if (r.status === 200) { say(config.text.saved); } else { showProblems(r.data.problems || []); }
      });
    });
  });

  document.getElementById("deploy").addEventListener("click", function () {
    var note = document.getElementById("deploy-note").value;
    withXml(function (xml) {
      return post(config.deployUrl, {xml: xml, note: note}).then(function (r) {
        if (r.status === 200) {
          say(config.text.deployed.replace("{v}", r.data.version));
          document.body.dataset.deployedVersion = r.data.version;
        } else {
          say(config.text.refused);
          showProblems(r.data.problems || []);
        }
      });
    });
  });

  var dryRunButton = document.getElementById("dry-run");
  if (dryRunButton) {
    dryRunButton.addEventListener("click", function () {
      var table = document.getElementById("dry-run-results");
      table.hidden = true;
      say(config.text.running);
      withXml(function (xml) {
        return post(config.dryRunUrl, {xml: xml}).then(function (r) {
          var body = table.querySelector("tbody");
          body.innerHTML = "";
          var results = r.data.results || [];
          results.forEach(function (result) {
            var row = body.insertRow();
            row.className = result.passed ? "row-ok" : "row-overdue";
            row.insertCell().textContent = result.passed ? config.text.pass : config.text.fail;
            row.insertCell().textContent = result.name;
            row.insertCell().textContent = result.message;
          });
          var failed = results.filter(function (result) { return !result.passed; }).length;
          say(config.text.dryRun.replace("{passed}", results.length - failed).replace("{failed}", failed));
          table.hidden = results.length === 0;
          document.body.dataset.dryRun = "done";
        });
      });
    });
  }

  problemsEl.addEventListener("click", function (event) {
    var id = event.target.dataset && event.target.dataset.elementId;
    var element = id && modeller.get("elementRegistry").get(id);
    if (element) { modeller.get("selection").select(element); }
  });

  modeller.importXML(config.xml).then(function () {
    modeller.get("canvas").zoom("fit-viewport");
    canvasEl.dataset.ready = "true";
  }).catch(function (err) {
    say(config.text.importFailed + err.message);
    canvasEl.dataset.ready = "failed";
  });
})();
