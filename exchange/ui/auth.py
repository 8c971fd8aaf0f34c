"""Who is signed in for this browser tab. Session state holds only a user id and times."""

from __future__ import annotations

import time

import streamlit as st

from .. import accounts
from ..db import Database
from ..models import User

SESSION_KEY = "auth"


def current_user(db: Database) -> User:
    """The signed-in user of this tab, or the visitor."""
    auth = st.session_state.get(SESSION_KEY)
    if not auth:
        return accounts.load_user(db, None)
    auth["last_seen"] = time.time()
    return accounts.load_user(db, auth.get("user_id"))


def sign_in_as(user_id: int) -> None:
    """Start this tab's session for a user id (after the password was checked)."""
    now = time.time()
    st.session_state[SESSION_KEY] = {"user_id": user_id, "started": now, "last_seen": now}


def sign_out() -> None:
    """End this tab's session."""
    st.session_state.pop(SESSION_KEY, None)
