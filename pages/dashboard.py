"""Adoption dashboard: how equity practices spread across regions and over time. The filters live in the URL."""

import hashlib
from functools import partial

import streamlit as st

from exchange import adoption
from exchange.adoption import governance as adoption_governance, url as adoption_url, charts, keyboard, report, stalled, tabs
from exchange.models import POPULATION_BAND_LABELS
from exchange.ui import auth, core
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

opts = core.or_stop(lambda: adoption.options(db, user))  # refuses members and visitors with a plain message

st.title("Adoption of equity practices")
st.markdown(":material/link: These filters are kept in the page address: copy it from the address bar to share "
            "exactly this view with a colleague.")

# The address holds ids and codes (adoption_url), so a renamed practice keeps old links working. Streamlit's
# bind="query-params" cannot do that: it writes the option's *displayed* label into the URL. So the address is
# read here when it changed from outside (first load, a pasted link, back/forward) and written after the widgets.
names = {p["id"]: p["name"] for p in opts.practices}
ALL = 0  # "All practices": not None, which session state would take for "nothing chosen" and show a placeholder
url = adoption_url.from_params({k: st.query_params.get_all(k) for k in adoption_url.PARAMS}, opts)
if (st.session_state.get("dashboard_url") != adoption_url.to_params(url.filters, opts)
        or any(k not in st.session_state for k in adoption_url.PARAMS)):
    f = url.filters
    st.session_state.update(practice=f.practice_id or ALL, period=(f.first_quarter, f.last_quarter), region=list(f.regions),
                            jurisdiction=list(f.jurisdiction_types), size=list(f.population_bands),
                            urbanicity=list(f.urban_rural), governance=list(f.governance))
    if url.ignored:
        core.info(md("Part of this page's address was not understood and is ignored: {}.", ", ".join(url.ignored)),
                  icon=":material/info:")

top = st.columns([2, 3])
practice_id = top[0].selectbox("Practice", [ALL, *names], key="practice",
                               format_func=lambda i: "All practices" if i == ALL else names[i]) or None
period = top[1].select_slider("Period (charts of the current stage show the end of the period)", opts.quarters,
                              value=adoption_url.default_period(opts), key="period")  # a pair: a range slider
row = st.columns(5)
regions = row[0].multiselect("HHS regions", opts.regions, key="region", format_func=lambda r: f"Region {r}",
                             placeholder="All regions")
kinds = row[1].multiselect("Jurisdiction type", opts.jurisdiction_types, key="jurisdiction", placeholder="All types")
bands = row[2].multiselect("Population served", opts.population_bands, key="size",
                           format_func=POPULATION_BAND_LABELS.get, placeholder="All sizes")
urban = row[3].multiselect("Urban–rural level", opts.urban_rural, key="urbanicity", placeholder="All levels")
governance = row[4].multiselect("State governance", opts.governance, key="governance",
                                format_func=adoption_governance.label, placeholder="All kinds")

if user.regions:
    st.button(f"Show my regions ({', '.join(map(str, user.regions))})", icon=":material/my_location:", key="my_regions",
              on_click=lambda: st.session_state.update(region=list(user.regions)))

filters = adoption.Filters(practice_id=practice_id, regions=tuple(regions), jurisdiction_types=tuple(kinds),
                           population_bands=tuple(bands), urban_rural=tuple(urban), governance=tuple(governance),
                           first_quarter=period[0], last_quarter=period[1])
address = adoption_url.to_params(filters, opts)
st.session_state["dashboard_url"] = address
if {k: st.query_params.get_all(k) for k in adoption_url.PARAMS if k in st.query_params} != address:
    for name in adoption_url.PARAMS:
        if name in address:
            st.query_params[name] = address[name]
        elif name in st.query_params:
            del st.query_params[name]
dash = core.or_stop(lambda: adoption.dashboard(db, user, filters))  # too few departments: a message, not charts

core.markdown(md("**{n}** departments with a self-assessment as of {snapshot:%-d %B %Y}, of **{all:,}** in the directory "
                 "for these filters. Shares are of departments with an assessment unless a chart says otherwise. "
                 "Small numbers: a figure resting on fewer than {k} departments reads \"fewer than {k}\", and one that "
                 "would let such a number be worked out by subtraction reads \"withheld\", in the charts, tables, "
                 "downloads and the report.", n=charts.count(dash.departments, "withheld"), snapshot=dash.snapshot,
                 all=dash.directory, k=dash.threshold))


@st.cache_resource(max_entries=256, show_spinner=False)
def chart_views(filters_key: str, version: int, snapshot, threshold: int, tab: str | None,
                _dash: adoption.Dashboard) -> list[charts.ChartView]:
    """The charts of one tab (None: all, for the report), built once per filters and data version."""
    views = tabs.views(_dash, tab) if tab else charts.dashboard_views(_dash)
    # Built here, inside the cache. An assignment, never a bare `view.spec_json`: Streamlit's magic writes a bare
    # expression to the page, and did: each spec as a 30-40 KB markdown block the browser parsed on every run.
    _ = [view.spec_json for view in views]
    return views


def with_movement() -> adoption.Dashboard:
    """This view with its Movement views too (computed only for the Movement tab and the report)."""
    return adoption.dashboard(db, user, filters, movement=True)


def report_html(dash: adoption.Dashboard, filters_key: str) -> str:
    """The report of this view, with every chart (built only when someone downloads it)."""
    full = with_movement()
    return report.render(full, chart_views(filters_key, dash.version, dash.snapshot, dash.threshold, None, full))


def remember(chart_key: str) -> None:
    """Keep the latest click of any chart: it decides which departments to list."""
    reset_rows()
    st.session_state["drill"] = adoption.drill_from_selection(chart_key, st.session_state[chart_key]["selection"])


def choose_row(row_key: str, rows: dict) -> None:
    """Keep the row chosen from a chart's list (the keyboard's way to the drill-down)."""
    chosen = st.session_state.get(row_key)
    reset_rows(but=row_key)
    st.session_state["drill"] = rows[chosen][1] if chosen in rows else None


def reset_rows(but: str | None = None) -> None:
    """Empty every chart's row list but one, so only the drill-down shown reads as chosen."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("row_") and k != but]:
        st.session_state[key] = None


def forget() -> None:
    """Clear the drill-down."""
    reset_rows()
    st.session_state["drill"] = None


stage_names = charts.stage_names(dash)
filters_digest = hashlib.sha1(repr(filters).encode()).hexdigest()[:10]
st.download_button("Report for leadership (HTML, prints cleanly)", icon=":material/print:", key="report",
                   data=partial(report_html, dash, repr(filters)), file_name=f"adoption-report-{dash.snapshot}.html",
                   mime="text/html", on_click="ignore",
                   help="Every chart of this view as an image, with its takeaway, its data table and the filters.")


def scroll_styles(views: list[charts.ChartView]) -> None:
    """On a phone a chart keeps a readable width and scrolls sideways inside its own box, never widening the page."""
    st.html("<style>" + "".join(
        f".st-key-{v.key}_scroll {{overflow-x: auto}} "
        f".st-key-{v.key}_scroll [data-testid=stFullScreenFrame] {{min-width: {v.min_width}px}} " for v in views)
        + "</style>")


def chart_box(view: charts.ChartView) -> None:
    """One chart with its takeaway, downloads, table and drill-down."""
    drill = st.session_state.get("drill")
    with st.container(border=True, key=f"{view.key}_box"):
        core.subheader(view.title)
        core.markdown(view.takeaway)  # names practices, which administrators write: shown literally
        scroll = st.container(key=f"{view.key}_scroll")
        if view.selection:
            scroll.vega_lite_chart(spec=view.spec, key=view.key, alt=view.alt, width=view.width,
                                   on_select=partial(remember, view.key), selection_mode=view.selection)
            st.markdown(":material/touch_app: Click a mark to list the departments behind it; double-click to clear.")
        else:
            scroll.vega_lite_chart(spec=view.spec, key=view.key, alt=view.alt, width=view.width)
        slug = view.key.removeprefix("chart_")
        buttons = st.columns([1, 1, 1, 3])
        buttons[0].download_button("PNG", data=partial(charts.to_png, view.chart), file_name=f"adoption-{slug}.png",
                                   mime="image/png", icon=":material/image:", on_click="ignore", key=f"{view.key}_png")
        buttons[1].download_button("SVG", data=partial(charts.to_svg, view.chart), file_name=f"adoption-{slug}.svg",
                                   mime="image/svg+xml", icon=":material/draw:", on_click="ignore", key=f"{view.key}_svg")
        buttons[2].download_button("Data (CSV)", data=partial(charts.to_csv, view.table), file_name=f"adoption-{slug}.csv",
                                   mime="text/csv", icon=":material/download:", on_click="ignore", key=f"{view.key}_csv")
        with st.expander("Data table", icon=":material/table:"):
            links = {"Lessons": st.column_config.LinkColumn("Lessons", display_text="Their lessons on it")}
            st.dataframe(view.table, hide_index=True, width="stretch", key=f"{view.key}_table",
                         column_config=links if "Lessons" in view.table else None)
        rows = keyboard.choices(dash, view.key)
        if rows:  # the same drill-down as a click, by keyboard: Tab here, arrow keys or type, Enter
            row_key = f"row_{view.key}_{filters_digest}"  # a filter change starts an empty list
            st.selectbox("List the departments behind a row", list(rows), index=None, key=row_key,
                         format_func=lambda k: rows[k][0], placeholder="Choose a row (works with the keyboard)",
                         on_change=choose_row, args=(row_key, rows))

        if drill is not None and drill.chart == view.key:
            drilled = core.outcome(lambda: adoption.drilldown(db, user, filters, drill))
            if drilled.ok:
                found = drilled.value
                core.markdown(md("**Departments behind your selection: {what}** ({n:,}, stage as of {snapshot:%-d %B %Y})",
                                 what=charts.describe_drill(drill, names, stage_names), n=len(found),
                                 snapshot=dash.snapshot))
                st.dataframe(charts.drill_table(found), hide_index=True, width="stretch", key="drill_table",
                             column_config={"Lessons": st.column_config.LinkColumn(
                                 "Lessons", display_text="Their lessons", help="Opens their published lessons")})
                if len(found) >= adoption.DRILL_LIMIT:
                    core.markdown(md("Showing the first {:,} rows: choose a practice to narrow the list.",
                                     adoption.DRILL_LIMIT))
                st.button("Clear the selection", icon=":material/close:", on_click=forget, key="drill_clear")


def stalled_list() -> None:
    """The stalled departments of the coordinator's own regions, those that share their stages."""
    found = core.outcome(lambda: stalled.stalled_departments(db, user, filters))
    if not found.ok:
        return
    listed = found.value
    with st.container(border=True, key="stalled_box"):
        core.subheader("Stalled departments in your regions")
        if not listed.regions:
            core.markdown("No region of yours is in this view: the list covers the regions you coordinate.")
            return
        where = ", ".join(f"Region {r}" for r in listed.regions)
        if not listed.departments:
            core.markdown(md("{}: no department that shares its stages has stalled on these practices.", where))
            return
        core.markdown(md("{}: departments below Sustaining and no higher than a year before, as of {:%-d %B %Y}. "
                         "Only departments that share their stages with coordinators are named.", where, dash.snapshot))
        st.dataframe(charts.stalled_table(listed.departments), hide_index=True, width="stretch", key="stalled_table",
                     column_config={"Lessons": st.column_config.LinkColumn(
                         "Lessons", display_text="Their lessons", help="Opens their published lessons")})
        if listed.truncated:
            core.markdown(md("Showing the first {:,}: choose a practice or a region to narrow the list.",
                             stalled.LIST_LIMIT))


# Tabs run lazily (on_change="rerun"): a filter change builds and draws only the open tab's charts.
for name, tab in zip(tabs.names(), st.tabs(tabs.names(), key="dashboard_tab", on_change="rerun")):
    if tab.open:
        with tab:
            shown = core.or_stop(with_movement) if name == "Movement" else dash
            views = chart_views(repr(filters), dash.version, dash.snapshot, dash.threshold, name, shown)
            scroll_styles(views)
            for view in views:
                chart_box(view)
            if name == "Movement":
                stalled_list()
