"""Charts of reach: cumulative adoption with both denominators, population covered, and breakdowns by kind of place.

Same shape as `charts`: each returns a ChartView with a title, a takeaway computed from its data,
alt text and a table; suppressed rows are grey and say why, never a number.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from exchange.adoption import governance
from exchange.adoption.aggregates import Dashboard
from exchange.adoption.charts import (ADOPTING, GREY, INK, SHARE_RANGE, ChartView, _frame, _labels, _practice, _scope,
                                      _title, _why_grey, hidden, percent)
from exchange.models import JURISDICTION_TYPES, POPULATION_BAND_LABELS, POPULATION_BANDS, URBAN_RURAL_LEVELS

ASSESSED, DIRECTORY = "of departments that have assessed", "of all departments in the directory"
BREAKDOWN_TITLES = {"population_band": ("Adoption by population served", "population band", POPULATION_BANDS),
                    "urban_rural": ("Adoption by urban–rural level", "urban–rural level", URBAN_RURAL_LEVELS),
                    "jurisdiction_type": ("Adoption by jurisdiction type", "jurisdiction type", JURISDICTION_TYPES),
                    "governance": ("Adoption by state governance", "kind of state governance", governance.LEVELS)}


def curve(d: Dashboard) -> ChartView:
    """Cumulative adoption by quarter: the share at Implementing or Sustaining, over both denominators."""
    df = _frame(d.curve, ["quarter", "departments", "share", "share_directory", "suppressed", "why"])
    long = pd.concat([df.assign(denominator=ASSESSED, value=df["share"]),
                      df.assign(denominator=DIRECTORY, value=df["share_directory"])], ignore_index=True)
    long["value_label"] = [percent(v, w) for v, w in zip(long["value"], long["why"])]
    shown = long[~long["suppressed"]]
    dash = alt.StrokeDash("denominator:N", title="Share", sort=[ASSESSED, DIRECTORY],
                          scale=alt.Scale(domain=[ASSESSED, DIRECTORY], range=[[1, 0], [6, 3]]),
                          legend=alt.Legend(orient="bottom", labelLimit=320))
    base = alt.Chart(shown).encode(
        x=alt.X("quarter:O", title="Quarter", sort=d.quarters, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("value:Q", title=f"Share {ADOPTING}", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("denominator:N", title="Share"),
                 alt.Tooltip("value_label:N", title=f"Share {ADOPTING}")])
    lines = base.mark_line(strokeWidth=2, color="#0072B2").encode(strokeDash=dash)
    points = base.mark_point(filled=True, size=60, color="#0072B2").encode(
        shape=alt.Shape("denominator:N", sort=[ASSESSED, DIRECTORY], legend=None,
                        scale=alt.Scale(domain=[ASSESSED, DIRECTORY], range=["circle", "square"])))
    title = f"Cumulative adoption: {_practice(d)}"
    pooled = "" if d.practice_name else " (department–practice pairs, pooled)"
    chart = (lines + points).properties(title=_title(title, f"Share {ADOPTING} at each quarter's end{pooled}"),
                                        height=280)
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = f"No quarter of this period has {d.threshold} or more assessed departments for these filters."
    else:
        first, last = ok.iloc[0], ok.iloc[-1]
        takeaway = (f"By {last.quarter}, {last.share:.0%} {ASSESSED} ({int(last.departments):,}) and "
                    f"{last.share_directory:.0%} {DIRECTORY} ({d.directory:,}) were {ADOPTING} {_practice(d)}, "
                    f"from {first.share:.0%} and {first.share_directory:.0%} in {first.quarter}.")
    _labels(df)
    df["directory_label"] = [percent(v, w) for v, w in zip(df["share_directory"], df["why"])]
    table = df.rename(columns={"quarter": "Quarter", "departments_label": "Departments assessed",
                               "share_label": f"Share {ASSESSED}", "directory_label": f"Share {DIRECTORY}"})[
        ["Quarter", "Departments assessed", f"Share {ASSESSED}", f"Share {DIRECTORY}"]]
    alt_text = (f"Line chart with two lines, one solid with circles ({ASSESSED}) and one dashed with squares "
                f"({DIRECTORY}): the share {ADOPTING} {_practice(d)} at each quarter's end from {d.quarters[0]} "
                f"to {d.quarters[-1]}. {takeaway}")
    return ChartView("chart_curve", title, chart, takeaway, alt_text, table, min_width=520)


def population(d: Dashboard) -> ChartView:
    """Per practice: the share of the population (in the filtered directory) served by adopting departments."""
    df = _frame(d.population, ["practice_id", "practice", "position", "departments", "population", "share",
                               "suppressed", "why"])
    _labels(df)
    df["bar"] = df["share"].where(~df["suppressed"], 0.0)
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    base = alt.Chart(df).encode(
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("share_label:N", title="Population covered"),
                 alt.Tooltip("departments_label:N", title="Departments assessed")])
    bars = base.mark_bar(color="#0072B2").encode(
        x=alt.X("bar:Q", title="Share of the population served", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")))
    labels = base.mark_text(align="left", dx=4, color="black").encode(x=alt.X("bar:Q"), text="share_label:N")
    title = "Population covered"
    chart = (bars + labels).properties(
        title=_title(title, f"Share of the population served by departments {ADOPTING} each practice, {_scope(d)}"),
        height=alt.Step(22))
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = f"No practice has {d.threshold} or more assessed departments for these filters."
    else:
        top, low = ok.loc[ok["share"].idxmax()], ok.loc[ok["share"].idxmin()]
        if len(ok) == 1:
            takeaway = (f"Departments {ADOPTING} {top.practice} serve {top.share:.0%} of the population of the "
                        f"{d.directory:,} departments in view.")
        else:
            takeaway = (f"Departments {ADOPTING} {top.practice} serve {top.share:.0%} of the population of the "
                        f"{d.directory:,} departments in view, the most of any practice; {low.practice} reaches "
                        f"{low.share:.0%}.")
    table = df.rename(columns={"practice": "Practice", "departments_label": "Departments assessed",
                               "share_label": "Share of the population served"})[
        ["Practice", "Departments assessed", "Share of the population served"]]
    alt_text = (f"Horizontal bars, one per practice: the share of the population served by departments {ADOPTING} "
                f"it, {_scope(d)}. Suppressed practices have no bar and say why. {takeaway}")
    return ChartView("chart_population", title, chart, takeaway, alt_text, table, min_width=520)


def breakdowns(d: Dashboard) -> list[ChartView]:
    """One bar chart per kind of place: population band, urban–rural level, jurisdiction type, state governance."""
    return [_breakdown(d, dim) for dim in BREAKDOWN_TITLES]


def _breakdown(d: Dashboard, dim: str) -> ChartView:
    title, noun, order = BREAKDOWN_TITLES[dim]
    df = _frame(d.breakdowns.get(dim, []), [dim, "departments", "share", "suppressed", "why"])
    _labels(df)
    names = {"population_band": POPULATION_BAND_LABELS, "governance": governance.LABELS}.get(dim, {})
    df["category"] = [names.get(v, v) for v in df[dim]]
    df["bar"] = df["share"].where(~df["suppressed"], 0.0)
    sort = [names.get(v, v) for v in order]
    df["text"] = [f"{s} (n={n})" if not sup else s for s, n, sup in
                  zip(df["share_label"], df["departments_label"], df["suppressed"])]
    base = alt.Chart(df).encode(
        y=alt.Y("category:N", sort=sort, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("category:N", title=noun.capitalize()),
                 alt.Tooltip("share_label:N", title=f"Share {ADOPTING}"),
                 alt.Tooltip("departments_label:N", title="Departments assessed")])
    bars = base.mark_bar().encode(
        x=alt.X("bar:Q", title=f"Share {ADOPTING}", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.when("datum.suppressed").then(alt.value(GREY)).otherwise(alt.value(SHARE_RANGE[1])))
    labels = base.mark_text(align="left", dx=4, color="black").encode(
        x=alt.X("bar:Q"), text=alt.Text("text:N"))
    chart = (bars + labels).properties(
        title=_title(f"{title}: {_practice(d)}", f"Share {ADOPTING}, {_scope(d)}"), height=alt.Step(24))
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = f"No {noun} has {d.threshold} or more assessed departments for these filters."
    elif len(ok) == 1:
        one = ok.iloc[0]
        takeaway = f"Only {one.category} can be shown: {one.share:.0%} {ADOPTING} ({int(one.departments):,} departments)."
    else:
        top, low = ok.loc[ok["share"].idxmax()], ok.loc[ok["share"].idxmin()]
        takeaway = (f"By {noun}, {top.category} is furthest along ({top.share:.0%} {ADOPTING}) and {low.category} "
                    f"lags ({low.share:.0%}).")
    hidden_n = int(df["suppressed"].sum())
    if hidden_n and not ok.empty:
        takeaway += f" {hidden_n} more {'is' if hidden_n == 1 else 'are'} suppressed ({hidden(None)} departments, or withheld)."
    table = df.rename(columns={"category": noun.capitalize(), "departments_label": "Departments assessed",
                               "share_label": f"Share {ADOPTING}"})[
        [noun.capitalize(), "Departments assessed", f"Share {ADOPTING}"]]
    alt_text = (f"Horizontal bars, one per {noun}: the share of departments {ADOPTING} {_practice(d)}, {_scope(d)}. "
                f"Grey bars are suppressed: {_why_grey(d)}. {takeaway}")
    return ChartView(f"chart_by_{dim}", f"{title}: {_practice(d)}", chart, takeaway, alt_text, table, min_width=480)


MOVES = {"up": "moved up a stage", "down": "moved back a stage", "stalled": "stalled: no higher than 4 quarters before"}


def movement(d: Dashboard) -> ChartView:
    """Per quarter: assessed department–practice pairs that moved up, moved back, or stalled for 4 quarters."""
    df = _frame(d.movement, ["quarter", "departments", "pairs", "up", "down", "stalled", "suppressed", "why"])
    long = pd.concat([df.assign(move=MOVES[m], pairs_moved=df[m]) for m in MOVES], ignore_index=True)
    shown = long[~long["suppressed"]]
    names = list(MOVES.values())
    base = alt.Chart(shown).encode(
        x=alt.X("quarter:O", title="Quarter", sort=d.quarters, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("pairs_moved:Q", title="Department–practice pairs"),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("move:N", title="Movement"),
                 alt.Tooltip("pairs_moved:Q", title="Pairs")])
    colour = alt.Color("move:N", title="Movement", sort=names,
                       scale=alt.Scale(domain=names, range=["#009E73", "#D55E00", "#000000"]),
                       legend=alt.Legend(orient="bottom", labelLimit=320))
    lines = base.mark_line(strokeWidth=2).encode(
        color=colour, strokeDash=alt.StrokeDash("move:N", sort=names, legend=None,
                                                scale=alt.Scale(domain=names, range=[[1, 0], [6, 3], [2, 2]])))
    points = base.mark_point(filled=True, size=60).encode(
        color=colour, shape=alt.Shape("move:N", sort=names, legend=None,
                                      scale=alt.Scale(domain=names, range=["triangle-up", "triangle-down", "square"])))
    title = f"Movement between stages: {_practice(d)}"
    chart = (lines + points).properties(
        title=_title(title, "Assessed department–practice pairs per quarter, at each quarter's end"), height=260)
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = f"No quarter of this period has {d.threshold} or more assessed departments for these filters."
    else:
        last = ok.iloc[-1]
        up, down = int(ok["up"].sum()), int(ok["down"].sum())
        takeaway = (f"Over this period {up:,} department–practice pairs moved up a stage and {down:,} moved back; "
                    f"at {last.quarter}, {int(last.stalled):,} of {int(last.pairs):,} "
                    f"({last.stalled / last.pairs:.0%}) had stalled below Sustaining for 4 quarters or more.")
    for m in MOVES:
        df[f"{m}_label"] = [hidden(w) if s else f"{int(v):,}" for v, s, w in zip(df[m], df["suppressed"], df["why"])]
    table = df.rename(columns={"quarter": "Quarter", "up_label": "Moved up", "down_label": "Moved back",
                               "stalled_label": "Stalled 4+ quarters"})[
        ["Quarter", "Moved up", "Moved back", "Stalled 4+ quarters"]]
    alt_text = (f"Line chart of three series per quarter: department–practice pairs that moved up a stage (solid, "
                f"triangles up), moved back (dashed, triangles down) and stalled for 4 quarters (dotted, squares), "
                f"{_practice(d)}. {takeaway}")
    return ChartView("chart_movement", title, chart, takeaway, alt_text, table, min_width=520)


def lessons_by_stage(d: Dashboard) -> ChartView:
    """Per practice and stage: named lessons on the practice shared by the departments at that stage."""
    df = _frame([r for r in d.stages if not r["suppressed"]],
                ["practice_id", "practice", "position", "stage", "stage_name", "departments", "lessons"])
    df["lessons"] = df["lessons"].fillna(0).astype(int)
    df["link"] = "home?practice=" + df["practice_id"].astype(str)
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    levels = [s for _, s in sorted({r["stage"]: r["stage_name"] for r in d.stages if not r["suppressed"]}.items())]
    base = alt.Chart(df).encode(
        x=alt.X("stage_name:N", title="Stage of the departments", sort=levels, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("stage_name:N", title="Stage"),
                 alt.Tooltip("departments:Q", title="Departments at this stage"),
                 alt.Tooltip("lessons:Q", title="Named lessons they shared")])
    peak = max(int(df["lessons"].max()), 1) if len(df) else 1
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("lessons:Q", title="Named lessons", scale=alt.Scale(domain=[0, peak], range=SHARE_RANGE, interpolate="rgb"),
                        legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(fontSize=11).encode(
        text="lessons:Q", color=alt.when(f"datum.lessons > {peak * INK}").then(alt.value("white"))
        .otherwise(alt.value("black")))
    title = "Lessons next to adoption"
    chart = (cells + labels).properties(
        title=_title(title, f"Named lessons on each practice by the stage of the departments that shared them, "
                            f"{_scope(d)}; anonymous lessons are not counted"), height=alt.Step(24), width=alt.Step(90))
    if df.empty or not df["lessons"].sum():
        takeaway = "No department in view has shared a named lesson on these practices yet."
    else:
        by_stage = df.groupby("stage_name")["lessons"].sum().reindex(levels, fill_value=0)
        per = (df.groupby("stage_name")["lessons"].sum() / df.groupby("stage_name")["departments"].sum()).reindex(levels)
        top = per.idxmax()
        takeaway = (f"Departments at {top} have shared the most named lessons per department "
                    f"({per.max():.1f}); {int(by_stage.sum()):,} named lessons in all.")
    table = df.rename(columns={"practice": "Practice", "stage_name": "Stage", "departments": "Departments at this stage",
                               "lessons": "Named lessons they shared", "link": "Lessons"})[
        ["Practice", "Stage", "Departments at this stage", "Named lessons they shared", "Lessons"]]
    alt_text = (f"Grid of practices by stage; each cell gives how many named lessons on the practice the departments "
                f"at that stage have shared, {_scope(d)}. Anonymous lessons are not counted. {takeaway}")
    return ChartView("chart_lessons_by_stage", title, chart, takeaway, alt_text, table, width="content")
