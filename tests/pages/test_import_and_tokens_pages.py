"""The Import page (administrators) and the API tokens section of Your account, in AppTest."""

from __future__ import annotations

import pytest

from exchange.api import tokens
from exchange.demo import DEMO_ACCOUNTS
from exchange.ui import auth
from tests.pages.text import shown

EMAIL = {a["role"]: a["email"] for a in DEMO_ACCOUNTS}


def lessons_csv(pages, *rows: dict) -> bytes:
    with pages.db.read() as cur:
        department = cur.execute("SELECT name FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    from tests.test_imports import csv_bytes, row

    return csv_bytes([row(n, department=department, **r) for n, r in enumerate(rows, 1)])


def open_import(pages, upload=None):
    at = pages.open("admin_import", email=EMAIL["admin"])
    if upload is not None:
        at.session_state["import_upload"] = ("lessons", "collection.csv", upload)
        at.run()
    return at


def test_the_import_page_offers_the_templates_and_waits_for_a_file(pages):
    at = open_import(pages)
    assert not at.exception and not at.error
    assert any("Choose a file" in i.value for i in at.info)


@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_only_administrators_may_open_the_import_page(pages, role):
    at = pages.open("admin_import", email=EMAIL.get(role))
    assert [e.value for e in at.error] == [auth.NOT_AVAILABLE]
    assert not at.button and not at.dataframe


def test_a_broken_file_lists_every_problem_and_offers_no_import_button(pages):
    at = open_import(pages, lessons_csv(pages, {"summary": "x" * 312}, {"kind": "triumph"}))
    assert not at.exception
    assert "2 problems" in shown(at.error[0].value)
    problems = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    assert list(problems["Row"]) == [2, 3] and "312 characters" in problems["Problem"][0]
    assert not [b for b in at.button if b.label.startswith("Import")]


def test_a_clean_file_is_checked_then_imported_only_on_confirmation(pages):
    with pages.db.read() as cur:
        before = cur.execute("SELECT count(*) FROM lessons").fetchone()[0]
    at = open_import(pages, lessons_csv(pages, {}, {}))
    assert "Would import 2 lesson rows: 2 new" in shown(at.success[0].value)
    with pages.db.read() as cur:
        assert cur.execute("SELECT count(*) FROM lessons").fetchone()[0] == before  # the check stores nothing
    at = next(b for b in at.button if b.label == "Import 2 lessons").click().run()
    assert not at.exception and not at.error
    assert any("Imported 2 lesson rows" in shown(s.value) for s in at.success)
    with pages.db.read() as cur:
        assert cur.execute("SELECT count(*) FROM lessons").fetchone()[0] == before + 2


def test_a_member_creates_a_token_sees_it_once_and_revokes_it(pages):
    at = pages.open("account", email=EMAIL["member"])
    at.text_input(key="api_token_name").input("my script")
    at = next(b for b in at.button if b.label == "Create token").click().run()
    token = at.code[0].value
    assert token.startswith(tokens.PREFIX) and "not shown again" in at.success[-1].value
    at.run()
    assert not at.code, "the token is shown only once"
    assert token not in str(at.dataframe[0].value.to_dict())
    at = next(b for b in at.button if b.label == "Revoke").click().run()
    assert any("Revoked my script" in shown(s.value) for s in at.success)
    with pytest.raises(tokens.BadToken):
        tokens.user_for(pages.db, f"Bearer {token}")
