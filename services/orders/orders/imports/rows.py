"""From rows to orders: the rows of an order are grouped by `order_reference`, checked as CSV cells
(cell count, formula-looking text, numbers, length), put together as a `ManualOrderIn` and validated by
the manual order schema, whose rules are the single-order API's. An order with any bad row is not
imported; each of its rows is reported, the bad ones with the reason, the others with the row to fix."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from orders.imports.columns import BY_NAME, FILE_PREFIX, OPTION_PREFIX, Header, Kind, Level
from orders.imports.csvfile import MAX_CELL_CHARS, Row
from orders.manual.schemas import MAX_LINE_ITEMS, PLAIN_HTTP, ManualOrderIn, plain_http_files

# What spreadsheets read as a formula (CSV injection): refused in text cells rather than stored and
# later opened by someone's spreadsheet.
_FORMULA_START = "=+-@\t\r"
# A phone number starting with + is no formula a spreadsheet could run: digits and separators only.
_PHONE = re.compile(r"\+[0-9 ()./-]+")
_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ADDRESS = "ship_"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str


@dataclass(frozen=True)
class Candidate:
    """A valid order, still to be checked against the store's references and inserted."""

    reference: str
    first_row: int
    last_row: int
    rows: int
    order: ManualOrderIn


@dataclass(frozen=True)
class Failed:
    last_row: int
    rows: int
    errors: list[RowError]


Outcome = Candidate | Failed


@dataclass
class _Group:
    reference: str
    rows: list[Row] = field(default_factory=list)


class Grouper:
    """Takes the file's rows in order and gives the outcome of each order once its last row has been
    seen. Orders that end at or before line `done_through` (a resumed import's committed batches) are
    only followed, not checked again, so a resumed import continues where it stopped."""

    def __init__(self, header: Header, *, done_through: int = 1, allow_private: bool = False) -> None:
        self.header = header
        self.done_through = done_through
        self.allow_private = allow_private
        self._reference_at = header.index["order_reference"]
        self._group: _Group | None = None
        self._seen: set[int] = set()  # hashes of the references of finished orders
        self._overflowing: str | None = None  # an order with too many rows, failed: its later rows fail too
        self._overflow_row = 0
        # Worked out once per file: which column is where, and what it becomes in the order.
        order_columns = [(n, i) for n, i in header.index.items() if n != "order_reference"]
        self._order_columns = [(n, i) for n, i in order_columns if BY_NAME[n].level is Level.order]
        self._line_columns = [
            (n, i, BY_NAME[n].kind) for n, i in header.index.items() if BY_NAME[n].level is Level.line
        ]

    def add(self, row: Row) -> Iterator[Outcome]:
        reference = self._reference(row)
        if self._overflowing is not None and reference == self._overflowing:
            yield self._not_imported([row], self._overflowing, self._overflow_row)
            return
        self._overflowing = None
        if self._group is not None and reference != self._group.reference:
            yield from self._finish_group()
        if reference is None:
            yield self._failed([row], [self._no_reference(row)])
            return
        if self._group is None:
            self._group = _Group(reference)
        self._group.rows.append(row)
        if len(self._group.rows) > MAX_LINE_ITEMS:
            group, self._group = self._group, None
            self._seen.add(hash(group.reference))
            self._overflowing, self._overflow_row = group.reference, row.line
            reason = RowError(
                row.line,
                "order_reference",
                f"order {group.reference!r} has more than {MAX_LINE_ITEMS} rows (line items); split it",
            )
            yield self._failed(group.rows, [reason])

    def finish(self) -> Iterator[Outcome]:
        yield from self._finish_group()

    def _reference(self, row: Row) -> str | None:
        if row.problem is not None or self._reference_at >= len(row.cells):
            return None
        return row.cells[self._reference_at].strip() or None

    def _no_reference(self, row: Row) -> RowError:
        if row.problem is not None:
            return RowError(row.line, None, row.problem)
        return RowError(row.line, "order_reference", "required: the rows of one order share its reference")

    def _finish_group(self) -> Iterator[Outcome]:
        group, self._group = self._group, None
        if group is None:
            return
        key = hash(group.reference)
        if key in self._seen:
            reason = RowError(
                group.rows[0].line,
                "order_reference",
                f"order {group.reference!r} also has rows further up: the rows of an order must follow "
                "each other (sort the file by order_reference)",
            )
            yield self._failed(group.rows, [reason])
            return
        self._seen.add(key)
        if group.rows[-1].line <= self.done_through:
            return
        yield self._check(group)

    def _check(self, group: _Group) -> Outcome:
        errors = [error for row in group.rows for error in self._cell_errors(row)]
        if not errors:
            values = self._order_values(group, errors)
            if not errors:
                try:
                    order = ManualOrderIn.model_validate(values)
                except ValidationError as invalid:
                    errors = [self._located(group, error) for error in invalid.errors()]
                else:
                    plain = [] if self.allow_private else plain_http_files(order)
                    errors = [
                        self._located(
                            group, {"loc": ("line_items", position, "files", area), "msg": PLAIN_HTTP}
                        )
                        for position, area in plain
                    ]
                    if not errors:
                        rows = group.rows
                        return Candidate(group.reference, rows[0].line, rows[-1].line, len(rows), order)
        return self._failed(group.rows, errors)

    def _failed(self, rows: list[Row], reasons: list[RowError]) -> Failed:
        """Every row of a failed order: each bad one with its reasons, the others naming the first bad."""
        reasons = sorted(reasons, key=lambda error: error.row)
        bad = {error.row for error in reasons}
        first_bad = reasons[0].row
        reference = self._reference(rows[0]) or "without a reference"
        errors = list(reasons)
        errors += [
            RowError(row.line, None, f"order {reference!r} not imported because row {first_bad} failed")
            for row in rows
            if row.line not in bad
        ]
        errors.sort(key=lambda error: error.row)
        kept = [error for error in errors if error.row > self.done_through]
        return Failed(rows[-1].line, sum(1 for row in rows if row.line > self.done_through), kept)

    def _not_imported(self, rows: list[Row], reference: str, first_bad: int) -> Failed:
        message = f"order {reference!r} not imported because row {first_bad} failed"
        kept = [RowError(row.line, None, message) for row in rows if row.line > self.done_through]
        return Failed(rows[-1].line, len(kept), kept)

    def _cell_errors(self, row: Row) -> list[RowError]:
        expected = len(self.header.names)
        if len(row.cells) != expected:
            return [
                RowError(
                    row.line,
                    None,
                    f"the row has {len(row.cells)} cells, the header {expected}: check the separators and "
                    "that cells with a separator or a line break are in double quotes",
                )
            ]
        errors = []
        for name, cell in zip(self.header.names, row.cells, strict=True):
            if not cell:
                continue
            if len(cell) > MAX_CELL_CHARS:
                errors.append(RowError(row.line, name, f"longer than {MAX_CELL_CHARS} characters"))
            elif cell[0] in _FORMULA_START and not self._may_start_so(name, cell):
                errors.append(
                    RowError(
                        row.line,
                        name,
                        f"starts with {cell[0]!r}, which spreadsheets run as a formula (CSV injection); "
                        "remove the character or write the text without it",
                    )
                )
        return errors

    @staticmethod
    def _may_start_so(name: str, cell: str) -> bool:
        column = BY_NAME.get(name)
        if column is not None and column.kind is not Kind.text:
            return bool(_WHOLE.fullmatch(cell.strip()) or _DECIMAL.fullmatch(cell.strip()))
        return name == "ship_phone" and _PHONE.fullmatch(cell) is not None

    def _order_values(self, group: _Group, errors: list[RowError]) -> dict[str, Any]:
        """The order as `ManualOrderIn` takes it: order columns from the first row (later rows leave them
        blank or repeat them), one line item per row; blank cells are left out."""
        first, later = group.rows[0], group.rows[1:]
        values: dict[str, Any] = {"reference": group.reference}
        address: dict[str, Any] = {}
        for name, position in self._order_columns:
            value = first.cells[position].strip()
            for row in later:
                other = row.cells[position].strip()
                if other and other != value:
                    errors.append(
                        RowError(
                            row.line,
                            name,
                            f"differs from the order's first row (row {first.line}): an order's columns are "
                            "read from its first row; leave them blank on the others or repeat them",
                        )
                    )
            if value:
                if name.startswith(_ADDRESS):
                    address[name.removeprefix(_ADDRESS)] = value
                else:
                    values[name] = value
        values["shipping_address"] = address
        values["line_items"] = [self._line_values(row, errors) for row in group.rows]
        return values

    def _line_values(self, row: Row, errors: list[RowError]) -> dict[str, Any]:
        line: dict[str, Any] = {}
        for name, position, kind in self._line_columns:
            value = row.cells[position].strip()
            if not value:
                continue
            if kind is Kind.whole_number and not _WHOLE.fullmatch(value):
                errors.append(RowError(row.line, name, f"{value[:50]!r} is not a whole number; write e.g. 2"))
            elif kind is Kind.decimal and not _DECIMAL.fullmatch(value):
                hint = "a point, not a comma, before the cents: 4.90" if "," in value else "e.g. 4.90"
                errors.append(RowError(row.line, name, f"{value[:50]!r} is not a number; write {hint}"))
            else:
                line[name] = value
        files = {area: row.cells[i].strip() for area, i in self.header.files.items() if row.cells[i].strip()}
        options = {o: row.cells[i].strip() for o, i in self.header.options.items() if row.cells[i].strip()}
        return {**line, "files": files, "options": options}

    def _located(self, group: _Group, error: Any) -> RowError:
        """A schema error on the row and column it came from: order fields on the order's first row,
        a line item's on its own row."""
        loc = [part for part in error["loc"] if part != "[key]"]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if message == "Field required":
            message = "required; give a value"
        row = group.rows[0].line
        column: str | None = None
        if loc and loc[0] == "line_items" and len(loc) > 1 and isinstance(loc[1], int):
            row = group.rows[loc[1]].line
            rest = loc[2:]
            if rest and rest[0] == "files" and len(rest) > 1:
                column = f"{FILE_PREFIX}{rest[1]}"
            elif rest and rest[0] == "options" and len(rest) > 1:
                column = f"{OPTION_PREFIX}{rest[1]}"
            elif rest:
                column = str(rest[0])
        elif loc and loc[0] == "shipping_address":
            column = f"{_ADDRESS}{loc[1]}" if len(loc) > 1 else None
        elif loc and loc[0] == "reference":
            column = "order_reference"
        elif loc and loc[0] != "line_items":
            column = str(loc[0])
        return RowError(row, column, message)
