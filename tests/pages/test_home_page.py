"""The home page: demo lessons render, filters and search narrow them, the view lives in the URL."""

from exchange import accounts, browse, taxonomy
from exchange.browse import Filters
from exchange.models import VISITOR

MEMBER = "member@demo.example.org"


def total_shown(at) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " lesson" in m.value)
    return int(line.strip("*").split()[0].replace(",", ""))


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
    at.multiselect(key=f"home_practice_{practice['category_id']}").set_value([practice["id"]]).run()
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    expected = browse.find(pages.db, member, Filters(practice=(practice["id"],))).total
    assert 0 < total_shown(at) == expected < browse.find(pages.db, member, Filters()).total
    shown = at.query_params["practice"]
    assert (shown if isinstance(shown, list) else [shown]) == [str(practice["id"])]


def test_the_url_opens_the_same_filtered_view(pages):
    at = pages.open("home", query={"risk": ["4"], "kind": ["challenge"]})
    expected = browse.find(pages.db, VISITOR, Filters(risk=(4,), kind=("challenge",))).total
    assert total_shown(at) == expected
    assert at.multiselect(key="home_risk").value == [4]


def test_search_shows_matching_lessons_and_sorts_by_relevance(pages):
    at = pages.open("home")
    at.text_input(key="home_q").set_value("eviction").run()
    assert at.selectbox(key="home_sort").value == "relevance"
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
    at.multiselect(key="home_kind").set_value(["challenge"]).run()
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
