"""Equity Exchange: page config, the signed-in user, and navigation built for their role."""

import logging
from pathlib import Path

import streamlit as st

from exchange import setup
from exchange.errors import ExchangeError
from exchange.models import VISITOR
from exchange.ui import auth, core, gates, notifications, warmup

STATIC = Path(__file__).resolve().parent / "static"
st.set_page_config(page_title="Equity Exchange", page_icon=str(STATIC / "icon.svg"), layout="wide")
st.logo(str(STATIC / "logo.svg"), icon_image=str(STATIC / "icon.svg"), size="large")

auth.enter_shell()
try:
    db = core.database()
except ExchangeError as exc:  # in use by another server, corrupted, unreadable: say so in the page
    st.title("Equity Exchange")
    st.error(exc.message, icon=":material/database:")
    st.stop()
try:
    user = auth.current_user(db)
except ExchangeError as exc:  # the session store could not be read or written: carry on as a visitor, say why
    st.error(exc.message, icon=":material/error:")
    user = VISITOR

P = st.Page
find = P("pages/home.py", title="Find lessons", icon=":material/search:", url_path="home", default=True)
lesson = P("pages/lesson.py", title="Lesson", icon=":material/article:", url_path="lesson", visibility="hidden")
sections = {"Learn": [find, lesson]}
# Department profiles (issue 11): every role may open one from a lesson; members also get theirs and their peers.
if user.signed_in and user.department_id is not None:
    sections["Learn"] += [P("pages/peers.py", title="Peers", icon=":material/groups:", url_path="peers"),
                          P("pages/department.py", title="Your department", icon=":material/apartment:",
                            url_path="department")]
else:
    sections["Learn"].append(P("pages/department.py", title="Department", icon=":material/apartment:",
                               url_path="department", visibility="hidden"))
if user.signed_in and user.department_id is not None:  # sharing is done for a department
    sections["Share"] = [
        P("pages/post.py", title="Share a lesson", icon=":material/edit_note:", url_path="post"),
        P("pages/my_lessons.py", title="My lessons", icon=":material/folder_open:", url_path="mine"),
        P("pages/assess.py", title="Self-assessment", icon=":material/checklist:", url_path="assess"),
        P("pages/questions.py", title="Questions to your department", icon=":material/forum:", url_path="questions"),
    ]
elif user.is_admin:  # no department to share for, but administrators may edit any lesson
    sections["Learn"].append(P("pages/post.py", title="Edit a lesson", icon=":material/edit_note:", url_path="post",
                               visibility="hidden"))
if user.role in ("coordinator", "admin"):
    sections["Coordinate"] = [
        P("pages/review.py", title="Review queue", icon=":material/fact_check:", url_path="review"),
        P("pages/dashboard.py", title="Adoption dashboard", icon=":material/monitoring:", url_path="dashboard"),
    ]
if user.role == "admin":
    sections["Administer"] = [
        P("pages/admin_users.py", title="Accounts", icon=":material/manage_accounts:", url_path="accounts"),
        P("pages/admin_taxonomy.py", title="Taxonomy", icon=":material/account_tree:", url_path="taxonomy"),
        P("pages/admin_audit.py", title="Audit log", icon=":material/policy:", url_path="audit"),
        P("pages/admin_backups.py", title="Backups", icon=":material/backup:", url_path="backups"),
        P("pages/admin_import.py", title="Import", icon=":material/upload_file:", url_path="import"),
        P("pages/admin_export.py", title="Export", icon=":material/archive:", url_path="export"),
    ]
account = P("pages/account.py", title="Your account" if user.signed_in else "Sign in", icon=":material/person:", url_path="account")
sections["Account"] = [account]
if user.signed_in:  # the unread count rides in the navigation title (issue 11.5)
    sections["Account"].insert(0, notifications.inbox_page(db, user))
# Every other page's address still answers: "sign in to see this", or why this role may not.
registered = {p.url_path for group in sections.values() for p in group}
sections["Account"] += [gates.page(path, user, db) for path in gates.RESTRICTED if path not in registered]

page = st.navigation(sections)
if st.session_state.get("app_last_page") not in (None, page.url_path):
    gates.close_sidebar_on_phones()  # Streamlit leaves it open over the page just chosen
st.session_state["app_last_page"] = page.url_path
if not setup.production_mode():
    st.sidebar.info("Demo mode: the departments are real, but every lesson and self-assessment here is made up.",
                    icon=":material/science:")
wanted = st.session_state.pop(auth.WANTED_KEY, None)
if wanted:  # a deep link that arrived before this app had ever run: honour it if the role allows
    legacy_names = {"my_lessons": "mine", "admin_users": "accounts", "admin_taxonomy": "taxonomy", "admin_audit": "audit"}
    target = legacy_names.get(wanted["path"], wanted["path"])
    for candidate in (p for group in sections.values() for p in group):
        if candidate.url_path == target and candidate.url_path != page.url_path:
            st.switch_page(candidate, query_params=wanted["query"])
# Half-finished sign-ins are finished on the account page; point there from anywhere else.
if not user.signed_in and page.url_path != "account":
    if auth.pending_password_change(db):
        st.info("Choose a new password to finish signing in.", icon=":material/key:")
        st.page_link(account, label="Choose your password", icon=":material/arrow_forward:")
    elif auth.unregistered_email() is not None:
        st.error("Your email is not registered; ask your administrator. You can read public lessons meanwhile.",
                 icon=":material/person_off:")
warmup.gate(db, page.url_path)  # a fresh process: "warming up" on pages that need the indexes, until they are built
try:
    page.run()
except Exception:  # noqa: BLE001 — last line of defence: never show a traceback to a user
    logging.getLogger("exchange").exception("Unhandled error on page %s", page.title)
    st.error("Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell your administrator.", icon=":material/error:")
