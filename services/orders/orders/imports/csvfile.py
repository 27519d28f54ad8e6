"""Reading an order file: the checks an upload must pass before it is accepted (UTF-8 throughout, a
header line with a sniffed delimiter) and the rows, streamed from a file on disk with their line
numbers. Nothing here holds more than one chunk or one row of the file."""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from printbridge_shared.csv_cells import sniff_delimiter

UTF8_BOM = codecs.BOM_UTF8
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
MAX_HEADER_BYTES = 64 * 1024
# A cell longer than this is refused by its row. Cells beyond the csv module's own limit (131,072
# characters, left as it is: it is the whole process's) make their row unreadable, which fails it too.
MAX_CELL_CHARS = 10_000
SAVE_AS = "save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8) and upload it again"


class FileRefused(Exception):
    """The upload cannot be imported at all; `message` says why and the fix, `code` is the problem's."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _encoding_guess(data: bytes) -> str:
    """What a file that is not UTF-8 most likely is, for the message that refuses it."""
    if b"\x00" in data:
        return "UTF-16 or UTF-32 (it contains NUL bytes)"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "an encoding other than UTF-8"
    return "Windows-1252 or ISO-8859-1 (what Excel's plain 'CSV' saves)"


class UploadCheck:
    """Fed the upload chunk by chunk: finds the header line and checks that every byte is UTF-8 (with or
    without a BOM), so a file is refused before it is accepted, not half-way through its import."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._head = b""
        self._offset = 0  # bytes fed so far
        self._lines = 1  # the line the next byte is on
        self.header_line: str | None = None
        self.has_rows = False

    def feed(self, chunk: bytes) -> None:
        if self._offset == 0:
            for bom, name in _OTHER_BOMS:
                if chunk.startswith(bom):
                    raise FileRefused(f"the file is encoded as {name}, not UTF-8; {SAVE_AS}", code="not-utf8")
            if b"\x00" in chunk[:4096]:
                raise FileRefused(
                    f"the file is not UTF-8: it looks like {_encoding_guess(chunk[:4096])}; {SAVE_AS}",
                    code="not-utf8",
                )
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = self._lines + chunk[: error.start].count(b"\n")
            bad = chunk[error.start : error.start + 1].hex().upper()
            guess = _encoding_guess(chunk[max(0, error.start - 200) : error.start + 200])
            raise FileRefused(
                f"the file is not UTF-8: byte 0x{bad} on line {line} (byte {self._offset + error.start + 1}) "
                f"is not valid UTF-8; it looks like {guess}; {SAVE_AS}",
                code="not-utf8",
            ) from None
        if self.header_line is None:
            self._take_header(chunk)
        elif not self.has_rows:
            self.has_rows = bool(chunk.strip())
        self._lines += chunk.count(b"\n")
        self._offset += len(chunk)

    def _take_header(self, chunk: bytes) -> None:
        self._head += chunk
        end = self._head.find(b"\n")
        if end < 0:
            if len(self._head) > MAX_HEADER_BYTES:
                raise FileRefused(
                    f"the first line (the header) is longer than {MAX_HEADER_BYTES} bytes; is this an order "
                    "file? Start from the template",
                    code="header-invalid",
                )
            return
        head = self._head.removeprefix(UTF8_BOM)
        end = head.find(b"\n")
        self.header_line = head[:end].rstrip(b"\r").decode("utf-8")
        self.has_rows = bool(head[end + 1 :].strip())
        self._head = b""

    def finish(self) -> tuple[str, str]:
        """The header line and its delimiter, once the whole file was fed."""
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileRefused(
                f"the file is not UTF-8: it ends in the middle of a character; {SAVE_AS}", code="not-utf8"
            ) from None
        if self.header_line is None and self._head.strip():
            self.header_line = self._head.removeprefix(UTF8_BOM).rstrip(b"\r\n").decode("utf-8")
        if not self.header_line or not self.header_line.strip():
            raise FileRefused(
                "the file is empty: its first line must be the header; start from the template",
                code="file-empty",
            )
        if not self.has_rows:
            raise FileRefused(
                "the file has a header but no rows; add one row per line item", code="file-empty"
            )
        return self.header_line, sniff_delimiter(self.header_line)


def header_cells(header_line: str, delimiter: str) -> list[str]:
    return next(csv.reader([header_line], delimiter=delimiter), [])


@dataclass(frozen=True)
class Row:
    line: int  # the file's line the row starts on (1: the header)
    cells: list[str]
    problem: str | None = None  # a row the csv module could not read: why


def read_rows(text: IO[str], delimiter: str) -> Iterator[Row]:
    """Every row after the header, with the line it starts on; blank lines are skipped. `text` is the file
    opened with `encoding="utf-8-sig", newline=""` (quoted cells may hold line breaks)."""
    reader = csv.reader(text, delimiter=delimiter)
    next(reader, None)
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(previous_end + 1, [], f"this row cannot be read as CSV: {error}")
            previous_end = reader.line_num
            continue
        start, previous_end = previous_end + 1, reader.line_num
        if cells and any(cell.strip() for cell in cells):
            yield Row(start, cells)
