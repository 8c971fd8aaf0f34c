"""The self-assessment page: the form saves a dated record and the page shows the new current stage."""

import json
from datetime import date, timedelta

import pytest

from exchange import clock
from exchange.storage.duckdb import scalar

MEMBER = "member@demo.example.org"


def records(pages, email=MEMBER) -> int:
    with pages.db.read() as cur:
        return scalar(cur, "SELECT count(*) FROM assessments a JOIN users u ON u.department_id = a.department_id "
                           "WHERE u.email = ?", [email])


def standing(at, practice: str) -> dict:
    for frame in at.dataframe:
        df = frame.value
        if "Current stage" in df.columns and practice in df["Practice"].tolist():
            return df[df["Practice"] == practice].iloc[0].to_dict()
    raise AssertionError(f"{practice} not shown")


def test_the_form_explains_every_stage_and_states_the_note_limit(pages):
    at = pages.open("assess", email=MEMBER)
    assert not at.exception
    options = at.radio(key="assess_stage").options
    assert [o.split(":")[0] for o in options] == ["**Not started**", "**Exploring**", "**Preparing**", "**Implementing**",
                                                 "**Sustaining**"]
    assert "Actively doing it" in options[3]
    assert "up to 1,000 characters" in at.text_area(key="assess_note").label


def test_saving_adds_a_record_and_shows_the_new_current_stage(pages):
    at = pages.open("assess", email=MEMBER)
    before = records(pages)
    at.selectbox(key="assess_practice").set_value(2)
    name = "Allocate Resources"
    at.radio(key="assess_stage").set_value(4)
    at.date_input(key="assess_as_of").set_value(clock.today())
    at.text_area(key="assess_note").input("Equity budget line adopted by the board.")
    at.text_input(key="assess_evidence").input("https://example.org/budget.pdf")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert records(pages) == before + 1
    assert "is at Sustaining as of" in at.success[0].value
    assert standing(at, name)["Current stage"] == "Sustaining"
    assert standing(at, name)["Note"] == "Equity budget line adopted by the board."


def test_bad_input_shows_every_problem_and_saves_nothing(pages):
    at = pages.open("assess", email=MEMBER)
    before = records(pages)
    # The note box stops at the service's limit (which the service checks again: see test_adoption).
    assert at.text_area(key="assess_note").proto.max_chars == 1000
    at.date_input(key="assess_as_of").set_value(clock.today() + timedelta(days=3))
    at.text_input(key="assess_evidence").input("javascript:alert(1)")
    at.button[0].click().run()
    assert records(pages) == before
    message = at.error[0].value
    assert "Please fix 2 things" in message and "future" in message and "http" in message
    assert not at.success


def test_history_chart_is_present_with_alt_text(pages):
    at = pages.open("assess", email=MEMBER)
    (chart,) = at.get("vega_lite_chart")  # a chart without selections carries no key in AppTest
    spec = json.loads(chart.proto.spec)
    assert spec["title"] == "Your department's history"
    assert spec["encoding"]["color"]["field"] == "stage_name" and spec["encoding"]["x"]["field"] == "as_of"
    assert "self-assessment records" in chart.proto.alt


def test_a_coordinator_without_a_department_is_told_why(pages):
    at = pages.open("assess", email="coordinator@demo.example.org")
    assert "members of a health department" in at.error[0].value
    assert not at.get("form") and not at.radio


def test_a_future_date_never_reaches_the_database(pages):
    at = pages.open("assess", email=MEMBER)
    at.date_input(key="assess_as_of").set_value(clock.today() + timedelta(days=3))
    at.button[0].click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT count(*) FROM assessments WHERE as_of > ?", [clock.today()]) == 0


@pytest.mark.parametrize("typed, message", [(date(1999, 12, 31), "on or after 1 January 2000"),
                                            (None, "cannot be in the future")])
def test_a_typed_date_outside_the_range_is_refused_with_a_message_never_saved_as_another_date(pages, typed, message):
    # Issue 8 part 8: a bounded widget dropped an out-of-range date and the form saved today instead.
    typed = typed or clock.today() + timedelta(days=400)
    at = pages.open("assess", email=MEMBER)
    before = records(pages)
    at.date_input(key="assess_as_of").set_value(typed)
    at.button[0].click().run()
    assert not at.exception and message in at.error[0].value
    assert records(pages) == before
