"""The columns of a store's products CSV (docs/products-csv.md) and reading a file of them: the header's
check that refuses a file at upload, and each row's cells as the import takes them. Export and import
share the names here, so a file exported can be imported again as it is."""

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from printbridge_shared.csv_cells import decode_utf8, sniff_delimiter, unescape_formula

SHOP_VARIANT_ID = "shop_variant_id"
EXTERNAL_PRODUCT_ID = "external_product_id"
EXTERNAL_VARIANT_ID = "external_variant_id"
PRODUCT_UID = "product_uid"
DESIGN_FILE_URL = "design_file_url"
# product_title … status say what the variant is in the shop: written by the export to help fill the
# file, ignored by the import.
BASE_COLUMNS = (
    SHOP_VARIANT_ID,
    EXTERNAL_PRODUCT_ID,
    EXTERNAL_VARIANT_ID,
    "product_title",
    "variant_title",
    "sku",
    "options",
    "status",
    PRODUCT_UID,
    DESIGN_FILE_URL,
)
ATTRIBUTE = "attr:"
AREA = "file:"
MAX_CELL_CHARS = 10_000
SAVE_AS = "save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8) and upload it again"
EXPORT_HINT = "start from the export (GET /v1/stores/{id}/products/export.csv) and keep its column names"


class FileRefused(Exception):
    """The file cannot be imported at all; `message` says why and the fix, `problems` name the columns."""

    def __init__(self, message: str, *, code: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems)


@dataclass(frozen=True)
class Header:
    columns: list[str]

    def has(self, column: str) -> bool:
        return column in self.columns


def check_header(cells: list[str]) -> Header:
    """The header's columns (lower-cased, trimmed), or FileRefused naming each column that is missing,
    unknown, doubled or nameless."""
    columns = [cell.strip().lower() for cell in cells]
    problems: list[tuple[str, str]] = []
    if PRODUCT_UID not in columns:
        problems.append((PRODUCT_UID, "missing: the catalog product each variant is made as"))
    if SHOP_VARIANT_ID not in columns:
        for column in (EXTERNAL_PRODUCT_ID, EXTERNAL_VARIANT_ID):
            if column not in columns:
                problems.append(
                    (column, f"missing: name the variants by {SHOP_VARIANT_ID}, or by both shop ids")
                )
    seen: set[str] = set()
    for position, column in enumerate(columns, start=1):
        if not column:
            problems.append((f"column {position}", "has no name; name it or remove it"))
        elif column in seen:
            problems.append((column, "is named twice; keep one"))
        elif column.startswith((ATTRIBUTE, AREA)):
            if column in (ATTRIBUTE, AREA):
                problems.append((column, f"names no attribute or print area, e.g. {ATTRIBUTE}paper"))
        elif column not in BASE_COLUMNS:
            problems.append(
                (column, f"unknown; columns are {', '.join(BASE_COLUMNS)}, {ATTRIBUTE}NAME and {AREA}AREA")
            )
        seen.add(column)
    if problems:
        listed = "; ".join(f"{column}: {message}" for column, message in problems[:20])
        raise FileRefused(
            f"the header is not one this import reads ({listed}); {EXPORT_HINT}",
            code="import-header-invalid",
            problems=problems,
        )
    return Header(columns)


@dataclass(frozen=True)
class ParsedFile:
    delimiter: str
    header: Header
    rows: list[tuple[int, list[str]]]  # the line each row starts on (1: the header), its cells


def read_file(body: bytes) -> ParsedFile:
    """The whole file: UTF-8 (a BOM is dropped), `,` or `;` as the header says, a valid header and at
    least one row; FileRefused otherwise. Blank lines are left out."""
    try:
        text = decode_utf8(body)
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"the file is not UTF-8 (byte {error.start + 1}, line {line}); {SAVE_AS}", code="not-utf8"
        ) from None
    if "\x00" in text:
        raise FileRefused(f"the file holds NUL characters: it is no CSV text file; {SAVE_AS}", code="not-csv")
    if not text.strip():
        raise FileRefused(
            f"the file is empty: its first line must be the header; {EXPORT_HINT}", code="file-empty"
        )
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(f"the file is not CSV: line {start}: {error}", code="not-csv") from None
    header = check_header(lines[0][1])
    rows = [(line, cells) for line, cells in lines[1:] if any(cell.strip() for cell in cells)]
    if not rows:
        raise FileRefused("the file has a header but no rows; add one row per variant", code="file-empty")
    return ParsedFile(delimiter, header, rows)


@dataclass
class RowInput:
    """One row's cells as the import uses them: trimmed, a formula escape removed, blank cells left out."""

    line: int
    shop_variant_id: str = ""
    external_product_id: str = ""
    external_variant_id: str = ""
    product_uid: str = ""
    design_file_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # by print area, from the `file:` columns
    problem: tuple[str | None, str] | None = None  # (column, message) when the row cannot be read


def read_row(header: Header, line: int, cells: list[str]) -> RowInput:
    row = RowInput(line)
    if len(cells) != len(header.columns):
        row.problem = (
            None,
            f"has {len(cells)} cells, the header {len(header.columns)}: check the separator and the quotes",
        )
        return row
    for column, raw in zip(header.columns, cells, strict=True):
        if len(raw) > MAX_CELL_CHARS:
            row.problem = (column, f"is longer than {MAX_CELL_CHARS} characters")
            return row
        cell = unescape_formula(raw.strip()).strip()
        if not cell:
            continue
        if column.startswith(ATTRIBUTE):
            row.attributes[column.removeprefix(ATTRIBUTE)] = cell
        elif column.startswith(AREA):
            row.files[column.removeprefix(AREA)] = cell
        elif column in (
            SHOP_VARIANT_ID,
            EXTERNAL_PRODUCT_ID,
            EXTERNAL_VARIANT_ID,
            PRODUCT_UID,
            DESIGN_FILE_URL,
        ):
            setattr(row, column, cell)
    return row


def variant_uuid(cell: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(cell)
    except ValueError:
        return None
