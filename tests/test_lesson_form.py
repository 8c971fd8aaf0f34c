"""Every validation rule of a lesson, each error naming its field, all errors at once."""

from datetime import date

import pytest

from exchange import taxonomy
from exchange.errors import InvalidInput
from exchange.lessons.form import LIMITS, REQUIRED_TO_SUBMIT, validate
from tests.helpers import valid_lesson

TODAY = date(2026, 11, 25)


@pytest.fixture
def tax(fresh_db):
    return taxonomy.load(fresh_db)


def errors_of(tax, data, for_submit=True):
    with pytest.raises(InvalidInput) as caught:
        validate(data, tax, today=TODAY, for_submit=for_submit)
    return caught.value.errors


def test_a_complete_lesson_passes_and_is_cleaned(tax):
    out = validate(valid_lesson(title="  Title with spaces  ", partners=["Tenant Union", "tenant union "]), tax,
                   today=TODAY, for_submit=True)
    assert out.title == "Title with spaces"
    assert out.partners == ["tenant union"]


@pytest.mark.parametrize("field", [f for f in REQUIRED_TO_SUBMIT if f != "kind"])  # the form marks these "(required)"
def test_required_fields_are_named_when_missing(tax, field):
    assert "required" in errors_of(tax, valid_lesson(**{field: ""}))[field]


@pytest.mark.parametrize("field", [f for f in LIMITS if f not in REQUIRED_TO_SUBMIT])
def test_the_other_text_fields_may_be_left_empty(tax, field):
    validate(valid_lesson(**{field: ""}), tax, today=TODAY, for_submit=True)  # no InvalidInput


def test_whitespace_only_is_rejected_with_its_own_message(tax):
    assert "only spaces" in errors_of(tax, valid_lesson(title="   \n\t "))["title"]


@pytest.mark.parametrize("field", list(LIMITS))
def test_each_length_limit_is_enforced_with_a_message_not_truncated(tax, field):
    too_long = "x" * (LIMITS[field] + 1)
    message = errors_of(tax, valid_lesson(**{field: too_long}))[field]
    assert f"{LIMITS[field]:,}" in message and f"{LIMITS[field] + 1:,}" in message


def test_control_characters_are_removed(tax):
    out = validate(valid_lesson(title="Bad\x00 title\x07", context="Line one\nLine\x1b two"), tax, today=TODAY, for_submit=True)
    assert out.title == "Bad title"
    assert out.context == "Line one\nLine two"


def test_at_least_one_practice_is_required_to_submit_but_not_for_a_draft(tax):
    assert "practice_ids" in errors_of(tax, valid_lesson(practice_ids=[]))
    validate(valid_lesson(practice_ids=[], summary="", context=""), tax, today=TODAY, for_submit=False)


def test_a_draft_still_needs_a_title(tax):
    assert "title" in errors_of(tax, valid_lesson(title=""), for_submit=False)


def test_unknown_practice_action_and_risk_ids_are_refused(tax):
    errors = errors_of(tax, valid_lesson(practice_ids=[999], action_ids=[999], risk_type_ids=[999]))
    assert set(errors) >= {"practice_ids", "action_ids", "risk_type_ids"}


def test_an_action_must_belong_to_a_chosen_practice(tax):
    foreign = next(a["id"] for a in tax.actions if a["practice_id"] != 14)
    assert "belong" in errors_of(tax, valid_lesson(action_ids=[foreign]))["action_ids"]


def test_the_period_cannot_start_in_the_future(tax):
    assert "future" in errors_of(tax, valid_lesson(period_start=date(2027, 1, 1), period_end=None))["period_start"]


def test_the_period_cannot_end_in_the_future(tax):
    assert "future" in errors_of(tax, valid_lesson(period_end=date(2027, 5, 1)))["period_end"]


def test_the_period_must_end_after_it_starts(tax):
    assert "before" in errors_of(tax, valid_lesson(period_start=date(2024, 5, 1), period_end=date(2023, 1, 1)))["period_end"]


def test_a_period_in_the_current_month_is_allowed(tax):
    out = validate(valid_lesson(period_start=date(2026, 11, 20), period_end=None), tax, today=TODAY, for_submit=True)
    assert out.period_start == date(2026, 11, 1)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "www.example.org",
                                 "https://exa mple.org"])
def test_links_must_be_http_or_https(tax, url):
    assert "http" in errors_of(tax, valid_lesson(links=[url]))["links"]


def test_unknown_kind_and_visibility_are_refused(tax):
    errors = errors_of(tax, valid_lesson(kind="triumph", visibility="secret"))
    assert set(errors) >= {"kind", "visibility"}


def test_all_errors_are_reported_at_once(tax):
    errors = errors_of(tax, valid_lesson(title="", summary="s" * 400, practice_ids=[], links=["ftp://x"]))
    assert set(errors) >= {"title", "summary", "practice_ids", "links"}


def test_the_error_summary_names_fields_by_their_on_screen_labels(tax):
    with pytest.raises(InvalidInput) as caught:
        validate(valid_lesson(practice_ids=[], period_start=None, links=["ftp://x"]), tax, today=TODAY, for_submit=True)
    message = caught.value.message
    for label in ("Strategic practices", "Work started", "Links to public resources"):
        assert label in message
    for internal in ("Practice ids", "Period start", "practice_ids", "Links:"):
        assert internal not in message
    assert caught.value.labels["period_start"] == "Work started"


def test_a_future_start_date_says_the_work_cannot_start_in_the_future(tax):
    errors = errors_of(tax, valid_lesson(period_start=date(2027, 3, 1), period_end=None))
    assert errors == {"period_start": "The work cannot start in the future."}


def test_a_title_over_the_limit_says_so_not_that_it_is_required(tax):
    assert "130 characters" in errors_of(tax, valid_lesson(title="x" * 130), for_submit=False)["title"]
