"""Questions to your department: open and answered questions on your lessons (with answer controls), and the questions you asked."""

import streamlit as st

from exchange.conversations import questions
from exchange.ui import auth, conversation, core
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Questions to your department")
core.show_flash()
if not user.signed_in or user.department_id is None:
    st.info("Sign in with a department account to see the questions asked of your department.", icon=":material/login:")
    st.stop()
found = core.or_stop(lambda: questions.department_questions(db, user))
st.markdown("Peers ask your department about the lessons it shared. Any member of your department may answer; "
            "the asker sees the answer under the lesson. Questions on anonymous lessons never show your department's "
            "name to the asker, and anonymous askers are shown only by region and type.")

# The labels carry counts, and Streamlit knows a tab by its label: answering or reopening a question changes the
# counts, so the open section is remembered by name and chosen again under its new label.
SECTIONS = (("open", "Open"), ("answered", "Answered"), ("asked", "Asked by us"))
labels = [f"{title} ({len(found[name])})" for name, title in SECTIONS]
chosen = [name for name, _ in SECTIONS].index(st.session_state.get("questions_section", "open"))
EMPTY = {"open": md("No open questions. When a peer asks about one of your lessons, it shows here."),
         "answered": md("No question has been marked answered yet."),
         "asked": md("Your department has not asked any questions yet. Open a lesson from **Find lessons** to ask "
                     "the department that shared it.")}
for (name, _), tab in zip(SECTIONS, st.tabs(labels, default=labels[chosen], key="questions_tab", on_change="rerun")):
    if tab.open:
        st.session_state["questions_section"] = name
    with tab:  # every section is drawn (they are short), so a switch shows it at once
        if not found[name]:
            core.markdown(EMPTY[name])
        for question in found[name]:
            conversation.question_card(db, user, question, show_lesson=True)
