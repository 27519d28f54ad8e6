"""What a print file is and how big, told by its bytes alone (never its name or Content-Type). Pure
functions over a seekable binary file, so they are tested without HTTP.

Rasters (PNG, JPEG, TIFF) give their pixel size and the density they declare; SVG its root element's
width and height in absolute units; PDF its first page's boxes. PDF is read with pypdf: a PDF's page
tree is found through the cross-reference table at the end of the file (often compressed into object
streams), which a small hand-written parser would get wrong; pypdf reads only the objects it needs from
the seekable file it is given, so the file stays on disk, not in memory."""

import io
import re
import struct
import xml.parsers.expat
from dataclasses import dataclass
from typing import IO, Literal, NoReturn, get_args

import pypdf
from pypdf.generic import RectangleObject

MM_PER_INCH = 25.4
MM_PER_POINT = MM_PER_INCH / 72
# Enough of the head to tell every format apart (an SVG's root element may follow a long comment).
HEAD_BYTES = 64 * 1024
PrintFormat = Literal["pdf", "png", "jpeg", "tiff", "svg"]
SUPPORTED: tuple[PrintFormat, ...] = get_args(PrintFormat)
_SVG_UNITS_MM = {
    "mm": 1.0,
    "cm": 10.0,
    "q": 0.25,
    "in": MM_PER_INCH,
    "pt": MM_PER_POINT,
    "pc": 12 * MM_PER_POINT,
    "px": MM_PER_INCH / 96,
    "": MM_PER_INCH / 96,  # a plain number is in CSS pixels
}
_SVG_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


class UnreadableFile(Exception):
    """The file is of a known kind but cannot be used as it is; the message says why, `fix` what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class Box:
    """A PDF page box in millimetres."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class Measured:
    """What a file says about itself: pixels and declared density for rasters, millimetres for vector
    formats (and for rasters that declare a density), the page boxes and page count for PDFs."""

    format: str
    width_px: int | None = None
    height_px: int | None = None
    dpi_x: float | None = None
    dpi_y: float | None = None
    width_mm: float | None = None
    height_mm: float | None = None
    pages: int | None = None
    media_box: Box | None = None
    trim_box: Box | None = None
    bleed_box: Box | None = None


def sniff(head: bytes) -> str:
    """The format the first bytes show: one of `SUPPORTED`, `xml` (markup whose root decides whether it
    is an SVG), or what it is instead (`empty`, `html`, `gif`, `webp`, `zip`, `text`, `unknown`)."""
    if not head:
        return "empty"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<"):
        if re.search(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", text[:4096]):
            return "html"
        return "xml"
    if not re.search(rb"[\x00-\x08\x0e-\x1f]", head[:4096]):
        return "text"
    return "unknown"


def measure(file: IO[bytes], format: str) -> Measured:
    """Reads the size of a file whose `sniff` said `format`; raises `UnreadableFile` when it cannot."""
    file.seek(0)
    readers = {"pdf": _pdf, "png": _png, "jpeg": _jpeg, "tiff": _tiff, "xml": _svg}
    return readers[format](file)


def _physical(format: str, width: int, height: int, dpi: tuple[float, float] | None) -> Measured:
    if width <= 0 or height <= 0:
        raise UnreadableFile(
            f"the {format.upper()} says it is {width} x {height} pixels", "export the image again"
        )
    if not dpi or dpi[0] <= 0 or dpi[1] <= 0:
        return Measured(format, width_px=width, height_px=height)
    return Measured(
        format,
        width_px=width,
        height_px=height,
        dpi_x=dpi[0],
        dpi_y=dpi[1],
        width_mm=width / dpi[0] * MM_PER_INCH,
        height_mm=height / dpi[1] * MM_PER_INCH,
    )


def _truncated(format: str) -> UnreadableFile:
    return UnreadableFile(
        f"the {format.upper()} file ends before its size is given: it is cut short or broken",
        "upload the complete file again",
    )


def _png(file: IO[bytes]) -> Measured:
    file.seek(8)
    header = file.read(25)
    if len(header) < 25 or header[4:8] != b"IHDR":
        raise _truncated("png")
    width, height = struct.unpack(">II", header[8:16])
    dpi = None
    while chunk := file.read(8):
        if len(chunk) < 8:
            break
        length, kind = struct.unpack(">I4s", chunk)
        if kind in (b"IDAT", b"IEND"):
            break
        data = file.read(length)
        file.seek(4, io.SEEK_CUR)  # CRC
        if kind == b"pHYs" and len(data) == 9:
            per_x, per_y, unit = struct.unpack(">IIB", data)
            if unit == 1:  # pixels per metre
                dpi = (per_x * MM_PER_INCH / 1000, per_y * MM_PER_INCH / 1000)
    return _physical("png", width, height, dpi)


def _jpeg(file: IO[bytes]) -> Measured:
    file.seek(2)
    dpi = None
    while True:
        byte = file.read(1)
        if not byte:
            raise _truncated("jpeg")
        if byte != b"\xff":
            continue
        marker = file.read(1)
        while marker == b"\xff":  # fill bytes
            marker = file.read(1)
        if not marker:
            raise _truncated("jpeg")
        code = marker[0]
        if code == 0x01 or 0xD0 <= code <= 0xD9:  # markers without a length
            continue
        if code == 0xDA:  # the scan starts: a frame header would have come before it
            raise _truncated("jpeg")
        raw_length = file.read(2)
        if len(raw_length) < 2:
            raise _truncated("jpeg")
        segment = file.read(struct.unpack(">H", raw_length)[0] - 2)
        if code in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if len(segment) < 5:
                raise _truncated("jpeg")
            height, width = struct.unpack(">HH", segment[1:5])
            return _physical("jpeg", width, height, dpi)
        if code == 0xE0 and segment.startswith(b"JFIF\x00") and len(segment) >= 12 and dpi is None:
            unit, density_x, density_y = struct.unpack(">BHH", segment[7:12])
            per_inch = {1: 1.0, 2: 2.54}.get(unit)
            if per_inch:
                dpi = (density_x * per_inch, density_y * per_inch)
        elif code == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            exif = _tiff_fields(io.BytesIO(segment[6:]), "jpeg")
            dpi = _tiff_dpi(exif) or dpi


def _tiff(file: IO[bytes]) -> Measured:
    fields = _tiff_fields(file, "tiff")
    if 256 not in fields or 257 not in fields:
        raise _truncated("tiff")
    return _physical("tiff", int(fields[256]), int(fields[257]), _tiff_dpi(fields))


_TIFF_TYPES = {3: ("H", 2), 4: ("I", 4), 5: ("II", 8)}  # SHORT, LONG, RATIONAL


def _tiff_fields(file: IO[bytes], format: str) -> dict[int, float]:
    """The numeric fields of a TIFF structure's first directory (also the layout of a JPEG's EXIF)."""
    header = file.read(8)
    if len(header) < 8 or header[:2] not in (b"II", b"MM"):
        raise _truncated(format)
    order = "<" if header[:2] == b"II" else ">"
    if struct.unpack(order + "H", header[2:4])[0] == 43:
        raise UnreadableFile(
            "the file is a BigTIFF, which is not read here", "save it as a plain TIFF or PDF"
        )
    file.seek(struct.unpack(order + "I", header[4:8])[0])
    raw_count = file.read(2)
    if len(raw_count) < 2:
        raise _truncated(format)
    fields: dict[int, float] = {}
    for _ in range(struct.unpack(order + "H", raw_count)[0]):
        entry = file.read(12)
        if len(entry) < 12:
            raise _truncated(format)
        tag, kind, count = struct.unpack(order + "HHI", entry[:8])
        if kind not in _TIFF_TYPES or count != 1:
            continue
        code, size = _TIFF_TYPES[kind]
        if size <= 4:
            fields[tag] = struct.unpack(order + code, entry[8 : 8 + size])[0]
            continue
        here = file.tell()
        file.seek(struct.unpack(order + "I", entry[8:12])[0])
        numerator, denominator = struct.unpack(order + code, file.read(8).ljust(8, b"\x00"))
        fields[tag] = numerator / denominator if denominator else 0.0
        file.seek(here)
    return fields


def _tiff_dpi(fields: dict[int, float]) -> tuple[float, float] | None:
    """XResolution and YResolution in dots per inch; ResolutionUnit 2 is the inch, 3 the centimetre."""
    if 282 not in fields or 283 not in fields:
        return None
    per_inch = {2: 1.0, 3: 2.54}.get(int(fields.get(296, 2)))
    if per_inch is None:
        return None
    return (fields[282] * per_inch, fields[283] * per_inch)


class _RootFound(Exception):
    def __init__(self, name: str, attributes: dict[str, str]) -> None:
        self.name = name
        self.attributes = attributes


def _refuse_declarations(*_: object) -> NoReturn:
    raise UnreadableFile(
        "the SVG declares a DOCTYPE or entities, which are refused: they can make a reader fetch other "
        "files or expand without end",
        "save the SVG as plain SVG, without a DOCTYPE",
    )


def _svg(file: IO[bytes]) -> Measured:
    """Reads the root element only, with a parser that refuses any DOCTYPE or entity declaration and
    never loads an external reference (the classic XML attacks: XXE and entity expansion)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    parser.ExternalEntityRefHandler = _refuse_declarations

    def root(name: str, attributes: dict[str, str]) -> None:
        raise _RootFound(name, attributes)

    parser.StartElementHandler = root
    try:
        while chunk := file.read(HEAD_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RootFound as found:
        return _svg_size(found.name, found.attributes)
    except xml.parsers.expat.ExpatError as exc:
        raise UnreadableFile(
            f"the file looks like XML but is not well-formed ({exc})", "export the SVG again"
        ) from exc
    raise UnreadableFile("the file holds no XML element", "upload the SVG file itself")


def _svg_size(name: str, attributes: dict[str, str]) -> Measured:
    if name.rpartition(":")[2] != "svg":
        raise UnreadableFile(
            f"the file is XML with a <{name}> root, not an SVG", "upload a PDF, PNG, JPEG, TIFF or SVG"
        )
    width, height = _svg_length(attributes.get("width")), _svg_length(attributes.get("height"))
    if width is None or height is None:
        raise UnreadableFile(
            "the SVG does not give its width and height in absolute units, so its print size is unknown",
            'set width and height on the <svg> element in millimetres (e.g. width="210mm")',
        )
    return Measured("svg", width_mm=width, height_mm=height, pages=1)


def _svg_length(value: str | None) -> float | None:
    match = _SVG_LENGTH.match(value or "")
    if not match or match.group(2).lower() not in _SVG_UNITS_MM:
        return None
    return float(match.group(1)) * _SVG_UNITS_MM[match.group(2).lower()]


def _pdf(file: IO[bytes]) -> Measured:
    try:
        reader = pypdf.PdfReader(file)
        if reader.is_encrypted:
            raise UnreadableFile(
                "the PDF is encrypted (password-protected), so it cannot be printed as it is",
                "save the PDF again without a password or security settings",
            )
        pages = len(reader.pages)
        if pages == 0:
            raise UnreadableFile("the PDF has no pages", "export the PDF again")
        page = reader.pages[0]
        turned = page.rotation % 180 == 90
        media = _box(page.mediabox, turned)
        trim = _box(page.trimbox, turned) if "/TrimBox" in page else None
        bleed = _box(page.bleedbox, turned) if "/BleedBox" in page else None
    except UnreadableFile:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed input; all mean "broken PDF"
        raise UnreadableFile(
            f"the PDF cannot be read: it is broken or cut short ({type(exc).__name__})",
            "export the PDF again (PDF/X if you can) and upload the complete file",
        ) from exc
    shown = trim or media
    return Measured(
        "pdf",
        width_mm=shown.width,
        height_mm=shown.height,
        pages=pages,
        media_box=media,
        trim_box=trim,
        bleed_box=bleed,
    )


def _box(rectangle: RectangleObject, turned: bool) -> Box:
    left, bottom, right, top = (float(value) * MM_PER_POINT for value in rectangle)
    left, right = sorted((left, right))
    bottom, top = sorted((bottom, top))
    if turned:
        return Box(bottom, left, top, right)
    return Box(left, bottom, right, top)
