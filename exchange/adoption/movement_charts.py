"""Charts of movement (issue 14.2): stage transitions per quarter, time in stage, stalled departments.

Same shape as `charts`: each returns a ChartView with a title, a takeaway computed from its data,
alt text and a table; withheld figures are grey and say why, never a number. Every cell carries its
number as text, so nothing depends on colour.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from exchange.adoption.aggregates import Dashboard
from exchange.adoption.charts import (GREY, INK, SHARE_RANGE, ChartView, _frame, _practice, _scope, _title, _why_grey,
                                      hidden, percent, stage_names)
from exchange.adoption.movement import STALLED_QUARTERS


def _movement(d: Dashboard) -> Dashboard:
    """The dashboard itself, refusing one read without its Movement views (an empty chart would say "no moves")."""
    if d.transitions is None or d.time_in_stage is None or d.stalled is None:
        raise ValueError("the Movement charts need adoption.dashboard(..., movement=True)")
    return d


def _step(names: dict[int, str], before: int, after: int) -> str:
    return f"{names.get(before, before)} → {names.get(after, after)}"


def transitions(d: Dashboard) -> ChartView:
    """Per quarter: department–practice pairs that moved from one stage to another, as a grid of counts."""
    d = _movement(d)
    names = stage_names(d)
    df = _frame(d.transitions, ["k", "quarter", "from_stage", "to_stage", "moves", "suppressed", "why"])
    shown = df[~df["suppressed"]].copy()
    shown["step"] = [_step(names, int(b), int(a)) for b, a in zip(shown["from_stage"], shown["to_stage"])]
    shown["direction"] = ["up" if a > b else "back" for b, a in zip(shown["from_stage"], shown["to_stage"])]
    ordered = shown.sort_values(["from_stage", "to_stage"])  # rows in stage order: up moves read top to bottom
    steps = list(dict.fromkeys(ordered["step"]))
    grey = df[df["suppressed"]].assign(step=steps[0] if steps else "", label=[hidden(w) for w in df[df["suppressed"]]["why"]])
    base = alt.Chart(shown).encode(
        x=alt.X("quarter:O", title="Quarter (moves since the quarter before)", sort=d.quarters[1:],
                scale=alt.Scale(domain=d.quarters[1:]), axis=alt.Axis(labelAngle=-40)),  # a quarter without moves shows empty
        y=alt.Y("step:N", title=None, sort=steps, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("step:N", title="From → to"),
                 alt.Tooltip("moves:Q", title="Department–practice pairs")])
    peak = max(int(shown["moves"].max()), 1) if len(shown) else 1
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("moves:Q", title="Pairs that moved", scale=alt.Scale(domain=[0, peak], range=SHARE_RANGE, interpolate="rgb"),
                        legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(fontSize=10).encode(
        text="moves:Q", color=alt.when(f"datum.moves > {peak * INK}").then(alt.value("white")).otherwise(alt.value("black")))
    withheld = alt.Chart(grey).mark_text(fontSize=10, angle=270, color="black", aria=False).encode(
        x=alt.X("quarter:O", sort=d.quarters[1:]), y=alt.Y("step:N", sort=steps), text="label:N")
    title = f"Stage transitions per quarter: {_practice(d)}"
    chart = (cells + labels + withheld).properties(
        title=_title(title, f"Department–practice pairs whose stage at a quarter's end differs from the quarter before; "
                            f"quarters in grey text: {hidden(None)} departments, or withheld"), height=alt.Step(22))
    if shown.empty:
        takeaway = f"No quarter of this period has {d.threshold} or more assessed departments for these filters."
    else:
        by_step = shown.groupby("step")["moves"].sum()
        up = int(shown.loc[shown["direction"] == "up", "moves"].sum())
        back = int(shown.loc[shown["direction"] == "back", "moves"].sum())
        takeaway = (f"The most common move was {by_step.idxmax()} ({int(by_step.max()):,} pairs over the period); "
                    f"{up:,} moves went up a stage or more and {back:,} went back.")
    table_rows = [dict(Quarter=r.quarter, **{"From → to": r.step}, **{"Department–practice pairs": f"{int(r.moves):,}"})
                  for r in ordered.sort_values(["k", "from_stage", "to_stage"]).itertuples()]
    table_rows += [{"Quarter": r.quarter, "From → to": "all moves", "Department–practice pairs": hidden(r.why)}
                   for r in df[df["suppressed"]].itertuples()]
    table = pd.DataFrame(table_rows, columns=["Quarter", "From → to", "Department–practice pairs"])
    table = table.sort_values("Quarter", kind="stable").reset_index(drop=True)
    alt_text = (f"Grid of quarters by stage transition (from one stage to another), {_practice(d)}; each cell gives how "
                f"many department–practice pairs made that move in that quarter. {takeaway}")
    return ChartView("chart_transitions", title, chart, takeaway, alt_text, table, min_width=600)


def time_in_stage(d: Dashboard) -> ChartView:
    """Per practice and stage: the median quarters departments spent at the stage before moving on."""
    d = _movement(d)
    names = stage_names(d)
    df = _frame(d.time_in_stage, ["practice_id", "practice", "position", "stage", "departments", "median",
                                  "suppressed", "why"])
    df["stage_name"] = [names.get(int(s), s) for s in df["stage"]]
    df["label"] = [hidden(w) if s else f"{m:g} q" for s, m, w in zip(df["suppressed"], df["median"], df["why"])]
    df["label"] = [t.replace(" than ", "\nthan ") for t in df["label"]]
    df["n_label"] = [hidden(w) if s else f"{int(n):,}" for s, n, w in zip(df["suppressed"], df["departments"], df["why"])]
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    levels = [names[k] for k in sorted(names) if names[k] in set(df["stage_name"])]
    peak = max(float(df["median"].max()), 1.0) if df["median"].notna().any() else 1.0
    base = alt.Chart(df).encode(
        x=alt.X("stage_name:N", title="Stage", sort=levels, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("stage_name:N", title="Stage"),
                 alt.Tooltip("label:N", title="Median quarters at the stage"),
                 alt.Tooltip("n_label:N", title="Departments that moved on")])
    fill = alt.when("datum.suppressed").then(alt.value(GREY)).otherwise(
        alt.Color("median:Q", title="Median quarters at the stage", scale=alt.Scale(domain=[0, peak], range=SHARE_RANGE, interpolate="rgb"),
                  legend=alt.Legend(orient="bottom", titleLimit=0)))
    cells = base.mark_rect(stroke="white", invalid="show").encode(color=fill)
    labels = base.mark_text(fontSize=10, lineBreak="\n").encode(
        text="label:N", color=alt.when(f"datum.median > {peak * INK}").then(alt.value("white")).otherwise(alt.value("black")))
    title = f"Time in stage: {_practice(d)}"
    chart = (cells + labels).properties(
        title=_title(title, "Median quarters departments spent at a stage before moving on (entered and left by a "
                            "change of stage); q = quarters"), height=alt.Step(36), width=alt.Step(96))
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = (f"No stage of a practice has {d.threshold} or more departments seen entering and leaving it in "
                    "this period, so no time in stage can be shown.")
    else:
        by_stage = ok.groupby("stage_name").apply(lambda g: (g["median"] * g["departments"]).sum() / g["departments"].sum(),
                                                 include_groups=False)
        slow = ok.loc[ok["median"].idxmax()]
        takeaway = (f"Departments stayed longest at {slow.stage_name} on {slow.practice} (median {slow['median']:g} "
                    f"quarters, {int(slow.departments):,} departments); across practices, "
                    f"{by_stage.idxmax()} is the slowest stage to leave.")
    table = df.assign(median_label=[hidden(w) if s else f"{m:g}" for s, m, w in zip(df["suppressed"], df["median"], df["why"])])
    table = table.rename(columns={"practice": "Practice", "stage_name": "Stage", "median_label": "Median quarters at the stage",
                                  "n_label": "Departments that moved on"})[
        ["Practice", "Stage", "Median quarters at the stage", "Departments that moved on"]]
    alt_text = (f"Grid of practices by stage; each cell gives the median number of quarters departments spent at the "
                f"stage before moving to another, {_practice(d)}, up to {_scope(d)}. Grey cells are suppressed: "
                f"{_why_grey(d)}. {takeaway}")
    return ChartView("chart_time_in_stage", title, chart, takeaway, alt_text, table, width="content")


def stalled(d: Dashboard) -> ChartView:
    """Per practice: the share of departments with no stage progress for a year or more (below Sustaining)."""
    d = _movement(d)
    df = _frame(d.stalled, ["practice_id", "practice", "position", "departments", "stalled", "share", "suppressed", "why"])
    df["share_label"] = [percent(s, w) for s, w in zip(df["share"], df["why"])]
    df["text"] = [hidden(w) if s else f"{p} ({int(n):,} of {int(b):,})" for s, p, n, b, w in
                  zip(df["suppressed"], df["share_label"], df["stalled"], df["departments"], df["why"])]
    df["bar"] = df["share"].where(~df["suppressed"], 0.0)
    order = list(dict.fromkeys(df.sort_values("position")["practice"]))
    base = alt.Chart(df).encode(
        y=alt.Y("practice:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("practice:N", title="Practice"), alt.Tooltip("text:N", title="Stalled")])
    bars = base.mark_bar().encode(
        x=alt.X("bar:Q", title="Share of departments assessed a year before", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        color=alt.when("datum.suppressed").then(alt.value(GREY)).otherwise(alt.value(SHARE_RANGE[1])))
    labels = base.mark_text(align="left", dx=4, color="black").encode(x=alt.X("bar:Q"), text="text:N")
    title = f"Stalled departments: {_practice(d)}"
    chart = (bars + labels).properties(
        title=_title(title, f"Below Sustaining and no higher than {STALLED_QUARTERS} quarters before, {_scope(d)}"),
        height=alt.Step(22))
    ok = df[~df["suppressed"]]
    if ok.empty:
        takeaway = (f"No practice has {d.threshold} or more departments assessed a year before the period's end, "
                    "so stalls cannot be shown.")
    else:
        top = ok.loc[ok["share"].idxmax()]
        takeaway = (f"{top.share:.0%} of departments assessed on {top.practice} a year ago ({int(top.stalled):,} of "
                    f"{int(top.departments):,}) have made no stage progress since, the most of any practice shown.")
        if len(ok) == 1:
            takeaway = (f"{top.share:.0%} of departments assessed on {top.practice} a year ago ({int(top.stalled):,} of "
                        f"{int(top.departments):,}) have made no stage progress since.")
    table = df.assign(stalled_label=[hidden(w) if s else f"{int(n):,}" for s, n, w in zip(df["suppressed"], df["stalled"], df["why"])],
                      base_label=[hidden(w) if s else f"{int(n):,}" for s, n, w in zip(df["suppressed"], df["departments"], df["why"])])
    table = table.rename(columns={"practice": "Practice", "base_label": "Departments assessed a year before",
                                  "stalled_label": "Stalled", "share_label": "Share stalled"})[
        ["Practice", "Departments assessed a year before", "Stalled", "Share stalled"]]
    alt_text = (f"Horizontal bars, one per practice: the share of departments assessed a year before the period's end "
                f"that are below Sustaining and no higher than then, {_scope(d)}. Grey bars are suppressed: "
                f"{_why_grey(d)}. {takeaway}")
    return ChartView("chart_stalled", title, chart, takeaway, alt_text, table, min_width=520)
