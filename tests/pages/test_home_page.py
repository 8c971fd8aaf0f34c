"""The home page: demo lessons render, filters and search narrow them, the view lives in the URL."""

import pytest

from exchange.identity import accounts
from exchange.discovery import browse
from exchange import taxonomy
from exchange.discovery.browse import Filters
from exchange.models import VISITOR

MEMBER = "member@demo.example.org"


def total_shown(at) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " lesson" in m.value)
    return int(line.strip("*").split()[0].replace(",", ""))


def widget(at, kind: str, label: str):
    """A widget by its on-screen label (keys follow what a widget shows, as a user would not care)."""
    return next(w for w in getattr(at, kind) if w.label == label)


def test_the_home_page_renders_demo_lessons_for_a_visitor(pages):
    at = pages.open("home")
    assert not at.exception
    expected = browse.find(pages.db, VISITOR, Filters()).total
    assert expected > 100 and total_shown(at) == expected
    assert len([m for m in at.markdown if "Practices:" in m.value]) == 20


def test_filtering_by_a_practice_reduces_the_count_to_the_right_number(pages):
    at = pages.open("home", email=MEMBER)
    tax = taxonomy.load(pages.db)
    practice = tax.practices[1]
    widget(at, "multiselect", next(c["name"] for c in tax.categories if c["id"] == practice["category_id"])).set_value([practice["id"]]).run()
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    expected = browse.find(pages.db, member, Filters(practice=(practice["id"],))).total
    assert 0 < total_shown(at) == expected < browse.find(pages.db, member, Filters()).total
    shown = at.query_params["practice"]
    assert (shown if isinstance(shown, list) else [shown]) == [str(practice["id"])]


def test_the_url_opens_the_same_filtered_view(pages):
    at = pages.open("home", query={"risk": ["4"], "kind": ["challenge"]})
    expected = browse.find(pages.db, VISITOR, Filters(risk=(4,), kind=("challenge",))).total
    assert total_shown(at) == expected
    assert widget(at, "multiselect", "Risk type").value == [4]


def test_search_shows_matching_lessons_and_sorts_by_relevance(pages):
    at = pages.open("home")
    widget(at, "text_input", "Search lessons").set_value("eviction").run()
    assert widget(at, "selectbox", "Sort by").value == "relevance"
    assert 0 < total_shown(at) < browse.find(pages.db, VISITOR, Filters()).total


def test_an_empty_result_says_which_filter_to_loosen_and_clear_resets(pages):
    at = pages.open("home", query={"q": "xylophonequartet", "kind": ["success"]})
    assert any("No lessons match" in m.value for m in at.markdown)
    assert any("remove the **kind** filter" in m.value for m in at.markdown)
    at.button(key="home_clear").click().run()
    assert total_shown(at) == browse.find(pages.db, VISITOR, Filters()).total


def test_forged_url_values_do_not_break_the_page(pages):
    at = pages.open("home", query={"practice": ["'; drop table lessons"], "page": ["99999"], "region": ["x"]})
    assert not at.exception and total_shown(at) > 0


def test_paging_moves_through_results_and_a_new_filter_starts_at_page_one(pages):
    at = pages.open("home", query={"page": "2"})
    first_on_page_two = next(link.label for link in at.get("page_link") if link.label not in ("Find lessons", "Sign in"))
    page_one = browse.find(pages.db, VISITOR, Filters(page=1)).lessons
    page_two = browse.find(pages.db, VISITOR, Filters(page=2)).lessons
    assert first_on_page_two.replace("\\", "") == page_two[0]["title"] != page_one[0]["title"]
    widget(at, "multiselect", "Kind").set_value(["challenge"]).run()
    shown = at.query_params.get("page")
    assert shown in (None, "1", ["1"])


def test_demo_mode_says_the_lessons_are_made_up(pages, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert any("Demo mode" in i.value for i in at.sidebar.info)
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not any("Demo mode" in i.value for i in at.sidebar.info)


@pytest.mark.parametrize("query, named", [
    ({"page": "²"}, "page"),
    ({"practice": "abc"}, "practice"),
    ({"practice": "99999"}, "practice"),          # an id that names nothing
    ({"kind": "Challenge (85)"}, "kind"),          # what the old page wrote into links
    ({"q": ["housing", "eviction"]}, "q"),          # repeated
    ({"q": "x" * 10_000}, "q"),                     # 10 kB
    ({"risk": ["4"] * 3 + ["y" * 10_000]}, "risk"),
    ({"department": "999999"}, "department"),
])
def test_a_url_parameter_that_does_not_parse_is_left_out_with_a_notice(pages, query, named):
    at = pages.open("home", query=query)
    assert not at.exception and not at.error
    notice = " ".join(i.value for i in at.info)
    assert "could not be read" in notice and named in notice
    assert total_shown(at) > 0


def test_a_good_url_shows_no_notice(pages):
    at = pages.open("home", query={"kind": "challenge", "region": "9", "sort": "oldest"})
    assert not any("could not be read" in i.value for i in at.info)
    expected = browse.find(pages.db, VISITOR, Filters(kind=("challenge",), region=(9,), sort="oldest")).total
    assert total_shown(at) == expected > 0


def test_a_shared_by_link_names_the_department(pages):
    lesson = next(l for l in browse.find(pages.db, VISITOR, Filters(per_page=100)).lessons if l["shown_department_id"])
    department = lesson["shown_department_id"]
    at = pages.open("home", query={"department": str(department)})
    box = widget(at, "multiselect", "Shared by")
    assert box.values == [lesson["department_name"]]
    assert total_shown(at) == browse.find(pages.db, VISITOR, Filters(department=(department,))).total


def test_clearing_the_department_chip_shows_every_lesson(pages):
    department = next(l["shown_department_id"] for l in browse.find(pages.db, VISITOR, Filters(per_page=100)).lessons
                      if l["shown_department_id"])
    at = pages.open("home", query={"department": str(department), "page": "1"})
    widget(at, "multiselect", "Shared by").set_value([]).run()
    assert "department" not in at.query_params
    assert total_shown(at) == browse.find(pages.db, VISITOR, Filters()).total


def test_a_typo_is_corrected_and_the_page_says_did_you_mean(pages):
    at = pages.open("home", query={"q": "evictoin"})
    assert not at.exception
    assert any(m.value.startswith("Did you mean **eviction**?") for m in at.markdown)
    assert total_shown(at) == browse.find(pages.db, VISITOR, Filters(q="eviction")).total > 0


def test_when_no_lesson_has_every_word_the_page_says_it_shows_some(pages):
    at = pages.open("home", query={"q": "eviction xylophonequartet"})
    assert any(m.value.startswith("No lesson has all of these words") and "xylophonequartet" in m.value
               for m in at.markdown)
    assert total_shown(at) == browse.find(pages.db, VISITOR, Filters(q="eviction")).total
