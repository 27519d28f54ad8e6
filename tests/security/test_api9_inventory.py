"""OWASP API9:2023 Improper Inventory Management: what the suite serves is what it documents. Every route
of every service is in the merged OpenAPI document, or is one of the few named here with the reason it is
not (platform webhooks and OAuth callbacks, the HTML pages, health and metrics, the internal routes the
gateway never forwards); no debug, test or sandbox route is served."""

import re

from fastapi.routing import iter_route_contexts

from printbridge.embedded import build_embedded
from printbridge.openapi import merged_openapi_document

from .conftest import suite_settings

UNDOCUMENTED = {
    # Platforms call these with their own signatures; their contract is the platform's.
    r"/v1/webhooks/.*": "platform webhooks (HMAC or key verified)",
    r"/v1/connectors/[a-z]+/callback": "OAuth redirects a merchant's browser follows",
    r"/invitations/\{token\}": "the HTML invitation page",
    r"/password-reset/\{token\}": "the HTML password-reset page",
    r"/internal/v1/.*": "service to service; the gateway answers 404 for /internal",
    r"/(healthz|readyz|metrics)": "probes and Prometheus",
    r"/(docs|openapi\.json|docs/oauth2-redirect|redoc)": "the document itself and its viewer",
}
FORBIDDEN_WORDS = re.compile(r"debug|sandbox|/__|/dev/|phpinfo|actuator|console|\.env|/eval|/exec", re.I)


def served_routes(tmp_path) -> list[tuple[str, str, str]]:
    gateway = build_embedded(suite_settings(tmp_path))
    found = []
    for name, app in gateway.apps.items():
        for route in iter_route_contexts(app.routes):
            methods = getattr(route, "methods", None) or {"MOUNT"}
            path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", str(route.path))  # {rule_id:uuid} → {rule_id}
            found += [(name, method, path) for method in sorted(set(methods) - {"HEAD"})]
    assert len(found) > 100  # the routers' routes, not only the app's own
    return found


def test_every_served_route_is_documented_or_named_with_its_reason(tmp_path):
    documented = {
        (method.upper(), path) for path, item in merged_openapi_document()["paths"].items() for method in item
    }
    undocumented = [
        (service, method, path)
        for service, method, path in served_routes(tmp_path)
        if (method, path) not in documented
        and not any(re.fullmatch(pattern, path) for pattern in UNDOCUMENTED)
    ]

    assert undocumented == []


def test_every_documented_operation_is_served(tmp_path):
    served = {(method, path) for _, method, path in served_routes(tmp_path)}
    for path, item in merged_openapi_document()["paths"].items():
        for method in item:
            assert (method.upper(), path) in served, f"{method.upper()} {path}"


def test_no_debug_test_or_sandbox_route_is_served(tmp_path):
    suspicious = [route for route in served_routes(tmp_path) if FORBIDDEN_WORDS.search(route[2])]

    assert suspicious == []


def test_every_documented_operation_is_versioned_and_named():
    for path, item in merged_openapi_document()["paths"].items():
        assert path.startswith("/v1/"), path
        for method, operation in item.items():
            assert re.fullmatch(r"[a-z_]+", operation["operationId"]), (method, path)
            assert operation.get("summary") or operation.get("description"), (method, path)
