// Starts Swagger UI (installed from npm, served from static/vendor) on the schema the page names.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({ url: element.dataset.openapi, dom_id: "#swagger-ui", deepLinking: true });
})();
