"""What an upload must be before it is accepted (UTF-8, a header, rows), and how its rows are read."""

import io

import pytest

from orders.imports.columns import Header, check_header, template_csv
from orders.imports.csvfile import FileRefused, UploadCheck, read_rows
from printbridge_shared.csv_cells import sniff_delimiter


def checked(*chunks: bytes) -> tuple[str, str]:
    check = UploadCheck()
    for chunk in chunks:
        check.feed(chunk)
    return check.finish()


def refusal(*chunks: bytes) -> str:
    with pytest.raises(FileRefused) as refused:
        checked(*chunks)
    return refused.value.message


def test_a_utf8_file_with_or_without_a_bom_gives_its_header_and_delimiter():
    assert checked(b"a,b\n1,2\n") == ("a,b", ",")
    assert checked(b"\xef\xbb\xbfa;b\r\n1;2\r\n") == ("a;b", ";")


def test_a_header_split_across_chunks_is_found():
    assert checked(b"order_ref", b"erence;quantity", b"\nPO-1;2\n") == ("order_reference;quantity", ";")


def test_windows_1252_is_refused_naming_the_encoding_the_line_and_the_fix():
    message = refusal("a,b\n1,2\nMüller,3\n".encode("cp1252"))
    assert "not UTF-8" in message and "line 3" in message
    assert "Windows-1252" in message and "CSV UTF-8" in message


def test_utf16_is_refused_naming_it():
    assert "UTF-16" in refusal("a,b\n1,2\n".encode("utf-16"))
    assert "UTF-16" in refusal("a,b\n1,2\n".encode("utf-16-le"))


def test_a_character_cut_at_the_end_is_refused():
    assert "middle of a character" in refusal(b"a,b\n1,\xc3")


def test_an_empty_file_or_a_header_without_rows_is_refused():
    assert "empty" in refusal(b"")
    assert "no rows" in refusal(b"a,b\n\n")


def test_the_delimiter_is_whichever_separates_more_header_cells_outside_quotes():
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb") == ","


def test_rows_carry_the_line_they_start_on_and_blank_lines_are_skipped():
    text = io.StringIO('h1,h2\n1,2\n\n3,"two\nlines"\n4,5\n', newline="")
    rows = [(row.line, row.cells) for row in read_rows(text, ",")]
    assert rows == [(2, ["1", "2"]), (4, ["3", "two\nlines"]), (6, ["4", "5"])]


def test_a_cell_too_long_for_the_reader_fails_its_row_only():
    text = io.StringIO("h1,h2\n1," + "x" * 200_000 + "\n3,4\n", newline="")
    rows = list(read_rows(text, ","))
    assert rows[0].problem is not None and rows[0].line == 2
    assert (rows[1].line, rows[1].cells) == (3, ["3", "4"])


def test_the_template_has_every_column_and_passes_the_header_check():
    header_line = template_csv().splitlines()[0]
    assert isinstance(check_header(header_line.split(","), ","), Header)


def test_a_header_names_each_missing_unknown_and_doubled_column():
    problems = check_header(["order_reference", "colour", "quantity", "quantity", "file_"], ",")
    assert not isinstance(problems, Header)
    by_column = {problem.column: problem.message for problem in problems}
    assert by_column["colour"].startswith("unknown column")
    assert by_column["file_"].startswith("unknown column")
    assert by_column["quantity"] == "this column is given twice"
    assert by_column["currency"] == "required column missing"
    assert "product_uid, sku or template_id" in by_column["product_uid"]


def test_a_header_of_one_column_is_a_delimiter_problem():
    [problem] = check_header(["order_reference\tcurrency\tquantity"], ",")  # type: ignore[misc]
    assert "only one column" in problem.message
