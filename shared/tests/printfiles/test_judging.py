"""A measured file is held against the print area: rasters by their effective resolution at trim + bleed,
pages and SVGs by their size (within TOLERANCE_MM), PDFs with a TrimBox by trim size and bleed around."""

import io

import pytest
from pydantic import ValidationError

from printbridge_shared.printfiles import TOLERANCE_MM, PrintRequirements
from printbridge_shared.printfiles.formats import measure, sniff
from printbridge_shared.printfiles.judging import Verdict, judge

from .conftest import Samples

# A4 with 3 mm bleed: the print size is 216 x 303 mm, 2552 x 3579 pixels at 300 dpi.
A4 = PrintRequirements(trim_width_mm=210, trim_height_mm=297, bleed_mm=3, min_dpi=300)


def _judge(data: bytes, requirements: PrintRequirements = A4) -> Verdict:
    return judge(measure(io.BytesIO(data), sniff(data[:65536])), requirements)


def test_a_raster_with_enough_pixels_for_trim_and_bleed_passes_with_its_effective_dpi() -> None:
    verdict = _judge(Samples.png(2552, 3579, dpi=72))
    assert verdict.problem is None
    assert verdict.dpi == pytest.approx(300, abs=0.2)


def test_a_raster_below_the_minimum_dpi_is_too_small_and_says_how_many_pixels_are_needed() -> None:
    verdict = _judge(Samples.jpeg(1276, 1790, jfif_dpi=300))
    assert verdict.problem == "file_too_small"
    assert verdict.dpi == pytest.approx(150, abs=0.2)
    assert "150 dpi" in (verdict.message or "")
    assert verdict.fix == "supply the image with at least 2552 x 3579 pixels"


def test_the_lower_axis_decides_a_raster_s_resolution() -> None:
    verdict = _judge(Samples.tiff(5000, 1790))
    assert (verdict.problem, verdict.dpi) == ("file_too_small", pytest.approx(150, abs=0.2))


def test_a_pdf_page_of_trim_plus_bleed_passes_within_the_tolerance() -> None:
    assert _judge(Samples.pdf(216, 303)).problem is None
    assert _judge(Samples.pdf(216 + TOLERANCE_MM * 0.9, 303 - TOLERANCE_MM * 0.9)).problem is None


def test_a_pdf_page_at_trim_size_without_bleed_is_too_small_and_names_the_bleed() -> None:
    verdict = _judge(Samples.pdf(210, 297))
    assert verdict.problem == "file_too_small"
    assert (
        verdict.message == "the page is 210.0 x 297.0 mm; the print size is 216.0 x 303.0 mm (trim + bleed)"
    )
    assert verdict.fix == "export the page at 216.0 x 303.0 mm: the trim size with 3 mm bleed on every side"


def test_a_pdf_page_larger_than_trim_plus_bleed_is_too_large() -> None:
    verdict = _judge(Samples.pdf(297, 420))
    assert verdict.problem == "file_too_large"
    assert "with nothing around it" in (verdict.fix or "")


def test_a_page_the_right_size_the_other_way_round_is_told_to_turn() -> None:
    verdict = _judge(Samples.pdf(303, 216))
    assert verdict.problem == "file_too_small"
    assert verdict.fix == "turn the page by 90° (it is the right size the other way round)"


def test_a_pdf_with_a_trim_box_passes_when_the_trim_is_right_and_the_bleed_around_it_enough() -> None:
    assert _judge(Samples.pdf(226, 313, trim_inset_mm=8)).problem is None


def test_a_pdf_whose_trim_box_has_too_little_bleed_around_it_is_too_small() -> None:
    verdict = _judge(Samples.pdf(212, 299, trim_inset_mm=1))
    assert verdict.problem == "file_too_small"
    assert verdict.message == "the page has 1.0 mm bleed around its trim box; 3 mm are needed"


def test_a_pdf_whose_trim_box_is_another_size_is_judged_by_it() -> None:
    verdict = _judge(Samples.pdf(154, 216, trim_inset_mm=3))
    assert verdict.problem == "file_too_small"
    assert verdict.message == "the trim box is 148.0 x 210.0 mm; the trim size is 210.0 x 297.0 mm"


def test_an_svg_is_judged_by_its_absolute_size() -> None:
    assert _judge(Samples.svg("216mm", "303mm")).problem is None
    assert _judge(Samples.svg("100mm", "100mm")).problem == "file_too_small"


def test_a_format_the_print_area_does_not_take_is_refused() -> None:
    pdf_or_svg = PrintRequirements(formats={"pdf", "svg"}, trim_width_mm=210, trim_height_mm=297)
    verdict = _judge(Samples.png(2552, 3579), pdf_or_svg)
    assert (verdict.problem, verdict.message, verdict.fix) == (
        "file_format",
        "the file is a PNG; this print area takes PDF, SVG",
        "export the design as PDF or SVG",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"formats": {"gif"}}, "formats"),
        ({"formats": set()}, "formats"),
        ({"trim_width_mm": 0}, "trim_width_mm"),
        ({"bleed_mm": -1}, "bleed_mm"),
        ({"min_dpi": 0}, "min_dpi"),
    ],
)
def test_requirements_that_cannot_be_met_are_refused_naming_the_field(fields: dict[str, object], field: str):
    with pytest.raises(ValidationError) as refused:
        PrintRequirements.model_validate({"trim_width_mm": 210, "trim_height_mm": 297, **fields})
    assert refused.value.errors()[0]["loc"][0] == field
