"""Peers: the departments most like yours, and who has done what your department is about to do."""

import streamlit as st

from exchange.peers import likeness
from exchange.ui import auth, core
from exchange.ui import peers as peers_ui
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Peers")
if user.department_id is None:
    st.info("Peers are found for a department: sign in as a member of a health department to see departments "
            "like yours.", icon=":material/groups:")
    st.stop()

st.markdown("Departments like yours by jurisdiction type, size, urban–rural level, region, state governance and the "
            "practices you work on. Stages are used only where a department shares them.")
filters = peers_ui.peer_filters("peers")
found = core.or_stop(lambda: likeness.like(db, user, user.department_id, filters=filters, limit=10))
core.page_link("pages/department.py", label=md("Your department: {}", found["department"]["name"]),
               query_params={"id": str(user.department_id)}, icon=":material/home:")

st.header("Departments most like yours")
peers_ui.peer_list(found)

st.header("Who has done what we are about to do")
st.markdown("For each practice your department is exploring or preparing: departments implementing or sustaining "
            "it (only those that share their stages), with their lessons on it.")
upcoming = core.outcome(lambda: likeness.who_has_done(db, user, user.department_id, filters=filters))
if upcoming.ok:
    peers_ui.who_has_done(upcoming.value, yours=True)
