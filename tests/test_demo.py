"""The demo generator: a believable, deterministic exchange that exercises every feature."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from exchange.storage import open_database
from exchange import demo, taxonomy
from exchange.demo import bulk as demo_bulk
from exchange.demo import corpus as demo_corpus
from exchange.identity import passwords
from exchange.storage.duckdb import Database, rows, scalar
from exchange.errors import ExchangeError, InvalidInput
from exchange.models import JURISDICTION_TYPES, URBAN_RURAL_LEVELS, population_band
from tests import demo_digest
from tests.factories import make_department, make_user

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

LEADING, LAGGING = (1, 9, 10), (4, 6, 7)


def _fresh() -> Database:
    db = open_database(":memory:")
    taxonomy.seed(db)
    return db


@pytest.fixture(scope="module")
def built():
    """The demo scale, built once for this module (tests only read it)."""
    db = _fresh()
    counts = demo.build(db)
    yield db, counts
    db.close()


def _query(db: Database, sql: str, params=None) -> list[dict]:
    with db.read() as cur:
        return rows(cur, sql, params)


def _value(db: Database, sql: str, params=None):
    with db.read() as cur:
        return scalar(cur, sql, params)


# ---------------------------------------------------------------- determinism and size
def test_two_builds_with_the_same_seed_are_identical_and_another_seed_differs():
    def snapshot(seed):
        db = _fresh()
        demo.build_sized(db, departments=40, lessons=150, seed=seed)
        lessons = _query(db, "SELECT title, summary, what_happened, department_id, status FROM lessons ORDER BY id")
        departments = _query(db, "SELECT name, population, urban_rural, description FROM departments ORDER BY id")
        stages = _query(db, "SELECT department_id, practice_id, as_of, stage FROM assessments ORDER BY id")
        db.close()
        return lessons, departments, stages

    first, again, other = snapshot(7), snapshot(7), snapshot(8)
    assert first == again
    assert first[0] != other[0]


def _differences(name: str, actual: dict[str, str]) -> list[str]:
    """Tables whose digest differs from the stored one (a new table counts only when it has rows)."""
    expected = json.loads(demo_digest.FIXTURE.read_text())[name]
    return [t for t in sorted(set(expected) | set(actual))
            if expected.get(t) != actual.get(t) and not (t not in expected and actual[t].startswith("0:"))]


def _explain(name: str, tables: list[str]) -> str:
    return (f"The demo ({name!r} sample) no longer matches the stored digests in tables {', '.join(tables)}. The demo must "
            f"stay byte-for-byte the same unless you changed it on purpose (a scenario, the generator, a "
            f"migration). If you did, store the new digests with `.venv/bin/python -m tests.demo_digest --write` "
            f"and commit {demo_digest.FIXTURE.relative_to(demo_digest.FIXTURE.parents[2])} with your change.")


def test_the_demo_database_is_byte_for_byte_the_stored_one(built):
    db, _ = built
    changed = _differences("demo", demo_digest.table_digests(db))
    assert not changed, _explain("demo", changed)


def test_a_national_scale_sample_is_byte_for_byte_the_stored_one():
    changed = _differences("national-sample", demo_digest.sample_digests("national-sample"))
    assert not changed, _explain("national-sample", changed)


def test_the_digest_check_names_changed_tables_and_ignores_only_new_empty_ones(built):
    db, _ = built
    digests = demo_digest.table_digests(db)
    assert _differences("demo", {**digests, "lessons": "500:0000"}) == ["lessons"]
    assert _differences("demo", {k: v for k, v in digests.items() if k != "states"}) == ["states"]
    assert _differences("demo", {**digests, "brand_new_table": "0:e3b0"}) == []
    assert _differences("demo", {**digests, "brand_new_table": "3:e3b0"}) == ["brand_new_table"]


def test_demo_scale_counts_fall_in_the_expected_ranges(built):
    db, counts = built
    practices = _value(db, "SELECT count(*) FROM practices WHERE active")
    assert 140 <= counts["departments"] <= 170
    assert counts["lessons"] == 500
    assert counts["users"] >= counts["departments"] + len(demo.DEMO_ACCOUNTS)
    assert counts["assessments"] == counts["departments"] * practices * 12
    for table, key in (("departments", "departments"), ("users", "users"), ("lessons", "lessons"),
                       ("assessments", "assessments")):
        assert _value(db, f"SELECT count(*) FROM {table}") == counts[key]


def test_the_demo_build_reports_progress_at_each_stage():
    messages: list[str] = []
    demo.build_sized(_fresh(), departments=20, lessons=60, progress=messages.append)
    for stage in ("departments", "lessons", "self-assessments", "passwords", "committed"):
        assert any(stage in m for m in messages), stage


# ---------------------------------------------------------------- departments
def test_every_hhs_region_has_at_least_eight_departments(built):
    db, _ = built
    per_region = {r["hhs_region"]: r["n"] for r in _query(db, """
        SELECT s.hhs_region, count(*) AS n FROM departments d JOIN states s ON s.code = d.state_code GROUP BY 1""")}
    assert sorted(per_region) == list(range(1, 11))
    assert min(per_region.values()) >= 8


def test_departments_have_real_names_and_consistent_attributes(built):
    db, _ = built
    departments = _query(db, "SELECT * FROM departments")
    names = {d["name"] for d in departments}
    assert {"Hennepin County Public Health", "Alameda County Public Health Department",
            "Navajo Nation Department of Health", "Guam Department of Public Health and Social Services"} <= names
    assert {d["jurisdiction_type"] for d in departments} == set(JURISDICTION_TYPES)
    for d in departments:
        assert d["population_band"] == population_band(d["population"])
        assert d["urban_rural"] in URBAN_RURAL_LEVELS
        assert d["description"].endswith(".") and not re.search(r"[a-z]{3}\. [A-Z]", d["description"])
        if d["urban_rural"] not in ("micropolitan", "noncore"):
            assert "rural" not in d["description"], d["description"]
        if d["jurisdiction_type"] not in ("state", "territorial", "tribal"):
            if d["population"] < 50_000:
                assert d["urban_rural"] != "large central metro", d["name"]
            if d["population"] >= 1_000_000:
                assert d["urban_rural"] in URBAN_RURAL_LEVELS[:3], d["name"]


def test_some_region_and_type_groups_are_large_and_some_are_rare(built):
    db, _ = built
    sizes = [r["n"] for r in _query(db, """
        SELECT count(*) AS n FROM departments d JOIN states s ON s.code = d.state_code
        GROUP BY s.hhs_region, d.jurisdiction_type""")]
    assert sum(1 for n in sizes if n >= 5) >= 5
    assert sum(1 for n in sizes if n < 3) >= 5


# ---------------------------------------------------------------- lessons
def test_every_practice_and_risk_type_has_published_lessons(built):
    db, _ = built
    assert _value(db, """SELECT count(*) FROM practices p WHERE active AND NOT EXISTS (
        SELECT 1 FROM lesson_practices lp JOIN lessons l ON l.id = lp.lesson_id
        WHERE lp.practice_id = p.id AND l.status = 'published')""") == 0
    assert _value(db, """SELECT count(*) FROM risk_types r WHERE active AND NOT EXISTS (
        SELECT 1 FROM lesson_risks lr JOIN lessons l ON l.id = lr.lesson_id
        WHERE lr.risk_type_id = r.id AND l.status = 'published')""") == 0


def test_challenges_are_a_substantial_share_and_statuses_are_mostly_published(built):
    db, _ = built
    kinds = {r["kind"]: r["n"] for r in _query(db, "SELECT kind, count(*) AS n FROM lessons GROUP BY 1")}
    statuses = {r["status"]: r["n"] for r in _query(db, "SELECT status, count(*) AS n FROM lessons GROUP BY 1")}
    assert set(kinds) == {"success", "challenge", "mixed"}
    assert 0.33 <= kinds["challenge"] / 500 <= 0.5
    assert 0.82 <= statuses["published"] / 500 <= 0.93
    assert {"draft", "submitted", "rejected"} <= set(statuses)
    public = _value(db, "SELECT avg((visibility = 'public')::INT) FROM lessons")
    assert 0.5 <= public <= 0.7


def test_no_two_lessons_share_the_same_full_text(built):
    db, _ = built
    assert _value(db, """SELECT count(DISTINCT concat_ws('|', title, summary, context, what_we_did, what_happened,
                                                          do_differently, advice)) FROM lessons""") == 500
    assert _value(db, "SELECT count(DISTINCT title) FROM lessons") > 250


def test_lesson_fields_fit_their_limits_and_read_as_sentences(built):
    db, _ = built
    for lesson in _query(db, "SELECT * FROM lessons"):
        assert 0 < len(lesson["title"]) <= 120
        assert 0 < len(lesson["summary"]) <= 300
        for field in ("context", "what_we_did", "what_happened", "do_differently", "advice"):
            text = lesson[field]
            assert 40 <= len(text) <= 4000, (field, text)
            assert "{" not in text and "}" not in text and not re.search(r"\d\.0\b", text), (field, text)
            assert (text[0].isupper() or text[0].isdigit()) and text.rstrip('"')[-1] in ".!?", (field, text)
            assert not re.search(r'[.!?]"? [a-z]', text), (field, text)
        assert lesson["client_token"] is None and lesson["revision"] == 1


def test_lesson_periods_and_timestamps_are_consistent(built):
    db, _ = built
    for lesson in _query(db, "SELECT * FROM lessons"):
        start, end = lesson["period_start"], lesson["period_end"]
        assert start.day == 1 and end.day == 1
        assert date(2017, 1, 1) <= start <= end <= date(2026, 11, 1)
        created = lesson["created_at"]
        assert datetime.combine(end, datetime.min.time()) <= created <= demo.NOW
        moments = [created, lesson["submitted_at"], lesson["published_at"]]
        present = [m for m in moments if m is not None]
        assert present == sorted(present) and lesson["updated_at"] == max(present + [lesson["updated_at"]])
        assert lesson["updated_at"] <= demo.NOW
        assert (lesson["submitted_at"] is None) == (lesson["status"] == "draft")
        assert (lesson["published_at"] is not None) == (lesson["status"] == "published")
    years = {r["y"] for r in _query(db, "SELECT DISTINCT year(period_start) AS y FROM lessons")}
    assert years == set(range(2017, 2027))


def test_lessons_are_tagged_with_one_to_three_practices_and_their_own_actions(built):
    db, _ = built
    per_lesson = _query(db, """
        SELECT l.id,
               (SELECT count(*) FROM lesson_practices WHERE lesson_id = l.id) AS practices,
               (SELECT count(*) FROM lesson_actions WHERE lesson_id = l.id) AS actions,
               (SELECT count(*) FROM lesson_risks WHERE lesson_id = l.id) AS risks,
               (SELECT count(*) FROM lesson_partners WHERE lesson_id = l.id) AS partners,
               (SELECT count(*) FROM lesson_links WHERE lesson_id = l.id) AS links
        FROM lessons l""")
    for r in per_lesson:
        assert 1 <= r["practices"] <= 3 + 1  # +1: a coverage tag may be added to a full lesson
        assert 0 <= r["actions"] <= 3 and 0 <= r["risks"] <= 3 + 1 and r["partners"] >= 1 and r["links"] <= 2
    assert _value(db, """SELECT count(*) FROM lesson_actions la JOIN actions a ON a.id = la.action_id
        WHERE NOT EXISTS (SELECT 1 FROM lesson_practices lp
                          WHERE lp.lesson_id = la.lesson_id AND lp.practice_id = a.practice_id)""") == 0
    partners = {r["partner"] for r in _query(db, "SELECT DISTINCT partner FROM lesson_partners")}
    assert {"tenant union", "hospital", "housing authority", "faith leaders", "labor union"} <= partners


def test_links_are_https_on_example_domains_only(built):
    db, _ = built
    urls = [r["url"] for r in _query(db, "SELECT url FROM lesson_links")]
    urls += [r["evidence_url"] for r in _query(db, "SELECT evidence_url FROM assessments WHERE evidence_url <> ''")]
    assert len(urls) > 100
    for url in urls:
        assert re.fullmatch(r"https://(www\.)?example\.(org|com)/[\w\-./]+", url), url


def test_rejected_lessons_carry_a_rejection_with_a_reason(built):
    db, _ = built
    rejected = _query(db, """SELECT l.id, r.decision, r.reason, r.decided_at, l.submitted_at, r.reviewer_id
                             FROM lessons l LEFT JOIN lesson_reviews r ON r.lesson_id = l.id
                             WHERE l.status = 'rejected'""")
    assert rejected
    for r in rejected:
        assert r["decision"] == "rejected" and len(r["reason"]) > 20
        assert r["submitted_at"] <= r["decided_at"] <= demo.NOW and r["reviewer_id"] is not None
    assert _value(db, "SELECT count(*) FROM lesson_reviews WHERE decision = 'rejected'") == len(rejected)


def test_anonymous_lessons_are_mostly_challenges_and_never_name_their_place(built):
    db, _ = built
    anonymous = _query(db, """SELECT l.*, d.name AS department FROM lessons l
                              JOIN departments d ON d.id = l.department_id WHERE anonymous""")
    assert 0.1 <= len(anonymous) / 500 <= 0.22
    assert sum(a["kind"] == "challenge" for a in anonymous) > len(anonymous) / 2
    places = {d["name"]: (d["place"], d["root"]) for d in demo_corpus.REAL_DEPARTMENTS}
    for a in anonymous:
        text = " ".join(a[f] for f in ("title", "summary", "context", "what_we_did", "what_happened",
                                        "do_differently", "advice"))
        place, root = places[a["department"]]
        assert place not in text and root not in text, a["department"]
    assert _value(db, "SELECT count(*) FROM lesson_links ll JOIN lessons l ON l.id = ll.lesson_id WHERE l.anonymous") == 0
    for a in anonymous:  # no population or staff figures, no named neighbourhoods (issue #8.1)
        text = " ".join(a[f] for f in ("title", "summary", "context", "what_we_did", "what_happened",
                                        "do_differently", "advice"))
        assert not re.search(r"\d staff\b|\d,\d{3} (residents|community members)|million (residents|people)", text), text
        real = [p for places in demo_corpus.REAL_PLACES.values() for p in places]  # generic phrases may appear
        assert not [n for n in real if re.search(rf"\b{re.escape(n)}\b", text)], text


def test_lesson_ids_follow_the_order_lessons_were_written(built):
    db, _ = built
    ordered = [r["id"] for r in _query(db, "SELECT id FROM lessons ORDER BY created_at, id")]
    assert ordered == sorted(ordered)


def test_departments_record_the_place_names_their_lessons_use(built):
    db, _ = built
    hennepin = _query(db, "SELECT place_names FROM departments WHERE name = 'Hennepin County Public Health'")[0]
    assert hennepin["place_names"].splitlines()[:2] == ["Hennepin County", "Hennepin"]
    recorded = 0
    for d in _query(db, """SELECT d.name, d.place_names, string_agg(concat_ws(' ', l.title, l.summary, l.context,
                                  l.what_we_did, l.what_happened), ' ') AS text
                           FROM departments d JOIN lessons l ON l.department_id = d.id AND NOT l.anonymous
                           GROUP BY ALL"""):
        own = demo_corpus.REAL_PLACES.get(d["name"], [])
        used = {p for p in own if p in d["text"]}
        real = next(r for r in demo_corpus.REAL_DEPARTMENTS if r["name"] == d["name"])
        names = set(d["place_names"].splitlines()) - {real["place"], real["root"]}
        # Only its own real places (data/places.toml): generic phrases ("the south side") identify no one.
        assert used <= names <= set(own), d["name"]
        recorded += bool(names)
    assert recorded >= 15


def test_authors_are_members_of_the_lessons_department_and_only_demo_accounts_can_sign_in(built):
    db, _ = built
    assert _value(db, """SELECT count(*) FROM lessons l JOIN users u ON u.id = l.author_id
                         WHERE u.department_id <> l.department_id OR u.role <> 'member'""") == 0
    hashed = {r["email"] for r in _query(db, "SELECT email FROM users WHERE password_hash IS NOT NULL")}
    assert hashed == {a["email"] for a in demo.DEMO_ACCOUNTS}
    assert _value(db, "SELECT count(*) FROM departments d WHERE NOT EXISTS (SELECT 1 FROM users u "
                      "WHERE u.department_id = d.id AND u.role = 'member')") == 0


# ---------------------------------------------------------------- demo accounts
def test_demo_accounts_sign_in_with_their_listed_passwords(built):
    db, _ = built
    roles = {a["role"] for a in demo.DEMO_ACCOUNTS}
    assert {"member", "coordinator", "admin"} <= roles
    for account in demo.DEMO_ACCOUNTS:
        passwords.check_policy(account["password"], email=account["email"])
        user = _query(db, """SELECT u.*, d.name AS department FROM users u
                             LEFT JOIN departments d ON d.id = u.department_id WHERE email = ?""", [account["email"]])[0]
        assert passwords.verify_password(account["password"], user["password_hash"])
        assert not passwords.verify_password(account["password"] + "x", user["password_hash"])
        assert (user["role"], user["display_name"], user["department"]) == (
            account["role"], account["display_name"], account["department"])
        regions = tuple(r["hhs_region"] for r in _query(
            db, "SELECT hhs_region FROM user_regions WHERE user_id = ? ORDER BY 1", [user["id"]]))
        assert regions == tuple(account["regions"])


def test_demo_members_are_in_different_regions_and_the_coordinator_covers_regions_five_and_seven(built):
    db, _ = built
    members = [a for a in demo.DEMO_ACCOUNTS if a["role"] == "member"]
    regions = [_value(db, """SELECT s.hhs_region FROM departments d JOIN states s ON s.code = d.state_code
                             WHERE d.name = ?""", [m["department"]]) for m in members]
    assert regions[0] == 5 and len(set(regions)) == len(regions)
    coordinator = next(a for a in demo.DEMO_ACCOUNTS if a["role"] == "coordinator")
    admin = next(a for a in demo.DEMO_ACCOUNTS if a["role"] == "admin")
    assert coordinator["regions"] == (5, 7) and admin["department"] is None


def test_the_demo_members_department_has_a_draft_a_published_and_an_anonymous_challenge(built):
    db, _ = built
    member = demo.DEMO_ACCOUNTS[0]
    mine = _query(db, """SELECT l.status, l.kind, l.anonymous, u.email FROM lessons l
                         JOIN departments d ON d.id = l.department_id JOIN users u ON u.id = l.author_id
                         WHERE d.name = ?""", [member["department"]])
    assert any(m["status"] == "draft" and m["email"] == member["email"] for m in mine)
    assert any(m["status"] == "published" and not m["anonymous"] for m in mine)
    assert any(m["status"] == "published" and m["anonymous"] and m["kind"] == "challenge" for m in mine)


def test_the_coordinator_has_submitted_lessons_to_review_in_their_regions(built):
    db, _ = built
    waiting = _value(db, """SELECT count(*) FROM lessons l JOIN departments d ON d.id = l.department_id
                            JOIN states s ON s.code = d.state_code
                            WHERE l.status = 'submitted' AND s.hhs_region IN (5, 7)""")
    assert waiting >= 3


# ---------------------------------------------------------------- self-assessments
def test_assessments_cover_every_department_and_practice_every_quarter(built):
    db, _ = built
    grid = _query(db, """SELECT department_id, practice_id, count(*) AS n, count(DISTINCT as_of) AS quarters,
                                min(stage) AS lo, max(stage) AS hi FROM assessments GROUP BY 1, 2""")
    assert len(grid) == _value(db, "SELECT count(*) FROM departments") * _value(
        db, "SELECT count(*) FROM practices WHERE active")
    assert all(g["n"] == g["quarters"] == 12 and 0 <= g["lo"] <= g["hi"] <= 4 for g in grid)
    quarters = [r["as_of"] for r in _query(db, "SELECT DISTINCT as_of FROM assessments ORDER BY 1")]
    assert quarters[0] == date(2023, 12, 31) and quarters[-1] == date(2026, 9, 30) and len(quarters) == 12
    assert _value(db, """SELECT count(*) FROM assessments a JOIN users u ON u.id = a.recorded_by
                         WHERE u.department_id = a.department_id""") == len(grid) * 12
    assert _value(db, "SELECT count(*) FROM assessments WHERE note <> ''") > 100


def test_assessments_show_diffusion_with_leading_and_lagging_regions(built):
    db, _ = built
    share = {r["as_of"]: r["share"] for r in _query(
        db, "SELECT as_of, avg((stage >= 3)::INT) AS share FROM assessments GROUP BY 1")}
    first, last = share[date(2023, 12, 31)], share[date(2026, 9, 30)]
    assert last > first + 0.15
    by_region = {r["hhs_region"]: r["mean"] for r in _query(db, """
        SELECT s.hhs_region, avg(a.stage) AS mean FROM assessments a JOIN departments d ON d.id = a.department_id
        JOIN states s ON s.code = d.state_code WHERE a.as_of = DATE '2026-09-30' GROUP BY 1""")}
    assert min(by_region[r] for r in LEADING) > max(by_region[r] for r in LAGGING)
    by_practice = {r["name"]: r["mean"] for r in _query(db, """
        SELECT p.name, avg(a.stage) AS mean FROM assessments a JOIN practices p ON p.id = a.practice_id
        WHERE a.as_of = DATE '2026-09-30' GROUP BY 1""")}
    assert by_practice["Build Organizational Capacity"] > by_practice["Prioritize Upstream Policy Change"] + 0.5


def test_some_departments_stall_and_a_few_step_back(built):
    db, _ = built
    moves = _query(db, """SELECT department_id, practice_id,
                                 stage - lag(stage) OVER (PARTITION BY department_id, practice_id ORDER BY as_of) AS step
                          FROM assessments""")
    steps = [m["step"] for m in moves if m["step"] is not None]
    assert 0 < sum(s < 0 for s in steps) < sum(s > 0 for s in steps) / 5
    moved = {(m["department_id"], m["practice_id"]) for m in moves if m["step"]}
    assert len(moved) < len({(m["department_id"], m["practice_id"]) for m in moves})


# ---------------------------------------------------------------- safety
def test_new_departments_users_and_lessons_can_be_added_after_a_build(built):
    db = _fresh()
    demo.build_sized(db, departments=30, lessons=80)
    department = make_department(db, name="Brand New County Health Department")
    user = make_user(db, department_id=department)

    def add_lesson(cur):
        return cur.execute("""INSERT INTO lessons (title, kind, author_id, department_id, created_at, updated_at)
                              VALUES ('A new lesson', 'success', ?, ?, current_timestamp, current_timestamp)
                              RETURNING id""", [user.id, department]).fetchone()[0]

    lesson = db.write(add_lesson)
    assert department > _value(db, "SELECT max(id) FROM departments WHERE id <> ?", [department])
    assert user.id > _value(db, "SELECT max(id) FROM users WHERE id <> ?", [user.id])
    assert lesson > _value(db, "SELECT max(id) FROM lessons WHERE id <> ?", [lesson])
    db.write(lambda cur: cur.execute("INSERT INTO assessments (department_id, practice_id, stage, as_of, recorded_at) "
                                     "VALUES (?, 1, 2, DATE '2026-10-31', current_timestamp)", [department]))
    db.close()


def test_building_refuses_an_exchange_that_already_has_departments(fresh_db):
    make_department(fresh_db, name="Existing County Health Department")
    with pytest.raises(ExchangeError, match="already has departments"):
        demo.build(fresh_db)
    assert _value(fresh_db, "SELECT count(*) FROM departments") == 1
    assert _value(fresh_db, "SELECT count(*) FROM lessons") == 0


def test_an_unknown_scale_is_refused(fresh_db):
    with pytest.raises(InvalidInput):
        demo.build(fresh_db, scale="galactic")


def test_a_failed_build_leaves_nothing_behind(fresh_db, monkeypatch):
    real_bulk = demo_bulk._bulk

    def failing_bulk(cur, table, columns):
        if table == "assessments":
            raise RuntimeError("disk full")
        real_bulk(cur, table, columns)

    monkeypatch.setattr(demo_bulk, "_bulk", failing_bulk)
    with pytest.raises(RuntimeError):
        demo.build_sized(fresh_db, departments=20, lessons=40)
    for table in ("departments", "users", "lessons", "lesson_practices", "assessments"):
        assert _value(fresh_db, f"SELECT count(*) FROM {table}") == 0, table


def test_every_generated_row_gets_its_id_from_the_build_in_row_order(fresh_db, monkeypatch):
    # A DEFAULT nextval inside a parallel insert of more than one row group (the national scale's 540,000
    # assessments) numbered rows in a different order on every build.
    inserted: dict[str, dict] = {}
    real_bulk = demo_bulk._bulk

    def recording_bulk(cur, table, columns):
        inserted[table] = columns
        real_bulk(cur, table, columns)

    monkeypatch.setattr(demo_bulk, "_bulk", recording_bulk)
    demo.build_sized(fresh_db, departments=20, lessons=40)
    for table in ("departments", "users", "lessons", "lesson_reviews", "assessments"):
        ids = inserted[table]["id"]
        assert len(set(ids)) == len(ids) == _value(fresh_db, f"SELECT count(*) FROM {table}") > 0, table
    assert inserted["assessments"]["id"] == sorted(inserted["assessments"]["id"])


# ---------------------------------------------------------------- other sizes and the corpus
def test_a_small_build_keeps_every_region_and_the_demo_departments():
    db = _fresh()
    counts = demo.build_sized(db, departments=60, lessons=400)
    assert counts["departments"] == 60 and counts["lessons"] == 400
    assert _value(db, "SELECT count(DISTINCT s.hhs_region) FROM departments d JOIN states s ON s.code = d.state_code") == 10
    for account in demo.DEMO_ACCOUNTS:
        if account["department"]:
            assert _value(db, "SELECT count(*) FROM departments WHERE name = ?", [account["department"]]) == 1
    db.close()


def test_a_build_larger_than_the_real_list_adds_unique_synthetic_departments():
    db = _fresh()
    demo.build_sized(db, departments=450, lessons=300)
    departments = _query(db, "SELECT * FROM departments")
    assert len(departments) == 450 == len({d["name"] for d in departments})
    real = {d["name"] for d in demo_corpus.REAL_DEPARTMENTS}
    synthetic = [d for d in departments if d["name"] not in real]
    # The state is shown beside the name everywhere, so the name itself never carries it ("… (MT) (MT)", #15).
    assert not [d["name"] for d in departments if re.search(r"\([A-Z]{2}\)", d["name"])]
    assert len(synthetic) > 250
    assert {d["jurisdiction_type"] for d in departments} == set(JURISDICTION_TYPES)
    assert all(d["population_band"] == population_band(d["population"]) for d in departments)
    db.close()


def test_every_scenario_template_renders_and_names_real_taxonomy_entries(fresh_db):
    tax = taxonomy.load(fresh_db)
    practices = {p["name"]: p["id"] for p in tax.practices}
    actions = {a["name"]: a["practice_id"] for a in tax.actions}
    risks = {r["name"] for r in tax.risk_types}
    slots = {slot: f"<{slot}>" for slot in demo_corpus.SLOTS}
    assert len(demo_corpus.SCENARIOS) >= 40
    covered_practices, covered_risks = set(), set()
    for scenario in demo_corpus.SCENARIOS:
        assert 1 <= len(scenario["practices"]) <= 3 and set(scenario["practices"]) <= set(practices), scenario["key"]
        assert set(scenario["risks"]) <= risks and scenario["partners"], scenario["key"]
        own = {practices[p] for p in scenario["practices"]}
        assert all(actions[a] in own for a in scenario["actions"]), scenario["key"]
        for field in ("title+", "title-", "title~", "summary+", "summary-", "summary~", "context", "did",
                      "happened+", "happened-", "happened~", "advice"):
            assert scenario.get(field), (scenario["key"], field)
        for field, variants in scenario.items():
            if isinstance(variants, list) and field not in ("practices", "actions", "risks", "partners"):
                for template in variants:
                    template.format_map(slots)  # KeyError means a misspelled slot
        covered_practices.update(scenario["practices"])
        covered_risks.update(scenario["risks"])
    assert covered_practices == set(practices) and covered_risks == risks
    for pool in (demo_corpus.CONTEXT_OPENERS, demo_corpus.DID_CODAS, demo_corpus.ADVICE,
                 *demo_corpus.DIFFERENTLY.values(), *demo_corpus.HAPPENED_CODAS.values(),
                 *demo_corpus.CONTEXT_BEATS.values(), demo_corpus.DID_BEATS, *demo_corpus.HAPPENED_BEATS.values(),
                 *demo_corpus.TITLE_PATTERNS.values(), *(lines for _, _, lines in demo_corpus.ERA_BEATS)):
        for template in pool:
            template.format_map(slots)


def test_the_corpus_is_read_from_the_packages_data_files_whatever_the_working_directory(tmp_path):
    assert demo_corpus.DATA == Path(demo_corpus.__file__).parent / "data"
    root = Path(demo_corpus.__file__).parents[2]
    found = subprocess.run([sys.executable, "-c", "from exchange.demo import corpus; print(len(corpus.SCENARIOS))"],
                           cwd=tmp_path, env={"PYTHONPATH": str(root)}, capture_output=True, text=True, check=True)
    assert int(found.stdout) == len(demo_corpus.SCENARIOS)


def test_every_data_file_is_read_by_the_corpus():
    files = {p.stem for p in demo_corpus.DATA.glob("*")}
    assert files == {"departments", "names", "phrases", "anonymous", "scenarios", "beats", "places"}
    source = Path(demo_corpus.__file__).read_text()
    assert all(f'load("{name}")' in source for name in files)


def test_a_scenario_table_becomes_the_generators_fields():
    parsed = demo_corpus.parse_scenarios([{
        "key": "x", "practices": ["P"], "kinds": {"success": 1, "challenge": 2, "mixed": 3}, "years": [2020, 2022],
        "title": {"success": "A win", "mixed": "Half"}, "context": ["One", "Two"], "advice": "Ask"}])[0]
    assert parsed == {"key": "x", "kinds": (1, 2, 3), "years": (2020, 2022), "types": (), "practices": ["P"],
                      "settings": (), "topic": "x",
                      "title+": ["A win"], "title~": ["Half"], "context": ["One", "Two"], "advice": ["Ask"]}
    defaults = demo_corpus.parse_scenarios([{"key": "y"}])[0]
    assert (defaults["kinds"], defaults["years"], defaults["types"]) == ((50, 34, 16), (2017, 2026), ())


@pytest.mark.parametrize("entry, problem", [
    ({"key": "typo", "sumary": {"success": "x"}}, "unknown field 'sumary'"),
    ({"key": "odd-kind", "title": {"victory": "x"}}, "unknown field 'title'"),
    ({"key": "two-kinds", "kinds": {"success": 1, "challenge": 2}}, "kinds needs a weight"),
])
def test_a_mistake_in_a_scenario_is_refused_naming_the_scenario(entry, problem):
    with pytest.raises(ValueError, match=re.escape(problem)) as raised:
        demo_corpus.parse_scenarios([entry])
    assert repr(entry["key"]) in str(raised.value)
