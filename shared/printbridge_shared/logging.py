"""JSON logs with the request id on every line, whether the work came from HTTP or from an event."""

import logging
import sys
from typing import Any

import structlog
from asgi_correlation_id import correlation_id

SECRET_KEYS = {"password", "token", "access_token", "refresh_token", "authorization", "key", "secret"}


def _add_request_id(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    request_id = correlation_id.get()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


def _redact_secrets(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in event_dict.keys() & SECRET_KEYS:
        event_dict[key] = "[redacted]"
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        _redact_secrets,
    ]


def configure_structlog(*, cache: bool = True) -> None:
    """structlog's lines go through the standard library's logging, where `line_formatter` renders them."""
    structlog.configure(
        # Level filtering first, so a suppressed line costs nothing beyond the call.
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache,
    )


def line_formatter(*, json: bool = True) -> logging.Formatter:
    """Renders a record as the line Printbridge writes: structlog's and other libraries' alike."""
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def quiet_noisy_loggers() -> None:
    """httpx logs every request's full URL at INFO; a shop's URL may carry credentials (WooCommerce's
    query-string keys) or signatures, which must not reach a log line."""
    for noisy in ("uvicorn.access", "aiormq", "aio_pika", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def configure_logging(level: str = "INFO", *, json: bool = True, cache: bool = True) -> None:
    """`cache=False` keeps loggers reconfigurable (tests that run commands in their own process)."""
    configure_structlog(cache=cache)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(line_formatter(json=json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_noisy_loggers()
