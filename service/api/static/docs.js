// Starts Swagger UI on /docs. A file of its own, so the page needs no inline script and can
// be served under a Content-Security-Policy that allows scripts from this origin alone.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
  });
});
