"""Find lessons: search, facets with counts, sorting, pages; the whole view lives in the URL."""

import hashlib
from dataclasses import replace

import streamlit as st

from exchange.discovery import browse
from exchange import taxonomy
from exchange.transfer import exports
from exchange.models import KIND_LABELS, POPULATION_BAND_LABELS
from exchange.ui import auth, core, follow, markup, web
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)
tax = taxonomy.load(db)

st.title("Find lessons")
st.markdown("Successes and honest challenges from health departments doing equity work. "
            "Filter by practice, risk and peers like you, or search the stories.")

# The URL is the one source of truth for the view, read and written only through browse's codec.
#
# Why not `bind="query-params"` (as the dashboard does)? In Streamlit 1.67 a select widget's value
# travels, and is bound to the URL, as its *formatted label*, not its option value. Our labels carry
# live counts ("Backlash (65)"), so a bound URL would hold counts and display names (a changed count or a
# renamed practice breaks the link), and a widget whose label changed keeps sending the old label: that
# was the crash and the silent "0 lessons". So a widget is drawn anew whenever its value or the labels of
# its value change (its key is a digest of them), seeded from the URL, and its on_change writes the new URL.
# Search, sort and page follow the same path so that there is one codec and one writer of the URL.
params = {key: st.query_params.get_all(key) for key in st.query_params}
url_filters, ignored = browse.parse_params(params)
results = core.or_stop(lambda: browse.find(db, user, url_filters))
filters = results.filters  # unknown values dropped, page clamped to the pages there are
ignored = (*ignored, *(name for name in results.ignored if name not in ignored))
if browse.to_params(filters) != {key: list(values) for key, values in params.items()}:
    st.query_params.from_dict(browse.to_params(filters))
facets = results.facets


def key(name: str, *shown) -> str:
    """A widget key unique to what the widget holds, so a widget never outlives the labels of its value."""
    return f"home_{name}_" + hashlib.blake2s(repr(shown).encode(), digest_size=6).hexdigest()


def current() -> browse.Filters:
    """The view in the URL now: callbacks run before the script, possibly one after another."""
    return browse.from_params({name: st.query_params.get_all(name) for name in st.query_params})


def go(**changes) -> None:
    """Open the view with these changes; anything but a page change starts again at page 1."""
    st.query_params.from_dict(browse.to_params(replace(current(), **{"page": 1, **changes})))
    if "page" in changes:
        st.session_state["home_scroll"] = st.session_state.get("home_scroll", 0) + 1


def clear_all() -> None:
    """One click back to everything (the chosen order of the list stays)."""
    st.query_params.from_dict(browse.to_params(current().cleared()))


def chosen(widget_key: str, name: str) -> None:
    go(**{name: tuple(st.session_state[widget_key])})


def chosen_practices(widget_key: str, category_id: int) -> None:
    # The practice filter is one URL parameter shown as one multiselect per category.
    others = [p for p in current().practice if practice_category.get(p) != category_id]
    go(practice=tuple(others + list(st.session_state[widget_key])))


def searched(widget_key: str) -> None:
    q = (st.session_state[widget_key] or "").strip()[:browse.search.MAX_QUERY_CHARS]
    sort = current().sort
    # Starting or clearing a search returns an automatic sort to its default (relevance, or newest).
    go(q=q, sort="" if sort == "relevance" else sort)


def sorted_by(widget_key: str) -> None:
    value, view = st.session_state[widget_key], current()
    go(sort="" if value == replace(view, sort="").effective_sort else value)  # the default stays out of the URL


def paged(widget_key: str) -> None:
    go(page=int(st.session_state[widget_key]))


def facet(label: str, name: str, every, display, **kwargs) -> None:
    """A multiselect of stable values (ids, codes) with live counts in its labels."""
    every = list(every)
    # Practices are one filter drawn per category: each box shows its own category's.
    selected = [v for v in getattr(filters, name) if name != "practice" or v in every]
    # Values with lessons under the other filters, and whatever is chosen (even if no longer listed).
    values = [v for v in every if facets[name].get(v) or v in selected] + [v for v in selected if v not in every]
    labels = {v: f"{display(v)} ({facets[name].get(v, 0)})" for v in values}
    # The browser sends back the labels of the chosen values only, so those (and the choice) make the key:
    # a box with nothing chosen keeps its key, and is updated in place rather than drawn anew.
    widget_key = key(name, kwargs.get("category_id"), tuple(labels[v] for v in selected), tuple(selected))
    on_change, args = (chosen_practices, (widget_key, kwargs.pop("category_id"))) if name == "practice" \
        else (chosen, (widget_key, name))
    st.multiselect(markup.render(label), values, default=selected, format_func=labels.get, key=widget_key,
                   on_change=on_change, args=args, **kwargs)


practice_category = {p["id"]: p["category_id"] for p in tax.practices}
active = sum(len(values) for values in filters.active.values())

if ignored:
    core.info(md("Part of this link could not be read and was left out: {}.", ", ".join(ignored)),
              icon=":material/info:")

# On a phone the columns stack, so the filters would push every result off the first screen: there they
# fold into a "Filters (N)" expander. From 640 px up (where Streamlit puts columns side by side) a script
# opens it once per tab, through its own toggle so Streamlit's state agrees, and the CSS hides the toggle
# while it is open. If the script does not run, the toggle stays visible and works.
st.html("""<style>
[data-testid="stElementContainer"]:has(.home-scroll, .home-filters-open) { display: none; }
@media (min-width: 640px) {
  .st-key-home_filters details[open] { border: none; }
  .st-key-home_filters details[open] > summary { display: none; }
}
</style>""")
left, right = st.columns([1, 2.6], gap="large")
with left:
    filters_box = core.expander(md("Filters ({})", active), expanded=False, key="home_filters", icon=":material/tune:")
    # Our own constant script (no user text).
    st.html("""<span class="home-filters-open"></span><script>(() => {
      document.currentScript?.remove();  // leave no script element behind
      const open = () => {
        const details = document.querySelector(".st-key-home_filters details");
        if (!details) return false;
        if (window.matchMedia("(min-width: 640px)").matches && !details.open && !window.homeFiltersOpened)
          details.querySelector("summary").click();
        window.homeFiltersOpened = true;
        return true;
      };
      if (!open()) new MutationObserver((_, observer) => open() && observer.disconnect())
        .observe(document.body, {childList: true, subtree: true});
    })();</script>""", unsafe_allow_javascript=True)
with filters_box:
    st.button("Clear all filters", icon=":material/filter_alt_off:", on_click=clear_all,
              disabled=not (filters.active or filters.q or filters.current), key="home_clear")
    current_key = key("current", filters.current)
    st.toggle("Hide lessons that may be out of date", value=filters.current, key=current_key,
              on_change=lambda: go(current=st.session_state[current_key]),
              help="Leaves out lessons not confirmed as current for two years, and lessons marked historical.")
    st.markdown("**Strategic practice**")
    for category, practices in tax.practices_by_category():
        facet(category["name"], "practice", [p["id"] for p in practices], tax.practice_name,
              category_id=category["id"], placeholder="Any practice")
    facet("Action", "action", [a["id"] for a in tax.actions_of(set(filters.practice))], tax.action_name,
          placeholder="Any action", help="Choose practices first to narrow the list of actions.")
    facet("Risk type", "risk", [r["id"] for r in tax.risk_types if r["active"] or r["id"] in filters.risk],
          tax.risk_name, placeholder="Any risk")
    facet("Kind", "kind", ["success", "challenge", "mixed"], KIND_LABELS.get, placeholder="Successes, challenges…")
    facet("HHS region", "region", list(range(1, 11)), lambda r: f"Region {r}", placeholder="Any region")
    facet("State or territory", "state", [s["code"] for s in tax.states], lambda c: tax.state(c)["name"],
          placeholder="Any state")
    facet("Jurisdiction type", "jurisdiction", sorted(set(facets["jurisdiction"]) | set(filters.jurisdiction)),
          str.capitalize, placeholder="Any type")
    facet("Population served", "size", ["small", "medium", "large"], POPULATION_BAND_LABELS.get,
          placeholder="Any size")
    facet("Year the work began", "year", sorted(set(facets["year"]) | set(filters.year), reverse=True), str,
          placeholder="Any year")
    if filters.department:
        names = results.department_names
        department_key = key("department", tuple(filters.department), tuple(names.items()))
        st.multiselect("Shared by", list(filters.department), default=list(filters.department), key=department_key,
                       format_func=lambda d: names.get(d, "A department"), on_change=chosen,
                       args=(department_key, "department"), help="Set by a link; clear it to see all departments.")

with right:
    top = st.container(key="home_results_top").columns([3, 1.2])
    q_key = key("q", filters.q)
    top[0].text_input("Search lessons", value=filters.q, key=q_key, max_chars=browse.search.MAX_QUERY_CHARS,
                      placeholder="e.g. eviction, participatory budgeting, backlash", icon=":material/search:",
                      on_change=searched, args=(q_key,))
    sort_options = [s for s in browse.SORTS if s != "relevance" or filters.q.strip()]  # relevance needs a search
    sort_key = key("sort", tuple(sort_options), filters.effective_sort)
    top[1].selectbox("Sort by", sort_options, index=sort_options.index(filters.effective_sort), key=sort_key,
                     format_func=lambda s: "Most helpful" if s == "helpful" else s.capitalize(), on_change=sorted_by,
                     args=(sort_key,))

    if st.session_state.get("home_scroll"):
        # Paging keeps the browser's scroll position; bring the new page's first card into view.
        # Our own constant script (no user text); the counter makes each page change a new element.
        st.html(f"<span class='home-scroll'></span><script>/* {st.session_state['home_scroll']} */ document.currentScript?.remove(); document.querySelector('.st-key-home_results_top')"
                "?.scrollIntoView({block: 'start'});</script>", unsafe_allow_javascript=True)
        st.session_state["home_scroll"] = 0
    follow.view_follow(db, user, filters)  # "Follow this view": new lessons in it reach the Inbox (issue 11.5)
    noun = "lesson" if results.total == 1 else "lessons"
    core.markdown(md("**{total:,} {noun}**{matching}", total=results.total, noun=noun,
                     matching=md(" matching “{}”", filters.q) if filters.q.strip() else ""))
    found = results.match
    if found is not None and found.corrections:
        core.markdown(md("Did you mean **{}**? No lesson has {}, so these lessons have {}.", found.corrected_query,
                         markup.join(", ", [md("“{}”", typed) for typed, _ in found.corrections]),
                         markup.join(", ", [md("“{}”", suggested) for _, suggested in found.corrections])))
    if found is not None and found.mode == "some" and results.total:
        core.markdown(md("No lesson has all of these words{}; showing lessons with some of them, best first.",
                         md(" (none has {})", markup.join(", ", [md("“{}”", w) for w in found.unknown]))
                         if found.unknown else ""))
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
                hints.append(md("remove the **{}** filter", names[name]))
            if filters.current:
                hints.append(md("show lessons that may be out of date"))
            if hints:
                core.markdown(md("To see more, {}.", markup.join(", or ", hints)))
            else:
                st.markdown("No lessons have been published yet. Be the first to share one.")
    for lesson in results.lessons:
        core.lesson_card(lesson)
    if results.pages > 1:
        page_key = key("page", results.pages, filters.page)
        st.pagination(results.pages, default=filters.page, key=page_key, max_visible_pages=7,
                      on_change=paged, args=(page_key,))
    if results.total:
        st.download_button("Download this list (CSV)", data=lambda: exports.view_csv(db, user, filters),
                           file_name="equity-exchange-lessons.csv", mime="text/csv", icon=":material/download:",
                           key="home_csv")
        if results.total > exports.VIEW_CSV_CAP:
            core.markdown(md("The download holds the first {cap:,} of these {total:,} lessons; narrow the filters "
                             "for the rest, or use the open data (`/api/v1/open-data/lessons.csv`).",
                             cap=exports.VIEW_CSV_CAP, total=results.total))
    if web.serving():  # the open-data route is served by server.py (not by `streamlit run app.py`)
        st.link_button("Open data: every public lesson (CSV)", exports.OPEN_DATA_CSV_URL, icon=":material/dataset:")
