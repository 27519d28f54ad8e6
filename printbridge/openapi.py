"""The merged OpenAPI document of all services: what `/openapi.json` on the gateway shows."""

import copy
import re
from collections.abc import Mapping
from typing import Any

import httpx

from printbridge_shared.openapi import problems
from printbridge_shared.routes import service_for_path

DESCRIPTION = """Open-source order intake for print producers.

Authenticate with `Authorization: Bearer <token>`: an access token from `POST /v1/auth/login` or an
operator API key. Errors are RFC 9457 `application/problem+json`. Lists take `limit` and `cursor` and
return `{"items": [...], "next_cursor": ...}`."""


class OpenAPIConflict(Exception):
    pass


# Where a created resource is read and changed when that is not under the path that created it.
ELSEWHERE = {
    "/v1/stores/{store_id}/products": "/v1/product-drafts",
    "/v1/stores/{store_id}/orders": "/v1/orders",
}


def add_links(document: dict[str, Any]) -> None:
    """OpenAPI links from each 201 answer to the operations on what it created (GET, PATCH, DELETE and the
    actions under its path), their path parameter taken from the answer's body: clients and stateful
    testers (schemathesis) follow them."""
    paths, schemas = document["paths"], document["components"]["schemas"]
    for collection, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        schema = created.get("content", {}).get("application/json", {}).get("schema", {})
        properties = _properties(schema, schemas)
        base = re.escape(ELSEWHERE.get(collection, collection))
        links: dict[str, Any] = {}
        for path, target in paths.items():
            found = re.fullmatch(base + r"/\{(\w+)\}(/.*)?", path)
            pointer = found and _pointer(found.group(1), properties, schemas)
            if not found or not pointer:
                continue
            for operation in target.values():
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {found.group(1): f"$response.body#{pointer}"},
                }
        if links:
            created["links"] = links


def _properties(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return dict((schemas[ref.rsplit("/", 1)[-1]] if ref else schema).get("properties", {}))


def _pointer(parameter: str, properties: dict[str, Any], schemas: dict[str, Any]) -> str | None:
    """Where in the created body the path parameter's value is: a property of its name (`product_uid`),
    `id`, or the `id` of the one nested object that has it (`store.id`)."""
    if parameter in properties:
        return f"/{parameter}"
    if "id" in properties:
        return "/id"
    for name, schema in properties.items():
        if "id" in _properties(schema, schemas):
            return f"/{name}/id"
    return None


def merge_openapi(documents: Mapping[str, dict[str, Any]], *, version: str = "0.1.0") -> dict[str, Any]:
    """Merges the services' documents, keeping only the paths the route table sends to each service.
    Two services defining the same schema name differently is a bug, so it fails loudly."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Printbridge API", "version": version, "description": DESCRIPTION},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
        "tags": [],
    }
    seen_operations: dict[str, str] = {}
    for service, document in documents.items():
        for path, item in document.get("paths", {}).items():
            if service_for_path(path) != service:
                continue
            item = copy.deepcopy(item)
            merged["paths"][path] = item
            for operation in item.values():
                # Both gateways (embedded and nginx) rate-limit every path per client address.
                operation.setdefault("responses", {}).update({str(s): r for s, r in problems(429).items()})
                operation_id = operation.get("operationId")
                if operation_id in seen_operations:
                    raise OpenAPIConflict(
                        f"operationId {operation_id} in {service} and {seen_operations[operation_id]}"
                    )
                seen_operations[operation_id] = service
        components = document.get("components", {})
        for kind in ("schemas", "securitySchemes"):
            for name, schema in components.get(kind, {}).items():
                existing = merged["components"][kind].get(name)
                if existing is not None and existing != schema:
                    raise OpenAPIConflict(f"{kind} {name} differs between services (seen in {service})")
                merged["components"][kind][name] = schema
        for tag in document.get("tags", []):
            if tag["name"] not in {t["name"] for t in merged["tags"]}:
                merged["tags"].append(tag)
    add_links(merged)
    return merged


def merged_openapi_document() -> dict[str, Any]:
    """The merged document of all services. Building the apps touches no database or broker: each gets
    an unopened in-process bus and an in-memory SQLite URL, since only their routes matter here."""
    from printbridge.services import SERVICE_NAMES, create_service_app, settings_for
    from printbridge_shared.app import Runtime
    from printbridge_shared.events.bus import InProcessBus

    runtime = Runtime(bus=InProcessBus(), auth_http=httpx.AsyncClient())
    documents = {
        name: create_service_app(
            name, settings_for(name, database_url="sqlite+aiosqlite:///:memory:"), runtime
        ).openapi()
        for name in SERVICE_NAMES
    }
    return merge_openapi(documents)
