// The reference page of /api/docs: swagger-ui over the node's own document, nothing from a CDN.
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
