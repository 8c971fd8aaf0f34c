"""Issue 14.5: colours pass contrast in the Vega-Lite specs, and stages read without colour (order, edges, shapes)."""

import re

import pytest

from exchange import adoption
from exchange.adoption import charts
from exchange.adoption.charts import SHARE_RANGE, STAGE_COLOURS, contrast, mix
from exchange.models import User

ADMIN = User(id=1, email="admin@example.org", display_name="Admin", role="admin")


@pytest.fixture(scope="module")
def specs(demo_db):
    views = charts.dashboard_views(adoption.dashboard(demo_db, ADMIN, adoption.Filters(), movement=True))
    return {v.key: v.chart.to_dict() for v in views}


def layers(spec):
    return spec.get("layer", [spec])


def test_every_label_on_a_shaded_cell_reads_at_4_5_to_1_wherever_the_cell_falls_on_the_ramp(specs):
    checked = 0
    for key, spec in specs.items():
        ramps = [lay for lay in layers(spec) if SHARE_RANGE == _scale(lay).get("range")]
        labels = [lay for lay in layers(spec) if _mark(lay) == "text" and "condition" in lay["encoding"].get("color", {})]
        for ramp in ramps:
            scale = _scale(ramp)
            assert scale.get("interpolate") == "rgb", key  # the colours tested here are the colours drawn
            low, high = scale["domain"]
            for label in labels:
                (condition,) = _listed(label["encoding"]["color"]["condition"])
                above = float(re.fullmatch(r"datum\.\w+ > ([\d.e-]+)", condition["test"]).group(1))
                for step in range(101):
                    value = low + (high - low) * step / 100
                    ink = condition["value"] if value > above else label["encoding"]["color"]["value"]
                    fill = mix(*SHARE_RANGE, step / 100)
                    assert contrast(fill, {"white": "#ffffff", "black": "#000000"}[ink]) >= 4.5, (key, value)
                checked += 1
    assert checked >= 5  # heatmap, tile map, risks, lessons by stage, transitions, time in stage


def test_adjacent_stage_segments_are_told_apart_by_their_fills_or_by_a_dark_edge(specs):
    bars = next(lay for lay in layers(specs["chart_stages"]) if _mark(lay) == "bar")
    edge = bars["mark"]["stroke"]
    assert bars["mark"]["strokeWidth"] >= 1
    for left, right in zip(["#ffffff", *STAGE_COLOURS], [*STAGE_COLOURS, "#ffffff"]):
        assert contrast(left, right) >= 3 or (contrast(edge, left) >= 3 and contrast(edge, right) >= 3), (left, right)


def test_stages_keep_their_order_in_the_stack_the_legend_and_the_colour_scale(specs):
    bars = next(lay for lay in layers(specs["chart_stages"]) if _mark(lay) == "bar")
    assert bars["encoding"]["order"]["field"] == "stage_order"
    names = ["Not started", "Exploring", "Preparing", "Implementing", "Sustaining"]
    assert bars["encoding"]["color"]["scale"]["domain"][:5] == names == bars["encoding"]["color"]["sort"][:5]
    assert bars["encoding"]["color"]["scale"]["range"][:5] == STAGE_COLOURS


def test_a_departments_history_shows_each_stage_by_shape_as_well_as_colour():
    stages = [{"level": i, "name": n} for i, n in enumerate(["Not started", "Exploring", "Preparing", "Implementing", "Sustaining"])]
    spec = charts.history([dict(practice="A", stage=1, stage_name="Exploring", as_of="2025-03-31")], stages).to_dict()
    shape = spec["encoding"]["shape"]
    assert shape["field"] == "stage_name" and len(set(shape["scale"]["range"])) == 5
    assert spec["mark"]["stroke"] == charts.SEGMENT_EDGE


def _mark(layer):
    mark = layer.get("mark")
    return mark["type"] if isinstance(mark, dict) else mark


def _scale(layer):
    colour = layer.get("encoding", {}).get("color", {})
    conditions = colour.get("condition", [])
    return colour.get("scale") or next((c["scale"] for c in _listed(conditions) if "scale" in c), {})


def _listed(condition):
    return condition if isinstance(condition, list) else [condition]
