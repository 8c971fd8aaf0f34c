"""Inbox: what happened that concerns you (lessons you follow, questions, reviews, reports), and what you follow."""

import streamlit as st

from exchange.notify import inbox
from exchange.ui import auth, core, notifications
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Inbox")
only_unread = st.session_state.get("inbox_unread_only", False)
items = core.or_stop(lambda: inbox.items(db, user, unread_only=only_unread))  # a visitor is asked to sign in
core.show_flash()

unread = inbox.unread_count(db, user)
st.toggle("Unread only", key="inbox_unread_only")
with st.container(horizontal=True, vertical_alignment="center"):
    core.markdown(md("**{n} unread**", n=unread) if unread else md("Everything is read."))
    if unread and st.button("Mark all read", icon=":material/done_all:", key="inbox_mark_all"):
        core.act(lambda: inbox.mark_all_read(db, user), done=lambda n: md("Marked {n} as read.", n=n))

if not items:
    with st.container(border=True):
        if only_unread:
            st.markdown("Nothing unread. Turn off **Unread only** to see what you have read.")
        else:
            st.markdown("### Nothing here yet")
            st.markdown("New lessons on what you follow, questions to your department, answers to your questions and "
                        "what reviewers decide about your lessons and reports will appear here.")
notifications.inbox_list(db, user, items)
if len(items) == inbox.PAGE_SIZE:
    core.markdown(md("Showing the newest {}.", inbox.PAGE_SIZE))

st.header("What you follow")
notifications.following_list(db, user)
