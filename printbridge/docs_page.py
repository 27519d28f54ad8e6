"""/docs: Swagger UI served from the installed package, so the API docs work without internet."""

import base64
import hashlib
from pathlib import Path

import swagger_ui_bundle

ASSETS_DIR = Path(swagger_ui_bundle.swagger_ui_path)
ASSETS_PREFIX = "/docs/assets/"

_START = """SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  persistAuthorization: true, displayRequestDuration: true});"""

DOCS_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Printbridge API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>{_START}</script>
</body></html>
"""

_START_HASH = base64.b64encode(hashlib.sha256(_START.encode()).digest()).decode()
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'sha256-{_START_HASH}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Only the bundled Swagger UI and its one inline start script run; the page cannot be framed."""
