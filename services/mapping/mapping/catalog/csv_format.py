"""The catalog as CSV, one row a product (docs/catalog.md): `product_uid`, `name`, `type`, `status`, then
`attribute:<name>` columns (`matte|gloss`) and `area:<name>` columns (`pdf,png;148x210;bleed=3;dpi=300`);
an empty cell means the product has no such attribute or area. Read with `,` or `;` between cells, with or
without a byte order mark. Cells a spreadsheet would run as a formula are written with a leading `'`,
which reading removes again."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from mapping.catalog.exceptions import InvalidCsv
from mapping.catalog.transfer import MAX_IMPORT_ROWS, ImportRow, RowError
from printbridge_shared.csv_cells import decode_utf8, escape_formula, sniff_delimiter, unescape_formula

BASE_COLUMNS = ("product_uid", "name", "type", "status")
ATTRIBUTE = "attribute:"
AREA = "area:"
AREA_SYNTAX = "write an area as formats;WIDTHxHEIGHT[;bleed=MM][;dpi=N], e.g. pdf,png;148x210;bleed=3;dpi=300"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _area_cell(area: dict[str, Any]) -> str:
    size = f"{_number(area['trim_width_mm'])}x{_number(area['trim_height_mm'])}"
    return f"{','.join(area['formats'])};{size};bleed={_number(area['bleed_mm'])};dpi={area['min_dpi']}"


def write(products: Iterable[dict[str, Any]]) -> str:
    products = list(products)
    attributes = sorted({name for product in products for name in product["attributes"]})
    areas = sorted({area["name"] for product in products for area in product["print_areas"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [*BASE_COLUMNS, *(ATTRIBUTE + name for name in attributes), *(AREA + name for name in areas)]
    )
    for product in products:
        by_area = {area["name"]: _area_cell(area) for area in product["print_areas"]}
        cells = [product[column] for column in BASE_COLUMNS]
        cells += ["|".join(product["attributes"].get(name, [])) for name in attributes]
        cells += [by_area.get(name, "") for name in areas]
        writer.writerow([escape_formula(str(cell)) for cell in cells])
    return out.getvalue()


def _area(name: str, cell: str) -> dict[str, Any]:
    """The print area a cell describes; ValueError naming the fix when it is not written as documented."""
    parts = [part.strip() for part in cell.split(";")]
    if len(parts) < 2:
        raise ValueError(AREA_SYNTAX)
    width, separator, height = parts[1].lower().partition("x")
    if not separator:
        raise ValueError(f"the size '{parts[1]}' is not WIDTHxHEIGHT in mm; {AREA_SYNTAX}")
    area: dict[str, Any] = {
        "name": name,
        "formats": [part.strip() for part in parts[0].split(",")],
        "trim_width_mm": width.strip(),
        "trim_height_mm": height.strip(),
    }
    for option in parts[2:]:
        key, equals, value = option.partition("=")
        field = {"bleed": "bleed_mm", "dpi": "min_dpi"}.get(key.strip().lower())
        if not equals or field is None or field in area:
            raise ValueError(f"'{option}' is not bleed=MM or dpi=N (each at most once); {AREA_SYNTAX}")
        area[field] = value.strip()
    return area


def _header(header: list[str]) -> None:
    missing = [column for column in ("product_uid", "name", "type") if column not in header]
    if missing:
        raise InvalidCsv(f"the header lacks the column(s) {', '.join(missing)}")
    for column in header:
        if column not in BASE_COLUMNS and not column.startswith((ATTRIBUTE, AREA)):
            raise InvalidCsv(
                f"unknown column '{column}'; columns are {', '.join(BASE_COLUMNS)}, attribute:NAME, area:NAME"
            )
    if len(set(header)) != len(header):
        raise InvalidCsv("a column is named twice in the header")


def _row(line: int, header: list[str], cells: list[str]) -> ImportRow:
    row = ImportRow(row=line, data=None)
    if len(cells) != len(header):
        row.errors.append(
            RowError(row=line, column="(row)", message=f"has {len(cells)} cells, the header {len(header)}")
        )
        return row
    data: dict[str, Any] = {"attributes": {}, "print_areas": []}
    area_columns: list[str] = []
    for column, raw in zip(header, cells, strict=True):
        cell = unescape_formula(raw.strip())
        if column.startswith(ATTRIBUTE):
            if cell:
                data["attributes"][column.removeprefix(ATTRIBUTE)] = [
                    value.strip() for value in cell.split("|")
                ]
        elif column.startswith(AREA):
            if cell:
                try:
                    data["print_areas"].append(_area(column.removeprefix(AREA), cell))
                    area_columns.append(column)
                except ValueError as exc:
                    row.errors.append(RowError(row=line, column=column, message=str(exc)))
        elif cell or column != "status":
            data[column] = cell

    def column_of(loc: tuple[int | str, ...]) -> str:
        if loc[:1] == ("attributes",) and len(loc) > 1:
            return f"{ATTRIBUTE}{loc[1]}"
        if loc[:1] == ("print_areas",) and len(loc) > 1 and isinstance(loc[1], int):
            return area_columns[loc[1]]
        return str(loc[0]) if loc else "(row)"

    row.data, row.column_of = data, column_of
    return row


def read(body: bytes) -> list[ImportRow]:
    try:
        text = decode_utf8(body)
    except UnicodeDecodeError as exc:
        raise InvalidCsv(f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Each row with the line it starts on (a quoted cell may span lines).
        lines, start = [], 1
        for cells in reader:
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidCsv(f"the file is not CSV: {exc}") from None
    if not lines:
        raise InvalidCsv("the file is empty; the first line names the columns")
    header = [column.strip() for column in lines[0][1]]
    _header(header)
    rows = [(number, cells) for number, cells in lines[1:] if any(cell.strip() for cell in cells)]
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidCsv(f"the file has {len(rows)} products; import at most {MAX_IMPORT_ROWS} at a time")
    return [_row(number, header, cells) for number, cells in rows]
