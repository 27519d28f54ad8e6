"""No text a request carries reaches a database that cannot store it: every string input of every
operation (JSON body fields, nested ones included, query and path parameters), found in each service's
own OpenAPI document, is sent with a NUL and with a lone surrogate and must answer 422 naming that field,
on SQLite and PostgreSQL. A new endpoint is covered as soon as it exists."""

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from printbridge.openapi import merged_openapi_document
from printbridge.services import create_service_app, settings_for
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.routes import service_for_path
from printbridge_shared.testing import AuthKeys, bearer, running

# Long enough for every length rule (tokens have at least 20 characters), short enough for names.
BAD_VALUES = {
    "nul": "an\x00na-" + "x" * 24 + "@brand.example",
    "surrogate": "an\ud800na-" + "x" * 24 + "@brand.example",
}
METHODS = {"get", "post", "put", "patch", "delete"}


@dataclass(frozen=True)
class TextInput:
    method: str
    path: str  # the template, e.g. /v1/invitations/{token}
    where: str  # "body", "query" or "path"
    loc: tuple[str, ...]  # the field's place in the body, or the parameter's name
    # Fields the body's variant fixes (a discriminator such as `"platform": "shopify"`), so the body is
    # read as that variant and the bad field is the one named.
    fixed: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{'.'.join(self.loc)}"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _variants(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(document, schema)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    return [v for option in options for v in _variants(document, option)] if options else [schema]


def _is_text(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A free text: a string that is not an enum and not a format the framework parses (uuid, date…)."""
    return any(
        v.get("type") == "string" and "enum" not in v and "const" not in v and v.get("format") is None
        for v in _variants(document, schema)
    )


def _constant(document: dict[str, Any], schema: dict[str, Any]) -> tuple[bool, Any]:
    schema = _resolve(document, schema)
    if "const" in schema:
        return True, schema["const"]
    if len(schema.get("enum", ())) == 1:
        return True, schema["enum"][0]
    return False, None


def _body_fields(
    document: dict[str, Any], schema: dict[str, Any], loc: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]]:
    for variant in _variants(document, schema):
        properties = variant.get("properties", {})
        fixed = tuple(
            (name, value)
            for name, field in properties.items()
            for constant, value in [_constant(document, field)]
            if constant and not loc
        )
        for name, field in properties.items():
            if _is_text(document, field):
                yield (*loc, name), fixed
            for inner, _ in _body_fields(document, field, (*loc, name)):
                yield inner, fixed


def text_inputs(document: dict[str, Any]) -> list[TextInput]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path") and _is_text(document, parameter["schema"]):
                    found.append(TextInput(method.upper(), path, parameter["in"], (parameter["name"],)))
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                for loc, fixed in dict.fromkeys(_body_fields(document, content["schema"], ())):
                    found.append(TextInput(method.upper(), path, "body", loc, fixed))
    return found


DOCUMENT = merged_openapi_document()
INPUTS = text_inputs(DOCUMENT)
SERVICES = sorted({service_for_path(i.path) for i in INPUTS} - {None})


def test_the_services_text_inputs_are_found():
    """The walk above sees what it must: bodies, nested fields, query and path parameters."""
    found = {str(i) for i in INPUTS}
    assert {
        "POST /v1/auth/login body:email",
        "PUT /v1/customers/{customer_id}/storefront-access body:admin.first_name",
        "GET /v1/customers query:query",
        "GET /v1/customers query:cursor",
        "GET /v1/invitations/{token} path:token",
    } <= found
    assert {"customers", "storefront-auth"} <= set(SERVICES)


def request_for(text: TextInput, bad: str) -> tuple[str, dict[str, Any]]:
    """The request that puts `bad` into the input and nothing else of note; path and query values are
    percent-encoded, the body is JSON with escapes (a lone surrogate can only arrive as "\\ud800")."""
    path = re.sub(
        r"\{([^}]+)\}",
        lambda m: (
            quote(bad, safe="") if text.where == "path" and m.group(1) == text.loc[0] else str(uuid.uuid4())
        ),
        text.path,
    )
    kwargs: dict[str, Any] = {}
    if text.where == "query":
        path += f"?{text.loc[0]}={quote(bad, safe='')}"
    body: Any = bad if text.where == "body" else None
    if body is not None:
        for part in reversed(text.loc):
            body = {part: body}
        body = {**dict(text.fixed), **body}
    elif text.method in ("POST", "PUT", "PATCH"):
        body = {}
    if body is not None:
        kwargs = {"content": json.dumps(body), "headers": {"Content-Type": "application/json"}}
    return path, kwargs


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("bad", BAD_VALUES.values(), ids=BAD_VALUES.keys())
async def test_control_characters_in_any_text_input_are_422_naming_the_field(database_url, service, bad):
    auth = AuthKeys()
    app = create_service_app(
        service,
        settings_for(service, database_url=database_url, log_json=False),
        Runtime(bus=InProcessBus(), auth_http=auth.http_client()),
    )
    callers = [bearer(auth.operator_token()), bearer(auth.customer_user_token(role="admin"))]
    refused = []
    async with running(app) as client:
        for text in (i for i in INPUTS if service_for_path(i.path) == service):
            if bad == BAD_VALUES["surrogate"] and text.where != "body":
                continue  # a URL carries bytes: invalid UTF-8 arrives as U+FFFD, never as a surrogate
            path, kwargs = request_for(text, bad)
            content_type = kwargs.pop("headers", {})
            for caller in callers:
                headers = {**content_type, **caller}
                response = await client.request(text.method, path, headers=headers, **kwargs)
                if response.status_code not in (401, 403):
                    break
            if not _names_the_field(response, text):
                refused.append(f"{text}: {response.status_code} {response.text[:200]}")
    assert not refused, "\n".join(refused)


def _names_the_field(response: httpx.Response, text: TextInput) -> bool:
    if response.status_code != 422:
        return False
    return any(
        error["loc"][-len(text.loc) :] == list(text.loc) and "control characters" in error["msg"]
        for error in response.json().get("errors", [])
    )
