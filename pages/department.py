"""A department's profile: facts, contact, practices and stages (if shared), its lessons, departments like it."""

import streamlit as st

from exchange.peers import likeness, profiles
from exchange.ui import auth, core, follow, markup
from exchange.ui import peers as peers_ui
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

wanted = st.query_params.get("id") or (str(user.department_id) if user.department_id is not None else None)
if wanted is None:
    st.title("Department profiles")
    st.info("Open a department from the “Shared by” line of a lesson, or from the Peers page.", icon=":material/apartment:")
    st.page_link("pages/home.py", label="Find lessons", icon=":material/search:")
    st.stop()
found = core.outcome(lambda: profiles.profile(db, user, wanted))
if not found.ok:
    st.page_link("pages/home.py", label="Back to all lessons", icon=":material/arrow_back:")
    st.stop()
dept = found.value

core.title(dept["name"])
core.show_flash()
with st.container(horizontal=True, gap="small"):
    core.badge(dept["jurisdiction_type"].capitalize(), color="blue", icon=":material/apartment:")
    core.badge(dept["accreditation_label"], color="green" if dept["accreditation"] == "accredited" else "gray",
               icon=":material/workspace_premium:")
    if dept["own"]:
        core.badge("Your department", color="violet", icon=":material/home:")
if not dept["own"]:  # its attributed lessons only: an anonymous lesson never reaches a department's followers
    follow.follow_button(db, user, "department", dept["id"], dept["name"])

facts, about = st.columns([1, 1.4], gap="large")
with facts:
    core.markdown(markup.join("\n", [
        md("- **State:** {name} ({code})", name=dept["state_name"], code=dept["state_code"]),
        md("- **HHS region:** Region {}", dept["hhs_region"]),
        md("- **Population served:** {}", dept["population_label"]),
        md("- **Urban–rural level:** {}", dept["urban_rural"].capitalize()),
        md("- **State governance:** {}", dept["governance_label"]),
        md("- **Accreditation status:** {}", dept["accreditation_label"]),
    ]))
with about:
    st.subheader("About")
    if dept["description"]:
        core.user_text(dept["description"])
    else:
        st.markdown("This department has not described itself yet.")
    st.subheader("How to reach them")
    if dept["contact"]:
        core.markdown(md("{name} — {email}", name=dept["contact"]["name"], email=dept["contact"]["email"]))
    elif dept["contact_visibility"] == "members" and not user.signed_in:
        st.markdown("This department shows its contact to signed-in members of the exchange.")
    else:
        st.markdown("This department does not list a contact.")

st.header("Practices it works on")
core.markdown(dept["stages_note"])
if dept["stages"] is not None:
    if dept["stages"]:
        st.dataframe([{"Practice": s["practice"], "Stage": s["stage_name"], "As of": s["as_of"]} for s in dept["stages"]],
                     hide_index=True, width="stretch")
    else:
        st.markdown("No self-assessment recorded yet.")

st.header("Lessons")
if dept["lessons"]:
    for lesson in dept["lessons"]:
        core.lesson_card(lesson, key_prefix="profile")
    core.page_link("pages/home.py", label=md("All {:,} lessons in Find lessons", dept["lesson_total"]),
                   query_params={"department": str(dept["id"])}, icon=":material/search:")
else:
    st.markdown("No lessons shared under this department's name yet.")

st.header("Departments like this one")
alike = core.outcome(lambda: likeness.like(db, user, dept["id"], limit=5))
if alike.ok:
    peers_ui.peer_list(alike.value)

if dept["can_edit"]:
    st.divider()
    with core.form_panel("Edit this profile", key=f"profile_{dept['id']}_editor", icon=":material/edit:",
                         expanded=bool(st.session_state.get(f"profile_{dept['id']}_conflict"))):
        peers_ui.profile_form(db, user, dept["id"])
