"""ASGI pieces used by the services and the embedded gateway."""

import json
import re
import tempfile
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printbridge_shared.errors import PROBLEM_JSON, TYPE_BASE, problem
from printbridge_shared.routes import ROUTES, RouteTable

REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
# Far beyond any body the API takes, far below what makes validating and answering it expensive.
MAX_JSON_DEPTH = 32
MAX_JSON_MEMBERS = 10_000  # counted from the bytes, see json_body_refusal
# A body without Content-Length is read ahead to check its size: up to this much in memory, the rest on disk.
READ_AHEAD_IN_MEMORY_BYTES = 1024 * 1024
REPLAY_CHUNK_BYTES = 64 * 1024


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
    never sees part of a body that is then cut off (FastAPI would answer that with a 400). What is read
    ahead past the first MiB waits on disk, not in memory: routes take uploads of up to 200 MiB."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            if int(value) > limit:
                await _too_large(send, limit)
            else:
                await app(scope, receive, send)
            return
    with tempfile.SpooledTemporaryFile(max_size=READ_AHEAD_IN_MEMORY_BYTES) as spool:
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(send, limit)
                return
            # Disk writes of the spool go to the page cache; they do not stall the loop as reads would.
            spool.write(body)
            if not message.get("more_body", False):
                message = {"type": "http.request", "body": b"", "more_body": False}
                break
        spool.seek(0)
        await app(scope, _replaying_spool(spool, message, receive), send)


def _replaying_spool(spool: IO[bytes], last: Message, receive: Receive) -> Receive:
    """A receive that hands out the spooled body in chunks, then `last` (the body's end, or the
    disconnect that came instead), then the server's next messages."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(REPLAY_CHUNK_BYTES)
        if chunk:
            return {"type": "http.request", "body": chunk, "more_body": True}
        done = True
        return last

    return replay


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out the messages read ahead first, then the server's next ones."""
    read_ahead = iter(messages)

    async def replay() -> Message:
        return next(read_ahead, None) or await receive()

    return replay


def too_large_detail(limit: int) -> str:
    """The 413 answer's detail, the same from a service, the embedded gateway and nginx."""
    return f"The request body is larger than {limit} bytes; send less."


async def _too_large(send: Send, limit: int) -> None:
    await send_problem(send, 413, "payload-too-large", "Payload too large", too_large_detail(limit))


def json_body_refusal(body: bytes) -> str | None:
    """Why a JSON body has too many members or nests too deep to be validated, or None. Members are
    counted from the bytes (commas and opening brackets, strings included: an upper bound found at
    memory speed), so only a body of bounded size in tokens is parsed to measure its depth."""
    marks = body.count(b",") + body.count(b"[") + body.count(b"{")
    if marks > MAX_JSON_MEMBERS:
        return (
            f"the body has about {marks} members (keys, array items, nested objects); "
            f"at most {MAX_JSON_MEMBERS} are taken, send fewer"
        )
    try:
        document = json.loads(body) if body else None
    except RecursionError:
        return f"the body nests deeper than {MAX_JSON_DEPTH} levels; flatten it"
    except ValueError:
        return None  # not JSON: the app answers with where the syntax breaks
    containers: list[tuple[Any, int]] = [(document, 0)]
    while containers:
        value, depth = containers.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return f"the body nests deeper than {MAX_JSON_DEPTH} levels; flatten it"
            children = value.values() if isinstance(value, dict) else value
            containers.extend((child, depth + 1) for child in children)
    return None


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI would parse the body as JSON: a JSON media type, or none at all."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json" or media_type.endswith(b"+json")
    return True


class JsonBodyLimitMiddleware:
    """Refuses JSON bodies that nest too deep or have too many members (`json_body_refusal`) with 422
    before the app parses and validates them: one body of 60,000 unknown keys would otherwise cost a
    second of CPU and a 9 MB answer. Sits inside BodySizeLimitMiddleware, so the body read is bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No GET takes a body, so reads pass straight through.
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks = []
        message = await receive()
        while message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
            message = await receive()
        if message["type"] != "http.request":  # the client went away
            return
        body = b"".join(chunks)
        refusal = json_body_refusal(body)
        if refusal is not None:
            errors = [{"loc": ["body"], "msg": refusal, "type": "json_too_complex"}]
            response = problem(422, "body-too-complex", "Body too complex", refusal, errors=errors)
            await response(scope, receive, send)
            return
        whole_body: Message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replaying([whole_body], receive), send)
