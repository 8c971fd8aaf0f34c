"""Issue 14.5: colours pass contrast in the Vega-Lite specs, and stages read without colour (order, edges, shapes, initials)."""

import itertools
import math
import re

import json

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


GRAPHIC_MARKS = {"line", "point", "bar", "rule", "area", "tick", "trail", "circle", "square"}
NAMED = {"white": "#ffffff", "black": "#000000"}


def graphic_colours(spec) -> list[tuple[str, str, str]]:
    """(mark, colour, edge or '') for every colour a line, point or bar of the spec can be drawn in."""
    out = []
    for layer in layers(spec):
        mark = _mark(layer)
        if mark not in GRAPHIC_MARKS:
            continue
        props = layer["mark"] if isinstance(layer["mark"], dict) else {}
        edge = NAMED.get(props.get("stroke"), props.get("stroke") or "") if props.get("fill") or mark == "bar" else ""
        colour = layer.get("encoding", {}).get("color", {})
        found = [props.get("color"), props.get("fill"), colour.get("value")]
        found += [c.get("value") for c in _listed(colour.get("condition", []))]
        scale = _scale(layer)
        if colour.get("type") in ("nominal", "ordinal") or any("type" in c for c in _listed(colour.get("condition", []))):
            found += [c for c in scale.get("range", []) if isinstance(c, str)]
        if not any(found):
            found = ["#4c78a8"]  # Vega-Lite's default mark colour
        out += [(mark, NAMED.get(c, c), edge) for c in found if c]
    return out


def failing(spec) -> list[tuple[str, str]]:
    """Colours of lines, points and bars under 3:1 against white, unless the mark is edged in a colour that passes."""
    white = "#ffffff"
    return [(mark, c) for mark, c, edge in graphic_colours(spec)
            if contrast(c, white) < 3 and not (edge and contrast(edge, white) >= 3)]


def test_every_line_point_and_bar_colour_passes_3_to_1_against_white_or_is_edged_in_a_colour_that_does(specs):
    assert {k: failing(s) for k, s in specs.items() if failing(s)} == {}
    assert sum(len(graphic_colours(s)) for s in specs.values()) >= 30


def test_the_contrast_check_fails_the_okabe_ito_orange_it_replaced(specs):
    spec = json.loads(json.dumps(specs["chart_trend"]))
    line = next(lay for lay in layers(spec) if _mark(lay) == "line")
    line["encoding"]["color"]["scale"]["range"][1] = "#E69F00"  # Okabe-Ito orange: 2.25:1
    assert ("line", "#E69F00") in failing(spec)


# Colour-vision deficiency simulation (Machado, Oliveira and Fernandes 2009, severity 1), applied in linear RGB.
CVD = {"typical": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
       "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
       "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
       "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]}


def seen_as(colour: str, vision: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a #rrggbb colour as a reader with this colour vision sees it."""
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = (min(1, max(0, sum(m * c for m, c in zip(row, linear)))) for row in CVD[vision])
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def closest_pair(colours) -> float:
    """The smallest CIELAB distance between two of the colours, for any of the four kinds of colour vision."""
    return min(math.dist(seen_as(a, v), seen_as(b, v)) for v in CVD for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("palette", ["LINE_COLOURS", "KIND_COLOURS"])
def test_category_colours_stay_apart_for_colour_blind_readers(palette):
    colours = list(getattr(charts, palette).values() if palette == "KIND_COLOURS" else getattr(charts, palette))
    assert closest_pair(colours) >= 15  # CIELAB distance: 2.3 is just noticeable; 15 reads as different colours
    assert closest_pair(["#d62728", "#2ca02c"]) < 15  # the check can fail: Tableau's red and green, for deuteranopes


def test_every_categorical_scale_of_lines_and_bars_uses_colours_that_stay_apart(specs):
    checked = 0
    for key, spec in specs.items():
        for layer in layers(spec):
            colour = layer.get("encoding", {}).get("color", {})
            if _mark(layer) in GRAPHIC_MARKS and colour.get("type") == "nominal" and key != "chart_stages":
                # a colour used twice (the trend's regions 6 to 10) is told apart by its dash and shape instead
                assert closest_pair(set(colour["scale"]["range"]) - {charts.GREY}) >= 15, key
                checked += 1
    assert checked >= 3  # trend, pulse by kind, movement


def test_stage_segments_wide_enough_carry_their_stages_initial_in_ink_that_reads_on_the_fill(specs):
    initials = next(lay for lay in layers(specs["chart_stages"]) if _mark(lay) == "text" and lay["encoding"]["text"]["field"] == "initial")
    rows = specs["chart_stages"]["datasets"][initials["data"]["name"]]
    fills = dict(zip(["N", "E", "P", "I", "S"], STAGE_COLOURS))
    assert {r["initial"] for r in rows} == set(fills)  # five different letters, one per stage
    for r in rows:
        assert contrast(fills[r["initial"]], r["ink"]) >= 4.5
        assert 0 < r["middle"] < 1


def _mark(layer):
    mark = layer.get("mark")
    return mark["type"] if isinstance(mark, dict) else mark


def _scale(layer):
    colour = layer.get("encoding", {}).get("color", {})
    conditions = colour.get("condition", [])
    return colour.get("scale") or next((c["scale"] for c in _listed(conditions) if "scale" in c), {})


def _listed(condition):
    return condition if isinstance(condition, list) else [condition]
