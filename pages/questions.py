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

waiting, answered, asked = st.tabs([f"Open ({len(found['open'])})", f"Answered ({len(found['answered'])})",
                                    f"Asked by us ({len(found['asked'])})"])
with waiting:
    if not found["open"]:
        st.markdown("No open questions. When a peer asks about one of your lessons, it shows here.")
    for question in found["open"]:
        conversation.question_card(db, user, question, show_lesson=True)
with answered:
    if not found["answered"]:
        st.markdown("No question has been marked answered yet.")
    for question in found["answered"]:
        conversation.question_card(db, user, question, show_lesson=True)
with asked:
    if not found["asked"]:
        core.markdown(md("Your department has not asked any questions yet. Open a lesson from **Find lessons** to ask "
                         "the department that shared it."))
    for question in found["asked"]:
        conversation.question_card(db, user, question, show_lesson=True)
