"""A print file's format is told by its bytes, and its size read from its own header: pixels and
declared density for rasters, absolute units for SVG, the first page's boxes for PDF."""

import io

import pytest

from printbridge_shared.printfiles.formats import Measured, UnreadableFile, measure, sniff

from .conftest import Samples


def _measure(data: bytes) -> Measured:
    return measure(io.BytesIO(data), sniff(data[:65536]))


@pytest.mark.parametrize(
    ("data", "format"),
    [
        (Samples.pdf(210, 297), "pdf"),
        (Samples.png(4, 4), "png"),
        (Samples.jpeg(4, 4), "jpeg"),
        (Samples.tiff(4, 4), "tiff"),
        (Samples.tiff(4, 4, big_endian=True), "tiff"),
        (Samples.svg("10mm", "10mm"), "xml"),
        (b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>", "xml"),
        (b"<!DOCTYPE html><html><body>Your download will start shortly</body></html>", "html"),
        (b"\n<html lang='en'><head><title>Sign in</title></head></html>", "html"),
        (b"GIF89a\x01\x00\x01\x00", "gif"),
        (b"PK\x03\x04rest of a zip", "zip"),
        (b"just some words", "text"),
        (b"\x00\x01\x02\x03", "unknown"),
        (b"", "empty"),
    ],
)
def test_the_format_is_told_by_the_bytes(data: bytes, format: str) -> None:
    assert sniff(data) == format


def test_a_png_gives_its_pixels_and_the_density_of_its_phys_chunk() -> None:
    measured = _measure(Samples.png(600, 300, dpi=300))
    assert (measured.format, measured.width_px, measured.height_px) == ("png", 600, 300)
    assert measured.dpi_x == pytest.approx(300, abs=0.01)
    assert measured.width_mm == pytest.approx(50.8, abs=0.01)


def test_a_png_without_density_gives_pixels_only() -> None:
    measured = _measure(Samples.png(10, 20))
    assert (measured.width_px, measured.height_px, measured.dpi_x, measured.width_mm) == (10, 20, None, None)


def test_a_jpeg_gives_its_frame_size_and_jfif_density() -> None:
    measured = _measure(Samples.jpeg(1200, 800, jfif_dpi=72))
    assert (measured.format, measured.width_px, measured.height_px, measured.dpi_x) == ("jpeg", 1200, 800, 72)


def test_a_jpeg_s_exif_resolution_is_read() -> None:
    measured = _measure(Samples.jpeg(1200, 800, exif_dpi=240))
    assert (measured.dpi_x, measured.dpi_y) == (240, 240)


@pytest.mark.parametrize("big_endian", [False, True], ids=["II", "MM"])
def test_a_tiff_gives_its_size_and_resolution_in_either_byte_order(big_endian: bool) -> None:
    measured = _measure(Samples.tiff(3000, 2000, dpi=300, big_endian=big_endian))
    assert (measured.width_px, measured.height_px, measured.dpi_x) == (3000, 2000, 300)


def test_a_tiff_resolution_per_centimetre_is_turned_into_dpi() -> None:
    measured = _measure(Samples.tiff(1181, 1181, dpi=118.11, per_cm=True))
    assert measured.dpi_x == pytest.approx(300, abs=0.1)
    assert measured.width_mm == pytest.approx(100, abs=0.1)


@pytest.mark.parametrize(
    "data",
    [
        Samples.png(10, 10)[:20],
        Samples.jpeg(10, 10)[:30],
        Samples.jpeg(10, 10).replace(b"\xff\xc0", b"\xff\xfe"),
    ],
    ids=["png-cut-short", "jpeg-cut-short", "jpeg-without-frame"],
)
def test_a_raster_without_its_size_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="cut short"):
        _measure(data)


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [("210mm", "297mm", (210, 297)), ("21cm", "2.97e2mm", (210, 297)), ("2in", "144pt", (50.8, 50.8))],
)
def test_an_svg_gives_its_size_in_absolute_units(width: str, height: str, expected: tuple[int, int]) -> None:
    measured = _measure(Samples.svg(width, height))
    assert measured.format == "svg"
    assert (measured.width_mm, measured.height_mm) == pytest.approx(expected)


def test_an_svg_in_plain_numbers_is_measured_in_css_pixels() -> None:
    measured = _measure(Samples.svg("96", "192px"))
    assert (measured.width_mm, measured.height_mm) == pytest.approx((25.4, 50.8))


@pytest.mark.parametrize(("width", "height"), [(None, None), ("100%", "100%"), ("10mm", "5em")])
def test_an_svg_without_an_absolute_size_is_refused_with_the_fix(width: str | None, height: str | None):
    with pytest.raises(UnreadableFile, match="absolute units") as refused:
        _measure(Samples.svg(width, height))
    assert "millimetres" in refused.value.fix


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n',
        '<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n',
        '<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n',
    ],
    ids=["public-dtd", "external-entity", "entity-expansion"],
)
def test_an_svg_with_a_doctype_or_entities_is_refused(prolog: str) -> None:
    with pytest.raises(UnreadableFile, match="DOCTYPE") as refused:
        _measure(Samples.svg("10mm", "10mm", prolog=prolog))
    assert "without a DOCTYPE" in refused.value.fix


def test_xml_that_is_not_an_svg_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="<rss> root"):
        _measure(b"<?xml version='1.0'?><rss><channel/></rss>")


def test_a_pdf_gives_its_first_page_size_in_mm_and_its_page_count() -> None:
    measured = _measure(Samples.pdf(216, 303, pages=3))
    assert (measured.format, measured.pages, measured.trim_box) == ("pdf", 3, None)
    assert (measured.width_mm, measured.height_mm) == pytest.approx((216, 303))


def test_a_pdf_with_a_trim_box_gives_the_trim_size_and_keeps_the_media_box() -> None:
    measured = _measure(Samples.pdf(216, 303, trim_inset_mm=3))
    assert (measured.width_mm, measured.height_mm) == pytest.approx((210, 297))
    assert measured.media_box is not None
    assert (measured.media_box.width, measured.media_box.height) == pytest.approx((216, 303))


def test_a_turned_pdf_page_is_measured_as_it_is_shown() -> None:
    measured = _measure(Samples.pdf(100, 200, rotate=90))
    assert (measured.width_mm, measured.height_mm) == pytest.approx((200, 100))


def test_an_encrypted_pdf_is_refused_with_the_fix() -> None:
    with pytest.raises(UnreadableFile, match="encrypted") as refused:
        _measure(Samples.pdf(210, 297, password="secret"))
    assert "without a password" in refused.value.fix


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\nthis is not a PDF at all\n%%EOF", Samples.pdf(210, 297)[:200]],
    ids=["garbage", "cut-short"],
)
def test_a_broken_pdf_is_refused_as_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="cannot be read"):
        _measure(data)
