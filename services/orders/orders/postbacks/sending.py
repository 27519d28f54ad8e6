"""One postback attempt over the guarded client: the body signed as Standard Webhooks say (one signature
per live secret), POSTed, and the answer measured. Never raises for what the endpoint or the network
does: every outcome is an `Outcome` to log."""

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import structlog

from printbridge_shared.db import utcnow
from printbridge_shared.outbound import UrlNotAllowed
from printbridge_shared.standard_webhooks import signature_header

log = structlog.get_logger(__name__)

USER_AGENT = "Printbridge-Postbacks/1"
EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Outcome:
    at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def headers_for(delivery_id: str, body: bytes, secrets: Sequence[str], timestamp: int) -> dict[str, str]:
    stamp = str(timestamp)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": stamp,
        "webhook-signature": signature_header(secrets, delivery_id, stamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


async def send(
    http: httpx.AsyncClient,
    *,
    url: str,
    delivery_id: str,
    body: bytes,
    secrets: Sequence[str],
    timeout_s: float,
) -> Outcome:
    at = utcnow()
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    headers = headers_for(delivery_id, body, secrets, int(time.time()))
    try:
        request = http.build_request("POST", url, content=body, headers=headers, timeout=timeout_s)
        response = await http.send(request, stream=True)
        try:
            status_code = response.status_code
            read = b""
            async for chunk in response.aiter_raw():
                read += chunk
                if len(read) >= EXCERPT_BYTES:
                    break
            excerpt = read[:EXCERPT_BYTES].decode("utf-8", errors="replace") or None
        finally:
            await response.aclose()
    except UrlNotAllowed as refused:
        error = f"refused: {refused}"
    except httpx.TimeoutException:
        error = f"timed out after {timeout_s:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    duration_ms = round((time.monotonic() - started) * 1000)
    log.info(
        "postback_attempt",
        delivery_id=delivery_id,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
    )
    return Outcome(at, status_code, error, duration_ms, excerpt)
