"""AppTest plumbing: each test gets its own copy of a demo database file and signs in by email."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from exchange.identity import sessions
from exchange import setup
from exchange.storage.duckdb import Database, scalar
from exchange.ui import core

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    """A demo database file built once per session (never opened by tests directly)."""
    path = tmp_path_factory.mktemp("demo") / "exchange.duckdb"
    db = setup.open_app_database(path, with_demo=True)
    db.close()
    return path


@pytest.fixture
def app_db(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo database that the pages under test open."""
    path = tmp_path / "exchange.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("EXCHANGE_DB", str(path))
    core.database.clear()
    yield path
    core.database.clear()


class Pages:
    """Open a page as a given user (by email) against the test's database."""

    def __init__(self, path):
        self.path = path

    @property
    def db(self) -> Database:
        """The same Database object the pages use."""
        return core.database()

    def user_id(self, email: str) -> int:
        """The id of the account with this email."""
        with self.db.read() as cur:
            uid = scalar(cur, "SELECT id FROM users WHERE email = ?", [email])
        assert uid is not None, f"no user {email}"
        return uid

    def session_token(self, email: str) -> str:
        """A live sign-in session for this account (what the browser's cookie would carry)."""
        return sessions.start(self.db, self.user_id(email))

    def open(self, page: str, *, email: str | None = None, query: dict | None = None, timeout: int = 30) -> AppTest:
        """The app (app.py, so navigation and page links work) switched to pages/<page>.py,
        signed in as `email` (visitor when None), already run."""
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        if email:
            at.session_state["auth"] = {"token": self.session_token(email)}
        at.run()  # the app shell first, as a browser tab would, so navigation is built for the role
        try:
            at.switch_page(f"pages/{page}.py")
            in_navigation = True
        except ValueError:
            # Not offered to this role (a browser would land on the home page). Run the file on its
            # own, inside the shell, to prove the page still refuses by itself.
            at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=timeout)
            if email:
                at.session_state["auth"] = {"token": self.session_token(email)}
            at.session_state["app_shell"] = True
            in_navigation = False
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        at.in_navigation = in_navigation
        return at


@pytest.fixture
def pages(app_db):
    """Open pages against a private demo database."""
    return Pages(app_db)
