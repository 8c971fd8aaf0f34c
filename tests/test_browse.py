"""Faceted browse: counts under combined filters, pagination, sorting, URLs and CSV."""

import csv
import io
from datetime import date

import pytest

from exchange.discovery import browse, search
from exchange.discovery.browse import Filters
from exchange.models import VISITOR
from tests.factories import make_department, make_user
from tests.helpers import publish

pytestmark = pytest.mark.both_backends  # issue 13: discovery on DuckDB and on PostgreSQL


@pytest.fixture
def world(fresh_db):
    """Two departments (MN county, TX city), five published lessons with known tags."""
    db = fresh_db
    admin = make_user(db, "admin")
    mn = make_department(db, state="MN", jurisdiction_type="county", population=30_000)
    tx = make_department(db, state="TX", jurisdiction_type="city", population=900_000)
    a, b = make_user(db, department_id=mn), make_user(db, department_id=tx)
    ids = {
        "mn_housing": publish(db, a, admin, title="Housing one", practice_ids=[14], risk_type_ids=[1], kind="success",
                              period_start=date(2019, 1, 1), period_end=None),
        "mn_budget": publish(db, a, admin, title="Budget one", practice_ids=[2], risk_type_ids=[2], kind="challenge",
                             period_start=date(2021, 1, 1), period_end=None),
        "tx_housing": publish(db, b, admin, title="Housing two", practice_ids=[14, 2], risk_type_ids=[1, 4], kind="challenge",
                              period_start=date(2021, 6, 1), period_end=None),
        "tx_members": publish(db, b, admin, title="Members only", practice_ids=[14], risk_type_ids=[4], kind="mixed",
                              visibility="members", period_start=date(2022, 1, 1), period_end=None),
        "tx_anon": publish(db, b, admin, title="Anonymous", practice_ids=[14], risk_type_ids=[4], kind="challenge",
                           anonymous=True, period_start=date(2022, 1, 1), period_end=None),
    }
    search.refresh_index(db)
    return {"db": db, "member": make_user(db, department_id=mn), "ids": ids, "mn": mn, "tx": tx}


def test_a_visitor_sees_only_public_lessons(world):
    result = browse.find(world["db"], VISITOR, Filters())
    assert result.total == 4 and world["ids"]["tx_members"] not in [l["id"] for l in result.lessons]


def test_a_member_sees_members_only_lessons_too(world):
    assert browse.find(world["db"], world["member"], Filters()).total == 5


def test_facet_counts_reflect_the_other_active_filters(world):
    result = browse.find(world["db"], world["member"], Filters(kind=("challenge",)))
    assert result.total == 3
    # practice counts among challenges: 14 → tx_housing, tx_anon; 2 → mn_budget, tx_housing
    assert result.facets["practice"] == {14: 2, 2: 2}
    # the kind facet ignores its own filter: every kind is still counted
    assert result.facets["kind"] == {"success": 1, "challenge": 3, "mixed": 1}


def test_combined_filters_intersect_across_facets_and_union_within_one(world):
    db, member = world["db"], world["member"]
    assert browse.find(db, member, Filters(practice=(14,), risk=(4,))).total == 3
    assert browse.find(db, member, Filters(practice=(14, 2), kind=("success",))).total == 1
    assert browse.find(db, member, Filters(region=(5,), practice=(2,))).total == 1


def test_filtering_by_a_practice_gives_the_right_count(world):
    assert browse.find(world["db"], world["member"], Filters(practice=(2,))).total == 2


def test_state_facet_and_filter_never_count_an_anonymous_lesson(world):
    result = browse.find(world["db"], world["member"], Filters(state=("TX",)))
    assert world["ids"]["tx_anon"] not in [l["id"] for l in result.lessons]
    assert result.total == 2 and result.facets["state"]["TX"] == 2


def test_size_and_jurisdiction_facets_use_department_attributes(world):
    result = browse.find(world["db"], world["member"], Filters(size=("small",)))
    assert result.total == 2 and result.facets["jurisdiction"] == {"county": 2}


def test_year_facet_counts_the_year_the_work_began(world):
    assert browse.find(world["db"], world["member"], Filters()).facets["year"] == {2019: 1, 2021: 2, 2022: 2}


def test_pagination_splits_and_clamps_pages(world):
    db, member = world["db"], world["member"]
    first = browse.find(db, member, Filters(per_page=2))
    second = browse.find(db, member, Filters(per_page=2, page=2))
    last = browse.find(db, member, Filters(per_page=2, page=99))
    assert first.pages == 3 and last.filters.page == 3 and len(last.lessons) == 1
    assert not {l["id"] for l in first.lessons} & {l["id"] for l in second.lessons}


def test_newest_and_oldest_sorts_are_opposite(world):
    db, member = world["db"], world["member"]
    newest = [l["id"] for l in browse.find(db, member, Filters(sort="newest")).lessons]
    oldest = [l["id"] for l in browse.find(db, member, Filters(sort="oldest")).lessons]
    assert newest == list(reversed(oldest))


def test_the_view_round_trips_through_url_parameters(world):
    view = Filters(q="eviction", practice=(14, 2), kind=("challenge",), region=(6,), sort="oldest", page=3)
    assert browse.from_params(browse.to_params(view)) == view


def test_forged_url_parameters_are_ignored(world):
    view = browse.from_params({"practice": ["abc", "14"], "page": ["-2"], "sort": ["drop table"], "region": ["1e9"]})
    assert view.practice == (14,) and view.page == 1 and view.sort == "" and view.region == ()
    unknown = browse.find(world["db"], world["member"], browse.from_params({"practice": ["99999"]}))
    assert unknown.ignored == ("practice",)  # named nothing: left out (and the page says so), never a crash


@pytest.mark.parametrize("params, ignored", [
    ({"page": ["²"]}, ("page",)),                      # "²".isdigit() is True, int("²") raises
    ({"practice": ["abc", "14"]}, ("practice",)),
    ({"region": ["٣"]}, ("region",)),                 # an Arabic-Indic digit
    ({"q": ["a", "b"]}, ("q",)),                       # repeated single-valued parameters
    ({"sort": ["oldest", "newest"]}, ("sort",)),
    ({"q": ["x" * 10_000]}, ("q",)),                   # a 10 kB value
    ({"kind": ["y" * 10_000]}, ("kind",)),
    ({"risk": [str(i) for i in range(500)]}, ("risk",)),
    ({"page": ["0"], "sort": ["drop table"]}, ("sort", "page")),
    ({"kind": ["challenge"], "q": ["eviction"], "page": ["2"]}, ()),
])
def test_unreadable_url_parameters_are_named_and_left_out(params, ignored):
    view, left_out = browse.parse_params(params)
    assert sorted(left_out) == sorted(ignored)
    assert browse.parse_params(browse.to_params(view)) == (view, ())


def test_unknown_ids_and_codes_are_dropped_and_named(world):
    result = browse.find(world["db"], world["member"], Filters(practice=(99999, 14), kind=("Challenge (85)",),
                                                                state=("ZZ",), region=(11,)))
    assert result.filters.practice == (14,) and not result.filters.kind and not result.filters.state
    assert sorted(result.ignored) == ["kind", "practice", "region", "state"]
    assert result.total == browse.find(world["db"], world["member"], Filters(practice=(14,))).total


def test_a_department_filter_reads_the_departments_name(world):
    result = browse.find(world["db"], VISITOR, Filters(department=(world["tx"],)))
    assert result.ignored == () and result.department_names[world["tx"]].startswith("Test County")
    assert {lesson["title"] for lesson in result.lessons} == {"Housing two"}


def test_a_department_filter_never_reveals_who_wrote_an_anonymous_lesson(world):
    db, admin = world["db"], make_user(world["db"], "admin")
    shy, silent = make_department(db, state="MN"), make_department(db, state="MN")
    publish(db, make_user(db, department_id=shy), admin, title="Only anonymous", anonymous=True)
    shy_view = browse.find(db, VISITOR, Filters(department=(shy,)))
    silent_view = browse.find(db, VISITOR, Filters(department=(silent,)))
    assert (shy_view.total, shy_view.lessons, shy_view.ignored) == (0, [], ())
    assert (silent_view.total, silent_view.facets) == (0, shy_view.facets)  # same as a department that shared nothing
    assert browse.find(db, VISITOR, Filters(department=(999_999,))).ignored == ("department",)


def test_an_empty_result_keeps_facets_to_loosen(world):
    result = browse.find(world["db"], world["member"], Filters(kind=("success",), risk=(4,)))
    assert result.total == 0 and result.facets["kind"] == {"challenge": 2, "mixed": 1}


def test_csv_lists_the_filtered_lessons_and_neutralises_formulas(world):
    db, member = world["db"], world["member"]
    admin = make_user(db, "admin")
    publish(db, member, admin, title="=HYPERLINK(\"http://evil\")", summary="+1 -2 @sum", practice_ids=[14])
    data = browse.to_csv(db, member, Filters(practice=(14,)))
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 5
    evil = next(r for r in table if "HYPERLINK" in r["title"])
    assert evil["title"].startswith("'=") and evil["summary"].startswith("'+")


def test_a_members_csv_export_is_recorded_in_the_audit_log(world):
    browse.to_csv(world["db"], world["member"], Filters(kind=("challenge",)))
    with world["db"].read() as cur:
        entries = cur.execute("SELECT actor_id, event, detail FROM audit_log WHERE event = 'export'").fetchall()
    assert entries == [(world["member"].id, "export", "kind: challenge")]
