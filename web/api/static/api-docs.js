// Start Swagger UI on the local OpenAPI document; no request leaves this server
// (validatorUrl: null turns off the badge that would call an outside validator).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  document.getElementById("api-docs-fallback").hidden = true;
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false
  });
});
