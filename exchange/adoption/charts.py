"""Altair charts for adoption: each with a title, a takeaway computed from its data, alt text and a table.

Colours are colour-blind safe (Okabe-Ito for categories, a single-hue blue ramp for shares,
an orange/purple split for stages) and every mark that carries meaning also carries a text
label or tooltip, so nothing depends on colour alone. Lines, points and bars pass 3:1 against the
white background (WCAG 1.4.11): categories use the five Okabe-Ito colours that do (its orange,
sky blue and yellow do not), with dashes and shapes for more series; light stage fills are edged
in black, and stage segments wide enough carry their stage's initial. Text drawn on a coloured fill picks
black or white by the fill, so it reads the same in Streamlit's light and dark themes.
Suppressed cells are grey and say why: "fewer than 11" (the EXCHANGE_SUPPRESSION_MIN threshold)
when too few departments stand behind them, "withheld" when showing them would let such a number
be worked out by subtraction (exchange/adoption/suppression.py).

Every chart states its own autosize: without one, Streamlit adds `autosize: fit`, which makes
`height` the whole chart's height, so titles, axes and legends squeeze the plot (bars of zero
height) or spill out of the box and get cut, while the PNG/SVG export (Vega's default "pad")
looks right. "fit-x" fills the container's width and keeps `height` for the plot alone.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import altair as alt
import pandas as pd

from exchange.adoption import suppression
from exchange.adoption.aggregates import Dashboard
from exchange.adoption.downloads import to_csv, to_png, to_svg  # noqa: F401 (charts.to_csv etc. for the pages)

# Lines and bars: the Okabe-Ito colours at 3:1 or more against white, and black for its grey (grey means
# "suppressed" here). Told apart under protanopia, deuteranopia and tritanopia (tests/test_chart_colours.py).
LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"]
REGION_COLOURS = LINE_COLOURS  # ten regions: five colours, each solid then dashed, and one shape per region
STAR = "M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12L-0.95,-0.31L-0.22,-0.31Z"
HEXAGON = "M0,-1L0.87,-0.5L0.87,0.5L0,1L-0.87,0.5L-0.87,-0.5Z"
REGION_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right",
                 "triangle-left", STAR, HEXAGON]
KIND_COLOURS = {"success": "#009E73", "challenge": "#D55E00", "mixed": "#0072B2"}
STAGE_COLOURS = ["#D4D4D4", "#FDB863", "#E66101", "#8073AC", "#2D004B"]  # grey, then PuOr split at Implementing
SHARE_RANGE = ["#DEEBF7", "#08306B"]  # interpolated in RGB (stated in every scale), so INK can be worked out here
GREY = "#8C8C8C"  # suppressed; black text on it reads at 6:1
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
SEGMENT_EDGE = "#000000"  # stage segments edged in black: 3:1 or more beside every stage whose neighbour is too alike
STAGE_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross"]  # a stage's dot also by shape (history chart)
INITIAL_MIN_SHARE = 0.06  # a stage segment this wide (of its bar) or wider carries the stage's initial


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(a: str, b: str, t: float) -> str:
    """The colour a fraction t from a to b, interpolated in RGB as the charts' scales are."""
    pa, pb = (a.lstrip("#"), b.lstrip("#"))
    return "#" + "".join(f"{round(int(pa[i:i + 2], 16) * (1 - t) + int(pb[i:i + 2], 16) * t):02x}" for i in (0, 2, 4))


def _ink_threshold(start: str, end: str) -> float:
    """Where on a light-to-dark ramp white text starts to read better than black (both pass 4.5:1 there)."""
    steps = [i / 1000 for i in range(1001)]
    return next(t for t in steps if contrast(mix(start, end, t), "#ffffff") >= contrast(mix(start, end, t), "#000000"))


INK = round(_ink_threshold(*SHARE_RANGE), 3)  # above this share of the ramp, labels are white; below, black
ADOPTING = "implementing or sustaining"
# The pulse follows the period and practice filters only: splitting lessons by region, size or type
# could point at an anonymous lesson's department.
PULSE_SCOPE = "all regions and departments, counts only"


@dataclass(frozen=True)
class ChartView:
    """One dashboard chart with everything shown around it."""

    key: str
    title: str
    chart: alt.TopLevelMixin
    takeaway: str
    alt: str
    table: pd.DataFrame
    selection: str | None = None
    width: str = "stretch"  # grids keep their square cells ("content")
    min_width: int = 0  # px below which a stretched chart is unreadable; narrower screens scroll it instead

    def __post_init__(self):
        # Stated here once for every chart, so Streamlit never picks "fit" for us (see the module docstring).
        # A little padding: Streamlit's theme has none, and text touching the edge loses a few pixels.
        # An object, not a number: Streamlit's frontend adds its own bottom padding to it.
        sizing = {"type": "fit-x" if self.width == "stretch" else "pad", "contains": "padding"}
        padding = {"top": 6, "left": 6, "right": 6}
        object.__setattr__(self, "chart", self.chart.properties(autosize=sizing, padding=padding))

    @functools.cached_property
    def spec_json(self) -> str:
        """The Vega-Lite spec as JSON, built once and unvalidated (tests/test_charts.py validates every chart)."""
        spec = self.chart.to_dict(validate=False)  # validation took most of a dashboard rerun
        spec.pop("config", None)  # only Altair's default-theme 300x300 view sizes (Streamlit drops them too)
        return json.dumps(spec)

    @property
    def spec(self) -> dict:
        """A fresh copy of the spec for each use (Streamlit edits the dict it is given)."""
        return json.loads(self.spec_json)


def percent(share: float | None, why: str | None = None) -> str:
    """A share as a whole percentage, or why it is not shown ("fewer than 11", "withheld")."""
    return hidden(why) if share is None or pd.isna(share) else f"{share:.0%}"


def count(value: int | None, why: str | None = None) -> str:
    """A department count, or why it is not shown ("fewer than 11", "withheld")."""
    return hidden(why) if value is None or pd.isna(value) else f"{int(value):,}"


def hidden(why: str | None = None) -> str:
    """What a suppressed figure reads: "withheld" when complementary suppression hid it, else "fewer than N"."""
    return "withheld" if why == suppression.WITHHELD else suppression.small_label()


def _labels(df: pd.DataFrame) -> pd.DataFrame:
    """Add share_label and departments_label, saying why a suppressed row is blank."""
    why = df["why"] if "why" in df else pd.Series([None] * len(df), index=df.index)
    df["share_label"] = [percent(s, w) for s, w in zip(df["share"], why)]
    df["departments_label"] = [count(n, w) for n, w in zip(df["departments"], why)]
    return df


def _why_grey(d: Dashboard) -> str:
    return (f"fewer than {d.threshold} departments, or withheld so that such a number cannot be worked out "
            "by subtraction")


def _grey_short(d: Dashboard) -> str:
    return f"fewer than {d.threshold} departments, or withheld"


def _hidden_names() -> list[str]:
    return [suppression.small_label(), "withheld"]


def dashboard_views(d: Dashboard) -> list[ChartView]:
    """Every chart of the dashboard, in page order."""
    from exchange.adoption import coverage, movement_charts as moves  # noqa: PLC0415 (they draw with this module's helpers)

    return [heatmap(d), stage_bars(d), trend(d), tile_map(d), coverage.curve(d), coverage.population(d), coverage.movement(d),
            moves.transitions(d), moves.time_in_stage(d), moves.stalled(d), *coverage.breakdowns(d),
            coverage.lessons_by_stage(d), lessons_by_kind(d), lessons_by_risk(d)]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for flag in ("suppressed", "empty"):
        if flag in df:
            df[flag] = df[flag].astype(bool)
    return df


def _scope(d: Dashboard) -> str:
    return f"as of {d.snapshot:%-d %B %Y}"


def _practice(d: Dashboard) -> str:
    return d.practice_name or "all practices (pooled)"


def _title(text: str, subtitle: str) -> alt.Title:
    return alt.Title(text, subtitle=subtitle, anchor="start")


def _text_colour(field: str = "share") -> dict:
    return alt.when(f"datum.{field} > {INK}").then(alt.value("white")).otherwise(alt.value("black"))


def heatmap(d: Dashboard) -> ChartView:
    """Region x practice: share of departments implementing or sustaining, with n per cell."""
    df = _frame(d.heatmap, ["region", "practice_id", "practice", "position", "departments", "share",
                                          "suppressed", "why"])
    _labels(df)
    df["label"] = [(p.replace(" than ", "\nthan ") if s else f"{p}\nn={n}") for s, p, n in
                   zip(df["suppressed"], df["share_label"], df["departments_label"])]
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    pick = alt.selection_point(name="cell", fields=["region", "practice_id"], on="click", clear="dblclick")
    base = alt.Chart(df).encode(
        x=alt.X("region:O", title="HHS region", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("region:O", title="HHS region"), alt.Tooltip("practice:N", title="Practice"),
                 alt.Tooltip("share_label:N", title=f"Share {ADOPTING}"),
                 alt.Tooltip("departments_label:N", title="Departments assessed")],
    )
    fill = alt.when("datum.suppressed").then(alt.value(GREY)).otherwise(
        alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], range=SHARE_RANGE, interpolate="rgb"),
                  legend=alt.Legend(format="%", title=f"Share {ADOPTING}", orient="bottom", titleLimit=0)))
    # invalid="show": Vega-Lite drops a mark whose colour field is null, and a suppressed cell's share is null.
    cells = base.mark_rect(stroke="white", strokeWidth=1, invalid="show").encode(
        color=fill, opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.45))).add_params(pick)
    labels = base.mark_text(fontSize=10, lineBreak="\n").encode(text="label:N", color=_text_colour())
    title = "Adoption by region and practice"
    chart = (cells + labels).properties(title=_title(title, f"Share of departments {ADOPTING}, {_scope(d)}"),
                                        height=alt.Step(34), width=alt.Step(48))
    shown = df[~df["suppressed"]]
    if shown.empty:
        takeaway = f"No region and practice has {d.threshold} or more assessed departments for these filters."
    elif len(shown) == 1:
        one = shown.iloc[0]
        takeaway = (f"In Region {one.region}, {one.share:.0%} of {int(one.departments):,} assessed departments are "
                    f"{ADOPTING} {one.practice}.")
    elif shown["share"].max() == shown["share"].min():
        takeaway = f"Every region and practice shown is at {shown['share'].max():.0%} {ADOPTING}."
    else:
        top, low = shown.loc[shown["share"].idxmax()], shown.loc[shown["share"].idxmin()]
        takeaway = (f"Region {top.region} leads on {top.practice}: {top.share:.0%} of its {int(top.departments):,} "
                    f"assessed departments are {ADOPTING}; the lowest is Region {low.region} on {low.practice} "
                    f"({low.share:.0%}).")
    table = df.rename(columns={"region": "HHS region", "practice": "Practice", "departments_label": "Departments assessed",
                               "share_label": f"Share {ADOPTING}"})[
        ["HHS region", "Practice", "Departments assessed", f"Share {ADOPTING}"]]
    alt_text = (f"Heatmap: rows are practices, columns are HHS regions; each cell's shade and label give the share of "
                f"departments {ADOPTING}, {_scope(d)}. Grey cells are suppressed: {_why_grey(d)}. {takeaway}")
    return ChartView("chart_heatmap", title, chart, takeaway, alt_text, table, "cell", "content")


def stage_bars(d: Dashboard) -> ChartView:
    """Stacked bars: how the filtered departments spread over the five stages, per practice."""
    df = _frame(d.stages, ["practice_id", "practice", "position", "stage", "stage_name", "departments",
                                         "total", "share", "suppressed", "why"])
    df["stage_order"] = df["stage"].fillna(-1)
    df["small_text"] = [f"fewer than {d.threshold} departments" if w != suppression.WITHHELD else
                        "withheld: it could be worked out from other figures" for w in df["why"]]
    df["bar"] = df["share"].where(~df["suppressed"], 1.0)
    _labels(df)
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    levels = [n for _, n in sorted(stage_names(d).items())]
    initials = _stage_initials(df, levels)
    hidden_names = [n for n in _hidden_names() if n in set(df["stage_name"])]  # a legend entry only when drawn
    pick = alt.selection_point(name="segment", fields=["practice_id", "stage"], on="click", clear="dblclick")
    bars = alt.Chart(df).mark_bar(stroke=SEGMENT_EDGE, strokeWidth=1).encode(
        x=alt.X("bar:Q", stack="normalize", title="Share of assessed departments", axis=alt.Axis(format="%")),
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("stage_name:N", title="Stage", sort=levels + hidden_names,
                        scale=alt.Scale(domain=levels + hidden_names, range=STAGE_COLOURS + [GREY] * len(hidden_names)),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("stage_order:Q"),
        opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.45)),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("stage_name:N", title="Stage"),
                 alt.Tooltip("share_label:N", title="Share"), alt.Tooltip("departments_label:N", title="Departments")],
    ).add_params(pick)
    small = alt.Chart(df).transform_filter("datum.suppressed").mark_text(align="left", dx=6, color="black", aria=False).encode(
        x=alt.datum(0), y=alt.Y("practice:N", sort=order), text="small_text:N")
    title = "Stages per practice"
    chart = (bars + initials + small).properties(
        title=_title(title, f"Where the filtered departments stand, {_scope(d)}; letters: the stages' initials"),
        height=alt.Step(24))
    adopted = (df[~df["suppressed"] & (df["stage"] >= 3)].groupby("practice")["share"].sum()
               .reindex(df[~df["suppressed"]]["practice"].unique(), fill_value=0.0))
    if adopted.empty:
        takeaway = f"No practice has {d.threshold} or more assessed departments for these filters."
    elif len(adopted) == 1:
        takeaway = f"{adopted.iloc[0]:.0%} of assessed departments are {ADOPTING} {adopted.index[0]}."
    elif adopted.max() == adopted.min():
        takeaway = f"Every practice shown has {adopted.max():.0%} of its assessed departments {ADOPTING}."
    else:
        takeaway = (f"{adopted.idxmax()} is furthest along ({adopted.max():.0%} {ADOPTING}); "
                    f"{adopted.idxmin()} lags ({adopted.min():.0%}).")
    table = df.rename(columns={"practice": "Practice", "stage_name": "Stage", "departments_label": "Departments",
                               "share_label": "Share of the practice's assessed departments"})[
        ["Practice", "Stage", "Departments", "Share of the practice's assessed departments"]]
    alt_text = (f"Stacked horizontal bars, one per practice, split into the stages Not started to Sustaining in that "
                f"order, each segment wide enough marked with its stage's initial, {_scope(d)}. Grey bars are suppressed: {_why_grey(d)}. {takeaway}")
    return ChartView("chart_stages", title, chart, takeaway, alt_text, table, "segment", min_width=600)


def _stage_initials(df: pd.DataFrame, levels: list[str]) -> alt.Chart:
    """A text layer: each shown stage segment of INITIAL_MIN_SHARE or more carries its stage's initial, in the ink
    that reads best on its fill, so stages are told apart without colour as well as by their order."""
    shown = df[~df["suppressed"]].sort_values(["practice", "stage_order"]).astype({"bar": float})
    ends = shown.groupby("practice", observed=True)["bar"].cumsum()
    shown["middle"] = ends - shown["bar"] / 2
    shown["initial"] = [s[:1] for s in shown["stage_name"]]
    fills = dict(zip(levels, STAGE_COLOURS))
    shown["ink"] = [ink_on(fills.get(s, GREY)) for s in shown["stage_name"]]
    shown = shown[shown["bar"] >= INITIAL_MIN_SHARE]
    return alt.Chart(shown[["practice", "middle", "initial", "ink"]]).mark_text(
        fontSize=11, fontWeight="bold", aria=False).encode(
        x=alt.X("middle:Q"), y=alt.Y("practice:N"), text="initial:N", color=alt.Color("ink:N", scale=None))


def ink_on(fill: str) -> str:
    """Black or white, whichever reads better on a fill."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


def stage_names(d: Dashboard) -> dict[int, str]:
    """Stage level -> name, from the dashboard's rows (falls back to the standard scale)."""
    names = {0: "Not started", 1: "Exploring", 2: "Preparing", 3: "Implementing", 4: "Sustaining"}
    names.update({r["stage"]: r["stage_name"] for r in d.stages if not r["suppressed"]})
    return names


def trend(d: Dashboard) -> ChartView:
    """Share at Implementing or beyond by quarter, one line per HHS region."""
    df = _frame(d.trend, ["quarter", "region", "departments", "share", "suppressed", "why"])
    df["region_label"] = "Region " + df["region"].astype(str)
    _labels(df)
    df["baseline"] = 0.0
    regions = [f"Region {r}" for r in sorted(df["region"].unique())]
    colours = [REGION_COLOURS[i % len(REGION_COLOURS)] for i in range(len(regions))]
    dashes = [DASHES[i // len(REGION_COLOURS) % len(DASHES)] for i in range(len(regions))]
    shapes = [REGION_SHAPES[i % len(REGION_SHAPES)] for i in range(len(regions))]
    pick = alt.selection_point(name="line", fields=["region"], on="click", clear="dblclick")
    tooltip = [alt.Tooltip("region_label:N", title="Region"), alt.Tooltip("quarter:O", title="Quarter"),
               alt.Tooltip("share_label:N", title=f"Share {ADOPTING}"),
               alt.Tooltip("departments_label:N", title="Departments assessed")]
    base = alt.Chart(df).encode(x=alt.X("quarter:O", title="Quarter", sort=d.quarters, axis=alt.Axis(labelAngle=-40)))
    colour = alt.Color("region_label:N", title="HHS region", sort=regions, scale=alt.Scale(domain=regions, range=colours),
                       legend=alt.Legend(orient="right"))
    y = alt.Y("share:Q", title=f"Share {ADOPTING}", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    shown = base.transform_filter("!datum.suppressed")
    opacity = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.3))
    lines = shown.mark_line(strokeWidth=2).encode(
        y=y, color=colour, opacity=opacity,
        strokeDash=alt.StrokeDash("region_label:N", sort=regions, scale=alt.Scale(domain=regions, range=dashes),
                                  legend=None))
    points = shown.mark_point(filled=True, size=70).encode(
        y=y, color=colour, shape=alt.Shape("region_label:N", title="HHS region", sort=regions,
                                                           scale=alt.Scale(domain=regions, range=shapes)), opacity=opacity,
        tooltip=tooltip).add_params(pick)
    # aria=False: an empty layer would otherwise be an unlabelled graphic; the table says the same.
    small = base.transform_filter("datum.suppressed").mark_point(shape="cross", color=GREY, size=60, filled=True, aria=False).encode(
        y=alt.Y("baseline:Q"), tooltip=tooltip)
    title = f"Adoption over time: {_practice(d)}"
    chart = (lines + points + small).properties(
        title=_title(title, f"Share {ADOPTING} at each quarter's end; grey crosses: {_grey_short(d)}"),
        height=320)
    firsts = df[~df["suppressed"]].groupby("region_label").agg(first=("share", "first"), last=("share", "last"),
                                                              q0=("quarter", "first"), q1=("quarter", "last"))
    if firsts.empty:
        takeaway = f"No region has {d.threshold} or more assessed departments in any quarter of this period."
    else:
        firsts["rise"] = firsts["last"] - firsts["first"]
        best = firsts.loc[firsts["rise"].idxmax()]
        change = f"from {best['first']:.0%} in {best['q0']} to {best['last']:.0%} in {best['q1']}"
        if best["rise"] > 0:
            takeaway = f"{best.name} rose the most: {change} {ADOPTING}."
        elif best["rise"] == 0:
            takeaway = f"No region's share {ADOPTING} rose over this period; {best.name} held steady ({change})."
        else:
            takeaway = f"Every region's share {ADOPTING} fell over this period; {best.name} fell least ({change})."
    table = df.rename(columns={"quarter": "Quarter", "region_label": "HHS region", "departments_label": "Departments assessed",
                               "share_label": f"Share {ADOPTING}"})[
        ["Quarter", "HHS region", "Departments assessed", f"Share {ADOPTING}"]]
    alt_text = (f"Line chart of the share of departments {ADOPTING} {_practice(d)} at the end of each quarter from "
                f"{d.quarters[0]} to {d.quarters[-1]}, one line per HHS region. {takeaway}")
    return ChartView("chart_trend", title, chart, takeaway, alt_text, table, "line", min_width=560)


def tile_map(d: Dashboard) -> ChartView:
    """A US tile-grid map: one square per state or territory, shaded by adoption."""
    df = _frame(d.map, ["state", "state_name", "region", "tile_col", "tile_row", "departments", "share",
                                      "suppressed", "empty", "why"])
    df["share_label"] = [("no departments" if e else percent(s, w)) for e, s, w in zip(df["empty"], df["share"], df["why"])]
    df["departments_label"] = [("0" if e else count(n, w)) for e, n, w in zip(df["empty"], df["departments"], df["why"])]
    pick = alt.selection_point(name="state", fields=["state"], on="click", clear="dblclick")
    cols = list(range(int(df["tile_col"].max()) + 1)) if len(df) else []
    rows_ = list(range(int(df["tile_row"].max()) + 1)) if len(df) else []
    base = alt.Chart(df).encode(
        x=alt.X("tile_col:O", axis=None, scale=alt.Scale(domain=cols)),
        y=alt.Y("tile_row:O", axis=None, scale=alt.Scale(domain=rows_)),
        tooltip=[alt.Tooltip("state_name:N", title="State"), alt.Tooltip("region:O", title="HHS region"),
                 alt.Tooltip("share_label:N", title=f"Share {ADOPTING}"),
                 alt.Tooltip("departments_label:N", title="Departments assessed")],
    )
    fill = (alt.when("datum.suppressed").then(alt.value(GREY)).otherwise(alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], range=SHARE_RANGE, interpolate="rgb"),
                                 legend=alt.Legend(format="%", title=f"Share {ADOPTING}", orient="bottom", titleLimit=0))))
    tiles = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3, invalid="show").encode(
        color=fill, opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.45))).add_params(pick)
    codes = base.mark_text(fontSize=11, fontWeight="bold").encode(text="state:N", color=_text_colour())
    title = f"Adoption by state: {_practice(d)}"
    chart = (tiles + codes).properties(
        title=_title(title, f"Share {ADOPTING}, {_scope(d)}; grey: {_grey_short(d)}, or none"),
        width=alt.Step(40), height=alt.Step(40))
    shown = df[~df["suppressed"]]
    small = int((df["suppressed"] & ~df["empty"]).sum())
    if shown.empty:
        takeaway = f"No state has {d.threshold} or more assessed departments for these filters."
    else:
        top = shown.loc[shown["share"].idxmax()]
        what = (f"assessed departments are {ADOPTING} {d.practice_name}" if d.practice_name else
                "assessed departments' practices are at Implementing or Sustaining")
        takeaway = f"{top.state_name} leads: {top.share:.0%} of its {int(top.departments):,} {what}"
        takeaway += (f"; {small} more {'state is' if small == 1 else 'states are'} suppressed and shown in grey."
                     if small else ".")
    table = df[~df["empty"]].rename(columns={"state_name": "State", "region": "HHS region",
                                             "departments_label": "Departments assessed",
                                             "share_label": f"Share {ADOPTING}"})[
        ["State", "HHS region", "Departments assessed", f"Share {ADOPTING}"]]
    alt_text = (f"Tile-grid map of the United States, one square per state or territory placed roughly where it lies, "
                f"shaded by the share of departments {ADOPTING} {_practice(d)}, {_scope(d)}. {takeaway}")
    return ChartView("chart_map", title, chart, takeaway, alt_text, table, "state", "content")


def lessons_by_kind(d: Dashboard) -> ChartView:
    """Lessons published per quarter, stacked by kind (success, challenge, mixed)."""
    df = pd.DataFrame(d.lessons_by_kind, columns=["quarter", "kind", "lessons"])
    kinds = list(KIND_COLOURS)
    chart = alt.Chart(df).mark_bar(stroke="white", strokeWidth=1).encode(  # segments part by a white gap
        x=alt.X("quarter:O", title="Quarter published", sort=d.quarters, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("lessons:Q", title="Lessons published", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("kind:N", title="Kind", sort=kinds, scale=alt.Scale(domain=kinds, range=list(KIND_COLOURS.values())),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("kind:N"),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("lessons:Q", title="Lessons")],
    )
    title = "The movement's pulse: lessons by kind"
    chart = chart.properties(title=_title(title, f"Published lessons per quarter; {PULSE_SCOPE}"), height=260)
    total = int(df["lessons"].sum())
    if not total:
        takeaway = "No lessons were published in this period."
    else:
        by_kind = df.groupby("kind")["lessons"].sum()
        plural = {"success": "successes", "challenge": "challenges", "mixed": "mixed"}
        parts = ", ".join(f"{int(by_kind.get(k, 0))} {plural.get(k, k)}" for k in kinds)
        per_q = df.groupby("quarter")["lessons"].sum()
        takeaway = (f"{total} lessons were published in this period ({parts}); the busiest quarter was "
                    f"{per_q.idxmax()} with {int(per_q.max())}.")
    table = df.rename(columns={"quarter": "Quarter", "kind": "Kind", "lessons": "Lessons published"})
    alt_text = f"Stacked bar chart of lessons published per quarter, split into successes, challenges and mixed. {takeaway}"
    return ChartView("chart_pulse_kind", title, chart, takeaway, alt_text, table, min_width=480)


def lessons_by_risk(d: Dashboard) -> ChartView:
    """Lessons published per quarter by the risk types they name, as a grid of counts."""
    df = pd.DataFrame(d.lessons_by_risk, columns=["quarter", "risk", "position", "lessons"])
    order = list(dict.fromkeys(df.sort_values("position")["risk"]))
    base = alt.Chart(df).encode(
        x=alt.X("quarter:O", title="Quarter published", sort=d.quarters, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("risk:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("risk:N", title="Risk"),
                 alt.Tooltip("lessons:Q", title="Lessons")])
    peak = max(int(df["lessons"].max()), 1) if len(df) else 1
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("lessons:Q", title="Lessons", scale=alt.Scale(domain=[0, peak], range=SHARE_RANGE, interpolate="rgb"),
                        legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(fontSize=11).encode(
        text="lessons:Q", color=alt.when(f"datum.lessons > {peak * INK}").then(alt.value("white"))
        .otherwise(alt.value("black")))
    title = "The movement's pulse: risks named"
    chart = (cells + labels).properties(title=_title(title, f"Published lessons per quarter naming each risk type; {PULSE_SCOPE}"),
                                        height=alt.Step(30))
    if df.empty:
        takeaway = "No published lesson in this period names a risk type."
    else:
        by_risk = df.groupby("risk")["lessons"].sum()
        takeaway = f"The risk named most often is {by_risk.idxmax()} ({int(by_risk.max())} lessons in this period)."
    table = df.rename(columns={"quarter": "Quarter", "risk": "Risk type", "lessons": "Lessons published"})[
        ["Quarter", "Risk type", "Lessons published"]]
    alt_text = f"Grid of quarters by risk type; each cell gives how many published lessons named that risk. {takeaway}"
    return ChartView("chart_pulse_risk", title, chart, takeaway, alt_text, table, min_width=600)


def history(records: list[dict], stages: list[dict]) -> alt.Chart:
    """A department's self-assessment history: one dot per record, per practice, coloured by stage."""
    df = pd.DataFrame(records, columns=["practice", "stage", "stage_name", "as_of"])
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.strftime("%Y-%m-%d")
    names = [s["name"] for s in stages]
    return alt.Chart(df).mark_point(size=110, opacity=1, filled=True, stroke=SEGMENT_EDGE, strokeWidth=1).encode(
        x=alt.X("as_of:T", title="As of"),
        shape=alt.Shape("stage_name:N", title="Stage", sort=names,
                        scale=alt.Scale(domain=names, range=STAGE_SHAPES[:len(names)])),
        y=alt.Y("practice:N", title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("stage_name:N", title="Stage", sort=names,
                        scale=alt.Scale(domain=names, range=STAGE_COLOURS[:len(names)]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("stage_name:N", title="Stage"),
                 alt.Tooltip("as_of:T", title="As of", format="%-d %b %Y")],
    ).properties(title="Your department's history", height=alt.Step(22))


def drill_table(found: list[dict]) -> pd.DataFrame:
    """The departments behind a selection, with a relative link to their lessons (the lessons page hides anonymous ones)."""
    df = pd.DataFrame(found, columns=["department_id", "department", "state", "region", "practice", "stage_name", "as_of"])
    df["lessons"] = "home?department=" + df["department_id"].astype(str)
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    return df.drop(columns="department_id").rename(columns={
        "department": "Department", "state": "State", "region": "HHS region", "practice": "Practice",
        "stage_name": "Stage", "as_of": "As of", "lessons": "Lessons"})


def describe_drill(drill, practice_names: dict[int, str], stage_names: dict[int, str]) -> str:
    """A drill-down in words, e.g. "Region 5, Allocate Resources"."""
    parts = [f"Region {drill.region}" if drill.region is not None else "", drill.state or "",
             practice_names.get(drill.practice_id, "") if drill.practice_id is not None else "",
             f"at {stage_names.get(drill.stage, drill.stage)}" if drill.stage is not None else ""]
    return ", ".join(p for p in parts if p)


def stalled_table(found: list[dict]) -> pd.DataFrame:
    """Stalled departments of one's regions, with a relative link to their lessons."""
    df = pd.DataFrame(found, columns=["department_id", "department", "state", "region", "practice", "stage_name",
                                      "year_ago_name", "last_assessed"])
    df["lessons"] = "home?department=" + df["department_id"].astype(str)
    df["last_assessed"] = pd.to_datetime(df["last_assessed"]).dt.date
    return df.drop(columns="department_id").rename(columns={
        "department": "Department", "state": "State", "region": "HHS region", "practice": "Practice",
        "stage_name": "Stage now", "year_ago_name": "Stage a year before", "last_assessed": "Last assessed",
        "lessons": "Lessons"})
