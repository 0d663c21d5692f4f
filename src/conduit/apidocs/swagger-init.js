// Starts Swagger UI on /api/docs. A file rather than an inline script: the page's
// Content-Security-Policy allows scripts from this origin only.
window.addEventListener("load", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // Never send the document to the public validator (offline, and nothing leaves the site).
    validatorUrl: null,
  });
});
