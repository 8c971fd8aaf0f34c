"""One lesson: every section and tag, who shared it (as anonymity allows), related lessons."""

import streamlit as st

from exchange.discovery import browse
from exchange import lessons
from exchange.lessons import moderation
from exchange.lessons.form import SECTIONS
from exchange.models import POPULATION_BAND_LABELS
from exchange.ui import auth, conversation, core, follow, freshness, markup, review_controls
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

lesson_id = st.query_params.get("id")
found = core.outcome(lambda: lessons.get(db, user, lesson_id))
if not found.ok:
    st.page_link("pages/home.py", label="Back to all lessons", icon=":material/arrow_back:")
    st.stop()
lesson = found.value

st.page_link("pages/home.py", label="All lessons", icon=":material/arrow_back:")
core.title(lesson["title"])
core.show_flash()
with st.container(horizontal=True, gap="small"):
    core.kind_badge(lesson["kind"])
    core.visibility_badge(lesson["visibility"])
    if not lessons.is_public_now(lesson) or lesson["hidden"]:
        core.badge("Hidden after reports" if lesson["hidden"] else lesson["status"].capitalize(), color="red")

who, where, when = st.columns(3)
with who:
    st.markdown("**Shared by**")
    if lesson["department_name"]:
        core.page_link("pages/department.py", label=md("{name} ({state})", name=lesson["department_name"],
                                                        state=lesson["state_code"]),
                       query_params={"id": str(lesson["shown_department_id"])}, icon=":material/apartment:")
    else:
        core.markdown(browse.attribution_line(lesson))
    if lesson["anonymous"] and lesson["attributed"]:
        st.info("Posted anonymously: only your department's members see this department name.", icon=":material/visibility_off:")
with where:
    st.markdown("**Where**")
    bits = []
    if lesson["hhs_region"]:
        core.page_link("pages/home.py", label=md("HHS Region {}", lesson["hhs_region"]),
                       query_params={"region": str(lesson["hhs_region"])})
    if lesson["jurisdiction_type"]:
        bits.append(lesson["jurisdiction_type"].capitalize())
    if lesson["population_band"]:
        bits.append(POPULATION_BAND_LABELS[lesson["population_band"]])
    core.markdown(markup.join(" · ", bits) or md("Not shown for this anonymous lesson"))
with when:
    st.markdown("**When**")
    core.markdown(core.period_text(lesson))
freshness.note(db, user, lesson)

st.header("Summary")
core.user_text(lesson["summary"])
for key, label, _ in SECTIONS:
    if lesson.get(key):
        core.header(label)
        core.user_text(lesson[key])

st.header("Tags")
tag_groups = [("Strategic practices", "practice", lesson["practices"]), ("Actions", "action", lesson["actions"]),
              ("Risk types", "risk", lesson["risk_types"])]
for title, param, items in tag_groups:
    if items:
        core.markdown(md("**{}**", title))
        with st.container(horizontal=True, gap="small"):
            for item in items:
                core.page_link("pages/home.py", label=item["name"], query_params={param: str(item["id"])},
                               icon=":material/sell:")
follow.lesson_follows(db, user, lesson)  # follow its practices, risk types and region (issue 11.5)
if lesson["partners"]:
    core.markdown(md("**Partners involved:** {}", ", ".join(lesson["partners"])))
if lesson["links"]:
    st.markdown("**Public resources**")
    core.markdown(markup.join("\n", [md("- {}", markup.link(url, url)) for url in lesson["links"]]))

if lesson["can_edit"]:
    st.page_link("pages/post.py", label="Edit this lesson", icon=":material/edit:", query_params={"edit": str(lesson["id"])})
if lesson["can_review"]:
    with st.container(border=True):
        st.subheader("Your decision as reviewer")
        review_controls.decision_form(db, user, lesson)


def cancel_reveal() -> None:
    st.session_state.pop("reveal_pending", None)


@st.dialog("Reveal who posted this anonymous lesson?", on_dismiss=cancel_reveal)
def confirm_reveal() -> None:
    st.markdown("The department chose to post anonymously. Revealing it is recorded in the audit log with your "
                "name and your reason.")
    why = st.text_area(f"Why do you need to know? (required, up to {moderation.MAX_REASON_CHARS:,} characters)",
                       key="reveal_reason", max_chars=moderation.MAX_REASON_CHARS)
    if st.button("Reveal and log it", type="primary", icon=":material/visibility:", key="confirm_reveal"):
        revealed = core.outcome(lambda: moderation.reveal_department(db, user, lesson["id"], why))
        if revealed.ok:  # a refusal stays in the dialog, with the reason typed
            cancel_reveal()
            core.flash(md("Posted by {}. This reveal was logged.", revealed.value), kind="warning")
            st.rerun()


if lesson["can_reveal"]:
    with core.form_panel("Administrator: reveal the posting department", key="reveal_panel"):
        st.markdown("Revealing who posted an anonymous lesson is recorded in the audit log with your name and reason.")
        if st.button("Reveal department…", icon=":material/visibility:", key="reveal"):
            st.session_state["reveal_pending"] = lesson["id"]
    if st.session_state.get("reveal_pending") == lesson["id"]:
        confirm_reveal()  # opened from session state: stays open across reruns until done or dismissed
if lesson["can_report"]:
    with core.form_panel("Report this lesson", key="report_panel"):
        with st.form("report", clear_on_submit=True):
            reason = st.text_area(f"What is wrong with it? (up to {moderation.MAX_REASON_CHARS:,} characters)",
                                  key="report_reason", max_chars=moderation.MAX_REASON_CHARS)
            if st.form_submit_button("Send report", icon=":material/flag:"):
                sent = core.outcome(lambda: moderation.report(db, user, lesson["id"], reason))
                if sent.ok:
                    core.success(md("Thank you. The region's coordinators will review it; you will see the outcome under "
                                    "My lessons › Your reports.{}", md(" It is now hidden until then.") if sent.value else ""),
                                 icon=":material/check:")

conversation.endorsements(db, user, lesson)
conversation.questions(db, user, lesson)

st.divider()
st.header("Related lessons")
related = core.outcome(lambda: browse.related(db, user, lesson))
for other in related.value or []:
    core.lesson_card(other)
if related.ok and not related.value:
    st.markdown("No related lessons yet.")
