"""/docs: Swagger UI served from the installed package, so the API docs work without internet."""

from pathlib import Path

import swagger_ui_bundle

ASSETS_DIR = Path(swagger_ui_bundle.swagger_ui_path)
ASSETS_PREFIX = "/docs/assets/"

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Printbridge API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: true, displayRequestDuration: true});</script>
</body></html>
"""
