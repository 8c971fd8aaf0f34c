"""Audit log (administrators): filter and read security-relevant events, newest first, a page at a time."""

import math

import streamlit as st

from exchange.kernel import limits
from exchange.identity import audit
from exchange.ui import auth, core, timezone
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Audit log")
event_names = auth.require_page(lambda: audit.events(db, user))
st.markdown("Sign-ins, account and role changes, review decisions, reports, anonymity reveals and exports. "
            "Entries are never changed or deleted. Times are UTC.")

with st.container(horizontal=True):
    event = st.selectbox("Event", [None, *event_names], format_func=lambda e: "All events" if e is None else e.replace("_", " "),
                         key="audit_event")
    actor = st.text_input("Actor (email or id)", key="audit_actor", max_chars=limits.AUDIT_FILTER)
    outcome = st.selectbox("Outcome", ["All", "Succeeded", "Failed"], key="audit_outcome")
    dates = st.date_input("Between (UTC dates)", value=[], key="audit_dates")
since, until = (tuple(dates) + (None, None))[:2] if dates else (None, None)
filters = (event, actor, outcome, since, until)
if st.session_state.get("audit_filters") != filters:  # new filters start at the first page
    st.session_state["audit_filters"] = filters
    st.session_state["audit_page"] = 1

page = st.session_state.get("audit_page", 1)
entries, total = core.or_stop(lambda: audit.search(db, user, event=event, actor=actor or None,
                                                     success={"Succeeded": True, "Failed": False}.get(outcome),
                                                     since=since, until=until, page=page))
pages = max(1, math.ceil(total / audit.PER_PAGE))

core.markdown(md("**{total}** entr{ending} · page {page} of {pages}", total=total, ending="ies" if total != 1 else "y",
                 page=page, pages=pages))
st.dataframe(
    [{"When": timezone.local(e["occurred_at"], "%Y-%m-%d %H:%M:%S"), "Event": e["event"], "Actor": e["actor_email"] or ("system" if e["actor_id"] is None else e["actor_id"]),
      "Subject": f"{e['subject_type'] or ''} {e['subject_id'] or ''}".strip(), "Succeeded": e["success"], "Detail": e["detail"]}
     for e in entries],
    hide_index=True, width="stretch", key=f"audit_grid_{hash(filters)}_{page}",
)
with st.container(horizontal=True):
    if st.button("Newer", icon=":material/chevron_left:", disabled=page <= 1):
        st.session_state["audit_page"] = page - 1
        st.rerun()
    if st.button("Older", icon=":material/chevron_right:", disabled=page >= pages):
        st.session_state["audit_page"] = page + 1
        st.rerun()
