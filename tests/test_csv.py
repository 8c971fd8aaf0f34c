"""The one CSV writer (exchange.kernel.csv): formula-looking cells neutralised per OWASP, UTF-8 with a BOM."""

import csv as stdlib_csv
import io
from datetime import date

import pytest

from exchange.kernel import csv


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2", "'-2"),
    ("-x", "'-x"), ("@sum", "'@sum"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("  =1+1", "'  =1+1"), (" @a", "' @a"), ("\n-3", "'\n-3"), ("\u00a0+1", "'\u00a0+1"),  # after leading spaces too
    ("Region 5", "Region 5"), ("a=b", "a=b"), ("", ""), ("   ", "   "), ("plain", "plain"),
    (None, ""), (5, 5), (-5, -5), (0.4, 0.4), (date(2025, 1, 2), date(2025, 1, 2)),  # numbers and dates stay
])
def test_cells_that_look_like_formulas_get_a_leading_apostrophe(value, safe):
    assert csv.neutralise(value) == safe


def test_the_file_is_utf8_with_a_byte_order_mark_and_reads_back_neutralised():
    data = csv.write(["Name", "=Header"], [["Évaluation, “quoted”", 3], ["=cmd|' /C calc'!A0", None], [" -1", -1]])
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(stdlib_csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table == [["Name", "'=Header"], ["Évaluation, “quoted”", "3"], ["'=cmd|' /C calc'!A0", ""], ["' -1", "-1"]]


def test_a_cell_with_a_line_break_stays_one_cell():
    data = csv.write(["a", "b"], [["line one\nline two", "x"]])
    assert list(stdlib_csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [["a", "b"], ["line one\nline two", "x"]]
