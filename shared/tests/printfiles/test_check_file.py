"""`check_file` fetches a design URL through the guarded client and answers with what it found, or with
a reason, message and fix: served by a real server on a local socket (private addresses allowed there),
and through the guard with private addresses refused."""

import datetime as dt
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from printbridge_sandbox.serving import running
from printbridge_shared.jobs import Job, JobFailed
from printbridge_shared.outbound import guarded_client
from printbridge_shared.printfiles import FileProblem, PrintRequirements, check_file
from printbridge_shared.printfiles.jobs import CheckFile, FileToCheck

from .conftest import Samples

A4 = PrintRequirements(trim_width_mm=210, trim_height_mm=297, bleed_mm=3, min_dpi=300)
CHUNK = b"\x00" * 65536
FILES = {
    "design.pdf": Samples.pdf(216, 303, pages=2),
    "photo.png": Samples.png(2552, 3579),
    "small.png": Samples.png(600, 800, dpi=300),
    "art.svg": Samples.svg("216mm", "303mm"),
    "doctype.svg": Samples.svg(
        "216mm", "303mm", prolog="<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
    ),
    "locked.pdf": Samples.pdf(216, 303, password="secret"),
    "broken.pdf": b"%PDF-1.7\n" + b"garbage " * 100,
    "empty.pdf": b"",
}


class Sent:
    """How many chunks an endless download sent before the checker hung up."""

    chunks = 0


async def endless(request: Request) -> AsyncIterator[bytes]:
    """A PNG that never ends, until the client hangs up."""
    yield Samples.png(2552, 3579)[:33]
    while not await request.is_disconnected():
        Sent.chunks += 1
        yield CHUNK


async def stalled(request: Request) -> AsyncIterator[bytes]:
    """A PNG whose body stops coming after its head, until the client hangs up."""
    yield Samples.png(2552, 3579)[:33]
    while (await request.receive())["type"] != "http.disconnect":
        continue


def app() -> Starlette:
    async def file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in FILES:
            return Response("no such file", status_code=404)
        return Response(FILES[name], media_type="application/octet-stream")

    async def web_page(_: Request) -> Response:
        return Response(
            "<!DOCTYPE html><html><body>Log in to download</body></html>", media_type="application/pdf"
        )

    async def huge(request: Request) -> Response:
        announced = request.query_params.get("announced") == "yes"
        headers = {"content-length": str(10**12)} if announced else None
        return StreamingResponse(endless(request), headers=headers)

    async def loop(_: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    return Starlette(
        routes=[
            Route("/files/{name}", file),
            Route("/download/design.pdf", web_page),
            Route("/huge", huge),
            Route("/loop", loop),
            Route("/unavailable", lambda _: Response("try later", status_code=503)),
            Route("/stalled", lambda request: StreamingResponse(stalled(request))),
            Route("/moved", lambda _: RedirectResponse("/files/design.pdf", status_code=301)),
        ]
    )


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running(app()) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with guarded_client(allow_private=True) as client:
        yield client


@pytest.mark.parametrize(("name", "format", "pages"), [("design.pdf", "pdf", 2), ("art.svg", "svg", 1)])
async def test_a_page_of_the_right_size_passes_with_what_was_found(
    http: httpx.AsyncClient, base_url: str, name: str, format: str, pages: int
) -> None:
    checked = await check_file(http, f"{base_url}/files/{name}", A4)
    assert (checked.ok, checked.reason, checked.format, checked.pages) == (True, None, format, pages)
    assert (checked.width_mm, checked.height_mm) == (pytest.approx(216), pytest.approx(303))
    assert checked.bytes == len(FILES[name])
    assert checked.checked_at.tzinfo is not None


async def test_a_raster_with_enough_pixels_passes_with_its_dpi(
    http: httpx.AsyncClient, base_url: str
) -> None:
    checked = await check_file(http, f"{base_url}/files/photo.png", A4)
    assert (checked.ok, checked.format, checked.width_px, checked.height_px) == (True, "png", 2552, 3579)
    assert checked.dpi == pytest.approx(300, abs=0.2)


async def test_a_raster_with_too_few_pixels_is_too_small_with_its_dpi(
    http: httpx.AsyncClient, base_url: str
) -> None:
    checked = await check_file(http, f"{base_url}/files/small.png", A4)
    assert (checked.ok, checked.reason, checked.width_px, checked.height_px) == (
        False,
        FileProblem.file_too_small,
        600,
        800,
    )
    assert checked.dpi == pytest.approx(67, abs=1)
    assert checked.fix == "supply the image with at least 2552 x 3579 pixels"


async def test_a_web_page_behind_a_pdf_link_is_named_for_what_it_is(
    http: httpx.AsyncClient, base_url: str
) -> None:
    checked = await check_file(http, f"{base_url}/download/design.pdf", A4)
    assert (checked.reason, checked.format) == (FileProblem.file_format, "html")
    assert checked.message == "the file is a web page (HTML), not a print file"


@pytest.mark.parametrize(
    ("name", "message"),
    [("doctype.svg", "DOCTYPE"), ("locked.pdf", "encrypted"), ("broken.pdf", "broken")],
)
async def test_an_unsafe_or_unreadable_file_is_a_format_problem_with_a_fix(
    http: httpx.AsyncClient, base_url: str, name: str, message: str
) -> None:
    checked = await check_file(http, f"{base_url}/files/{name}", A4)
    assert checked.reason == FileProblem.file_format
    assert message in (checked.message or "")
    assert checked.fix


async def test_an_empty_file_is_a_format_problem(http: httpx.AsyncClient, base_url: str) -> None:
    checked = await check_file(http, f"{base_url}/files/empty.pdf", A4)
    assert (checked.reason, checked.format, checked.message) == (
        FileProblem.file_format,
        "empty",
        "the file is empty, not a print file",
    )


async def test_an_address_that_is_not_a_url_is_not_allowed(http: httpx.AsyncClient) -> None:
    checked = await check_file(http, "https://files.example/design\n.pdf", A4)
    assert checked.reason == FileProblem.url_not_allowed
    assert checked.fix == "give the file's full https:// address"


async def test_a_missing_file_is_unreachable_with_the_status(http: httpx.AsyncClient, base_url: str) -> None:
    checked = await check_file(http, f"{base_url}/files/gone.pdf", A4)
    assert (checked.ok, checked.reason, checked.http_status) == (False, FileProblem.file_unreachable, 404)
    assert "404" in (checked.message or "")
    assert not checked.transient  # the link is wrong: asking again soon changes nothing


async def test_a_server_error_is_unreachable_with_the_status_and_passes(
    http: httpx.AsyncClient, base_url: str
) -> None:
    checked = await check_file(http, f"{base_url}/unavailable", A4)
    assert (checked.reason, checked.http_status, checked.transient) == (
        FileProblem.file_unreachable,
        503,
        True,
    )
    assert "transient" not in checked.model_dump(mode="json")  # how it is kept and shown stays the same


async def test_a_name_that_does_not_resolve_is_unreachable(http: httpx.AsyncClient) -> None:
    checked = await check_file(http, "https://files.printbridge.invalid/design.pdf", A4)
    assert checked.reason == FileProblem.file_unreachable
    assert "does not resolve" in (checked.message or "")


async def test_a_refused_connection_is_unreachable(http: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    checked = await check_file(http, f"http://127.0.0.1:{port}/design.pdf", A4)
    assert (checked.reason, checked.http_status, checked.transient) == (
        FileProblem.file_unreachable,
        None,
        True,
    )


async def test_a_redirect_is_followed_and_a_loop_is_not(http: httpx.AsyncClient, base_url: str) -> None:
    assert (await check_file(http, f"{base_url}/moved", A4)).ok
    looped = await check_file(http, f"{base_url}/loop", A4, max_redirects=3)
    assert (looped.reason, looped.message) == (
        FileProblem.file_unreachable,
        "the address redirects more than 3 times",
    )


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
async def test_a_file_over_the_cap_is_too_large_without_being_read_whole(
    http: httpx.AsyncClient, base_url: str, announced: bool
) -> None:
    Sent.chunks = 0
    checked = await check_file(
        http, f"{base_url}/huge?announced={'yes' if announced else 'no'}", A4, max_bytes=1024 * 1024
    )
    assert checked.reason == FileProblem.file_too_large
    assert checked.bytes == (10**12 if announced else None)
    assert "1 MB" in (checked.message or "")
    assert Sent.chunks < 200  # 12.5 MB: the server's buffers, not the endless body


async def test_a_download_over_the_time_cap_is_unreachable(http: httpx.AsyncClient, base_url: str) -> None:
    checked = await check_file(http, f"{base_url}/stalled", A4, timeout=0.5)
    assert checked.reason == FileProblem.file_unreachable
    assert checked.message == "the file could not be fetched within 0.5 seconds"


async def test_a_private_address_is_refused_by_the_guard(base_url: str) -> None:
    async with guarded_client(allow_private=False) as http:
        checked = await check_file(http, base_url.replace("http://", "https://") + "/files/design.pdf", A4)
    assert checked.reason == FileProblem.url_not_allowed
    assert "private or local address" in (checked.message or "")
    assert checked.fix == "host the file at a public https:// address"


async def test_a_redirect_to_a_private_address_is_refused_and_never_followed() -> None:
    contacted: list[str] = []

    async def public_host(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url))
        return httpx.Response(302, headers={"location": "https://169.254.169.254/latest/meta-data/"})

    transport = httpx.MockTransport(public_host)
    async with guarded_client(allow_private=False, transport=transport) as http:
        checked = await check_file(http, "https://93.184.215.14/design.pdf", A4)
    assert checked.reason == FileProblem.url_not_allowed
    assert "169.254.169.254" in (checked.message or "")
    assert contacted == ["https://93.184.215.14/design.pdf"]


class Kept:
    """The files as the check job hands them on (a service's `CheckedFiles`)."""

    id_key = "file_id"
    recheck = "POST …/recheck"

    def __init__(self, url: str) -> None:
        self.url = url


def job(attempt: int) -> Job:
    payload = {"file_id": str(uuid.uuid4()), "fingerprint": "f"}
    return Job(uuid.uuid4(), "files.check", payload, attempt, CheckFile.max_attempts, dt.datetime.now(dt.UTC))


@pytest.mark.parametrize(("path", "retried"), [("/unavailable", True), ("/files/gone.pdf", False)])
async def test_the_check_job_asks_a_failing_server_again_but_takes_a_missing_file_as_the_answer(
    http: httpx.AsyncClient, base_url: str, path: str, retried: bool
) -> None:
    handler = CheckFile(http, Kept(f"{base_url}{path}"))
    file = FileToCheck(uuid.uuid4(), "f", f"{base_url}{path}", A4)

    if retried:
        with pytest.raises(JobFailed, match="503"):
            await handler.perform(job(1), file)
        assert file.result is None
    else:
        await handler.perform(job(1), file)
        assert file.result is not None and file.result.http_status == 404


async def test_the_last_attempt_keeps_the_failing_servers_answer(
    http: httpx.AsyncClient, base_url: str
) -> None:
    file = FileToCheck(uuid.uuid4(), "f", f"{base_url}/unavailable", A4)
    await CheckFile(http, Kept(file.url)).perform(job(CheckFile.max_attempts), file)
    assert file.result is not None
    assert (file.result.reason, file.result.http_status) == (FileProblem.file_unreachable, 503)
