"""Drill-down without a mouse (issue 14.5): each drillable chart's table rows as choices that open the same drill-down.

A click on a chart mark needs a pointer; a list of the table's rows works with Tab, the arrow keys and
Enter. Each choice is the Drill a click on that row's mark would send, so the drill-down goes through
the same service and the same guard (`aggregates.require_drillable`): a grey row is offered, and
choosing it says why its departments are not listed.
"""

from __future__ import annotations

from exchange.adoption.aggregates import Dashboard, Drill
from exchange.adoption.charts import count, percent, stage_names

DRILLABLE = ("chart_heatmap", "chart_stages", "chart_trend", "chart_map")


def choices(d: Dashboard, chart: str) -> dict[str, tuple[str, Drill]]:
    """{stable key: (label, Drill)} for every row of a drillable chart's table, in table order (empty otherwise)."""
    if chart == "chart_heatmap":
        return {f"r{r['region']}p{r['practice_id']}": (
            f"Region {r['region']}, {r['practice']}: {_figure(r)}",
            Drill(chart=chart, region=r["region"], practice_id=r["practice_id"])) for r in d.heatmap}
    if chart == "chart_stages":
        names = stage_names(d)
        out = {}
        for r in d.stages:
            stage = "" if r["stage"] is None else f" at {names.get(r['stage'], r['stage'])}"
            figure = (percent(r["share"]) + f", {r['departments']:,} departments" if not r["suppressed"]
                      else r["stage_name"])
            out[f"p{r['practice_id']}s{r['stage']}"] = (f"{r['practice']}{stage}: {figure}",
                                                        Drill(chart=chart, practice_id=r["practice_id"], stage=r["stage"]))
        return out
    if chart == "chart_trend":
        last = d.quarters[-1]
        return {f"r{r['region']}": (f"Region {r['region']} in {last}: {_figure(r)}", Drill(chart=chart, region=r["region"]))
                for r in d.trend if r.get("quarter") == last}
    if chart == "chart_map":
        return {f"s{r['state']}": (f"{r['state_name']} (Region {r['region']}): {_figure(r)}", Drill(chart=chart, state=r["state"]))
                for r in d.map if not r.get("empty")}
    return {}


def _figure(row: dict) -> str:
    if row.get("suppressed"):
        return percent(None, row.get("why"))
    return f"{percent(row['share'])}, {count(row['departments'])} departments"
