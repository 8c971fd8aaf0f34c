"""Issue 8 part 6 on the self-assessment page: a record added by a colleague meanwhile is never silently overridden."""

from datetime import date

from exchange.identity import accounts
from exchange import adoption
from exchange.storage.duckdb import scalar

MEMBER = "member@demo.example.org"


def count(pages, sql, params=None):
    with pages.db.read() as cur:
        return scalar(cur, sql, params)


def test_saving_a_stage_after_a_colleague_recorded_that_practice_is_refused_then_allowed_knowingly(pages):
    mine = pages.open("assess", email=MEMBER)
    practice_id = mine.selectbox(key="assess_practice").value
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    before = count(pages, "SELECT count(*) FROM assessments WHERE department_id = ?", [member.department_id])
    adoption.record(pages.db, member, department_id=member.department_id, practice_id=practice_id, stage=2,
                    as_of=date(2026, 11, 1))  # a colleague, in another tab
    mine.button(key="FormSubmitter:assessment_form-Save this stage").click().run()
    assert any("after you opened this page" in e.value for e in mine.error)
    assert count(pages, "SELECT count(*) FROM assessments WHERE department_id = ?", [member.department_id]) == before + 1
    mine.button(key="FormSubmitter:assessment_form-Save this stage").click().run()  # now seen: saved
    assert not mine.error
    assert count(pages, "SELECT count(*) FROM assessments WHERE department_id = ?", [member.department_id]) == before + 2
