"""Widgets for department profiles and peers: the peer list with reasons, "who has done it", filters, the profile form."""

from __future__ import annotations

import streamlit as st

from exchange.errors import ExchangeError
from exchange.models import HHS_REGIONS, JURISDICTION_TYPES, POPULATION_BAND_LABELS, POPULATION_BANDS, URBAN_RURAL_LEVELS, User
from exchange.peers import likeness, profiles
from exchange.peers import url as peer_url
from exchange.storage.duckdb import Database
from exchange.ui import core, markup
from exchange.ui.markup import md


_FILTER_LABELS = {"jurisdiction": "jurisdiction type", "size": "population served", "urban": "urban–rural level",
                  "region": "HHS region", "governance": "state governance"}


def peer_filters(prefix: str) -> likeness.PeerFilters:
    """Multiselects for the likeness dimensions (values are codes; labels carry no counts), kept in the page address
    so a reload, the back button or a shared link shows the same peers."""
    filters, ignored = peer_url.from_params(st.query_params.to_dict() | {
        name: st.query_params.get_all(name) for name in likeness.FILTERS})
    if ignored:
        core.info(md("Part of this link could not be read and was left out: {}.",
                     ", ".join(_FILTER_LABELS[name] for name in ignored)), icon=":material/info:")

    def changed(name: str, widget_key: str) -> None:
        chosen = {n: getattr(filters, n) for n in likeness.FILTERS}
        chosen[name] = tuple(st.session_state[widget_key])
        st.query_params.from_dict(peer_url.to_params(likeness.PeerFilters(**chosen)))

    columns = st.columns(5)
    for column, (name, label, options, show) in zip(columns, (
            ("jurisdiction", "Jurisdiction type", JURISDICTION_TYPES, str.capitalize),
            ("size", "Population served", POPULATION_BANDS, POPULATION_BAND_LABELS.get),
            ("urban", "Urban–rural level", URBAN_RURAL_LEVELS, str.capitalize),
            ("region", "HHS region", HHS_REGIONS, lambda r: f"Region {r}"),
            ("governance", "State governance", tuple(profiles.GOVERNANCE), profiles.GOVERNANCE.get))):
        selected = list(getattr(filters, name))
        # The key carries the address's value: a back button or a pasted link gives a new widget with it.
        widget_key = f"{prefix}_{name}_{'-'.join(map(str, selected))}"
        with column:
            st.multiselect(label, options, default=selected, format_func=show, key=widget_key, placeholder="Any",
                           on_change=changed, args=(name, widget_key))
    return filters


def peer_list(found: dict) -> None:
    """Each peer: its name (a link to its profile), why it is alike, and a link to its lessons."""
    if not found["peers"]:
        st.markdown("No department matches these filters. Remove a filter to see more.")
        return
    for peer in found["peers"]:
        with st.container(border=True):
            with st.container(horizontal=True, gap="small"):
                core.page_link("pages/department.py", label=md("{name} ({state})", name=peer["name"],
                                                                state=peer["state_code"]),
                               query_params={"id": str(peer["id"])}, icon=":material/apartment:")
                core.page_link("pages/home.py", label="Its lessons", query_params={"department": str(peer["id"])},
                               icon=":material/article:")
            core.markdown(md("Alike: {}.", peer["reasons"][:1].upper() + peer["reasons"][1:]))


def who_has_done(items: list[dict] | None, *, yours: bool) -> None:
    """For each practice being explored or prepared: who is implementing or sustaining it, with their lessons."""
    whose = "your department is" if yours else "this department is"
    if items is None:
        st.markdown("This department does not share its practice stages, so peers cannot be matched to what it "
                    "is about to do.")
        return
    if not items:
        core.markdown(md("No practice that {} exploring or preparing right now.", whose))
        return
    for item in items:
        with st.container(border=True):
            core.markdown(md("**{practice}** — {whose} {stage}", practice=item["practice"], whose=whose,
                             stage=item["stage_name"].lower()))
            if not item["doers"]:
                st.markdown("No department that shares its stages is implementing or sustaining it yet.")
            for doer in item["doers"]:
                with st.container(horizontal=True, gap="small"):
                    core.page_link("pages/department.py", label=md("{name} ({state})", name=doer["name"],
                                                                    state=doer["state_code"]),
                                   query_params={"id": str(doer["id"])}, icon=":material/apartment:")
                    core.badge(doer["stage_name"], color="green" if doer["stage"] == likeness.SUSTAINING else "blue")
                for lesson in doer["lessons"]:
                    core.page_link("pages/lesson.py", label=lesson["title"], query_params={"id": str(lesson["id"])},
                                   icon=":material/article:")
            more = md(" and {} more that share their stages", item["more_sharing"]) if item["more_sharing"] else ""
            core.markdown(md("Departments that keep their stages private and are implementing or sustaining it: "
                             "**{others}**{more}.", others=item["others"], more=more))


_FIELDS = ("description", "state_governance", "accreditation", "share_stages", "contact_visibility", "contact_name",
           "contact_email")


def profile_form(db: Database, user: User, dept_id: int) -> None:
    """The profile editor: seeded from the stored profile; a stale save keeps what was typed and shows the stored one."""
    prefix = f"profile_{dept_id}"
    revision_key, opened_key = f"{prefix}_revision", f"{prefix}_opened"
    if revision_key not in st.session_state or opened_key not in st.session_state:
        try:
            stored, revision = profiles.editable(db, user, dept_id)
        except ExchangeError as exc:
            core.show_error(exc)
            return
        # The version this editor started from: the widgets' first values, and the revision a save is checked
        # against (kept as plain state: widget state is dropped on runs that do not draw the widget).
        st.session_state[opened_key], st.session_state[revision_key] = stored, revision
    opened: profiles.ProfileInput = st.session_state[opened_key]
    with st.form(f"{prefix}_form"):
        st.text_area(profiles.FIELD_LABELS["description"], value=opened.description, key=f"{prefix}_description",
                     max_chars=profiles.MAX_DESCRIPTION, help="What your department does and serves, in a few lines.")
        left, right = st.columns(2)
        governance = list(profiles.GOVERNANCE)
        left.selectbox(profiles.FIELD_LABELS["state_governance"], governance,
                       index=governance.index(opened.state_governance) if opened.state_governance in governance else 0,
                       format_func=lambda g: f"{profiles.GOVERNANCE[g]}: {profiles.GOVERNANCE_MEANING[g]}",
                       key=f"{prefix}_state_governance")
        accreditation = list(profiles.ACCREDITATION)
        right.selectbox(profiles.FIELD_LABELS["accreditation"], accreditation,
                        index=accreditation.index(opened.accreditation), format_func=profiles.ACCREDITATION.get,
                        key=f"{prefix}_accreditation")
        st.checkbox(profiles.FIELD_LABELS["share_stages"], value=opened.share_stages, key=f"{prefix}_share_stages",
                    help="Peers then see your self-assessed stage per practice and can find you as a department "
                         "that has done what they are about to do. Otherwise your stages count only in totals.")
        contact = list(profiles.CONTACT)
        st.radio(profiles.FIELD_LABELS["contact_visibility"], contact, index=contact.index(opened.contact_visibility),
                 format_func=profiles.CONTACT.get, key=f"{prefix}_contact_visibility", horizontal=True)
        left, right = st.columns(2)
        left.text_input(profiles.FIELD_LABELS["contact_name"], value=opened.contact_name, key=f"{prefix}_contact_name",
                        max_chars=profiles.MAX_CONTACT_NAME)
        right.text_input(profiles.FIELD_LABELS["contact_email"], value=opened.contact_email,
                         key=f"{prefix}_contact_email", max_chars=254)
        submitted = st.form_submit_button("Save profile", type="primary", icon=":material/save:")
    if submitted:
        _save(db, user, dept_id, prefix, st.session_state[revision_key])
    conflict = st.session_state.get(f"{prefix}_conflict")
    if conflict is not None:
        _show_conflict(db, user, dept_id, prefix, conflict)


def _typed(prefix: str) -> profiles.ProfileInput:
    opened = st.session_state.get(f"{prefix}_opened") or profiles.ProfileInput()
    return profiles.ProfileInput(**{name: st.session_state.get(f"{prefix}_{name}", getattr(opened, name))
                                    for name in _FIELDS})


def _save(db: Database, user: User, dept_id: int, prefix: str, revision: int) -> None:
    mine = _typed(prefix)
    try:
        profiles.update(db, user, dept_id, mine, revision=revision)
    except profiles.ProfileChanged as exc:
        st.session_state[f"{prefix}_conflict"] = exc
        return
    except ExchangeError as exc:
        core.show_error(exc)
        return
    for key in [k for k in st.session_state if str(k).startswith(prefix + "_")]:
        del st.session_state[key]  # the form is seeded again from what is now stored
    core.flash("Profile saved.", icon=":material/check:")
    st.rerun()


def _show_conflict(db: Database, user: User, dept_id: int, prefix: str, conflict: profiles.ProfileChanged) -> None:
    core.error(conflict.message, icon=":material/sync_problem:")
    lines = [md("- **{label}** — saved: “{theirs}”; yours: “{mine}”", label=profiles.FIELD_LABELS[f],
                theirs=str(getattr(conflict.current, f)), mine=str(getattr(_typed(prefix), f)))
             for f in conflict.changed_fields(_typed(prefix))]
    if lines:
        core.markdown(markup.join("\n", lines))
    if st.button("Save mine over the saved version", key=f"{prefix}_overwrite", icon=":material/save_as:"):
        st.session_state.pop(f"{prefix}_conflict", None)
        _save(db, user, dept_id, prefix, conflict.revision)
