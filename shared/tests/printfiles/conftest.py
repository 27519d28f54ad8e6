"""Real print files made in the tests: PNG, TIFF and SVG written byte by byte, PDFs with pypdf, and JPEG
headers (the markers the checker reads, with a stand-in for the scan data)."""

import io
import struct
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import RectangleObject

MM_PER_POINT = 25.4 / 72


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _tiff_directory(order: str, width: int, height: int, dpi: float | None, unit: int = 2) -> bytes:
    """A TIFF structure with one directory: width, height and (optionally) resolution."""
    entries = [(256, 4, width), (257, 4, height)]
    rationals = b""
    if dpi is not None:
        after_directory = 8 + 2 + 12 * (len(entries) + 3) + 4  # header, count, entries, next directory
        entries += [(282, 5, after_directory), (283, 5, after_directory + 8), (296, 3, unit)]
        rationals = struct.pack(order + "IIII", int(dpi * 100), 100, int(dpi * 100), 100)
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    body = struct.pack(order + "H", len(entries))
    for tag, kind, value in entries:
        packed = (
            struct.pack(order + "H", value) + b"\x00\x00" if kind == 3 else struct.pack(order + "I", value)
        )
        body += struct.pack(order + "HHI", tag, kind, 1) + packed
    return magic + struct.pack(order + "I", 8) + body + b"\x00\x00\x00\x00" + rationals


class Samples:
    @staticmethod
    def png(width: int, height: int, *, dpi: float | None = None) -> bytes:
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
        chunks = [_png_chunk(b"IHDR", header)]
        if dpi is not None:
            per_metre = round(dpi / 0.0254)
            chunks.append(_png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
        rows = (b"\x00" + b"\xff" * width) * height
        chunks += [_png_chunk(b"IDAT", zlib.compress(rows)), _png_chunk(b"IEND", b"")]
        return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)

    @staticmethod
    def jpeg(width: int, height: int, *, jfif_dpi: int | None = None, exif_dpi: float | None = None) -> bytes:
        def segment(marker: int, data: bytes) -> bytes:
            return bytes((0xFF, marker)) + struct.pack(">H", len(data) + 2) + data

        parts = [b"\xff\xd8"]
        if jfif_dpi is not None:
            parts.append(
                segment(0xE0, b"JFIF\x00\x01\x02" + struct.pack(">BHHBB", 1, jfif_dpi, jfif_dpi, 0, 0))
            )
        if exif_dpi is not None:
            parts.append(segment(0xE1, b"Exif\x00\x00" + _tiff_directory(">", 0, 0, exif_dpi)))
        parts.append(segment(0xDB, bytes(65)))  # a quantisation table before the frame, as encoders write
        parts.append(segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"))
        parts.append(segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9")
        return b"".join(parts)

    @staticmethod
    def tiff(
        width: int, height: int, *, dpi: float | None = None, big_endian: bool = False, per_cm: bool = False
    ) -> bytes:
        """`dpi` is written per inch, or per centimetre (ResolutionUnit 3) when `per_cm`."""
        return _tiff_directory(">" if big_endian else "<", width, height, dpi, unit=3 if per_cm else 2)

    @staticmethod
    def svg(width: str | None, height: str | None, *, prolog: str = "") -> bytes:
        size = "".join(
            f' {name}="{value}"' for name, value in (("width", width), ("height", height)) if value
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<svg xmlns="http://www.w3.org/2000/svg"{size} viewBox="0 0 100 100">'
            '<rect width="100" height="100"/></svg>'
        ).encode()

    @staticmethod
    def pdf(
        width_mm: float,
        height_mm: float,
        *,
        pages: int = 1,
        trim_inset_mm: float | None = None,
        rotate: int = 0,
        password: str | None = None,
    ) -> bytes:
        writer = PdfWriter()
        for _ in range(pages):
            page = writer.add_blank_page(width_mm / MM_PER_POINT, height_mm / MM_PER_POINT)
            if trim_inset_mm is not None:
                inset = trim_inset_mm / MM_PER_POINT
                page.trimbox = RectangleObject(
                    (inset, inset, width_mm / MM_PER_POINT - inset, height_mm / MM_PER_POINT - inset)
                )
            if rotate:
                page.rotate(rotate)
        if password is not None:
            writer.encrypt(password, algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


@pytest.fixture
def samples() -> type[Samples]:
    return Samples
