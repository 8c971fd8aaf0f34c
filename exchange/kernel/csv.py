"""CSV downloads: one writer for every export, safe to open in a spreadsheet.

A cell whose text starts with = + - @ tab or carriage return is a formula to Excel, LibreOffice
and Google Sheets (OWASP "CSV injection"), and some of them skip leading spaces before deciding,
so such text gets a leading apostrophe, also when spaces come first. Numbers and dates are ours,
not typed by anyone, and stay as they are (a negative number must stay a number). Files are
UTF-8 with a byte-order mark, so a spreadsheet does not read the accents as Latin-1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell no spreadsheet runs as a formula: formula-looking text gets a leading apostrophe; None is empty."""
    if value is None:
        return ""
    if isinstance(value, str) and (value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START)):
        return "'" + value
    return value


def write(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A header and rows as UTF-8 CSV with a byte-order mark, every cell neutralised."""
    out = io.StringIO()
    write_to(out, header, rows)
    return out.getvalue().encode("utf-8-sig")


def write_to(stream: TextIO, header: Sequence | None, rows: Iterable[Sequence]) -> int:
    """Rows (after the header, unless None) written to an open text stream as they come, every cell neutralised;
    the rows written. Open files with encoding="utf-8-sig" and newline="" for the same bytes as `write`."""
    writer = csv.writer(stream)
    if header is not None:
        writer.writerow([neutralise(str(name)) for name in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        count += 1
    return count
