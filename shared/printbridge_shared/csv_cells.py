"""What every CSV file of the suite shares (mapping's catalog and shop products, orders' import of
manual orders): cells a spreadsheet would run as a formula are written with a leading `'` and read without it,
files are UTF-8 with or without a byte order mark, and `,` or `;` separates the cells."""

import codecs

UTF8_BOM = codecs.BOM_UTF8
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). `'` itself is
# escaped too, so reading strips exactly what writing added.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_formula(cell: str) -> str:
    """The cell as written: with a leading `'` when a spreadsheet would take it for a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def unescape_formula(cell: str) -> str:
    """The cell as read: without the leading `'` that `escape_formula` (or a user) put there."""
    return cell[1:] if cell.startswith("'") else cell


def decode_utf8(body: bytes) -> str:
    """The file as text, its byte order mark dropped; UnicodeDecodeError when it is not UTF-8."""
    return body.decode("utf-8-sig")


def sniff_delimiter(header_line: str) -> str:
    """`,` or `;`, whichever separates more of the header's cells (outside quotes); `,` on a tie."""
    counts = {",": 0, ";": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","
