"""The account page in AppTest: demo sign-in for every role, errors, lockout, expiry, password change, OIDC."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from exchange.identity import accounts, audit, sessions
from exchange import clock
from exchange.demo import DEMO_ACCOUNTS
from exchange.ui import auth
from tests.pages.text import shown

PAGES = Path(__file__).resolve().parents[2] / "pages"
OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only-cookie-secret",
                         "client_id": "exchange", "client_secret": "test-only", "server_metadata_url":
                         "https://login.example.org/.well-known/openid-configuration"}}


def open_account(pages, *, email=None, session=None, secrets=None, user=None) -> AppTest:
    """pages/account.py, run once; signed in as `email`, or with a raw session, OIDC secrets and a mocked st.user."""
    at = AppTest.from_file(str(PAGES / "account.py"), default_timeout=30)
    at.session_state["app_shell"] = True  # run the page file on its own, as if inside app.py's navigation
    if email:
        at.session_state["auth"] = {"token": pages.session_token(email)}
    if session:
        at.session_state["auth"] = session
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    return at.run()


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("title", "markdown", "error", "warning", "success", "info")
                     for e in getattr(at, kind))


def field(at, kind: str, label: str):
    return next(w for w in getattr(at, kind) if w.label.startswith(label))


def sign_in(at, email, password) -> AppTest:
    """Fill and send the form (no cookie routes in AppTest: the tab signs in by itself)."""
    field(at, "text_input", "Email").input(email)
    field(at, "text_input", "Password").input(password)
    return field(at, "button", "Sign in").click().run()


def tab_user_id(pages, at) -> int:
    """The account behind the tab's session token."""
    return sessions.resume(pages.db, at.session_state["auth"]["token"])


def test_the_sign_in_page_lists_one_demo_account_per_role_with_its_password(pages):
    at = open_account(pages)
    table = at.table[0].value
    assert set(table["Role"]) == {"Administrator", "Regional coordinator", "Member"}
    for account in DEMO_ACCOUNTS:
        assert account["password"] in list(table["Password"]) and account["email"] in list(table["Email"])
    assert not at.exception


def test_production_mode_lists_no_demo_accounts(pages, monkeypatch):
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    at = open_account(pages)
    assert not at.table and "Demo accounts" not in texts(at)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a["email"] for a in DEMO_ACCOUNTS])
def test_each_demo_account_signs_in_through_the_form(pages, account):
    at = sign_in(open_account(pages), account["email"], account["password"])
    assert not at.exception and not at.error
    assert at.title[0].value == "Your account"
    assert tab_user_id(pages, at) == pages.user_id(account["email"])


def test_a_wrong_password_shows_the_error_and_starts_no_session(pages):
    account = DEMO_ACCOUNTS[0]
    at = sign_in(open_account(pages), account["email"], "definitely not it")
    assert shown(at.error[0].value) == accounts.SIGN_IN_FAILED
    assert "auth" not in at.session_state and at.title[0].value == "Sign in"


def test_repeated_wrong_passwords_make_the_form_wait_with_a_try_again_message(pages, monkeypatch):
    # The clock stands still: with the real one, a slow machine let the back-off (2 s after the 5th failure,
    # doubling) run out between attempts, so the right password got in and the test failed now and then.
    frozen = clock.now()
    monkeypatch.setattr(clock, "now", lambda: frozen)
    account = DEMO_ACCOUNTS[0]
    at = open_account(pages)
    for _ in range(10):
        at = sign_in(at, account["email"], "definitely not it")
    at = sign_in(at, account["email"], account["password"])
    assert shown(at.error[0].value).startswith("Too many failed sign-ins. Try again ")
    assert "auth" not in at.session_state


def test_an_idle_session_ends_with_a_message_and_the_sign_in_form(pages):
    uid = pages.user_id(DEMO_ACCOUNTS[0]["email"])
    token = sessions.start(pages.db, uid, now=clock.now() - timedelta(minutes=31))
    at = open_account(pages, session={"token": token})
    assert shown(at.warning[0].value) == sessions.MESSAGES["idle"]
    assert at.title[0].value == "Sign in" and "auth" not in at.session_state


def test_a_session_older_than_12_hours_ends_even_when_active(pages):
    uid = pages.user_id(DEMO_ACCOUNTS[0]["email"])
    token = sessions.start(pages.db, uid, now=clock.now() - timedelta(hours=12, seconds=5))
    pages.db.write(lambda cur: cur.execute("UPDATE sessions SET last_seen_at = ?", [clock.now() - timedelta(minutes=1)]))
    at = open_account(pages, session={"token": token})
    assert shown(at.warning[0].value) == sessions.MESSAGES["too_long"]


def test_sign_out_ends_the_session_everywhere_it_is_open(pages):
    at = open_account(pages, email=DEMO_ACCOUNTS[0]["email"])
    token = at.session_state["auth"]["token"]
    at = field(at, "button", "Sign out").click().run()
    assert "auth" not in at.session_state and at.title[0].value == "Sign in"
    other_tab = open_account(pages, session={"token": token})
    assert other_tab.title[0].value == "Sign in" and shown(other_tab.warning[0].value) == sessions.MESSAGES["signed_out"]


def test_changing_the_password_through_the_form_keeps_the_tab_signed_in(pages):
    account = DEMO_ACCOUNTS[0]
    at = open_account(pages, email=account["email"])
    field(at, "text_input", "Current password").input(account["password"])
    field(at, "text_input", "New password (").input("quiet harbour morning")
    field(at, "text_input", "New password again").input("quiet harbour morning")
    old_token = at.session_state["auth"]["token"]
    at = field(at, "button", "Change password").click().run()
    assert at.success[0].value.startswith("Your password is changed") and at.title[0].value == "Your account"
    assert at.session_state["auth"]["token"] != old_token
    with pytest.raises(sessions.SessionEnded):
        sessions.resume(pages.db, old_token)
    assert accounts.sign_in(pages.db, account["email"], "quiet harbour morning").user.id == pages.user_id(account["email"])


def test_bad_password_changes_show_every_problem_at_once(pages):
    at = open_account(pages, email=DEMO_ACCOUNTS[0]["email"])
    field(at, "text_input", "Current password").input("wrong")
    field(at, "text_input", "New password (").input("short")
    at = field(at, "button", "Change password").click().run()
    assert at.error[0].value.startswith("Please fix 3 things")


def test_after_an_admin_reset_the_user_must_choose_a_new_password_before_the_session_starts(pages):
    account = next(a for a in DEMO_ACCOUNTS if a["role"] == "member")
    temporary = accounts.reset_password(pages.db, accounts.OPERATOR, pages.user_id(account["email"]))
    at = sign_in(open_account(pages), account["email"], temporary)
    assert at.title[0].value == "Choose a new password" and "auth" not in at.session_state
    field(at, "text_input", "Temporary password").input(temporary)
    field(at, "text_input", "New password (").input("quiet harbour morning")
    field(at, "text_input", "New password again").input("quiet harbour morning")
    at = field(at, "button", "Set password and sign in").click().run()
    assert at.title[0].value == "Your account" and tab_user_id(pages, at) == pages.user_id(account["email"])


# --- OpenID Connect, with st.user mocked --------------------------------------------------

def test_with_oidc_a_visitor_sees_the_provider_button_and_no_password_form(pages):
    at = open_account(pages, secrets=OIDC_SECRETS, user={"is_logged_in": False})
    assert field(at, "button", "Sign in with your organization")
    assert not [w for w in at.text_input if w.label == "Password"] and not at.table


def test_with_oidc_but_no_authlib_the_button_explains_instead_of_crashing(pages, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "authlib" else real(name, *a))
    at = open_account(pages, secrets=OIDC_SECRETS, user={"is_logged_in": False})
    at = field(at, "button", "Sign in with your organization").click().run()
    assert not at.exception and "Authlib package is not installed" in at.error[0].value


def test_with_oidc_a_registered_email_is_signed_in_whatever_its_case(pages):
    account = next(a for a in DEMO_ACCOUNTS if a["role"] == "coordinator")
    at = open_account(pages, secrets=OIDC_SECRETS,
                      user={"is_logged_in": True, "email": account["email"].upper(), "email_verified": True})
    assert at.title[0].value == "Your account"
    assert tab_user_id(pages, at) == pages.user_id(account["email"])
    assert "organization's account" in texts(at)


def test_with_oidc_an_unknown_email_gets_the_ask_your_administrator_page(pages):
    at = open_account(pages, secrets=OIDC_SECRETS,
                      user={"is_logged_in": True, "email": "stranger@example.org", "email_verified": True})
    assert "is not registered; ask your administrator" in at.error[0].value
    assert "auth" not in at.session_state
    assert field(at, "button", "Sign out of your organization account")
    entries, _ = audit.search(pages.db, accounts.OPERATOR, event="sign_in", success=False)
    assert entries[0]["detail"] == "single sign-on: email not registered"


def test_with_oidc_an_address_the_provider_did_not_verify_is_refused(pages):
    account = DEMO_ACCOUNTS[0]
    at = open_account(pages, secrets=OIDC_SECRETS, user={"is_logged_in": True, "email": account["email"]})
    assert "is not registered; ask your administrator" in at.error[0].value
    assert "auth" not in at.session_state
    entries, _ = audit.search(pages.db, accounts.OPERATOR, event="sign_in", success=False)
    assert entries[0]["detail"] == "single sign-on: email not verified by the provider"


def test_oidc_configuration_is_read_safely_when_there_is_no_secrets_file(pages):
    at = open_account(pages)
    assert not at.exception and field(at, "text_input", "Password")
    assert auth.oidc_configured() is False


# --- the app shell points half-finished sign-ins to the account page ------------------------

def open_app(*, session_state=None, secrets=None, user=None) -> AppTest:
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=30)
    for key, value in (session_state or {}).items():
        at.session_state[key] = value
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    return at.run()


def test_the_app_points_a_user_with_a_temporary_password_to_the_account_page(pages):
    uid = pages.user_id(DEMO_ACCOUNTS[0]["email"])
    at = open_app(session_state={"auth_pending": {"user_id": uid, "started": time.time()}})
    assert at.info[0].value == "Choose a new password to finish signing in."
    assert at.get("page_link")[0].proto.label == "Choose your password"


def test_the_app_tells_an_unregistered_oidc_user_on_every_page(pages):
    at = open_app(secrets=OIDC_SECRETS, user={"is_logged_in": True, "email": "stranger@example.org"})
    assert at.error[0].value.startswith("Your email is not registered; ask your administrator.")
    assert "auth" not in at.session_state


# --- with the app's cookie routes (server.py): the browser is sent to collect its cookie -------------------

@pytest.fixture
def serving(monkeypatch):
    """Pretend server.py's routes are mounted, and record where the tab sends the browser."""
    from exchange.ui import web

    sent = []
    monkeypatch.setattr(web, "_serving", True)
    monkeypatch.setattr(auth, "redirect", sent.append)
    return sent


def test_signing_in_sends_the_browser_to_collect_its_cookie_and_come_back(pages, serving):
    from urllib.parse import parse_qs, urlparse

    account = DEMO_ACCOUNTS[0]
    at = AppTest.from_file(str(PAGES / "account.py"), default_timeout=30)
    at.session_state["app_shell"] = True
    at.query_params["next"] = "/dashboard?region=3"
    at = sign_in(at.run(), account["email"], account["password"])
    assert at.success[0].value == "You are signed in. Opening your page…" and not at.exception
    (url,) = serving
    assert urlparse(url).path == "/auth/session"
    query = parse_qs(urlparse(url).query)
    assert query["next"] == ["/dashboard?region=3"]
    token = sessions.redeem(pages.db, query["code"][0])
    assert token == at.session_state["auth"]["token"] and sessions.resume(pages.db, token) == pages.user_id(account["email"])


def test_signing_out_sends_the_browser_to_forget_the_cookie(pages, serving):
    at = open_account(pages, email=DEMO_ACCOUNTS[0]["email"])
    at = field(at, "button", "Sign out").click().run()
    assert serving == ["/auth/signout"] and at.success[0].value == "You are signed out."
