// The API reference at /api/docs: Swagger UI (static/vendor/swagger-ui) over the OpenAPI
// document the page names. A separate file, so the page runs under the site's CSP
// (no inline scripts).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    // No deep links: they put a link inside each operation's button (axe: nested-interactive).
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    // Requests made from the page carry the token typed under "Authorize", never cookies.
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
});
