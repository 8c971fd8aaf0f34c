"""Self-assessment: where our department stands on each strategic practice, dated, history kept."""

from datetime import date

import pandas as pd
import streamlit as st

from exchange import adoption, clock
from exchange.adoption import charts
from exchange.kernel import limits
from exchange.ui import auth, core, markup
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Self-assessment")
view = core.or_stop(lambda: adoption.self_assessment(db, user))

core.markdown(md("Where **{}** stands on each strategic practice. Each save adds a dated record; earlier records stay "
                 "in the history, so coordinators can chart how adoption moves over time.", view.department_name))
stage_names = {s["level"]: s["name"] for s in view.stages}
with st.expander("The stages, and what each one means", icon=":material/info:"):
    core.markdown(markup.join("\n", [md("- **{name}**: {meaning}", **s) for s in view.stages]))

standing = st.container()  # filled after a save, so it shows the new current stage

st.subheader("Record a stage")
practice_label = {p["id"]: f"{c['name']} › {p['name']}" for c, ps in view.sections for p in ps}
with st.form("assessment_form"):
    practice_id = st.selectbox("Practice", list(practice_label), format_func=practice_label.get, key="assess_practice")
    stage = st.radio("Stage", [s["level"] for s in view.stages], key="assess_stage",
                     format_func=lambda level: next(md("**{name}**: {meaning}", **s)  # options render markdown
                                                    for s in view.stages if s["level"] == level))
    # Wide bounds on purpose: a bounded widget drops a typed out-of-range date and the form
    # saves the default (today); the service refuses it with a message instead.
    as_of = st.date_input("As of (the date this stage applies from; not in the future)", value=clock.today(),
                          min_value=date(1900, 1, 1), max_value=date(2199, 12, 31), format="YYYY-MM-DD",
                          key="assess_as_of")
    note = st.text_area(f"Note (optional, up to {view.note_limit:,} characters)", key="assess_note",
                        max_chars=limits.NOTE,
                        help="What moved you to this stage, or what holds you back. Longer notes are refused, "
                             "never cut.")
    evidence_url = st.text_input("Evidence link (optional; a web address starting with http:// or https://)",
                                 key="assess_evidence", max_chars=limits.URL)
    submitted = st.form_submit_button("Save this stage", icon=":material/save:", type="primary")

# What the page showed when the form was sent: the newest record of each practice (None when there was none).
seen = st.session_state.get("assess_seen", {})
if submitted:
    saved = core.outcome(lambda: adoption.record(db, user, department_id=view.department_id, practice_id=practice_id,
                                                 stage=stage, as_of=as_of, note=note, evidence_url=evidence_url,
                                                 latest_seen=seen.get(practice_id)))
    if saved.ok:
        core.success(md("Saved: {practice} is at {stage} as of {as_of:%-d %B %Y}. Earlier records are kept in the "
                        "history.", practice=practice_label[practice_id].split(" › ")[-1], stage=stage_names[stage],
                        as_of=as_of), icon=":material/check_circle:")
        view = adoption.self_assessment(db, user)

newest: dict[int, int] = {}
for h in view.history:
    newest[h["practice_id"]] = max(h["id"], newest.get(h["practice_id"], 0))
st.session_state["assess_seen"] = newest  # what this run shows; the next save is checked against it

with standing:
    st.subheader("Where you stand now")
    for category, practices in view.sections:
        core.markdown(md("**{}**", category["name"]))
        st.dataframe(
            pd.DataFrame([{
                "Practice": p["name"],
                "Current stage": stage_names.get(p["current"]["stage"], "") if p["current"] else "Not assessed yet",
                "As of": p["current"]["as_of"] if p["current"] else None,
                "Note": p["current"]["note"] if p["current"] else "",
                "Evidence": (p["current"]["evidence_url"] or None) if p["current"] else None,
            } for p in practices]),
            hide_index=True, width="stretch", key=f"standing_{category['id']}",
            column_config={"Evidence": st.column_config.LinkColumn("Evidence", display_text="Open link"),
                           "As of": st.column_config.DateColumn("As of", format="YYYY-MM-DD")},
        )

st.subheader("History")
if view.history:
    first = min(h["as_of"] for h in view.history)
    st.altair_chart(charts.history(view.history, view.stages), key="history_chart", width="stretch",
                    alt=f"Dot chart of your department's {len(view.history)} self-assessment records since "
                        f"{first:%-d %B %Y}: one row per practice, one dot per record, coloured by stage.")
    with st.expander("History as a table", icon=":material/table:"):
        st.dataframe(pd.DataFrame([{"As of": h["as_of"], "Practice": h["practice"], "Stage": h["stage_name"],
                                    "Note": h["note"], "Evidence": h["evidence_url"] or None} for h in view.history]),
                     hide_index=True, width="stretch", key="history_table",
                     column_config={"Evidence": st.column_config.LinkColumn("Evidence", display_text="Open link")})
else:
    st.markdown("No records yet: save your first stage above.")
