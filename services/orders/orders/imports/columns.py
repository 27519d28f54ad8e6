"""The columns of an order import file: which there are, which the header must have, the template, and
checking a header. One row per line item; the rows of an order share its `order_reference` and follow
each other; the order's own columns are read from its first row (docs/orders-import.md)."""

import csv
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    order = "order"  # read from the order's first row; later rows leave it blank or repeat it
    line = "line"  # one line item per row


class Kind(StrEnum):
    text = "text"
    whole_number = "whole number"
    decimal = "decimal"


@dataclass(frozen=True)
class Column:
    name: str
    level: Level
    required: bool  # the header must have it (whether a cell may be blank is the order schema's rule)
    description: str
    example: str
    kind: Kind = Kind.text


COLUMNS: tuple[Column, ...] = (
    Column("order_reference", Level.order, True, "Your id of the order, unique per store.", "PO-1001"),
    Column("currency", Level.order, True, "ISO 4217 code of the prices.", "EUR"),
    Column("email", Level.order, False, "The buyer's e-mail.", "ada@example.com"),
    Column("note", Level.order, False, "A note for production (up to 5,000 characters).", "Gift wrap"),
    Column("ship_first_name", Level.order, False, "Recipient's first name (or ship_company).", "Ada"),
    Column("ship_last_name", Level.order, True, "Recipient's last name.", "Lovelace"),
    Column("ship_company", Level.order, False, "Company (or ship_first_name).", ""),
    Column("ship_address1", Level.order, True, "Street and number.", "Hauptstraße 5"),
    Column("ship_address2", Level.order, False, "Address addition.", "2. OG"),
    Column("ship_city", Level.order, True, "City.", "Berlin"),
    Column("ship_province", Level.order, False, "State or province.", ""),
    Column("ship_zip", Level.order, False, "Postcode; required where the country has them.", "10115"),
    Column("ship_country_code", Level.order, True, "ISO 3166-1 alpha-2 country code.", "DE"),
    Column("ship_phone", Level.order, False, "Phone; may start with +.", "+49 30 1234567"),
    Column("product_uid", Level.line, False, "The producer's product (or sku, or template_id).", "poster_a2"),
    Column("sku", Level.line, False, "Your SKU, mapped like a shop's (or product_uid, or template_id).", ""),
    Column("template_id", Level.line, False, "A saved template (or product_uid, or sku).", ""),
    Column("title", Level.line, False, "What the line is called on documents.", "Poster A2"),
    Column("quantity", Level.line, True, "How many: a whole number, 1 or more.", "2", Kind.whole_number),
    Column("unit_price", Level.line, False, "Price of one, a point before the cents.", "24.95", Kind.decimal),
)
# A line names its product by one of these; the header must have at least one of them.
PRODUCT_COLUMNS = ("product_uid", "sku", "template_id")
BY_NAME = {column.name: column for column in COLUMNS}
# Any number of these, one per print area or option: file_front, file_back, option_paper, …
FILE_PREFIX, OPTION_PREFIX = "file_", "option_"
_SUFFIX = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")
TEMPLATE_EXTRA = (("file_front", "https://files.example.com/po-1001-front.pdf"), ("option_paper", "matte"))


def template_csv() -> str:
    """The template: every column, `file_front` and `option_paper` as examples of the open ones, and one
    example row. Comma-separated, CRLF line ends as RFC 4180 says; served with a BOM so Excel reads
    UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in COLUMNS] + [name for name, _ in TEMPLATE_EXTRA])
    writer.writerow([c.example for c in COLUMNS] + [value for _, value in TEMPLATE_EXTRA])
    return out.getvalue()


@dataclass(frozen=True)
class HeaderProblem:
    column: str
    message: str


@dataclass(frozen=True)
class Header:
    """A checked header: the position of each known column, and the file and option columns."""

    names: tuple[str, ...]
    index: dict[str, int]
    files: dict[str, int] = field(default_factory=dict)  # area → position
    options: dict[str, int] = field(default_factory=dict)  # option name → position


def check_header(cells: list[str], delimiter: str) -> Header | list[HeaderProblem]:
    """The header, or every problem with it: columns missing, unknown, given twice or without a name.
    A header of one column that names none (or several glued together) is a delimiter problem."""
    names = tuple(cell.strip().lower() for cell in cells)
    problems: list[HeaderProblem] = []
    if len(names) == 1 and names[0] not in BY_NAME:
        other = {",": ";", ";": ","}[delimiter]
        return [
            HeaderProblem(
                names[0][:100],
                f"the header has only one column: separate the columns with ',' or ';' (found neither "
                f"{delimiter!r} nor {other!r} in the first line)",
            )
        ]
    index: dict[str, int] = {}
    files: dict[str, int] = {}
    options: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            problems.append(HeaderProblem(f"column {position + 1}", "this column has no name"))
            continue
        if name in index or name in (
            *(FILE_PREFIX + a for a in files),
            *(OPTION_PREFIX + o for o in options),
        ):
            problems.append(HeaderProblem(name, "this column is given twice"))
            continue
        if name in BY_NAME:
            index[name] = position
        elif name.startswith(FILE_PREFIX) and _SUFFIX.fullmatch(name[len(FILE_PREFIX) :]):
            files[name[len(FILE_PREFIX) :]] = position
        elif name.startswith(OPTION_PREFIX) and _SUFFIX.fullmatch(name[len(OPTION_PREFIX) :]):
            options[name[len(OPTION_PREFIX) :]] = position
        else:
            problems.append(
                HeaderProblem(
                    name[:100],
                    "unknown column; use the template's columns, file_<area> or option_<name> "
                    "(lowercase letters, digits, _)",
                )
            )
    problems += [
        HeaderProblem(c.name, "required column missing")
        for c in COLUMNS
        if c.required and c.name not in index
    ]
    if not any(name in index for name in PRODUCT_COLUMNS):
        problems.append(
            HeaderProblem("product_uid", "required column missing: give product_uid, sku or template_id")
        )
    if problems:
        return problems
    return Header(names=names, index=index, files=files, options=options)
