"""Print files for the tests of the services that check them (mapping's templates and mappings, orders'
manual orders): real PDFs and PNGs of a given size, and a file server to run on a loopback socket that
serves them, a web page behind a `.pdf` link (as a file host's login page is) and 404s for the rest.

The server reads the files it was given on every request, so a test that changes the mapping changes
what the address serves: a file "fixed at its address"."""

import io
import struct
import zlib
from collections.abc import Mapping

from pypdf import PdfWriter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

MM_PER_POINT = 25.4 / 72
LOGIN_PAGE = "<!DOCTYPE html><html><body>Log in to download</body></html>"


def pdf(width_mm: float, height_mm: float) -> bytes:
    """A PDF of one blank page of that size."""
    writer = PdfWriter()
    writer.add_blank_page(width_mm / MM_PER_POINT, height_mm / MM_PER_POINT)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    """A white greyscale PNG of that many pixels, without a density of its own."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = (b"\x00" + b"\xff" * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def file_server(files: Mapping[str, bytes]) -> Starlette:
    """An app serving `/files/{name}` from `files` (404 for a name it lacks) and, at `/download/{name}`,
    a login page that says it is a PDF. Run it with `printbridge_sandbox.serving.running`."""

    async def file(request: Request) -> Response:
        content = files.get(request.path_params["name"])
        if content is None:
            return Response("no such file", status_code=404)
        return Response(content, media_type="application/octet-stream")

    async def login_page(_: Request) -> Response:
        return Response(LOGIN_PAGE, media_type="application/pdf")

    return Starlette(routes=[Route("/files/{name}", file), Route("/download/{name}", login_page)])
