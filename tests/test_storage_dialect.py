"""DuckDB-specific SQL is listed and contained (issue 9.2), so the PostgreSQL store (issue 13) knows what to port.

docs/storage.md holds a generated table of every DuckDB-only construct and the modules using it.
When this test fails, it prints the table as it should be: paste it between the markers.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "storage.md"
PORT = ROOT / "exchange" / "storage" / "postgres.py"  # where PostgreSQL stands in for these constructs
BEGIN, END = "<!-- dialect:begin -->", "<!-- dialect:end -->"

# construct -> (pattern, what PostgreSQL needs instead)
CONSTRUCTS = {
    "epoch_us()": (r"\bepoch_us\(", "extract(epoch FROM …) * 1e6"),
    "epoch()": (r"\bepoch\(", "extract(epoch FROM …)"),
    "arg_max()/arg_min()": (r"\barg_m(ax|in)\(", "DISTINCT ON or a window function"),
    "strip_accents()": (r"\bstrip_accents\(", "the unaccent extension"),
    "string_split_regex()/list_filter() and lambdas": (r"\b(string_split_regex|list_filter|list_transform)\(",
                                                      "regexp_split_to_array / array functions"),
    "stem() (FTS extension)": (r"\bstem\(", "to_tsvector('english', …) or a Python stemmer"),
    "PRAGMA": (r"\bPRAGMA\b", "nothing (FTS probe only)"),
    "duckdb_tables()/duckdb_schemas()": (r"\bduckdb_(tables|schemas|columns)\(\)", "information_schema"),
    "fetchnumpy()/.df()": (r"\.(fetchnumpy|df)\(\)", "cursor.fetchall() into numpy/pandas"),
    "SELECT * REPLACE (…)": (r"\*\s*REPLACE\s*\(|\" REPLACE \(", "an explicit column list"),
    "SET enable_external_access": (r"enable_external_access", "role privileges"),
    "$name parameters": (r"\$(viewer_department|ids|d)\b", "%(name)s (psycopg)"),
    "hash()": (r"\bhash\(", "md5() or hashtextextended()"),
    "UBIGINT": (r"\bUBIGINT\b", "NUMERIC or BIGINT"),
    "CREATE OR REPLACE TABLE": (r"CREATE OR REPLACE (TEMP )?TABLE", "DROP TABLE IF EXISTS then CREATE TABLE"),
    "strftime()": (r"\bstrftime\(\s*[a-z_]+\s*,", "to_char()"),
    "QUALIFY / GROUP BY ALL": (r"\bQUALIFY\b|GROUP BY ALL", "a subquery / explicit columns"),
}


def table() -> str:
    """The table of constructs and the modules (under exchange/) that use them."""
    files = sorted(p for p in (ROOT / "exchange").rglob("*") if p.suffix in (".py", ".sql"))
    lines = ["| DuckDB construct | PostgreSQL needs | used in |", "|---|---|---|"]
    for name, (pattern, instead) in CONSTRUCTS.items():
        regex = re.compile(pattern)
        users = [str(p.relative_to(ROOT)) for p in files
                 if p.name != "test_storage_dialect.py" and p != PORT and regex.search(p.read_text(encoding="utf-8"))]
        if users:
            lines.append(f"| {name} | {instead} | {', '.join(f'`{u}`' for u in users)} |")
    return "\n".join(lines)


def test_docs_list_every_duckdb_only_construct_and_where_it_is_used():
    text = DOC.read_text(encoding="utf-8")
    current = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert current == table(), "docs/storage.md is out of date; put this between the markers:\n\n" + table()


def test_services_never_import_the_driver_outside_their_data_modules():
    # Pages never do (tests/test_layering.py); inside exchange only modules that own SQL may.
    owners = {p.relative_to(ROOT).as_posix() for p in (ROOT / "exchange").rglob("*.py")
              if re.search(r"^import duckdb|^from duckdb", p.read_text(encoding="utf-8"), re.M)}
    assert not any(o.startswith("exchange/ui/") for o in owners), owners
