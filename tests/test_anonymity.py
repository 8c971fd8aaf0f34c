"""Issue #3, "Anonymity and visibility": no read path traces an anonymous lesson back to its department.

Department D posts an anonymous public lesson. Visitors, members of another department,
the coordinator of D's region and administrators (without the audited reveal) walk every
read path: the lesson page, browse cards, facet counts, CSV, similar and related lessons,
search and the review queue. D's name, state, id and author never appear. The region and
jurisdiction type follow the K = 5 rule in three exchanges built to exercise it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from exchange import lessons
from exchange.lessons import moderation
from exchange.discovery import search
from exchange.privacy.anonymity import K, attribution_line
from exchange.discovery.browse import Filters, find, related, similar, to_csv
from exchange.storage.duckdb import Database
from exchange.errors import ExchangeError, NotFound
from exchange.lessons.form import LessonInput
from exchange.models import VISITOR, User
from tests.factories import make_department, make_user
from tests.helpers import set_review_threshold, submit_new

DEPARTMENT_NAME = "Lakeshore Valley Health Department"
AUTHOR_EMAIL = "ottoline.brisk@lakeshore.example"
AUTHOR_NAME = "Ottoline.Brisk"  # make_user derives the display name from the email
ANONYMOUS_TITLE = "Quiet rollout of a language-access hotline"
ANONYMOUS_WORD = "heliotrope"  # appears in the anonymous lesson only
MEMBERS_ONLY_TITLE = "Closed-door budget negotiation with the county board"
MEMBERS_ONLY_WORD = "saxifrage"  # appears in the members-only lesson only


@dataclass(frozen=True)
class Scenario:
    """Where D sits, which departments share its region, and what the K rule should then show."""

    state: str
    state_name: str
    region: int
    jurisdiction: str
    neighbours: tuple[tuple[str, str], ...]  # (state, jurisdiction type) of the other departments in D's region
    shows_region: bool
    shows_jurisdiction: bool
    attribution: str


_FOUR_COUNTIES_IN_REGION_5 = (("IL", "county"), ("IN", "county"), ("MI", "county"), ("OH", "county"))
SCENARIOS = {
    # 5 county departments in region 5: region and jurisdiction type are shown.
    "five_share_region_and_type": Scenario(
        "MN", "Minnesota", 5, "county", _FOUR_COUNTIES_IN_REGION_5, True, True,
        "Anonymous — a county department in HHS Region 5"),
    # 5 departments in region 5, but D is its only city department: region only.
    "five_share_region_only": Scenario(
        "MN", "Minnesota", 5, "city", _FOUR_COUNTIES_IN_REGION_5, True, False,
        "Anonymous — in HHS Region 5"),
    # Only 4 departments in region 10: neither.
    "fewer_than_five_in_region": Scenario(
        "WA", "Washington", 10, "county", (("OR", "county"), ("ID", "county"), ("AK", "county")), False, False,
        "Anonymous department"),
}


def lesson_input(**changes) -> LessonInput:
    """A lesson that passes every rule; keyword arguments override fields."""
    values = dict(
        title="A lesson", kind="success",
        summary="We opened a phone line in six languages for residents facing eviction.",
        context="Residents who speak little english missed court dates and lost housing.",
        what_we_did="We staffed the line with community health workers and trained them on tenant rights.",
        what_happened="Calls grew every month; missed court dates fell.",
        practice_ids=[14], risk_type_ids=[1], partners=["legal aid"],
        period_start=date(2023, 3, 1), period_end=date(2024, 2, 1), visibility="public",
    )
    values.update(changes)
    return LessonInput(**values)


@dataclass
class World:
    db: Database
    scenario: Scenario
    department: int
    viewers: dict[str, User]
    own_member: User
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def secrets(self) -> list[str]:
        """Strings that would trace the anonymous lesson to D."""
        s = self.scenario
        return [DEPARTMENT_NAME, "Lakeshore", s.state, s.state_name, AUTHOR_NAME, "Ottoline", AUTHOR_EMAIL]


def build(db: Database, scenario: Scenario) -> World:
    department = make_department(db, name=DEPARTMENT_NAME, state=scenario.state,
                                 jurisdiction_type=scenario.jurisdiction, population=900_000)
    for number, (state, jurisdiction) in enumerate(scenario.neighbours, 1):
        make_department(db, name=f"Neighbour {number} Health Department", state=state, jurisdiction_type=jurisdiction)
    other = make_department(db, name="Gulf Plains Health District", state="TX",  # HHS region 6
                            jurisdiction_type="multi-county district", population=30_000)
    admin = make_user(db, "admin", email="admin@exchange.example")
    author = make_user(db, "member", department_id=department, email=AUTHOR_EMAIL)
    other_member = make_user(db, "member", department_id=other, email="member@gulfplains.example")
    viewers = {
        "visitor": VISITOR,
        "other_member": other_member,
        "region_coordinator": make_user(db, "coordinator", regions=(scenario.region,), email="coordinator@hhs.example"),
        "admin": admin,
    }
    own_member = make_user(db, "member", department_id=department, email="colleague@lakeshore.example")
    w = World(db, scenario, department, viewers, own_member)
    set_review_threshold(db, 0)  # every lesson is reviewed, so "submitted" stays submitted

    def post(key: str, user: User, **changes) -> int:
        w.ids[key], status = submit_new(db, user, lesson_input(**changes), client_token=f"token-{key}")
        assert status == "submitted"
        return w.ids[key]

    moderation.decide(db, admin, post(
        "anonymous", author, title=ANONYMOUS_TITLE, anonymous=True,
        what_happened=f"Calls grew every month; a {ANONYMOUS_WORD} sticker on every flyer made the line easy to spot."),
        "publish")
    post("anonymous_pending", author, title="An anonymous lesson waiting for review", anonymous=True,
         summary="We asked residents to score our translated notices.")
    moderation.decide(db, admin, post("baseline", other_member, title="Phone outreach in the gulf counties"), "publish")
    moderation.decide(db, admin, post(
        "members_only", other_member, title=MEMBERS_ONLY_TITLE, visibility="members",
        summary=f"The {MEMBERS_ONLY_WORD} memo that opened the budget talks."), "publish")
    return w


@pytest.fixture(params=list(SCENARIOS))
def world(fresh_db, request) -> World:
    return build(fresh_db, SCENARIOS[request.param])


VIEWERS = ("visitor", "other_member", "region_coordinator", "admin")


def assert_no_trace(w: World, text: str) -> None:
    for secret in w.secrets:
        assert secret not in text, f"{secret!r} leaked"


def assert_anonymous(w: World, lesson: dict) -> None:
    """The lesson dict says nothing about D beyond what the K rule allows."""
    assert_no_trace(w, repr(lesson))
    assert "department_id" not in lesson and "author_id" not in lesson
    for key in ("shown_department_id", "department_name", "state_code", "state_name", "population_band", "author_name"):
        assert lesson.get(key) is None, f"{key} = {lesson[key]!r}"
    s = w.scenario
    assert lesson["hhs_region"] == (s.region if s.shows_region else None)
    assert lesson["jurisdiction_type"] == (s.jurisdiction if s.shows_jurisdiction else None)
    assert attribution_line(lesson) == s.attribution


def card(results, lesson_id: int) -> dict:
    found = [lesson for lesson in results if lesson["id"] == lesson_id]
    assert found, f"lesson {lesson_id} is missing from {[lesson['id'] for lesson in results]}"
    return found[0]


# --- every read path, as every viewer ------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_lesson_page_shows_no_department_state_or_author(world, viewer):
    lesson = lessons.get(world.db, world.viewers[viewer], world.ids["anonymous"])
    assert lesson["title"] == ANONYMOUS_TITLE
    assert_anonymous(world, lesson)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_browse_cards_show_no_department_state_or_author(world, viewer):
    results = find(world.db, world.viewers[viewer], Filters())
    anonymous = card(results.lessons, world.ids["anonymous"])
    assert_anonymous(world, anonymous)
    assert anonymous["attribution"] == world.scenario.attribution


@pytest.mark.parametrize("viewer", VIEWERS)
def test_filtering_by_the_departments_state_does_not_count_the_anonymous_lesson(world, viewer):
    state = world.scenario.state
    assert state not in find(world.db, world.viewers[viewer], Filters()).facets["state"]
    results = find(world.db, world.viewers[viewer], Filters(state=(state,)))
    assert (results.total, results.lessons) == (0, [])
    assert state not in results.facets["state"]
    assert all(n == 0 for n in results.facets["kind"].values())


@pytest.mark.parametrize("viewer", VIEWERS)
def test_filtering_by_the_department_does_not_count_the_anonymous_lesson(world, viewer):
    results = find(world.db, world.viewers[viewer], Filters(department=(world.department,)))
    assert (results.total, results.lessons) == (0, [])
    assert not results.facets["department"]
    assert sum(results.facets["practice"].values()) == 0


@pytest.mark.parametrize("viewer", VIEWERS)
def test_region_type_and_size_facets_count_the_anonymous_lesson_only_as_the_k_rule_allows(world, viewer):
    s, user = world.scenario, world.viewers[viewer]
    facets = find(world.db, user, Filters()).facets
    # The baseline lesson is from region 6, a multi-county district, small: none of D's values.
    assert facets["region"].get(s.region, 0) == (1 if s.shows_region else 0)
    assert facets["jurisdiction"].get(s.jurisdiction, 0) == (1 if s.shows_jurisdiction else 0)
    assert facets["size"].get("large", 0) == 0
    by_region = [lesson["id"] for lesson in find(world.db, user, Filters(region=(s.region,))).lessons]
    by_type = [lesson["id"] for lesson in find(world.db, user, Filters(jurisdiction=(s.jurisdiction,))).lessons]
    assert (world.ids["anonymous"] in by_region) is s.shows_region
    assert (world.ids["anonymous"] in by_type) is s.shows_jurisdiction
    assert find(world.db, user, Filters(size=("large",))).total == 0


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_csv_download_shows_no_department_state_or_author(world, viewer):
    text = to_csv(world.db, world.viewers[viewer], Filters()).decode("utf-8-sig")
    assert ANONYMOUS_TITLE in text
    assert_no_trace(world, text)
    assert world.scenario.attribution in text


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_csv_filtered_by_the_departments_state_or_id_is_empty(world, viewer):
    user = world.viewers[viewer]
    for filters in (Filters(state=(world.scenario.state,)), Filters(department=(world.department,))):
        text = to_csv(world.db, user, filters).decode("utf-8-sig")
        assert text.strip().splitlines()[1:] == []


@pytest.mark.parametrize("viewer", VIEWERS)
def test_similar_lessons_show_no_department_state_or_author(world, viewer):
    found = similar(world.db, world.viewers[viewer], f"{ANONYMOUS_WORD} hotline")
    assert_anonymous(world, card(found, world.ids["anonymous"]))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_related_lessons_show_no_department_state_or_author(world, viewer):
    user = world.viewers[viewer]
    baseline = lessons.get(world.db, user, world.ids["baseline"])
    assert_anonymous(world, card(related(world.db, user, baseline), world.ids["anonymous"]))


@pytest.mark.parametrize("indexed", [False, True], ids=["fresh-rows", "fts-index"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_searching_a_word_only_the_anonymous_lesson_contains_shows_no_department(world, viewer, indexed):
    if indexed:
        search.refresh_index(world.db)
        assert not search.index_is_stale(world.db)
    results = find(world.db, world.viewers[viewer], Filters(q=ANONYMOUS_WORD))
    assert [lesson["id"] for lesson in results.lessons] == [world.ids["anonymous"]]
    assert_anonymous(world, results.lessons[0])
    assert world.scenario.state not in results.facets["state"]


@pytest.mark.parametrize("reviewer", ["region_coordinator", "admin"])
def test_the_review_queue_shows_no_department_state_or_author(world, reviewer):
    queued = moderation.queue(world.db, world.viewers[reviewer])
    pending = card(queued, world.ids["anonymous_pending"])
    assert_no_trace(world, repr(queued))
    for key in ("department_name", "state_code"):
        assert pending[key] is None
    assert "department_id" not in pending and "true_region" not in pending


@pytest.mark.parametrize("viewer", VIEWERS)
def test_refusals_about_an_anonymous_lesson_never_name_its_department(world, viewer):
    user = world.viewers[viewer]
    calls = [lambda: lessons.withdraw(world.db, user, world.ids["anonymous"]),
             lambda: lessons.get(world.db, user, world.ids["anonymous_pending"])]
    if viewer != "admin":
        calls.append(lambda: moderation.reveal_department(world.db, user, world.ids["anonymous"], "Legal request"))
    for call in calls:
        try:
            call()
        except ExchangeError as refused:
            assert_no_trace(world, refused.message)


# --- the posting department, and the K rule as the exchange grows ---------------------------


def test_the_posting_departments_own_members_do_see_their_department(world):
    member, s = world.own_member, world.scenario
    lesson = lessons.get(world.db, member, world.ids["anonymous"])
    assert (lesson["department_name"], lesson["state_code"], lesson["author_name"]) == (
        DEPARTMENT_NAME, s.state, AUTHOR_NAME)
    assert (lesson["hhs_region"], lesson["jurisdiction_type"]) == (s.region, s.jurisdiction)
    anonymous = card(find(world.db, member, Filters()).lessons, world.ids["anonymous"])
    # Marked, so a card or CSV the member forwards does not quietly name the department on it.
    assert anonymous["attribution"] == f"{DEPARTMENT_NAME} ({s.state}) — anonymous to others"
    assert find(world.db, member, Filters(state=(s.state,))).total == 1
    assert f"{DEPARTMENT_NAME} ({s.state}) — anonymous to others" in to_csv(world.db, member, Filters()).decode("utf-8-sig")


def test_only_the_administrators_audited_reveal_names_the_department(world):
    revealed = moderation.reveal_department(world.db, world.viewers["admin"], world.ids["anonymous"], "Legal request")
    assert revealed == f"{DEPARTMENT_NAME} ({world.scenario.state})"
    # The reveal is one answer, not a change of what the administrator's pages show.
    assert_anonymous(world, lessons.get(world.db, world.viewers["admin"], world.ids["anonymous"]))


def test_an_administrators_edit_form_of_an_anonymous_lesson_does_not_name_its_department(fresh_db):
    world = build(fresh_db, SCENARIOS["five_share_region_and_type"])
    form, row = lessons.editable(world.db, world.viewers["admin"], world.ids["anonymous"])
    assert form.title == ANONYMOUS_TITLE
    assert row.get("department_id") is None and row.get("author_id") is None


def test_the_k_rule_shows_region_and_type_once_a_fifth_department_of_that_type_joins(fresh_db):
    w = build(fresh_db, SCENARIOS["fewer_than_five_in_region"])
    before = card(find(w.db, VISITOR, Filters()).lessons, w.ids["anonymous"])
    assert (before["hhs_region"], before["jurisdiction_type"]) == (None, None)
    make_department(w.db, name="Fifth Neighbour Health Department", state="OR", jurisdiction_type="county")
    after = card(find(w.db, VISITOR, Filters()).lessons, w.ids["anonymous"])
    assert (after["hhs_region"], after["jurisdiction_type"]) == (10, "county")
    assert K == 5


# --- members-only lessons never reach a visitor --------------------------------------------


@pytest.mark.parametrize("indexed", [False, True], ids=["fresh-rows", "fts-index"])
def test_a_members_only_lesson_never_reaches_a_visitor(world, indexed):
    if indexed:
        search.refresh_index(world.db)
    members_only = world.ids["members_only"]
    with pytest.raises(NotFound):
        lessons.get(world.db, VISITOR, members_only)
    everything = find(world.db, VISITOR, Filters())
    assert members_only not in [lesson["id"] for lesson in everything.lessons]
    assert everything.total == 2  # the anonymous lesson and the baseline, both public
    searched = find(world.db, VISITOR, Filters(q=MEMBERS_ONLY_WORD))
    assert (searched.total, searched.lessons) == (0, [])
    assert members_only not in [lesson["id"] for lesson in similar(world.db, VISITOR, MEMBERS_ONLY_TITLE)]
    baseline = lessons.get(world.db, VISITOR, world.ids["baseline"])
    assert members_only not in [lesson["id"] for lesson in related(world.db, VISITOR, baseline)]
    text = to_csv(world.db, VISITOR, Filters()).decode("utf-8-sig")
    assert MEMBERS_ONLY_TITLE not in text and MEMBERS_ONLY_WORD not in text


def test_members_do_reach_a_members_only_lesson(world):
    member = world.viewers["other_member"]
    assert lessons.get(world.db, world.own_member, world.ids["members_only"])["title"] == MEMBERS_ONLY_TITLE
    assert [lesson["id"] for lesson in find(world.db, member, Filters(q=MEMBERS_ONLY_WORD)).lessons] == [
        world.ids["members_only"]]
    assert MEMBERS_ONLY_TITLE in to_csv(world.db, world.own_member, Filters()).decode("utf-8-sig")
