"""Errors in the OpenAPI document as they are on the wire: every refusal is `application/problem+json`
(errors.py), so generated clients get the right type for 401, 403, 404, 409, 422 … instead of FastAPI's
default `HTTPValidationError`."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from printbridge_shared.errors import MAX_FIELD_ERRORS

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details. `type` ends in a stable code, e.g. `/problems/last-admin`.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and how to fix it, for people."},
        "errors_truncated": {
            "type": "integer",
            "description": "How many more field errors there were than `errors` lists.",
        },
        "errors": {
            "type": "array",
            "description": "For invalid input: one entry per field.",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}, "examples": [["body", "email"]]},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
LOCATION_HEADER: dict[str, Any] = {
    "description": "The path of the created resource.",
    "required": True,
    "schema": {"type": "string"},
}
DESCRIPTIONS = {
    400: "The body could not be read as JSON (e.g. not UTF-8).",
    401: "No valid credentials: send `Authorization: Bearer <access token or API key>`.",
    403: "The caller's role does not allow this.",
    404: "Not found, or not visible to the caller (another customer's resources answer 404).",
    409: "Conflicts with the current state; `detail` says which.",
    410: "The link expired or was already used.",
    413: "The body is larger than the limit (1 MiB unless configured otherwise).",
    422: f"Invalid input; `errors` names each field (at most {MAX_FIELD_ERRORS}, `errors_truncated` counts "
    "the rest).",
    429: "Too many requests (a gateway's per-address limit, or failed logins); wait `Retry-After` seconds.",
}


def file_upload(
    description: str, *, fields: dict[str, Any] | None = None, raw: str | None = None
) -> dict[str, Any]:
    """An endpoint's `requestBody` for one uploaded file in the multipart field `file` (`description`
    says what it must be), with further form `fields` (name → schema), and optionally the same file sent
    as the whole body of media type `raw` (e.g. `text/csv`)."""
    properties = {
        "file": {"type": "string", "format": "binary", "description": description},
        **(fields or {}),
    }
    content: dict[str, Any] = {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": properties}}
    }
    if raw is not None:
        content[raw] = {"schema": {"type": "string"}}
    return {"required": True, "content": content}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of an endpoint for the refusals it has beyond the ones every operation gets."""
    return {status: _problem_response(status) for status in statuses}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "Refused; see `detail`."),
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Adds 401/403 to operations that need credentials, 404 to those with a path id, 400/413/422 to
    those that take a body, `Location` to 201s, and describes every declared refusal as problem+json."""
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            statuses = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            if operation.get("security"):
                statuses |= {401, 403}
            if "{" in path:
                statuses.add(404)
            if "422" in responses:
                statuses.add(422)
            if "requestBody" in operation:
                statuses |= {400, 413, 422}
            for status in sorted(statuses):
                responses[str(status)] = _problem_response(status)
            if "201" in responses:
                responses["201"]["headers"] = {"Location": LOCATION_HEADER}
            for status in list(responses):
                if isinstance(status, int):
                    responses.pop(status)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return document


def install_problem_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
