"""Taxonomy administration: add, rename, move, deactivate; audited; never deleting what lessons use."""

from __future__ import annotations

import pytest

from exchange import taxonomy
from exchange.storage.duckdb import rows, scalar
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.factories import make_department, make_user


@pytest.fixture
def admin(fresh_db):
    return make_user(fresh_db, "admin")


def events(db):
    with db.read() as cur:
        return rows(cur, "SELECT event, subject_type, subject_id, detail FROM audit_log ORDER BY id")


def test_the_seeded_taxonomy_has_four_categories_and_the_movement_practice(fresh_db):
    tax = taxonomy.load(fresh_db)
    assert len(tax.categories) == 4
    assert "Build a Health Equity Movement" in [p["name"] for p in tax.practices]


def test_an_admin_adds_a_practice_an_action_and_a_risk_type_and_forms_see_them_at_once(fresh_db, admin):
    category = taxonomy.load(fresh_db).categories[1]["id"]
    practice = taxonomy.add_practice(fresh_db, admin, category, "  Share  Data With Tribes ", "Data sovereignty agreements")
    action = taxonomy.add_action(fresh_db, admin, practice, "Sign data-sharing agreements")
    risk = taxonomy.add_risk_type(fresh_db, admin, "Media attention", "Coverage that frames the work badly")
    tax = taxonomy.load(fresh_db)
    assert tax.practice_name(practice) == "Share Data With Tribes"
    assert [a["name"] for a in tax.actions_of([practice])] == ["Sign data-sharing agreements"]
    assert tax.risk_name(risk) == "Media attention"
    assert [e["event"] for e in events(fresh_db)] == ["taxonomy_added"] * 3
    assert (events(fresh_db)[1]["subject_type"], events(fresh_db)[1]["subject_id"]) == ("action", str(action))


def test_names_must_be_unique_and_every_field_problem_is_reported_at_once(fresh_db, admin):
    with pytest.raises(InvalidInput) as caught:
        taxonomy.add_practice(fresh_db, admin, 99, "build organizational capacity", "x" * 1001)
    assert set(caught.value.errors) == {"category", "name", "description"}
    with pytest.raises(InvalidInput, match="already called"):
        taxonomy.add_risk_type(fresh_db, admin, "INTERNAL RESISTANCE")
    with pytest.raises(InvalidInput, match="1 to 120"):
        taxonomy.add_action(fresh_db, admin, 1, "   ")
    assert events(fresh_db) == []


def test_the_same_action_name_may_appear_under_two_practices_but_not_twice_in_one(fresh_db, admin):
    taxonomy.add_action(fresh_db, admin, 1, "Hold listening sessions")
    taxonomy.add_action(fresh_db, admin, 2, "Hold listening sessions")
    with pytest.raises(InvalidInput, match="already called"):
        taxonomy.add_action(fresh_db, admin, 1, "hold listening sessions")


def test_rename_is_audited_with_the_old_and_new_name(fresh_db, admin):
    old = taxonomy.load(fresh_db).risk_name(1)
    taxonomy.rename(fresh_db, admin, "risk_type", 1, "Upstream policy work", description="Changing laws and rules")
    tax = taxonomy.load(fresh_db)
    assert tax.risk_name(1) == "Upstream policy work" and tax.risk_types[0]["description"] == "Changing laws and rules"
    renamed, described = events(fresh_db)
    assert (renamed["event"], renamed["detail"]) == ("taxonomy_renamed", f"{old} → Upstream policy work")
    assert described["event"] == "taxonomy_described"


def test_saving_a_practice_renames_and_moves_it_in_one_step_or_not_at_all(fresh_db, admin):
    practice = taxonomy.load(fresh_db).practices[0]
    with pytest.raises(InvalidInput):
        taxonomy.rename(fresh_db, admin, "practice", practice["id"], "Build Capacity", category_id=99)
    assert taxonomy.load(fresh_db).practice_name(practice["id"]) == practice["name"]
    taxonomy.rename(fresh_db, admin, "practice", practice["id"], "Build Capacity", category_id=4)
    moved = taxonomy.load(fresh_db).practices[0]
    assert (moved["name"], moved["category_id"]) == ("Build Capacity", 4)
    assert [e["event"] for e in events(fresh_db)] == ["taxonomy_renamed", "taxonomy_moved"]


def test_saving_without_changes_records_nothing(fresh_db, admin):
    practice = taxonomy.load(fresh_db).practices[0]
    taxonomy.rename(fresh_db, admin, "practice", practice["id"], practice["name"], practice["description"],
                    category_id=practice["category_id"])
    assert events(fresh_db) == []


def test_a_practice_can_be_moved_to_another_category(fresh_db, admin):
    tax = taxonomy.load(fresh_db)
    practice = tax.practices[0]
    target = next(c for c in tax.categories if c["id"] != practice["category_id"])
    taxonomy.rename(fresh_db, admin, "practice", practice["id"], practice["name"], category_id=target["id"])
    assert taxonomy.load(fresh_db).practices[0]["category_id"] == target["id"]
    assert events(fresh_db)[0]["event"] == "taxonomy_moved" and target["name"] in events(fresh_db)[0]["detail"]


def test_deactivating_hides_an_item_from_forms_but_keeps_it_on_lessons_that_use_it(fresh_db, admin):
    dept = make_department(fresh_db)
    fresh_db.write(lambda cur: cur.execute(
        """INSERT INTO lessons (id, title, kind, author_id, department_id, created_at, updated_at)
           VALUES (1, 'T', 'success', ?, ?, now(), now())""", [admin.id, dept]))
    fresh_db.write(lambda cur: cur.execute("INSERT INTO lesson_practices VALUES (1, 3)"))
    assert taxonomy.usage(fresh_db, admin)["practice"] == {3: 1}
    taxonomy.set_active(fresh_db, admin, "practice", 3, False)
    tax = taxonomy.load(fresh_db)
    assert 3 not in [p["id"] for _, ps in tax.practices_by_category() for p in ps]
    assert tax.practice_name(3)  # still known by id, so old lessons still show it
    with fresh_db.read() as cur:
        assert scalar(cur, "SELECT count(*) FROM lesson_practices WHERE practice_id = 3") == 1
        assert scalar(cur, "SELECT count(*) FROM practices WHERE id = 3") == 1
    taxonomy.set_active(fresh_db, admin, "practice", 3, True)
    assert [e["event"] for e in events(fresh_db)] == ["taxonomy_deactivated", "taxonomy_reactivated"]


def test_categories_cannot_be_deactivated_and_unknown_ids_are_not_found(fresh_db, admin):
    with pytest.raises(InvalidInput):
        taxonomy.set_active(fresh_db, admin, "category", 1, False)
    with pytest.raises(NotFound):
        taxonomy.set_active(fresh_db, admin, "action", 9999, False)
    with pytest.raises(InvalidInput, match="Unknown taxonomy kind"):
        taxonomy.rename(fresh_db, admin, "users", 1, "x")


@pytest.mark.parametrize("role", ["member", "coordinator"])
@pytest.mark.parametrize("call", [
    lambda db, u: taxonomy.add_practice(db, u, 1, "New practice"),
    lambda db, u: taxonomy.add_action(db, u, 1, "New action"),
    lambda db, u: taxonomy.add_risk_type(db, u, "New risk"),
    lambda db, u: taxonomy.rename(db, u, "practice", 1, "Renamed"),
    lambda db, u: taxonomy.rename(db, u, "practice", 1, taxonomy.load(db).practice_name(1), category_id=2),
    lambda db, u: taxonomy.set_active(db, u, "risk_type", 1, False),
    lambda db, u: taxonomy.usage(db, u),
], ids=["add_practice", "add_action", "add_risk_type", "rename", "move", "deactivate", "usage"])
def test_only_administrators_edit_the_taxonomy_and_a_refusal_changes_nothing(fresh_db, role, call):
    user = make_user(fresh_db, role, department_id=make_department(fresh_db), regions=(1,) if role == "coordinator" else ())
    before = taxonomy.load(fresh_db)
    with pytest.raises(Forbidden):
        call(fresh_db, user)
    after = taxonomy.load(fresh_db)
    assert (after.practices, after.actions, after.risk_types) == (before.practices, before.actions, before.risk_types)
    assert events(fresh_db) == []


def test_taxonomy_names_and_descriptions_are_stored_without_invisible_characters(fresh_db):
    admin = make_user(fresh_db, "admin")
    risk = taxonomy.add_risk_type(fresh_db, admin, "Media\u2060 \u202eattention\U000e0041", "Local\x00 press\u200b")
    with fresh_db.read() as cur:
        assert scalar(cur, "SELECT name || '|' || description FROM risk_types WHERE id = ?", [risk]) == \
            "Media attention|Local press"


def test_a_rename_from_a_stale_view_is_refused_and_loses_nothing(fresh_db, admin):
    # Issue 8 part 6: two administrators edit one practice; the second save must not silently win.
    practice = taxonomy.load(fresh_db).practices[0]
    seen = {"name": practice["name"], "description": practice["description"], "category_id": practice["category_id"]}
    taxonomy.rename(fresh_db, admin, "practice", practice["id"], "First administrator's name", seen=seen)
    with pytest.raises(Conflict, match="First administrator's name"):
        taxonomy.rename(fresh_db, admin, "practice", practice["id"], "Second administrator's name", seen=seen)
    assert taxonomy.load(fresh_db).practice_name(practice["id"]) == "First administrator's name"
    fresh = {**seen, "name": "First administrator's name"}  # saving again from the current version overwrites knowingly
    taxonomy.rename(fresh_db, admin, "practice", practice["id"], "Second administrator's name", seen=fresh)
    assert taxonomy.load(fresh_db).practice_name(practice["id"]) == "Second administrator's name"


def test_the_snapshot_is_shared_until_a_write_and_then_read_afresh(fresh_db, admin):
    before = taxonomy.load(fresh_db)
    assert taxonomy.load(fresh_db) is before
    taxonomy.add_risk_type(fresh_db, admin, "Heat")
    after = taxonomy.load(fresh_db)
    assert after is not before and "Heat" in [r["name"] for r in after.risk_types]
    taxonomy.snapshots.clear()
    assert taxonomy.load(fresh_db) is not after and taxonomy.load(fresh_db) == after
