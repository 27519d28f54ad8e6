"""Whether a measured file fits a print area. The print size is trim + bleed on every side; sizes in
millimetres are compared with a tolerance of `TOLERANCE_MM` either way (PDF points and SVG units round,
and exporting programs add fractions of a millimetre).

- Rasters are scaled to cover the print size: their effective resolution is the lower of the two axes'
  pixels per inch at that size, and must reach `min_dpi`. Their declared density is not held against
  them (a 72 dpi label on enough pixels prints well).
- A PDF page with a TrimBox must have that trim size and at least the bleed around it (within its
  BleedBox, or its MediaBox); one without a TrimBox must be trim + bleed in size. An SVG must be trim +
  bleed in size. A page larger than that is `file_too_large`: it would be cropped or scaled, so artwork
  would be lost or misplaced, and only the customer can say which is right."""

import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from printbridge_shared.printfiles.formats import MM_PER_INCH, SUPPORTED, Box, Measured, PrintFormat

TOLERANCE_MM = 1.0


@dataclass(frozen=True)
class Verdict:
    problem: str | None = None
    message: str | None = None
    fix: str | None = None
    dpi: float | None = None


class PrintRequirements(BaseModel):
    """A print area's needs: the formats it takes, its trim size, the bleed on every side, and the least
    resolution a raster must have once scaled to trim + bleed."""

    formats: frozenset[PrintFormat] = Field(default=frozenset(SUPPORTED), min_length=1)
    trim_width_mm: float = Field(gt=0)
    trim_height_mm: float = Field(gt=0)
    bleed_mm: float = Field(default=0, ge=0)
    min_dpi: float = Field(default=300, gt=0)


def judge(measured: Measured, requirements: PrintRequirements) -> Verdict:
    if measured.format not in requirements.formats:
        taken = sorted(name.upper() for name in requirements.formats)
        return Verdict(
            "file_format",
            f"the file is a {measured.format.upper()}; this print area takes {', '.join(taken)}",
            f"export the design as {' or '.join(taken)}",
        )
    need = (
        requirements.trim_width_mm + 2 * requirements.bleed_mm,
        requirements.trim_height_mm + 2 * requirements.bleed_mm,
    )
    if measured.width_px is not None and measured.height_px is not None:
        return _raster(measured.width_px, measured.height_px, need, requirements.min_dpi)
    if measured.trim_box is not None and measured.media_box is not None:
        return _trimmed_page(measured.trim_box, measured.bleed_box or measured.media_box, requirements)
    size = (measured.width_mm or 0.0, measured.height_mm or 0.0)  # vector formats always give a size
    return _sized(size, need, "page", requirements.bleed_mm)


def _mm(size: tuple[float, float]) -> str:
    return f"{size[0]:.1f} x {size[1]:.1f} mm"


def _raster(width: int, height: int, need: tuple[float, float], min_dpi: float) -> Verdict:
    dpi = min(width / (need[0] / MM_PER_INCH), height / (need[1] / MM_PER_INCH))
    if dpi >= min_dpi:
        return Verdict(dpi=round(dpi, 1))
    pixels = (math.ceil(need[0] / MM_PER_INCH * min_dpi), math.ceil(need[1] / MM_PER_INCH * min_dpi))
    return Verdict(
        "file_too_small",
        f"the image has {width} x {height} pixels: {dpi:.0f} dpi at the print size {_mm(need)} "
        f"(trim + bleed), {min_dpi:g} dpi are needed",
        f"supply the image with at least {pixels[0]} x {pixels[1]} pixels",
        round(dpi, 1),
    )


def _sized(size: tuple[float, float], need: tuple[float, float], what: str, bleed: float) -> Verdict:
    """`what` (a page, or a PDF's trim box) against `need`: trim + `bleed` on every side."""
    turned = _fits((size[1], size[0]), need)
    if _fits(size, need):
        return Verdict()
    if size[0] < need[0] - TOLERANCE_MM or size[1] < need[1] - TOLERANCE_MM:
        problem, fix = "file_too_small", f"export the {what} at {_mm(need)}"
        if bleed and _fits(size, (need[0] - 2 * bleed, need[1] - 2 * bleed)):
            fix += f": the trim size with {bleed:g} mm bleed on every side"
    else:
        problem, fix = "file_too_large", f"export the {what} at {_mm(need)}, with nothing around it"
    if turned:
        fix = f"turn the {what} by 90° (it is the right size the other way round)"
    target = f"the print size is {_mm(need)} (trim + bleed)" if bleed else f"the trim size is {_mm(need)}"
    return Verdict(problem, f"the {what} is {_mm(size)}; {target}", fix)


def _fits(size: tuple[float, float], need: tuple[float, float]) -> bool:
    return abs(size[0] - need[0]) <= TOLERANCE_MM and abs(size[1] - need[1]) <= TOLERANCE_MM


def _trimmed_page(trim: Box, outer: Box, requirements: PrintRequirements) -> Verdict:
    trim_size = (requirements.trim_width_mm, requirements.trim_height_mm)
    sized = _sized((trim.width, trim.height), trim_size, "trim box", 0)
    if sized.problem:
        return sized
    bleed = _bleed_around(trim, outer)
    if bleed < requirements.bleed_mm - TOLERANCE_MM:
        return Verdict(
            "file_too_small",
            f"the page has {max(bleed, 0):.1f} mm bleed around its trim box; {requirements.bleed_mm:g} mm "
            "are needed",
            f"extend the background {requirements.bleed_mm:g} mm past the trim on every side and export "
            "with bleed",
        )
    return Verdict()


def _bleed_around(trim: Box, outer: Box) -> float:
    return min(
        trim.left - outer.left, trim.bottom - outer.bottom, outer.right - trim.right, outer.top - trim.top
    )
