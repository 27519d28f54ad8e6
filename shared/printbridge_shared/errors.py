"""RFC 9457 problem+json: error classes with a status and a stable code, rendered in one place."""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://printbridge.dev/problems/"
# At most this many field errors in an answer; `errors_truncated` counts the rest.
MAX_FIELD_ERRORS = 20
HTTP_ERROR_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
}

log = structlog.get_logger(__name__)


class AppError(Exception):
    """Base of every error a service raises on purpose. Subclasses set `status`, `code`, `title`."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"
    # True when the request's writes must be committed although it fails (e.g. revoking a stolen
    # refresh-token family, counting a failed login): the unit of work commits, then the error is sent.
    keeps_writes: bool = False

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class NotFound(AppError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"


class InvalidInput(AppError):
    status, code, title = 422, "validation-error", "Invalid input"


def field_errors(*loc: str, msg: str, type: str = "value_error") -> list[dict[str, Any]]:
    """A problem's `errors[]` for one input: where it is (`"body", "email"`), what is wrong, its kind."""
    return [{"loc": list(loc), "msg": msg, "type": type}]


class ServiceUnavailable(AppError):
    status, code, title = 503, "service-unavailable", "Service unavailable"


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors()[:MAX_FIELD_ERRORS]:
        loc = [str(part) for part in err.get("loc", ())]
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field; remove it (see the schema in /docs for the fields this operation takes)"
        elif err.get("type") == "json_invalid":
            msg = "the body is not valid JSON: " + str(err.get("ctx", {}).get("error", "syntax error"))
        errors.append({"loc": loc, "msg": msg, "type": err.get("type", "value_error")})
    return errors


def _allowed_methods(request: Request) -> str:
    """Every method some route of the request's path takes (a route only names its own methods)."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers or None, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = ", ".join(".".join(e["loc"]) + ": " + e["msg"] for e in errors[:5]) or "invalid input"
        extra: dict[str, Any] = {"errors": errors}
        truncated = len(exc.errors()) - len(errors)
        if truncated:
            extra["errors_truncated"] = truncated
            detail += f" (and {truncated} more errors not listed; fix these first)"
        return problem(422, "validation-error", "Invalid input", detail, **extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = HTTP_ERROR_TITLES.get(exc.status_code, "Error")
        code = title.lower().replace(" ", "-")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's body parse
            detail = f"the body is not UTF-8 (byte {exc.__cause__.start}); send JSON encoded as UTF-8"
            errors = [{"loc": ["body"], "msg": detail, "type": "json_invalid"}]
            return problem(400, code, title, detail, headers=headers, errors=errors)
        return problem(exc.status_code, code, title, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return problem(
            500, "internal-error", "Internal error", "An unexpected error occurred; it was logged."
        )
