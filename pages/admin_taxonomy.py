"""Taxonomy (administrators): add, rename, move and deactivate practices, actions and risk types."""

import streamlit as st

from exchange.kernel import limits
from exchange import taxonomy
from exchange.errors import Conflict
from exchange.ui import auth, core
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

st.title("Taxonomy")
used = auth.require_page(lambda: taxonomy.usage(db, user))
tax = taxonomy.load(db)
categories = {c["id"]: c["name"] for c in tax.categories}
practices = {p["id"]: p for p in tax.practices}

st.markdown("Practices, actions and risk types are data, not code. Renaming changes every lesson that uses an item; "
            "deactivating hides it from new lessons and filters while lessons that already use it keep it. "
            "Nothing is ever deleted.")
core.show_flash()


def done(message) -> None:
    """Say what happened after the rerun that redraws the page with fresh data."""
    core.flash(message, icon=":material/check:")
    st.rerun()


def state(item: dict) -> str:
    return "active" if item["active"] else "deactivated"


def edit_forms(kind: str, items: dict[int, dict], noun: str, *, described: bool, label=lambda i: i["name"]) -> None:
    """Rename (and re-describe) one item, and deactivate or reactivate it, each after a confirmation."""
    if not items:
        return
    chosen = st.selectbox(f"{noun.capitalize()} to change", list(items), key=f"{kind}_chosen",
                          format_func=lambda i: f"{label(items[i])} ({state(items[i])})")
    item = items[chosen]
    # What this editor started from: a save is refused if another administrator changed it since.
    seen_key = f"{kind}_seen_{chosen}"
    seen = st.session_state.setdefault(seen_key, {f: item.get(f) for f in ("name", "description", "category_id")})
    with st.form(f"{kind}_rename_{chosen}"):
        # Keyed, so the typed text survives a refused save (the defaults follow the stored item).
        name = st.text_input("Name", value=item["name"], max_chars=limits.TAXONOMY_NAME, key=f"{kind}_name_{chosen}")
        description = (st.text_area("Description", value=item["description"], max_chars=limits.TAXONOMY_DESCRIPTION,
                                    key=f"{kind}_description_{chosen}") if described else None)
        category = (st.selectbox("Category", list(categories), index=list(categories).index(item["category_id"]),
                                 format_func=categories.get) if kind == "practice" else None)
        sure = st.checkbox(f"Change this {noun} for every lesson that uses it ({used[kind].get(chosen, 0)} lessons)")
        save = st.form_submit_button("Save", icon=":material/save:")
    if save:
        if not sure:
            st.warning("Tick the confirmation box to go ahead; nothing was changed.", icon=":material/warning:")
        else:
            result = core.outcome(lambda: taxonomy.rename(db, user, kind, chosen, name, description,
                                                          category_id=category, seen=seen), show=False)
            if result.ok:
                st.session_state.pop(seen_key, None)
                done(md("Saved the {noun} “{name}”.", noun=noun, name=name.strip()))
            else:
                if isinstance(result.error, Conflict):  # the next save overwrites knowingly
                    st.session_state[seen_key] = {f: item.get(f) for f in ("name", "description", "category_id")}
                core.show_error(result.error)
    verb = "Deactivate" if item["active"] else "Reactivate"
    with st.form(f"{kind}_active_{chosen}"):
        sure = st.checkbox(md("{verb} “{name}”", verb=verb, name=item["name"]))  # a label renders markdown
        toggle = st.form_submit_button(verb, icon=":material/block:" if item["active"] else ":material/undo:")
    if toggle:
        if not sure:
            st.warning("Tick the confirmation box to go ahead; nothing was changed.", icon=":material/warning:")
        else:
            core.act(lambda: taxonomy.set_active(db, user, kind, chosen, not item["active"]),
                     done=md("{verb}d the {noun} “{name}”.", verb=verb, noun=noun, name=item["name"]),
                     icon=":material/check:")


practices_tab, actions_tab, risks_tab = st.tabs(
    ["Practices", "Actions", "Risk types"], key="taxonomy_tab", on_change="rerun")  # kept across reruns: a submit stays in its tab
with practices_tab:
    st.dataframe([{"Category": categories[p["category_id"]], "Practice": p["name"], "Status": state(p),
                   "Confirmed from the guide": p["confirmed"], "Lessons": used["practice"].get(p["id"], 0)}
                  for p in tax.practices], hide_index=True, width="stretch")
    with core.form_panel("Add a practice", key="add_practice_panel", icon=":material/add:"):
        with st.form("add_practice", clear_on_submit=True):
            category = st.selectbox("Category", list(categories), format_func=categories.get)
            name = st.text_input("Name", max_chars=limits.TAXONOMY_NAME)
            description = st.text_area("Description", max_chars=limits.TAXONOMY_DESCRIPTION)
            add = st.form_submit_button("Add practice", type="primary", icon=":material/add:")
        if add:
            core.act(lambda: taxonomy.add_practice(db, user, category, name, description),
                     done=md("Added the practice “{}”.", name.strip()), icon=":material/check:")
    edit_forms("practice", practices, "practice", described=True)

with actions_tab:
    st.dataframe([{"Practice": practices[a["practice_id"]]["name"], "Action": a["name"], "Status": state(a),
                   "Lessons": used["action"].get(a["id"], 0)} for a in tax.actions], hide_index=True, width="stretch")
    with core.form_panel("Add an action", key="add_action_panel", icon=":material/add:"):
        with st.form("add_action", clear_on_submit=True):
            practice = st.selectbox("Practice", list(practices), format_func=lambda i: practices[i]["name"])
            name = st.text_input("Action", max_chars=limits.TAXONOMY_NAME)
            add = st.form_submit_button("Add action", type="primary", icon=":material/add:")
        if add:
            core.act(lambda: taxonomy.add_action(db, user, practice, name),
                     done=md("Added the action “{}”.", name.strip()), icon=":material/check:")
    edit_forms("action", {a["id"]: a for a in tax.actions}, "action", described=False,
               label=lambda a: f"{a['name']} — {practices[a['practice_id']]['name']}")

with risks_tab:
    st.dataframe([{"Risk type": r["name"], "Description": r["description"], "Status": state(r),
                   "Lessons": used["risk_type"].get(r["id"], 0)} for r in tax.risk_types], hide_index=True, width="stretch")
    with core.form_panel("Add a risk type", key="add_risk_panel", icon=":material/add:"):
        with st.form("add_risk", clear_on_submit=True):
            name = st.text_input("Name", max_chars=limits.TAXONOMY_NAME)
            description = st.text_area("Description", max_chars=limits.TAXONOMY_DESCRIPTION)
            add = st.form_submit_button("Add risk type", type="primary", icon=":material/add:")
        if add:
            core.act(lambda: taxonomy.add_risk_type(db, user, name, description),
                     done=md("Added the risk type “{}”.", name.strip()), icon=":material/check:")
    edit_forms("risk_type", {r["id"]: r for r in tax.risk_types}, "risk type", described=True)
