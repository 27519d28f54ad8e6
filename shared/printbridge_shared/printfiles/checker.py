"""The print-file check: fetch a customer's design URL through the guarded client, within a size and a
time cap, tell its format by its bytes and compare its size with the print area's requirements. The
answer is a `FileCheck` whose `reason`, `message` and `fix` a customer can act on (docs/print-files.md).

The body is streamed into a spooled temporary file (in memory up to `SPOOL_IN_MEMORY_BYTES`, on disk
beyond), never held whole in memory: a PDF's page tree is found through its end, so the whole file is
needed, and reading it all also proves it is complete and within the cap. A head that shows a format we
do not take ends the download at once."""

import asyncio
import datetime as dt
import tempfile
from enum import StrEnum
from typing import IO

import httpx
from pydantic import BaseModel, Field

from printbridge_shared.outbound import UrlNotAllowed
from printbridge_shared.printfiles.formats import (
    HEAD_BYTES,
    SUPPORTED,
    Measured,
    UnreadableFile,
    measure,
    sniff,
)
from printbridge_shared.printfiles.judging import PrintRequirements, judge

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_REDIRECTS = 5
SPOOL_IN_MEMORY_BYTES = 1024 * 1024


class FileProblem(StrEnum):
    file_unreachable = "file_unreachable"
    file_format = "file_format"
    file_too_small = "file_too_small"
    file_too_large = "file_too_large"
    url_not_allowed = "url_not_allowed"


class FileCheck(BaseModel):
    """The outcome for one URL. `ok` with no `reason`, or a `reason` with a `message` (what was wrong) and
    a `fix` (what the customer can do). Rasters: `dpi` is the effective resolution at trim + bleed size,
    `width_mm`/`height_mm` the size they declare (pixels at their own density, when they give one)."""

    url: str
    ok: bool
    reason: FileProblem | None = None
    message: str | None = None
    fix: str | None = None
    http_status: int | None = None
    format: str | None = None
    bytes: int | None = None
    width_px: int | None = None
    height_px: int | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    dpi: float | None = None
    pages: int | None = None
    checked_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    transient: bool = Field(
        False,
        exclude=True,
        description="The file could not be fetched for a reason that passes (no connection, a time-out, "
        "the server busy or failing): worth asking again soon, unlike a 404 or a bad file.",
    )


# Answers of a server that is busy or failing for a while, not about the file.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class _Refused(Exception):
    def __init__(
        self, reason: FileProblem, message: str, fix: str, *, transient: bool = False, **found: object
    ) -> None:
        super().__init__(message)
        self.reason, self.message, self.fix, self.found = reason, message, fix, found
        self.transient = transient


async def check_file(
    http: httpx.AsyncClient,
    url: str,
    requirements: PrintRequirements,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT_S,  # noqa: ASYNC109 - a time-out is an answer (file_unreachable) here
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> FileCheck:
    """Checks the file at `url`. `http` must be the guarded client (`printbridge_shared.outbound`): every
    hop, redirects included, is checked by it; at most `max_redirects` are followed. `timeout` caps the
    whole download (connecting, every redirect and the body), not each read."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            async with asyncio.timeout(timeout):
                size, format = await _download(http, url, spool, max_bytes, max_redirects)
            measured = await asyncio.to_thread(_measure, spool, format, size)
        except _Refused as refused:
            return FileCheck(
                url=url,
                ok=False,
                reason=refused.reason,
                message=refused.message,
                fix=refused.fix,
                transient=refused.transient,
                **refused.found,
            )
        except TimeoutError:
            return FileCheck(
                url=url,
                ok=False,
                reason=FileProblem.file_unreachable,
                message=f"the file could not be fetched within {timeout:g} seconds",
                fix="host the file somewhere that answers quickly and try again",
                transient=True,
            )
    verdict = judge(measured, requirements)
    return FileCheck(
        url=url,
        ok=verdict.problem is None,
        reason=verdict.problem and FileProblem(verdict.problem),
        message=verdict.message,
        fix=verdict.fix,
        format=measured.format,
        bytes=size,
        width_px=measured.width_px,
        height_px=measured.height_px,
        width_mm=measured.width_mm,
        height_mm=measured.height_mm,
        dpi=verdict.dpi,
        pages=measured.pages,
    )


def format_name(format: str) -> str:
    """What a `sniff` result is, as a sentence reads it ("a web page (HTML)", "a GIF file")."""
    return {
        "empty": "empty",
        "html": "a web page (HTML)",
        "text": "plain text",
        "unknown": "of an unknown kind",
    }.get(format, f"a {format.upper()} file")


def _measure(spool: IO[bytes], format: str, size: int) -> Measured:
    try:
        return measure(spool, format)
    except UnreadableFile as exc:
        raise _Refused(
            FileProblem.file_format, str(exc), exc.fix, format=format if format != "xml" else None, bytes=size
        ) from exc


async def _download(
    http: httpx.AsyncClient, url: str, spool: IO[bytes], max_bytes: int, max_redirects: int
) -> tuple[int, str]:
    """Streams the body into `spool`; returns its size and what its head shows. Refuses (`_Refused`) an
    address the guard will not call, an unreachable one, one over the cap, and one whose head is not a
    print file (without reading further)."""
    try:
        return await _follow(http, url, spool, max_bytes, max_redirects)
    except UrlNotAllowed as exc:
        raise _Refused(
            FileProblem.url_not_allowed,
            f"the file's address is not allowed: {exc}",
            "host the file at a public https:// address",
        ) from exc
    except httpx.InvalidURL as exc:
        raise _Refused(
            FileProblem.url_not_allowed,
            f"the file's address is not a valid URL: {exc}",
            "give the file's full https:// address",
        ) from exc
    except httpx.RequestError as exc:  # DNS, refused, reset, httpx's own time-outs, a body it cannot decode
        raise _Refused(
            FileProblem.file_unreachable,
            f"the file could not be fetched: {exc or type(exc).__name__}",
            "check that the address is right and publicly reachable, then try again",
            transient=True,
        ) from exc


async def _follow(
    http: httpx.AsyncClient, url: str, spool: IO[bytes], max_bytes: int, max_redirects: int
) -> tuple[int, str]:
    request = http.build_request("GET", url)
    for _ in range(max_redirects + 1):
        response = await http.send(request, stream=True, follow_redirects=False)
        try:
            if response.next_request is None:
                return await _read_body(response, spool, max_bytes)
            request = response.next_request
        finally:
            await response.aclose()
    raise _Refused(
        FileProblem.file_unreachable,
        f"the address redirects more than {max_redirects} times",
        "link to the file's final address",
    )


async def _read_body(response: httpx.Response, spool: IO[bytes], max_bytes: int) -> tuple[int, str]:
    if response.status_code >= 400:
        raise _Refused(
            FileProblem.file_unreachable,
            f"the server answered {response.status_code} {response.reason_phrase} for the file",
            "check that the link is right and the file is shared publicly",
            transient=response.status_code in TRANSIENT_STATUSES,
            http_status=response.status_code,
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes, int(declared))
    size, format = 0, None
    # Disk writes of the spool go to the page cache; they do not stall the loop as network reads would.
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes, None)
        spool.write(chunk)
        if format is None and size >= HEAD_BYTES:
            format = _sniff_head(spool, size)
    return size, format or _sniff_head(spool, size)


def _sniff_head(spool: IO[bytes], size: int) -> str:
    spool.seek(0)
    format = sniff(spool.read(HEAD_BYTES))
    spool.seek(size)
    if format not in SUPPORTED and format != "xml":
        raise _Refused(
            FileProblem.file_format,
            f"the file is {format_name(format)}, not a print file",
            "link to the print file itself (PDF, PNG, JPEG, TIFF or SVG), not a web page about it",
            format=format,
        )
    return format


def _too_large(max_bytes: int, size: int | None) -> _Refused:
    return _Refused(
        FileProblem.file_too_large,
        f"the file is larger than the {_in_units(max_bytes)} a print file may have",
        "export it with compressed images (or a lower but sufficient resolution) and upload it again",
        bytes=size,
    )


def _in_units(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"
