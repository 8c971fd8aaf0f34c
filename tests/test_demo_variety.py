"""The demo is worth exploring (issue #15): varied stories, plausible details, a steady history, anonymous lessons without clues."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter

import pytest

from exchange.demo import corpus as demo_corpus
from exchange.demo.lessons import jaccard, story_shingles
from exchange.identity.signin import load_user
from exchange.lessons import moderation
from exchange.privacy import identifying
from exchange.storage.duckdb import rows, scalar


@pytest.fixture(scope="module")
def lessons(demo_db):
    with demo_db.read() as cur:
        return rows(cur, """SELECT l.*, d.name AS department, d.jurisdiction_type, d.urban_rural
                            FROM lessons l JOIN departments d ON d.id = l.department_id ORDER BY l.id""")


def test_nearly_every_title_is_its_own(lessons):
    titles = Counter(l["title"] for l in lessons)
    assert len(titles) / len(lessons) >= 0.98, titles.most_common(5)


def test_no_two_lessons_tell_the_same_story(lessons):
    shingles = [story_shingles(l) for l in lessons]
    worst = max(((jaccard(a, b), i, j) for (i, a), (j, b) in itertools.combinations(enumerate(shingles), 2)))
    score, i, j = worst
    assert score < 0.5, (score, lessons[i]["title"], lessons[j]["title"])


def test_the_similarity_measure_sees_a_retold_story():
    story = {"context": "Eviction filings rose in the spring and tenants asked us for data we had never shared.",
             "what_we_did": "We linked court records to emergency visits and wrote a short brief with tenant leaders.",
             "what_happened": "The ordinance passed and filings fell in the covered buildings within a year."}
    retold = {**story, "what_happened": "The ordinance failed and a budget line was cut at the next hearing."}
    other = {"context": "Heat waves got longer.", "what_we_did": "We opened cooling centers with libraries.",
             "what_happened": "Fewer people went to the emergency department on the hottest days."}
    assert jaccard(story_shingles(story), story_shingles(retold)) >= 0.5
    assert jaccard(story_shingles(story), story_shingles(other)) < 0.1


def test_posting_grows_from_2017_to_2026_with_no_month_above_three_times_the_median(lessons):
    months = Counter(l["published_at"].strftime("%Y-%m") for l in lessons if l["published_at"])
    span = [f"{y}-{m:02d}" for y in range(2017, 2027) for m in range(1, 13) if "2017-03" <= f"{y}-{m:02d}" <= "2026-10"]
    counts = [months.get(m, 0) for m in span]
    assert set(months) <= set(span)
    assert max(counts) <= 3 * statistics.median(counts), months.most_common(3)
    per_year = [sum(v for m, v in months.items() if m.startswith(str(y))) for y in range(2017, 2027)]
    assert per_year[0] < per_year[3] < per_year[6] < per_year[8], per_year  # steady growth
    assert per_year[9] * 12 / 10 >= per_year[8] * 0.8, per_year  # no collapse (2026 runs to October)
    # Seasons: summers and Decembers are quieter than springs, over the years.
    by_month = Counter(l["published_at"].month for l in lessons if l["published_at"])
    assert by_month[7] + by_month[8] + by_month[12] < by_month[3] + by_month[4] + by_month[5]


def test_publishing_follows_the_period_and_the_departments_joining(demo_db):
    with demo_db.read() as cur:
        late = scalar(cur, """SELECT count(*) FROM lessons l JOIN departments d ON d.id = l.department_id
                              WHERE l.created_at < d.created_at OR l.period_end > CAST(l.created_at AS DATE)
                                 OR l.published_at < l.submitted_at""")
    assert late == 0


def test_the_identifying_text_check_finds_nothing_in_any_anonymous_demo_lesson(demo_db, lessons):
    anonymous = [l for l in lessons if l["anonymous"]]
    assert len(anonymous) >= 50
    with demo_db.read() as cur:
        for lesson in anonymous:
            lesson = {**lesson, "partners": [r["partner"] for r in rows(
                cur, "SELECT partner FROM lesson_partners WHERE lesson_id = ?", [lesson["id"]])],
                "links": [r["url"] for r in rows(cur, "SELECT url FROM lesson_links WHERE lesson_id = ?", [lesson["id"]])]}
            found = identifying.find(identifying.department_profile(cur, lesson["department_id"]),
                                     identifying.lesson_fields(lesson))
            assert not found, (lesson["department"], [(f.field, f.text) for f in found])


def test_details_fit_the_jurisdiction(lessons):
    tribal_words = re.compile(r"\b(tribal council|our nation|tribal members)\b", re.I)
    for lesson in lessons:
        text = " ".join(lesson[f] for f in ("title", "summary", "context", "what_we_did", "what_happened"))
        kind = lesson["jurisdiction_type"]
        if kind != "tribal" and not lesson["anonymous"]:
            assert not tribal_words.search(text), (lesson["department"], tribal_words.search(text).group())
        if kind == "tribal":
            assert not re.search(r"\b(Black students|city council|board of supervisors|our county)\b", text), text
        if kind == "state":
            assert not re.search(r"\b(city council|our city|the county board)\b", text), text
        if lesson["urban_rural"] in ("micropolitan", "noncore"):
            assert "bus network" not in text.lower(), lesson["department"]


def test_places_are_real_places_of_the_department_or_generic(lessons):
    real = {name: set(places) for name, places in demo_corpus.REAL_PLACES.items()}
    departments = {d["name"]: d for d in demo_corpus.REAL_DEPARTMENTS}
    for lesson in (l for l in lessons if not l["anonymous"]):
        text = " ".join(lesson[f] for f in ("title", "summary", "context", "what_we_did", "what_happened"))
        d = departments[lesson["department"]]
        own = " ".join([d["name"], d["place"], d["root"], *real.get(d["name"], ())])
        for other, places in real.items():
            if other != lesson["department"]:
                named = [p for p in places if p[0].isupper() and re.search(rf"\b{re.escape(p)}\b", text)
                         and p not in own]
                # A place may share a name with another jurisdiction's ("the North End"); never a distinctive one.
                assert not [p for p in named if not p.startswith("the ")], (lesson["department"], other, named)


def test_every_practice_action_and_risk_type_has_lessons(demo_db):
    with demo_db.read() as cur:
        for table, link, column in (("practices", "lesson_practices", "practice_id"),
                                    ("actions", "lesson_actions", "action_id"),
                                    ("risk_types", "lesson_risks", "risk_type_id")):
            missing = scalar(cur, f"""SELECT count(*) FROM {table} t WHERE active AND NOT EXISTS (
                SELECT 1 FROM {link} x JOIN lessons l ON l.id = x.lesson_id
                WHERE x.{column} = t.id AND l.status = 'published')""")
            assert missing == 0, table


def test_the_coordinator_finds_submissions_and_reports_waiting(demo_db):
    with demo_db.read() as cur:
        coordinator_id = scalar(cur, "SELECT id FROM users WHERE email = 'coordinator@demo.example.org'")
        settled = scalar(cur, "SELECT count(*) FROM lesson_reports WHERE outcome = 'kept' AND resolved_by IS NOT NULL")
        self_reports = scalar(cur, """SELECT count(*) FROM lesson_reports r JOIN lessons l ON l.id = r.lesson_id
                                      WHERE r.reporter_department_id = l.department_id""")
    queue = moderation.queue(demo_db, load_user(demo_db, coordinator_id))
    assert sum(item["is_submission"] for item in queue) >= 3
    assert sum(not item["is_submission"] for item in queue) >= 3  # published lessons with open reports
    assert settled >= 1 and self_reports == 0


def test_assessment_history_agrees_with_the_lessons_published_before_it(demo_db):
    with demo_db.read() as cur:
        disagree = scalar(cur, """
            SELECT count(*) FROM lessons l JOIN lesson_practices lp ON lp.lesson_id = l.id
            JOIN assessments a ON a.department_id = l.department_id AND a.practice_id = lp.practice_id
            WHERE l.status = 'published' AND l.published_at <= DATE '2023-12-31'
              AND a.as_of = (SELECT min(as_of) FROM assessments) AND a.stage = 0""")
        worked = scalar(cur, "SELECT count(*) FROM lessons WHERE status = 'published' AND published_at <= DATE '2023-12-31'")
    assert worked > 100 and disagree == 0
