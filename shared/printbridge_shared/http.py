"""ASGI pieces used by the services and the embedded gateway."""

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printbridge_shared.errors import PROBLEM_JSON, TYPE_BASE
from printbridge_shared.routes import ROUTES, RouteTable

REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)


async def send_problem(
    send: Send, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def is_valid_request_id(value: str) -> bool:
    """The one rule for an incoming X-Request-ID, at the gateway (embedded and nginx) and in every
    service: 1 to 128 of letters, digits and `.`, `_`, `:`, `-`. Anything else is replaced."""
    return _REQUEST_ID.fullmatch(value) is not None


class BodySizeLimitMiddleware:
    """Refuses request bodies over the limit with 413 problem+json before the app reads any of it: by
    Content-Length, or, for a body without one (chunked), by reading it ahead up to the limit. The limit
    is the route table's for the path (`Route.max_body_bytes`), else `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, routes: RouteTable = ROUTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.routes.max_body_bytes_for(scope["path"], self.max_bytes)
        await call_with_body_limit(self.app, scope, receive, send, limit)


async def call_with_body_limit(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Calls `app` unless the request body is larger than `limit` bytes, which gets 413 instead. A
    declared Content-Length is held to by the server; a body without one is read ahead, so an app
    never sees part of a body that is then cut off (FastAPI would answer that with a 400)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            if int(value) > limit:
                await _too_large(send, limit)
            else:
                await app(scope, receive, send)
            return
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > limit:
            await _too_large(send, limit)
            return
        if not message.get("more_body", False):
            break
    read_ahead = iter(messages)

    async def replay() -> Message:
        return next(read_ahead, None) or await receive()

    await app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    detail = f"The request body is larger than {limit} bytes; send less."
    await send_problem(send, 413, "payload-too-large", "Payload too large", detail)
