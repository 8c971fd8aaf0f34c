"""Imports (issue 12.2): the template exactly, explicit types, the post form's rules, all rows or none, no duplicates."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from exchange.errors import Forbidden
from exchange.transfer import imports
from exchange.transfer.imports import LESSON_COLUMNS, ImportRefused
from tests.factories import make_department, make_user

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

DEPARTMENT = "Example County Health Department"
GOOD = {"external_id": "assoc-1", "department": DEPARTMENT, "status": "published",
        "title": "Listening sessions before the budget", "kind": "success",
        "summary": "We held listening sessions with residents before drafting the budget.",
        "context": "Residents had asked for a say.", "what_we_did": "Six evening sessions.",
        "what_happened": "Two programs were reshaped.", "do_differently": "", "advice": "",
        "practices": "Allocate Resources", "actions": "Use participatory budgeting to let communities direct funds",
        "risk_types": "", "partners": "schools; faith groups", "period_start": "2024-01", "period_end": "",
        "links": "https://example.org/report", "visibility": "public", "anonymous": "no"}


@pytest.fixture
def world(fresh_db):
    make_department(fresh_db, name=DEPARTMENT)
    return fresh_db, make_user(fresh_db, "admin")


def row(n: int = 1, **changes) -> dict:
    return {**GOOD, "external_id": f"assoc-{n}", "title": f"{GOOD['title']} {n}", **changes}


def csv_bytes(rows: list[dict], *, header=LESSON_COLUMNS, newline="\n", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(c, "") for c in header] if isinstance(r, dict) else r)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def problems(db, admin, data: bytes, fmt: str = "csv", kind: str = "lessons") -> list[str]:
    return [str(p) for p in imports.plan(db, admin, kind, "file", data, fmt).problems]


def count(db, table: str = "lessons") -> int:
    with db.read() as cur:
        return cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_template_itself_imports_cleanly_and_its_header_is_documented(world):
    db, admin = world
    assert imports.template("lessons").decode().splitlines()[0] == ",".join(LESSON_COLUMNS)
    plan = imports.plan(db, admin, "lessons", "t.csv", imports.template("lessons"), "csv")
    assert plan.ok and plan.count("create") == 1


def test_a_clean_file_imports_every_row_in_one_transaction_and_is_audited(world):
    db, admin = world
    done = imports.run(db, admin, "lessons", "a.csv", csv_bytes([row(1), row(2), row(3)]), "csv")
    assert done.applied and done.count("create") == 3 and count(db) == 3
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM lessons WHERE status = 'published' AND published_at IS NOT NULL")\
            .fetchone()[0] == 3
        assert cur.execute("SELECT count(*) FROM lesson_partners").fetchone()[0] == 6
        entry = cur.execute("SELECT detail, success FROM audit_log WHERE event = 'import'").fetchone()
    assert 'created: 3' in entry[0] and entry[1] is True


def test_reimporting_the_same_file_creates_nothing_and_a_changed_row_updates_in_place(world):
    db, admin = world
    data = csv_bytes([row(1), row(2)])
    imports.run(db, admin, "lessons", "a.csv", data, "csv")
    again = imports.run(db, admin, "lessons", "a.csv", data, "csv")
    assert again.count("unchanged") == 2 and count(db) == 2
    changed = imports.run(db, admin, "lessons", "a.csv", csv_bytes([row(1), row(2, summary="A new summary.")]), "csv")
    assert changed.count("update") == 1 and count(db) == 2
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM lessons WHERE summary = 'A new summary.'").fetchone()[0] == 1


def test_one_bad_row_stores_nothing_at_all_and_the_refusal_is_audited(world):
    db, admin = world
    with pytest.raises(ImportRefused) as refused:
        imports.run(db, admin, "lessons", "a.csv", csv_bytes([row(1), row(2), row(3, kind="triumph")]), "csv")
    assert count(db) == 0 and len(refused.value.plan.problems) == 1
    with db.read() as cur:
        assert cur.execute("SELECT success FROM audit_log WHERE event = 'import'").fetchone()[0] is False


def test_only_administrators_may_import(world):
    db, _ = world
    member = make_user(db, "member", department_id=make_department(db))
    with pytest.raises(Forbidden):
        imports.plan(db, member, "lessons", "a.csv", csv_bytes([row()]), "csv")


def test_json_imports_like_csv_and_needs_real_json_types(world):
    db, admin = world
    item = {**GOOD, "practices": ["Allocate Resources"], "actions": [GOOD["actions"]], "risk_types": [],
            "partners": ["schools"], "links": [GOOD["links"]], "period_end": None, "anonymous": False}
    assert imports.plan(db, admin, "lessons", "a.json", json.dumps([item]).encode(), "json").ok
    wrong = {**item, "anonymous": "no", "practices": "Allocate Resources"}
    found = problems(db, admin, json.dumps([wrong]).encode(), "json")
    assert any("Strategic practices (practices): must be a list of text" in p for p in found)
    assert any("Post anonymously (anonymous): must be true or false" in p for p in found)  # "no" is CSV's spelling


def test_the_summary_limit_is_reported_by_row_and_field_as_the_issue_words_it(world):
    db, admin = world
    data = csv_bytes([row(n) for n in range(1, 13)] + [row(13, summary="x" * 312)])
    assert problems(db, admin, data) == ["row 14, Summary: 312 characters; the limit is 300. Please shorten it."]


def test_every_problem_of_a_row_is_listed_at_once(world):
    db, admin = world
    found = problems(db, admin, csv_bytes([row(1, title="", kind="x", period_start="March 2024", visibility="all")]))
    assert [p.split(":")[0] for p in found] == ["row 2, Work started (period_start)", "row 2, Title", "row 2, Kind",
                                                "row 2, Who can read it (visibility)"]


def test_a_department_directory_imports_and_reimports_without_duplicates(world):
    db, admin = world
    data = ("external_id,name,jurisdiction_type,state_code,population,urban_rural,description,place_names\n"
            "d-1,North County Health,county,MN,45000,noncore,,Northtown; Lakeside\n"
            f"d-2,{DEPARTMENT},county,MN,120000,medium metro,,\n").encode()
    before = count(db, "departments")
    first = imports.run(db, admin, "departments", "d.csv", data, "csv")
    assert (first.count("create"), first.count("update")) == (1, 1)  # the existing one is linked by its name
    assert imports.run(db, admin, "departments", "d.csv", data, "csv").count("unchanged") == 2
    assert count(db, "departments") == before + 1
    with db.read() as cur:
        assert cur.execute("SELECT population_band, place_names FROM departments WHERE name = 'North County Health'")\
            .fetchone() == ("small", "Northtown\nLakeside")


DEPARTMENT_HEADER = "external_id,name,jurisdiction_type,state_code,population,urban_rural,description,place_names\n"


@pytest.mark.parametrize("line, expected", [
    ("d-1,A,county,MN,\"45,000\",noncore,,", "row 2, Population: must be a whole number written with digits only"),
    ("d-1,A,borough,MN,45000,noncore,,", "row 2, Jurisdiction type: must be one of"),
    ("d-1,A,county,XX,45000,noncore,,", "row 2, State code: unknown state code 'XX'"),
    ("d-1,A,county,MN,45000,rural,,", "row 2, Urban rural: must be one of"),
    (",A,county,MN,45000,noncore,,", "row 2, External id: required"),
    ("d-1,A,county,MN,0,noncore,,", "row 2, Population: must be between 1 and 500,000,000"),
])
def test_broken_department_rows_are_named_by_row_and_column(world, line, expected):
    db, admin = world
    found = problems(db, admin, (DEPARTMENT_HEADER + line + "\n").encode(), kind="departments")
    assert any(p.startswith(expected) for p in found), found


# --- broken lesson files: at least 25 cases (issue 12.2) ---------------------------------------------------
def _header_missing():
    return csv_bytes([row()], header=tuple(c for c in LESSON_COLUMNS if c != "advice"))


def _header_extra():
    return csv_bytes([{**row(), "notes": "x"}], header=(*LESSON_COLUMNS, "notes"))


def _header_reordered():
    cols = list(LESSON_COLUMNS)
    cols[3], cols[4] = cols[4], cols[3]
    return csv_bytes([row()], header=tuple(cols))


def _header_renamed():
    return csv_bytes([row()], header=tuple("Title" if c == "title" else c for c in LESSON_COLUMNS))


def _header_spaces():
    return csv_bytes([row()], header=tuple(f" {c}" if c == "kind" else c for c in LESSON_COLUMNS))


def _row_values(change):
    values = [row()[c] for c in LESSON_COLUMNS]
    return csv_bytes([change(values)])


BROKEN = {
    "wrong header (a column renamed)": (_header_renamed, "Header: missing title; unexpected 'Title'"),
    "missing column": (_header_missing, "Header: missing advice"),
    "extra column": (_header_extra, "Header: unexpected 'notes'"),
    "columns in another order": (_header_reordered, "Header: the columns are not in the template's order"),
    "spaces around a column name": (_header_spaces, "Header: spaces around column names"),
    "a row with a missing value": (lambda: _row_values(lambda v: v[:-1]), "row 2, Columns: 19 values; the header has 20"),
    "a row with an extra value": (lambda: _row_values(lambda v: v + ["x"]), "row 2, Columns: 21 values"),
    "Latin-1 encoding": (lambda: csv_bytes([row(title="Café")]).decode().encode("latin-1"),
                         "Encoding: the file is not UTF-8 (byte 0xE9 on line 2)"),
    "UTF-16 encoding": (lambda: csv_bytes([row()]).decode().encode("utf-16"), "Encoding: the file is UTF-16"),
    "NUL bytes": (lambda: csv_bytes([row()]) + b"\x00\x00", "Encoding: the file contains NUL characters"),
    "an unclosed quote": (lambda: csv_bytes([row()]) + b'assoc-9,"Example,published\n', "File: the CSV cannot be read"),
    "text after a closing quote": (
        lambda: csv_bytes([]) + (",".join(row().values()).replace("Listening", '"Listen"ing', 1)).encode() + b"\n",
        "File: the CSV cannot be read near line 2"),
    "a formula cell": (lambda: csv_bytes([row(title="=HYPERLINK(\"http://evil.example\",\"x\")")]),
                       "row 2, Title: starts with '=', a spreadsheet formula"),
    "a formula after spaces": (lambda: csv_bytes([row(summary="   =1+1")]), "row 2, Summary: starts with '='"),
    "an unknown practice": (lambda: csv_bytes([row(practices="Allocate Resources; Time Travel")]),
                            "row 2, Strategic practices (practices): unknown practice 'Time Travel'"),
    "an action of another practice": (lambda: csv_bytes([row(actions="Fund dedicated health equity staff positions ")]),
                                      ""),  # belongs to Allocate Resources: fine (see the next case)
    "an unknown action": (lambda: csv_bytes([row(actions="Build a time machine")]),
                          "row 2, Actions: no action 'Build a time machine' belongs to the chosen practices"),
    "an unknown risk type": (lambda: csv_bytes([row(risk_types="Meteor strike")]),
                             "row 2, Risks you took (risk_types): unknown risk type 'Meteor strike'"),
    "an unknown department": (lambda: csv_bytes([row(department="Nowhere Health")]),
                              "row 2, Department: no department is named 'Nowhere Health'"),
    "a duplicate row": (lambda: csv_bytes([row(1), row(2), row(1)]), "row 4, External id: 'assoc-1' is also on row 2"),
    "the same lesson under two ids": (lambda: csv_bytes([row(1), row(1, external_id="other")]),
                                      "row 3, Title: row 2 has the same title for the same department"),
    "a missing external id": (lambda: csv_bytes([row(external_id="  ")]), "row 2, External id: required"),
    "an over-long external id": (lambda: csv_bytes([row(external_id="x" * 101)]), "row 2, External id: at most 100"),
    "a day instead of a month": (lambda: csv_bytes([row(period_start="2024-01-15")]),
                                 "row 2, Work started (period_start): must be a month written YYYY-MM"),
    "month 13": (lambda: csv_bytes([row(period_start="2024-13")]), "row 2, Work started (period_start): must be a month"),
    "a future start": (lambda: csv_bytes([row(period_start="2999-01")]),
                       "row 2, Work started (period_start): The work cannot start in the future."),
    "true instead of yes": (lambda: csv_bytes([row(anonymous="TRUE")]), "row 2, Post anonymously (anonymous): must be yes or no"),
    "an unknown status": (lambda: csv_bytes([row(status="live")]), "row 2, Status: must be published or draft"),
    "a published lesson without its required sections": (lambda: csv_bytes([row(what_happened="")]),
                                                          "row 2, What happened: What happened is required."),
    "a link that is not http": (lambda: csv_bytes([row(links="javascript:alert(1)")]),
                                "row 2, Links to public resources (links): Links must start with http://"),
    "too many partners": (lambda: csv_bytes([row(partners="; ".join(f"p{i}" for i in range(13)))]),
                          "row 2, Partners involved (partners): List at most 12 partners."),
    "a title over the limit": (lambda: csv_bytes([row(title="t" * 121)]), "row 2, Title: 121 characters; the limit is 120."),
    "an empty file": (lambda: b"", "File: the file is empty."),
    "only a BOM and spaces": (lambda: b"\xef\xbb\xbf  \n", "File: the file is empty."),
    "JSON that is not a list": (lambda: b'{"lessons": []}', "File: the JSON must be a list of objects"),
    "JSON with a duplicate key": (lambda: b'[{"title": "a", "title": "b"}]', "File: not valid JSON"),
    "JSON with NaN": (lambda: b'[{"title": NaN}]', "File: not valid JSON"),
    "JSON with a missing key": (lambda: json.dumps([{k: v for k, v in GOOD.items() if k != "kind"}]).encode(),
                                "row 2, Keys: missing kind"),
    "JSON cut short": (lambda: json.dumps([GOOD]).encode()[:-5], "File: not valid JSON (line 1"),
    "JSON with a number for text": (lambda: json.dumps([{**GOOD, "title": 42, "practices": ["Allocate Resources"],
                                                         "actions": [], "risk_types": [], "partners": [], "links": [],
                                                         "anonymous": False}]).encode(), "row 2, Title: must be text."),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_refused_with_the_problem_named(world, case):
    db, admin = world
    build, expected = BROKEN[case]
    fmt = "json" if case.startswith("JSON") else "csv"
    found = problems(db, admin, build(), fmt)
    if not expected:
        assert found == [], found
        return
    assert any(p.startswith(expected) for p in found), found
    with pytest.raises(ImportRefused):
        imports.run(db, admin, "lessons", "file", build(), fmt)
    assert count(db) == 0


@pytest.mark.parametrize("case, data", [
    ("a byte-order mark", lambda: csv_bytes([row()], bom=True)),
    ("Windows line ends (CRLF)", lambda: csv_bytes([row()], newline="\r\n")),
    ("old Mac line ends (CR)", lambda: csv_bytes([row()], newline="\r")),
    ("quotes, commas and line breaks inside fields",
     lambda: csv_bytes([row(summary='She said "listen first", then we did.', context="Line one,\nline two.")])),
    ("a blank line at the end", lambda: csv_bytes([row()]) + b"\n\n"),
    ("a draft with only a title", lambda: csv_bytes([{**{c: "" for c in LESSON_COLUMNS}, "external_id": "d1",
                                                       "department": DEPARTMENT, "status": "draft", "title": "Draft",
                                                       "kind": "mixed", "visibility": "members",
                                                       "anonymous": "yes"}])),
])
def test_harmless_file_variations_import_exactly_as_written(world, case, data):
    db, admin = world
    done = imports.run(db, admin, "lessons", "file", data(), "csv")
    assert done.count("create") == 1, [str(p) for p in done.problems]
    if "quotes" in case:
        with db.read() as cur:
            assert cur.execute("SELECT summary, context FROM lessons").fetchone() == (
                'She said "listen first", then we did.', "Line one,\nline two.")


def test_fifty_thousand_rows_import_in_one_transaction_with_progress(world, capsys):
    db, admin = world
    rows = [row(n) for n in range(1, 50_001)]
    data = csv_bytes(rows)
    seen = []
    started = time.perf_counter()
    done = imports.run(db, admin, "lessons", "big.csv", data, "csv", progress=lambda f, m: seen.append(f))
    elapsed = time.perf_counter() - started
    assert done.count("create") == 50_000 and count(db) == 50_000
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with capsys.disabled():
        print(f"\n50,000-row lesson import ({len(data) / 1e6:.1f} MB): {elapsed:.1f} s")
    # and one bad row among them stores none of the other 49,999
    rows[40_000] = row(40_001, external_id="fresh", kind="nope")
    with pytest.raises(ImportRefused):
        imports.run(db, admin, "lessons", "big.csv", csv_bytes(rows), "csv")
    assert count(db) == 50_000


def test_an_anonymous_row_whose_words_name_its_department_is_refused_by_row_and_field(world):
    db, admin = world
    short = DEPARTMENT.replace(" Health Department", "").replace(" Public Health", "")
    named = row(1, anonymous="yes", context=f"In {short} residents asked for a say.")
    found = problems(db, admin, csv_bytes([named]))
    assert found and found[0].startswith("row 2, Context:") and "anonymous" in found[0] and short in found[0]
    assert count(db) == 0
    # The same words in a named lesson are fine, and an anonymous lesson without them imports.
    assert problems(db, admin, csv_bytes([row(1, context=f"In {short} residents asked for a say.")])) == []
    assert problems(db, admin, csv_bytes([row(2, anonymous="yes", links="")])) == []
