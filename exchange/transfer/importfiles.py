"""Reading an import file strictly: UTF-8 only, the template's header exactly, no guessing of types.

Spreadsheets and pandas "helpfully" guess encodings, delimiters and types, and so silently
misread broken files. Here the file must be UTF-8 (a byte-order mark is allowed), a CSV must
start with the template's header exactly and every record must have exactly its columns, and a
JSON file must be a list of objects with exactly the template's keys. Every value stays text
(CSV) or the JSON type it was written as; the importers parse each column explicitly. Row
numbers are a spreadsheet's: the header is row 1, the first lesson row 2 (in JSON, the first
item is row 2 too, so a file converted between the two keeps its numbers).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 200 * 1024 * 1024  # the command line's limit; the admin page's upload limit is lower
MAX_ROWS = 100_000
MAX_CELL_CHARS = 20_000  # longer than any field allows: stop reading before a huge cell costs anything
FIRST_ROW = 2
FORMATS = ("csv", "json")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an import file: where (row, column label) and what."""

    row: int | None  # None: the file as a whole (encoding, header)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.row is not None else self.field
        return f"{where}: {self.message}"


@dataclass
class Parsed:
    """The records of a file (row number, column -> raw value) and any problems found while reading it."""

    records: list[tuple[int, dict[str, Any]]]
    problems: list[Problem]


def read(data: bytes, fmt: str, columns: tuple[str, ...]) -> Parsed:
    """The file's records, read strictly against the template `columns`; file-level problems stop the reading."""
    if fmt not in FORMATS:
        return Parsed([], [Problem(None, "File", f"choose CSV or JSON, not {fmt!r}.")])
    if not isinstance(data, (bytes, bytearray)):
        return Parsed([], [Problem(None, "File", "the upload could not be read.")])
    if len(data) > MAX_FILE_BYTES:
        return Parsed([], [Problem(None, "File", f"{len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.")])
    text, problem = _decode(bytes(data))
    if problem:
        return Parsed([], [problem])
    if not text.strip():
        return Parsed([], [Problem(None, "File", "the file is empty.")])
    return _read_csv(text, columns) if fmt == "csv" else _read_json(text, columns)


def _decode(data: bytes) -> tuple[str, Problem | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", Problem(None, "Encoding", "the file is UTF-16; save it as UTF-8 (in Excel: 'CSV UTF-8').")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (what Excel writes) is dropped; nothing else is guessed
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return "", Problem(None, "Encoding", f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} on line {line}); "
                                             "save it as UTF-8 (in Excel: 'CSV UTF-8') and try again.")
    if "\x00" in text:
        return "", Problem(None, "Encoding", "the file contains NUL characters: it is not a text file.")
    return text, None


def _read_csv(text: str, columns: tuple[str, ...]) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    records: list[tuple[int, dict[str, Any]]] = []
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        header = next(reader)
        header_problem = check_header(header, columns)
        if header_problem:
            return Parsed([], [header_problem])
        row = 1
        for values in reader:
            row += 1
            if not values or values == [""] * len(values) and len(values) <= 1:
                continue  # a blank line (often the last): nothing to import
            if len(records) >= MAX_ROWS:
                return Parsed([], [Problem(None, "File", f"more than {MAX_ROWS:,} rows; split the file.")])
            if len(values) != len(columns):
                problems.append(Problem(row, "Columns", f"{len(values)} values; the header has {len(columns)} columns "
                                                        "(a missing or extra comma, or a quote not closed?)."))
                continue
            records.append((row, dict(zip(columns, values))))
    except csv.Error as exc:
        where = reader.line_num
        problems.append(Problem(None, "File", f"the CSV cannot be read near line {where}: {exc} (a quote inside a value "
                                              "must be doubled, and the value quoted)."))
        return Parsed([], problems)
    return Parsed(records, problems)


def check_header(header: list[str], columns: tuple[str, ...]) -> Problem | None:
    """A problem unless `header` is exactly the template's columns, in order."""
    if list(header) == list(columns):
        return None
    found = [h.strip() for h in header]
    missing = [c for c in columns if c not in found]
    extra = [h for h in found if h not in columns]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unexpected " + ", ".join(repr(e[:40]) for e in extra[:10]))
    if not parts:
        if found == list(columns):
            parts.append("spaces around column names")
        elif len(found) != len(set(found)):
            parts.append("a column appears twice")
        else:
            parts.append("the columns are not in the template's order")
    return Problem(None, "Header", "; ".join(parts) + ". The first line must be exactly: " + ",".join(columns) +
                   " (download the template).")


def _read_json(text: str, columns: tuple[str, ...]) -> Parsed:
    try:
        items = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except (json.JSONDecodeError, _DuplicateKey, ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return Parsed([], [Problem(None, "File", f"not valid JSON{where}: {getattr(exc, 'msg', str(exc))}.")])
    if not isinstance(items, list):
        return Parsed([], [Problem(None, "File", "the JSON must be a list of objects, one per row (see the template).")])
    if len(items) > MAX_ROWS:
        return Parsed([], [Problem(None, "File", f"more than {MAX_ROWS:,} rows; split the file.")])
    problems, records = [], []
    for row, item in enumerate(items, start=FIRST_ROW):
        if not isinstance(item, dict):
            problems.append(Problem(row, "Row", "each item must be an object with the template's keys."))
            continue
        missing = [c for c in columns if c not in item]
        extra = [k for k in item if k not in columns]
        if missing or extra:
            said = (["missing " + ", ".join(missing)] if missing else []) + \
                   (["unexpected " + ", ".join(repr(k[:40]) for k in extra[:10])] if extra else [])
            problems.append(Problem(row, "Keys", "; ".join(said) + "."))
            continue
        records.append((row, {c: item[c] for c in columns}))
    return Parsed(records, problems)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _DuplicateKey("a key appears twice in one object")
    return dict(pairs)


def _no_constants(name):
    raise ValueError(f"{name} is not a number JSON allows")


def template(columns: tuple[str, ...], example: dict[str, Any], fmt: str) -> bytes:
    """A file with the template's header (CSV) or keys (JSON) and one example row (CSV values given as text)."""
    if fmt == "json":
        return (json.dumps([{c: example[c] for c in columns}], indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([example[c] for c in columns])
    return out.getvalue().encode("utf-8")
