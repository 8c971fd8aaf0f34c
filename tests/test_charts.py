"""Chart specs (titles, encodings, selections), takeaways, suppression in chart data, tables and CSV, exports."""

import json
import re
from datetime import date

import pytest

from exchange import config
from exchange.adoption import charts, downloads
from exchange.adoption import Dashboard, Filters


def cell(region, practice_id, practice, departments, adopting):
    small = departments < 5
    return dict(region=region, practice_id=practice_id, practice=practice, position=practice_id,
                departments=None if small else departments, adopting=None if small else adopting,
                share=None if small else adopting / departments, suppressed=small, empty=False)


def stage(practice_id, practice, level, name, departments, total):
    return dict(practice_id=practice_id, practice=practice, position=practice_id, stage=level, stage_name=name,
                departments=departments, total=total, share=departments / total, suppressed=False)


@pytest.fixture(autouse=True)
def threshold_5():
    """These hand-made dashboards were suppressed at 5 (the labels read the setting, the takeaways the dashboard)."""
    with config.override(suppression_min=5):
        yield


@pytest.fixture
def dash():
    """Region 5 (10 departments) and Region 8 (3: suppressed) for two practices, two quarters, two states."""
    return Dashboard(
        threshold=5, directory=20,
        movement=[dict(quarter="2025 Q2", departments=13, pairs=20, up=4, down=1, stalled=6, suppressed=False, why=None)],
        transitions=[dict(k=1, quarter="2025 Q2", from_stage=0, to_stage=1, moves=3, suppressed=False, why=None),
                     dict(k=1, quarter="2025 Q2", from_stage=3, to_stage=2, moves=1, suppressed=False, why=None)],
        time_in_stage=[dict(practice_id=1, practice="Build Organizational Capacity", position=1, stage=1, departments=7,
                            median=2.0, suppressed=False, why=None),
                       dict(practice_id=1, practice="Build Organizational Capacity", position=1, stage=2,
                            departments=None, median=None, suppressed=True, why="small")],
        stalled=[dict(practice_id=1, practice="Build Organizational Capacity", position=1, departments=10, stalled=4,
                      share=0.4, suppressed=False, why=None),
                 dict(practice_id=2, practice="Allocate Resources", position=2, departments=None, stalled=None,
                      share=None, suppressed=True, why="withheld")],
        curve=[dict(quarter="2025 Q1", departments=13, share=0.2, share_directory=0.13, suppressed=False, why=None),
               dict(quarter="2025 Q2", departments=13, share=0.5, share_directory=0.325, suppressed=False, why=None)],
        population=[dict(practice_id=1, practice="Build Organizational Capacity", position=1, departments=10,
                         population=40_000, share=0.4, suppressed=False, why=None),
                    dict(practice_id=2, practice="Allocate Resources", position=2, departments=None, population=None,
                         share=None, suppressed=True, why="withheld")],
        breakdowns={"population_band": [dict(population_band="small", departments=None, share=None, suppressed=True,
                                             why="small"),
                                        dict(population_band="large", departments=10, share=0.7, suppressed=False,
                                             why=None)],
                    "urban_rural": [dict(urban_rural="noncore", departments=13, share=0.5, suppressed=False, why=None)],
                    "jurisdiction_type": [dict(jurisdiction_type="county", departments=6, share=0.5, suppressed=False,
                                               why=None),
                                          dict(jurisdiction_type="city", departments=7, share=0.25, suppressed=False,
                                               why=None)],
                    "governance": [dict(governance="decentralized", departments=8, share=0.5, suppressed=False, why=None),
                                   dict(governance="not_recorded", departments=5, share=0.2, suppressed=False, why=None)]},
        filters=Filters(), practice_name="Allocate Resources", snapshot=date(2025, 6, 30),
        quarters=["2025 Q1", "2025 Q2"], departments=13,
        heatmap=[cell(5, 1, "Build Organizational Capacity", 10, 4), cell(5, 2, "Allocate Resources", 10, 7),
                 cell(8, 1, "Build Organizational Capacity", 3, 3)],
        stages=[stage(1, "Build Organizational Capacity", 0, "Not started", 6, 10),
                stage(1, "Build Organizational Capacity", 3, "Implementing", 4, 10),
                dict(practice_id=2, practice="Allocate Resources", position=2, stage=None, stage_name="fewer than 5",
                     departments=None, total=None, share=None, suppressed=True)],
        trend=[dict(quarter="2025 Q1", region=5, departments=10, share=0.2, suppressed=False, empty=False),
               dict(quarter="2025 Q2", region=5, departments=10, share=0.7, suppressed=False, empty=False),
               dict(quarter="2025 Q1", region=8, departments=None, share=None, suppressed=True, empty=False)],
        map=[dict(state="MN", state_name="Minnesota", region=5, tile_col=5, tile_row=2, departments=10, share=0.7,
                  suppressed=False, empty=False),
             dict(state="MT", state_name="Montana", region=8, tile_col=2, tile_row=2, departments=None, share=None,
                  suppressed=True, empty=False),
             dict(state="TX", state_name="Texas", region=6, tile_col=3, tile_row=6, departments=None, share=None,
                  suppressed=True, empty=True)],
        lessons_by_kind=[dict(quarter="2025 Q1", kind="success", lessons=3), dict(quarter="2025 Q2", kind="challenge", lessons=5),
                         dict(quarter="2025 Q2", kind="success", lessons=1)],
        lessons_by_risk=[dict(quarter="2025 Q2", risk="Internal resistance", position=6, lessons=4),
                         dict(quarter="2025 Q1", risk="Community trust", position=7, lessons=1)],
    )


def views(dash):
    return {v.key: v for v in charts.dashboard_views(dash)}


def layers(spec):
    return spec.get("layer", [spec])


def selection(spec):
    """The chart's one selection parameter, wherever Altair put it (top level for layered charts)."""
    found = spec.get("params", []) + [p for layer in spec.get("layer", []) for p in layer.get("params", [])]
    (param,) = [p for p in found if "select" in p]
    return {k: v for k, v in param.items() if k != "views"}


def data_rows(spec):
    return next(iter(spec["datasets"].values()))


def test_every_chart_has_a_title_takeaway_alt_text_table_and_stable_key(dash):
    found = charts.dashboard_views(dash)
    assert [v.key for v in found] == ["chart_heatmap", "chart_stages", "chart_trend", "chart_map", "chart_curve",
                                      "chart_population", "chart_movement", "chart_transitions", "chart_time_in_stage",
                                      "chart_stalled", "chart_by_population_band", "chart_by_urban_rural",
                                      "chart_by_jurisdiction_type", "chart_by_governance", "chart_lessons_by_stage", "chart_pulse_kind",
                                      "chart_pulse_risk"]
    for view in found:
        spec = view.chart.to_dict()
        assert spec["title"]["text"] == view.title
        assert view.takeaway.endswith(".") and view.takeaway in view.alt
        assert not view.table.empty


def test_heatmap_spec_encodes_region_by_practice_share_with_a_named_point_selection(dash):
    spec = views(dash)["chart_heatmap"].chart.to_dict()
    rect, text = layers(spec)
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert rect["encoding"]["x"]["field"] == "region" and rect["encoding"]["y"]["field"] == "practice"
    assert rect["encoding"]["color"]["condition"] == {"test": "datum.suppressed", "value": charts.GREY}
    assert rect["encoding"]["color"]["field"] == "share"
    assert selection(spec)["name"] == "cell" and selection(spec)["select"]["fields"] == ["region", "practice_id"]
    assert text["encoding"]["text"]["field"] == "label"


def test_heatmap_takeaway_names_the_leader_and_the_laggard(dash):
    assert views(dash)["chart_heatmap"].takeaway == (
        "Region 5 leads on Allocate Resources: 70% of its 10 assessed departments are implementing or sustaining; "
        "the lowest is Region 5 on Build Organizational Capacity (40%).")


def test_a_suppressed_cell_says_fewer_than_5_in_chart_data_table_and_csv(dash):
    view = views(dash)["chart_heatmap"]
    region8 = [r for r in data_rows(view.chart.to_dict()) if r["region"] == 8][0]
    assert region8["label"] == "fewer\nthan 5" and region8["share_label"] == "fewer than 5"
    assert region8["share"] is None and region8["departments"] is None
    row = view.table[view.table["HHS region"] == 8].iloc[0]
    assert row["Share implementing or sustaining"] == "fewer than 5" and row["Departments assessed"] == "fewer than 5"
    csv_text = charts.to_csv(view.table).decode("utf-8-sig")
    assert "8,Build Organizational Capacity,fewer than 5,fewer than 5" in csv_text
    assert ",3," not in csv_text  # Region 8's true count never leaves


def test_stage_bars_stack_by_stage_in_scale_order_and_grey_out_small_practices(dash):
    view = views(dash)["chart_stages"]
    spec = view.chart.to_dict()
    bars, initials, small = layers(spec)
    assert initials["encoding"]["text"]["field"] == "initial"
    assert bars["encoding"]["x"]["stack"] == "normalize"
    assert bars["encoding"]["color"]["field"] == "stage_name"
    assert bars["encoding"]["color"]["scale"]["domain"][:5] == ["Not started", "Exploring", "Preparing", "Implementing",
                                                                 "Sustaining"]
    assert bars["encoding"]["color"]["scale"]["range"][-1] == charts.GREY
    assert selection(spec) == {"name": "segment", "select": {"type": "point", "fields": ["practice_id", "stage"],
                                                               "on": "click", "clear": "dblclick"}}
    assert small["encoding"]["text"]["field"] == "small_text"
    assert {r["small_text"] for r in data_rows(spec) if r["suppressed"]} == {"fewer than 5 departments"}
    assert view.takeaway == "40% of assessed departments are implementing or sustaining Build Organizational Capacity."
    assert "fewer than 5" in view.table["Departments"].tolist()


def test_trend_draws_a_line_per_region_and_marks_suppressed_points_on_the_axis(dash):
    view = views(dash)["chart_trend"]
    spec = view.chart.to_dict()
    lines, points, small = layers(spec)
    assert lines["mark"]["type"] == "line" and lines["encoding"]["color"]["field"] == "region_label"
    assert lines["encoding"]["x"]["field"] == "quarter" and lines["encoding"]["y"]["field"] == "share"
    assert lines["encoding"]["strokeDash"]["field"] == "region_label"  # lines differ without colour too
    assert selection(spec)["name"] == "line" and selection(spec)["select"]["fields"] == ["region"]
    assert small["transform"] == [{"filter": "datum.suppressed"}] and small["mark"]["shape"] == "cross"
    assert small["mark"]["aria"] is False  # an empty layer must not be an unlabelled graphic (axe: svg-img-alt)
    assert view.title == "Adoption over time: Allocate Resources"
    assert view.takeaway == "Region 5 rose the most: from 20% in 2025 Q1 to 70% in 2025 Q2 implementing or sustaining."


def test_tile_map_places_states_on_the_grid_and_selects_by_state(dash):
    view = views(dash)["chart_map"]
    spec = view.chart.to_dict()
    tiles, codes = layers(spec)
    assert tiles["encoding"]["x"]["field"] == "tile_col" and tiles["encoding"]["y"]["field"] == "tile_row"
    assert tiles["encoding"]["x"]["axis"] is None
    assert selection(spec)["name"] == "state" and selection(spec)["select"]["fields"] == ["state"]
    assert codes["encoding"]["text"]["field"] == "state"
    montana = [r for r in data_rows(view.chart.to_dict()) if r["state"] == "MT"][0]
    assert montana["share_label"] == "fewer than 5"
    assert view.takeaway == ("Minnesota leads: 70% of its 10 assessed departments are implementing or sustaining "
                             "Allocate Resources; 1 more state is suppressed and shown in grey.")
    assert "Texas" not in view.table["State"].tolist()  # no departments, no row


def test_pulse_charts_count_lessons_by_kind_and_risk(dash):
    kind, risk = views(dash)["chart_pulse_kind"], views(dash)["chart_pulse_risk"]
    spec = kind.chart.to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["color"]["field"] == "kind"
    assert spec["encoding"]["color"]["scale"]["range"] == list(charts.KIND_COLOURS.values())
    assert kind.takeaway == ("9 lessons were published in this period (4 successes, 5 challenges, 0 mixed); "
                             "the busiest quarter was 2025 Q2 with 6.")
    assert risk.takeaway == "The risk named most often is Internal resistance (4 lessons in this period)."
    assert "all regions and departments" in spec["title"]["subtitle"]
    assert "params" not in spec  # no drill-down from lessons: it could point at an anonymous lesson's department


def test_empty_data_gives_an_honest_takeaway(dash):
    empty = Dashboard(threshold=5, filters=Filters(), practice_name=None, snapshot=date(2025, 6, 30), quarters=["2025 Q2"],
                      departments=0, heatmap=[], stages=[], trend=[], map=[], lessons_by_kind=[], lessons_by_risk=[],
                      transitions=[], time_in_stage=[], stalled=[])
    takeaways = {v.key: v.takeaway for v in charts.dashboard_views(empty)}
    assert takeaways["chart_heatmap"] == "No region and practice has 5 or more assessed departments for these filters."
    assert takeaways["chart_curve"] == "No quarter of this period has 5 or more assessed departments for these filters."
    assert takeaways["chart_movement"] == "No quarter of this period has 5 or more assessed departments for these filters."
    assert takeaways["chart_transitions"] == takeaways["chart_movement"]
    assert takeaways["chart_time_in_stage"] == ("No stage of a practice has 5 or more departments seen entering and "
                                                "leaving it in this period, so no time in stage can be shown.")
    assert takeaways["chart_stalled"] == ("No practice has 5 or more departments assessed a year before the period's "
                                          "end, so stalls cannot be shown.")
    assert takeaways["chart_lessons_by_stage"] == "No department in view has shared a named lesson on these practices yet."
    assert takeaways["chart_pulse_kind"] == "No lessons were published in this period."


def test_every_chart_states_its_own_sizing_so_streamlit_cannot_squeeze_it(dash):
    # Issue 7.5: left unset, Streamlit adds autosize "fit", which counts titles and legends in `height`:
    # the pulse bars had no height and the trend's title and legend were cut, while exports looked right.
    for view in charts.dashboard_views(dash):
        spec = view.chart.to_dict()
        expected = "fit-x" if view.width == "stretch" else "pad"
        assert spec["autosize"] == {"type": expected, "contains": "padding"}, view.key
        assert isinstance(spec["padding"], dict)  # Streamlit's frontend sets padding.bottom on it
    exported = json.loads(downloads._export_spec(views(dash)["chart_pulse_kind"].chart))
    assert exported["autosize"]["type"] == "pad"


@pytest.mark.parametrize("key, rows", [("chart_map", 3), ("chart_heatmap", 3)])
def test_suppressed_tiles_and_cells_are_drawn_in_grey(dash, key, rows):
    # Issue 7.5: a null share in the colour channel made Vega-Lite drop the mark, so "grey" states were blank.
    svg = charts.to_svg(views(dash)[key].chart)
    drawn = re.findall(r'<path [^>]*aria-roledescription="rect mark"[^>]*>', svg)
    assert len(drawn) == rows
    assert sum(f'fill="{charts.GREY}"' in p for p in drawn) == 1 + (key == "chart_map")


def test_trend_gives_each_of_ten_regions_its_own_colour_and_shape_pair_and_no_grey_line(dash):
    ten = Dashboard(**{**dash.__dict__, "trend": [
        dict(quarter="2025 Q1", region=r, departments=10, share=0.1 * r, suppressed=False, empty=False)
        for r in range(1, 11)]})
    points = layers(views(ten)["chart_trend"].chart.to_dict())[1]["encoding"]
    colours, shapes = points["color"]["scale"]["range"], points["shape"]["scale"]["range"]
    assert len(set(zip(colours, shapes))) == 10 and len(set(shapes)) == 10
    assert charts.GREY not in colours and "#999999" not in colours  # grey means "fewer than 5" on this chart


def test_a_view_builds_its_spec_once_and_hands_out_fresh_copies(dash):
    # Cached views are shared by every session: Streamlit edits the spec dict it is given.
    view = views(dash)["chart_trend"]
    first = view.spec
    first["title"]["text"] = "edited"
    assert view.spec["title"]["text"] == view.title
    assert "config" not in view.spec and view.spec["autosize"]["type"] == "fit-x"
    assert view.spec == {k: v for k, v in view.chart.to_dict().items() if k != "config"}  # the validated spec


def test_png_and_svg_exports_render_offline(dash):
    chart = views(dash)["chart_heatmap"].chart
    assert charts.to_png(chart).startswith(b"\x89PNG")
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Adoption by region and practice" in svg


def test_csv_download_neutralises_a_practice_name_typed_as_a_formula(dash):
    import pandas as pd

    table = pd.DataFrame({"Practice": ["=cmd|' /C calc'!A0"], "Share": ["40%"]})
    assert charts.to_csv(table).decode("utf-8-sig").splitlines()[1] == "'=cmd|' /C calc'!A0,40%"


def test_history_chart_shows_one_mark_per_record_coloured_and_shaped_by_stage():
    stages = [{"level": i, "name": n} for i, n in enumerate(["Not started", "Exploring", "Preparing", "Implementing",
                                                             "Sustaining"])]
    records = [dict(practice="Allocate Resources", stage=1, stage_name="Exploring", as_of=date(2025, 1, 1)),
               dict(practice="Allocate Resources", stage=3, stage_name="Implementing", as_of=date(2025, 4, 1))]
    spec = charts.history(records, stages).to_dict()
    assert spec["mark"]["type"] == "point" and spec["encoding"]["x"]["field"] == "as_of"
    assert spec["encoding"]["color"]["scale"]["domain"] == [s["name"] for s in stages]
    assert len(data_rows(spec)) == 2
