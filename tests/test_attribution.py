"""One attribution rule over any department-authored content (issue 9.4), not only lessons."""

from __future__ import annotations

from datetime import datetime

from exchange.privacy.anonymity import content_facts, lesson_facts
from tests.factories import make_department, make_user


def _answers(db):
    """A stand-in for the answers table issue 11 adds: department-authored, optionally anonymous."""

    def work(cur):
        cur.execute("""CREATE TABLE test_answers (id INTEGER, department_id INTEGER, author_id INTEGER,
                       anonymous BOOLEAN, body VARCHAR, created_at TIMESTAMP)""")

    db.write(work, bump=False)


def _read(db, viewer_department: int) -> dict[int, dict]:
    sql = f"WITH {content_facts('test_answers', 'answer_facts', timestamps=('created_at',))} SELECT * FROM answer_facts"
    with db.read() as cur:
        result = cur.execute(sql, {"viewer_department": viewer_department})
        names = [d[0] for d in result.description]
        return {row[0]: dict(zip(names, row)) for row in result.fetchall()}


def test_anonymous_content_of_any_table_hides_its_origin_from_others_and_not_its_own_department(fresh_db):
    _answers(fresh_db)
    mine = make_department(fresh_db, name="Alpha County Health Department", state="MN")
    other = make_department(fresh_db, state="TX")
    author = make_user(fresh_db, department_id=mine)
    stamp = datetime(2026, 3, 4, 15, 42, 7)
    fresh_db.write(lambda cur: cur.executemany("INSERT INTO test_answers VALUES (?, ?, ?, ?, ?, ?)", [
        (1, mine, author.id, True, "We tried this", stamp), (2, mine, author.id, False, "Named", stamp)]))
    stranger = _read(fresh_db, other)
    assert stranger[1]["attributed"] is False
    for column in ("shown_department_id", "department_name", "state_code", "state_name", "population_band",
                   "author_name"):
        assert stranger[1][column] is None, column
    assert stranger[1]["created_at"] == datetime(2026, 3, 4)  # coarsened to the day
    assert stranger[2]["department_name"] == "Alpha County Health Department" and stranger[2]["created_at"] == stamp
    own = _read(fresh_db, mine)
    assert own[1]["department_name"] == "Alpha County Health Department" and own[1]["created_at"] == stamp
    nobody = _read(fresh_db, -1)
    assert nobody[1]["state_code"] is None and nobody[1]["hhs_region"] is None  # one department: below K


def test_lessons_use_the_same_rule_text():
    general = content_facts("lessons", "lesson_facts", timestamps=("created_at", "updated_at", "submitted_at",
                                                                    "published_at"), alias="l")
    assert lesson_facts() == general
