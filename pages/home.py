"""Find lessons: search, facets with counts, sorting, pages; the whole view lives in the URL."""

from dataclasses import replace

import streamlit as st

from exchange import browse, taxonomy
from exchange.models import KIND_LABELS, POPULATION_BAND_LABELS
from exchange.ui import auth, core

db = core.database()
user = auth.current_user(db)
tax = taxonomy.load(db)

st.title("Find lessons")
st.markdown("Successes and honest challenges from health departments doing equity work. "
            "Filter by practice, risk and peers like you, or search the stories.")

# --- the view comes from the URL the first time, and whenever the URL changes from outside ---
url_filters = browse.from_params({k: st.query_params.get_all(k) for k in st.query_params})
KEYS = {"q": "home_q", "sort": "home_sort", "kind": "home_kind", "risk": "home_risk", "action": "home_action",
        "region": "home_region", "state": "home_state", "jurisdiction": "home_jurisdiction", "size": "home_size",
        "year": "home_year", "department": "home_department"}
CATEGORY_KEYS = {c["id"]: f"home_practice_{c['id']}" for c in tax.categories}
practice_category = {p["id"]: p["category_id"] for p in tax.practices}
if st.session_state.get("home_sig") != browse.to_params(url_filters):
    for name, key in KEYS.items():
        st.session_state[key] = list(getattr(url_filters, name)) if name not in ("q", "sort") else getattr(url_filters, name)
    st.session_state["home_sort"] = url_filters.effective_sort
    st.session_state["home_searching"] = bool(url_filters.q.strip())
    st.session_state["home_sort_chosen"] = bool(url_filters.sort)
    for cid, key in CATEGORY_KEYS.items():
        st.session_state[key] = [p for p in url_filters.practice if practice_category.get(p) == cid]
    st.session_state["home_sig"] = browse.to_params(url_filters)
    st.session_state["home_url_page"] = url_filters.page
    for key in [k for k in st.session_state if str(k).startswith("home_page_")]:
        del st.session_state[key]  # the URL's page wins over the pager's remembered one


def clear_all():
    """One click back to everything."""
    for key in [*KEYS.values(), *CATEGORY_KEYS.values()]:
        st.session_state.pop(key, None)


def current_filters() -> browse.Filters:
    s = st.session_state
    practice = tuple(p for key in CATEGORY_KEYS.values() for p in s.get(key, []))
    searching = bool((s.get("home_q") or "").strip())
    default_sort = "relevance" if searching else "newest"
    if s.get("home_searching") != searching:  # starting or clearing a search resets the sort to its default
        s["home_searching"] = searching
        if s.get("home_sort") not in ("newest", "oldest") or not s.get("home_sort_chosen"):
            s["home_sort"] = default_sort
    sort = s.get("home_sort") or default_sort
    return browse.Filters(
        q=(s.get("home_q") or "")[:200], sort="" if sort == default_sort else sort, practice=practice,
        **{name: tuple(s.get(key) or []) for name, key in KEYS.items() if name not in ("q", "sort")},
    )


filters = current_filters()
# The pager's key follows the filters, so a new filter starts at page 1 without touching widget state.
PAGE_KEY = "home_page_" + "&".join(f"{k}={','.join(v)}" for k, v in sorted(browse.to_params(filters).items()))
start_page = st.session_state.get("home_url_page", 1) if browse.to_params(filters) == browse.to_params(
    replace(url_filters, page=1)) else 1
filters = replace(filters, page=int(st.session_state.get(PAGE_KEY) or start_page))
results = core.attempt(lambda: browse.find(db, user, filters))
if results is None:
    st.stop()
filters = results.filters
if (st.session_state.get(PAGE_KEY) or 1) > results.pages:
    del st.session_state[PAGE_KEY]  # the page no longer exists under these filters
st.session_state["home_sig"] = browse.to_params(filters)
if browse.to_params(filters) != browse.to_params(url_filters):
    st.query_params.from_dict(browse.to_params(filters))

facets = results.facets


def counted(name, labels):
    return lambda value: f"{labels(value)} ({facets[name].get(value, 0)})"


def options(name, every):
    """All values with lessons under the other filters, plus whatever is selected."""
    chosen = set(getattr(filters, name))
    return [v for v in every if facets[name].get(v) or v in chosen]


left, right = st.columns([1, 2.6], gap="large")
with left:
    st.header("Filters")
    st.button("Clear all filters", icon=":material/filter_alt_off:", on_click=clear_all,
              disabled=not (filters.active or filters.q), key="home_clear")
    st.markdown("**Strategic practice**")
    for category, practices in tax.practices_by_category():
        st.multiselect(category["name"], options("practice", [p["id"] for p in practices]),
                       format_func=counted("practice", tax.practice_name), key=CATEGORY_KEYS[category["id"]],
                       placeholder="Any practice")
    chosen_practices = set(filters.practice)
    st.multiselect("Action", options("action", [a["id"] for a in tax.actions_of(chosen_practices)]),
                   format_func=counted("action", tax.action_name), key="home_action", placeholder="Any action",
                   help="Choose practices first to narrow the list of actions.")
    st.multiselect("Risk type", options("risk", [r["id"] for r in tax.risk_types if r["active"]]),
                   format_func=counted("risk", tax.risk_name), key="home_risk", placeholder="Any risk")
    st.multiselect("Kind", ["success", "challenge", "mixed"], format_func=counted("kind", KIND_LABELS.get),
                   key="home_kind", placeholder="Successes, challenges…")
    st.multiselect("HHS region", list(range(1, 11)), format_func=counted("region", lambda r: f"Region {r}"),
                   key="home_region", placeholder="Any region")
    st.multiselect("State or territory", options("state", [s["code"] for s in tax.states]),
                   format_func=counted("state", lambda c: tax.state(c)["name"]), key="home_state",
                   placeholder="Any state")
    st.multiselect("Jurisdiction type", options("jurisdiction", sorted(facets["jurisdiction"]) or list(filters.jurisdiction)),
                   format_func=counted("jurisdiction", str.capitalize), key="home_jurisdiction", placeholder="Any type")
    st.multiselect("Population served", ["small", "medium", "large"],
                   format_func=counted("size", POPULATION_BAND_LABELS.get), key="home_size", placeholder="Any size")
    st.multiselect("Year the work began", options("year", sorted(set(facets["year"]) | set(filters.year), reverse=True)),
                   format_func=counted("year", str), key="home_year", placeholder="Any year")
    if filters.department:
        st.multiselect("Department", list(filters.department), key="home_department",
                       format_func=lambda d: f"Department #{d}", help="Set by a link; clear it to see all departments.")

with right:
    top = st.columns([3, 1.2])
    top[0].text_input("Search lessons", key="home_q", placeholder="e.g. eviction, participatory budgeting, backlash",
                      icon=":material/search:")
    if len(st.session_state.get("home_q") or "") > 200:
        st.warning("Searches use the first 200 characters; the rest was left out.", icon=":material/warning:")
    sort_options = ["relevance", "newest", "oldest"] if filters.q.strip() else ["newest", "oldest"]
    if st.session_state.get("home_sort") not in sort_options:
        st.session_state["home_sort"] = filters.effective_sort
    top[1].selectbox("Sort by", sort_options, key="home_sort", format_func=str.capitalize,
                     on_change=lambda: st.session_state.update(home_sort_chosen=True))

    noun = "lesson" if results.total == 1 else "lessons"
    st.markdown(f"**{results.total:,} {noun}**" + (f" matching “{core.escape_markdown(filters.q)}”" if filters.q.strip() else ""))
    if not results.lessons:
        with st.container(border=True):
            st.markdown("### No lessons match this view")
            hints = []
            if filters.q.strip():
                hints.append("try fewer or different words in the search")
            names = {"practice": "strategic practice", "action": "action", "risk": "risk type", "kind": "kind",
                     "region": "HHS region", "state": "state", "jurisdiction": "jurisdiction type",
                     "size": "population served", "year": "year", "department": "department"}
            for name in filters.active:
                hints.append(f"remove the **{names[name]}** filter")
            st.markdown("To see more, " + ", or ".join(hints) + "." if hints else "No lessons have been published yet. Be the first to share one.")
    for lesson in results.lessons:
        core.lesson_card(lesson)
    if results.pages > 1:
        st.pagination(results.pages, default=filters.page, key=PAGE_KEY, max_visible_pages=7)
    if results.total:
        st.download_button("Download this list (CSV)", data=lambda: browse.to_csv(db, user, filters),
                           file_name="equity-exchange-lessons.csv", mime="text/csv", icon=":material/download:",
                           key="home_csv")
