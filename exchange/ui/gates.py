"""Pages a role cannot open still answer at their address: a visitor is asked to sign in (and comes back
to the same page and query), a signed-in role that may never see the page is told so plainly."""

from __future__ import annotations

import streamlit as st

from exchange.storage.duckdb import Database
from exchange.models import ROLE_LABELS, User
from exchange.ui import auth, core, signin
from exchange.ui.markup import md

DEPARTMENT_STAFF = "members of a health department"
COORDINATORS = "regional coordinators and administrators"
ADMINISTRATORS = "administrators"
SIGNED_IN = "everyone with an account"
# url path: (page title, who may open it)
RESTRICTED = {
    "post": ("Share a lesson", DEPARTMENT_STAFF),
    "mine": ("My lessons", DEPARTMENT_STAFF),
    "assess": ("Self-assessment", DEPARTMENT_STAFF),
    "peers": ("Peers", DEPARTMENT_STAFF),
    "questions": ("Questions to your department page", DEPARTMENT_STAFF),
    "review": ("Review queue", COORDINATORS),
    "dashboard": ("Adoption dashboard", COORDINATORS),
    "accounts": ("Accounts", ADMINISTRATORS),
    "taxonomy": ("Taxonomy", ADMINISTRATORS),
    "audit": ("Audit log", ADMINISTRATORS),
    "backups": ("Backups", ADMINISTRATORS),
    "import": ("Import page", ADMINISTRATORS),
    "export": ("Export page", ADMINISTRATORS),
    "inbox": ("Inbox", SIGNED_IN),
}


# A fixed script (no user text): on a narrow screen, fold the sidebar away once a page has been chosen.
_CLOSE_SIDEBAR = """<script>
(() => {
  document.currentScript?.remove();  // leave no script element behind in the page
  if (window.innerWidth >= 768) return;
  const sidebar = document.querySelector('[data-testid=stSidebar]');
  const button = document.querySelector('[data-testid=stSidebarCollapseButton] button');
  if (sidebar && button && sidebar.getAttribute('data-collapsed') === 'false') button.click();
})();
</script>"""


def close_sidebar_on_phones() -> None:
    """After a page change on a phone-sized screen, close the sidebar so the chosen page is visible."""
    st.html(_CLOSE_SIDEBAR, unsafe_allow_javascript=True)


def page(url_path: str, user: User, db: Database) -> st.Page:
    """A hidden page at `url_path` that explains why its real page is not shown to this user."""
    title, who = RESTRICTED[url_path]

    def explain() -> None:
        if not user.signed_in:
            st.title("Sign in to see this")
            core.info(md("The {title} is for {who}. Please sign in: you will come straight back to this page.",
                         title=title, who=who), icon=":material/lock:")
            signin.form(db, key=f"gate_{url_path}")
            st.markdown("No account yet? Ask your administrator. Without one you can read public lessons.")
        else:
            st.title("Not available to your role")
            role = ROLE_LABELS.get(user.role, user.role).lower()
            extra = " and your account has no department" if who == DEPARTMENT_STAFF and user.role == "member" else ""
            core.info(md("The {title} is for {who}. You are signed in as a {role}{extra}, so this page is not available "
                         "to you. Ask your administrator if your role should change.", title=title, who=who, role=role,
                         extra=extra), icon=":material/block:")

    explain.__name__ = f"gate_{url_path}"
    return st.Page(explain, title=title, url_path=url_path, visibility="hidden")
