"""The adoption dashboard page: charts and their specs, role checks, URL filters, drill-down, downloads."""

import json

import pytest

from exchange.identity import accounts
from exchange import taxonomy
from exchange.adoption import Drill
from tests.pages.text import shown

COORDINATOR = "coordinator@demo.example.org"
ADMIN = "admin@demo.example.org"
MEMBER = "member@demo.example.org"
KEYS = ["chart_heatmap", "chart_stages", "chart_trend", "chart_map"]


def specs(at) -> dict[str, dict]:
    """Every chart on the page by its title, with its spec and alt text."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        found[spec["title"]["text"]] = {"spec": spec, "alt": chart.proto.alt, "key": chart.key,
                                        "data": chart.proto.datasets}
    return found


TABS = ["Regions and stages", "Reach over time", "Movement", "By kind of place", "Lessons"]


def every_tab(at) -> dict[str, dict]:
    """The charts of every tab (each tab builds only when open), in page order."""
    found = {}
    for name in TABS:
        at.session_state["dashboard_tab"] = name
        at.run()
        assert not at.exception, name
        found.update(specs(at))
    at.session_state["dashboard_tab"] = TABS[0]  # back where a visitor starts
    at.run()
    return found


def table(at, *columns):
    """The first data table having these columns (tables without selections carry no key in AppTest)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    return None


def layer(spec, mark):
    return next(layer for layer in spec.get("layer", [spec]) if layer["mark"]["type"] == mark)


@pytest.fixture
def board(pages):
    return pages.open("dashboard", email=COORDINATOR, timeout=60)


def test_a_coordinator_sees_seventeen_titled_charts_with_takeaways_and_alt_text(board):
    assert not board.exception and not board.error
    assert [t.label for t in board.tabs] == TABS
    assert list(specs(board)) == ["Adoption by region and practice", "Stages per practice",  # only the open tab is built
                                  "Adoption over time: all practices (pooled)", "Adoption by state: all practices (pooled)"]
    charts = every_tab(board)
    assert list(charts) == ["Adoption by region and practice", "Stages per practice", "Adoption over time: all practices (pooled)",
                            "Adoption by state: all practices (pooled)", "Cumulative adoption: all practices (pooled)",
                            "Population covered", "Movement between stages: all practices (pooled)",
                            "Stage transitions per quarter: all practices (pooled)", "Time in stage: all practices (pooled)",
                            "Stalled departments: all practices (pooled)", "Adoption by population served: all practices (pooled)",
                            "Adoption by urban–rural level: all practices (pooled)",
                            "Adoption by jurisdiction type: all practices (pooled)",
                            "Adoption by state governance: all practices (pooled)", "Lessons next to adoption",
                            "The movement's pulse: lessons by kind", "The movement's pulse: risks named"]
    assert [c["key"] for c in charts.values()][:4] == KEYS  # stable keys for the browser tests
    for title, chart in charts.items():
        assert len(chart["alt"]) > 60, title
    assert charts["Adoption by region and practice"]["alt"].startswith("Heatmap: rows are practices")
    texts = [m.value for m in board.markdown]
    assert any(t.startswith("Region ") and " leads on " in t for t in texts)


def test_no_chart_spec_is_written_to_the_page_as_text(board):
    # A bare `view.spec_json` in the page once went through Streamlit's magic: every chart's Vega-Lite spec
    # (30-40 KB of JSON) showed as a markdown block, and parsing them was half the browser's work on each run.
    every_tab(board)  # the open tab, then each other tab once
    for text in (m.value for m in board.markdown):
        assert len(text) < 2000 and not text.lstrip().startswith("{"), text[:120]


def test_chart_specs_encode_the_right_fields(board):
    charts = every_tab(board)
    heat = layer(charts["Adoption by region and practice"]["spec"], "rect")["encoding"]
    assert (heat["x"]["field"], heat["y"]["field"], heat["color"]["field"]) == ("region", "practice", "share")
    bars = layer(charts["Stages per practice"]["spec"], "bar")["encoding"]
    assert bars["x"]["stack"] == "normalize" and bars["color"]["field"] == "stage_name"
    trend = layer(charts["Adoption over time: all practices (pooled)"]["spec"], "line")["encoding"]
    assert (trend["x"]["field"], trend["y"]["field"], trend["color"]["field"]) == ("quarter", "share", "region_label")
    tiles = layer(charts["Adoption by state: all practices (pooled)"]["spec"], "rect")["encoding"]
    assert (tiles["x"]["field"], tiles["y"]["field"]) == ("tile_col", "tile_row")
    pulse = charts["The movement's pulse: lessons by kind"]["spec"]["encoding"]
    assert pulse["color"]["field"] == "kind" and pulse["y"]["field"] == "lessons"
    params = {p["name"]: p["select"]["fields"] for c in charts.values() for p in c["spec"].get("params", [])
              if "select" in p}
    params.update({p["name"]: p["select"]["fields"] for c in charts.values() for lay in c["spec"].get("layer", [])
                   for p in lay.get("params", []) if "select" in p})
    assert params == {"cell": ["region", "practice_id"], "segment": ["practice_id", "stage"], "line": ["region"],
                      "state": ["state"]}


def test_each_chart_offers_png_svg_and_csv_downloads(board):
    keys = set()
    for name in TABS:
        board.session_state["dashboard_tab"] = name
        keys |= {b.key for b in board.run().get("download_button")}
    for key in [*KEYS, "chart_curve", "chart_movement", "chart_transitions", "chart_time_in_stage", "chart_stalled",
                "chart_population", "chart_by_population_band", "chart_by_urban_rural",
                "chart_by_jurisdiction_type", "chart_by_governance", "chart_lessons_by_stage", "chart_pulse_kind",
                "chart_pulse_risk"]:
        assert {f"{key}_png", f"{key}_svg", f"{key}_csv"} <= keys
    assert "report" in keys


def test_a_member_sees_only_a_not_available_message(pages):
    at = pages.open("dashboard", email=MEMBER)
    assert [shown(e.value) for e in at.error] == ["The adoption dashboard is not available for your role. "
                                           "It is for regional coordinators and administrators."]
    assert not at.get("vega_lite_chart") and not at.selectbox and not at.multiselect and not at.title
    assert not at.get("download_button")


def test_a_visitor_is_asked_to_sign_in(pages):
    at = pages.open("dashboard")
    assert "sign in" in at.error[0].value.lower() and not at.get("vega_lite_chart")


def test_filters_come_from_the_url_so_a_view_can_be_shared(pages):
    at = pages.open("dashboard", email=ADMIN, timeout=60,
                    query={"practice": "2", "region": ["5", "7"], "period": ["2025 Q1", "2025 Q4"]})
    assert not at.exception and not at.info
    assert at.selectbox(key="practice").value == 2
    assert at.multiselect(key="region").value == [5, 7]
    assert at.select_slider(key="period").value == ("2025 Q1", "2025 Q4")
    charts = every_tab(at)
    assert "Adoption over time: Allocate Resources" in charts
    trend = charts["Adoption over time: Allocate Resources"]["spec"]
    assert layer(trend, "line")["encoding"]["x"]["sort"] == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    heat = table(at, "HHS region", "Practice", "Departments assessed")
    assert set(heat["HHS region"]) <= {5, 7} and set(heat["Practice"]) == {"Allocate Resources"}
    assert any("as of 31 December 2025" in m.value for m in at.markdown)


def address(at) -> dict[str, list[str]]:
    """The page's address after the run, one list of values per parameter."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in at.query_params.items()}


def test_choosing_filters_writes_ids_and_codes_into_the_address_never_names(board):
    board.selectbox(key="practice").set_value(2).run()
    board.multiselect(key="region").set_value([7, 5]).run()
    board.multiselect(key="size").set_value(["small"]).run()
    assert address(board) == {"practice": ["2"], "region": ["7", "5"], "size": ["small"]}
    board.selectbox(key="practice").set_value(0).run()  # "All practices"
    assert "practice" not in address(board)  # the opening view's values stay out of the address


def test_a_shared_link_still_opens_the_same_practice_after_the_practice_is_renamed(pages):
    admin = accounts.load_user(pages.db, pages.user_id(ADMIN))
    taxonomy.rename(pages.db, admin, "practice", 2, "Fund Equity Work")
    at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"practice": "2"})
    assert not at.exception and not at.info
    assert at.selectbox(key="practice").value == 2
    assert "Adoption over time: Fund Equity Work" in every_tab(at)


def test_an_old_address_with_display_names_is_accepted_once_and_rewritten_as_ids(pages):
    at = pages.open("dashboard", email=COORDINATOR, timeout=60,
                    query={"practice": "Allocate Resources", "region": ["Region 5"], "size": ["Small (< 50,000)"]})
    assert not at.exception and not at.info
    assert (at.selectbox(key="practice").value, at.multiselect(key="region").value) == (2, [5])
    assert address(at) == {"practice": ["2"], "region": ["5"], "size": ["small"]}


def test_parts_of_an_address_that_do_not_parse_are_ignored_with_a_small_notice(pages):
    at = pages.open("dashboard", email=COORDINATOR, timeout=60,
                    query={"practice": "abc", "region": ["5", "²"], "period": ["2025 Q9"], "size": ["x" * 10_000]})
    assert not at.exception and not at.error
    assert [i.value for i in at.info] == ["Part of this page's address was not understood and is ignored: "
                                          "practice, period, region, size."]
    assert at.selectbox(key="practice").value == 0 and at.multiselect(key="region").value == [5]
    assert address(at) == {"region": ["5"]}
    at.multiselect(key="size").set_value(["large"]).run()
    assert not at.info  # said once; the rewritten address is clean


def test_small_numbers_read_fewer_than_11_in_tables(pages):
    # The demo has 13 tribal departments: enough for the page, never more than 10 in one region.
    at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"jurisdiction": ["tribal"], "practice": "2"})
    assert not at.exception and not at.error
    heat = table(at, "HHS region", "Practice", "Departments assessed")
    assert set(heat["Share implementing or sustaining"]) == {"fewer than 11"}
    assert set(heat["Departments assessed"]) == {"fewer than 11"}
    assert any('reads "fewer than 11"' in m.value for m in at.markdown if m.value.startswith("**"))


def test_filters_leaving_fewer_than_11_departments_are_refused_with_a_message(pages):
    at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"jurisdiction": ["territorial"]})
    assert not at.exception
    assert len(at.error) == 1
    assert shown(at.error[0].value).startswith("Filters: fewer than 11 departments with a self-assessment as of ")
    assert "Choose more regions" in shown(at.error[0].value)
    assert not at.get("vega_lite_chart") and at.multiselect(key="jurisdiction").value == ["territorial"]


def test_the_threshold_is_a_setting(pages):
    from exchange import config

    with config.override(suppression_min=20):
        at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"practice": "2"})
    heat = table(at, "HHS region", "Practice", "Departments assessed")
    assert set(heat["Departments assessed"]) == {"fewer than 20"}  # every region has 15 to 18 departments


def test_a_click_on_a_region_lists_the_departments_behind_it_with_links_to_their_lessons(pages):
    at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"practice": "2"})
    at.session_state["drill"] = Drill("chart_heatmap", region=5, practice_id=2)
    at.run()
    listed = table(at, "Department", "Lessons")
    assert len(listed) > 0 and set(listed["HHS region"]) == {5} and set(listed["Practice"]) == {"Allocate Resources"}
    assert listed["Lessons"].str.fullmatch(r"home\?department=\d+").all()
    assert "Hennepin County Public Health" in set(listed["Department"])  # Minnesota is in Region 5
    assert any("Departments behind your selection: Region 5, Allocate Resources" in m.value for m in at.markdown)
    at.button(key="drill_clear").click().run()
    assert table(at, "Department", "Lessons") is None


def test_a_coordinator_can_narrow_to_their_own_regions_in_one_click(board):
    board.button(key="my_regions").click().run()
    assert board.multiselect(key="region").value == [5, 7]
    heat = table(board, "HHS region", "Practice", "Departments assessed")
    assert set(heat["HHS region"]) == {5, 7}


def test_the_movement_tab_shows_its_four_charts_and_says_why_no_stalled_department_is_named(board):
    board.session_state["dashboard_tab"] = "Movement"
    board.run()
    assert not board.exception and not board.error
    assert list(specs(board)) == ["Movement between stages: all practices (pooled)",
                                  "Stage transitions per quarter: all practices (pooled)",
                                  "Time in stage: all practices (pooled)", "Stalled departments: all practices (pooled)"]
    assert table(board, "From → to", "Department–practice pairs") is not None
    assert table(board, "Practice", "Median quarters at the stage") is not None
    texts = [m.value for m in board.markdown]
    assert any("Stalled departments in your regions" in t for t in [s.value for s in board.subheader])
    named = table(board, "Department", "Stage a year before")
    assert named is not None or any(
        t.startswith("Region 5, Region 7: no department that shares its stages has stalled") for t in texts)


def test_a_row_chosen_from_a_charts_list_opens_its_drill_down_and_a_grey_row_is_refused(pages):
    at = pages.open("dashboard", email=COORDINATOR, timeout=60, query={"practice": "2"})
    (heat_rows,) = [s for s in at.selectbox if s.key.startswith("row_chart_heatmap_")]
    assert heat_rows.label == "List the departments behind a row"
    heat_rows.set_value("r5p2").run()
    listed = table(at, "Department", "Lessons")
    assert set(listed["HHS region"]) == {5} and set(listed["Practice"]) == {"Allocate Resources"}
    (map_rows,) = [s for s in at.selectbox if s.key.startswith("row_chart_map_")]
    grey = next(o for o in map_rows.options if "fewer than 11" in o or "withheld" in o)
    map_rows.select(grey).run()
    assert table(at, "Department", "Lessons") is None
    assert [shown(e.value) for e in at.error][0].startswith("The departments behind that figure are not listed")
    assert [s.value for s in at.selectbox if s.key.startswith("row_chart_heatmap_")] == [None]  # one list chosen at a time
