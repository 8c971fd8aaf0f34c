"""The dashboard's charts in four tabs: only the open tab's charts are built and sent (issue 14.1).

Building a chart with Altair is most of a filter change's server time, and drawing it most of the
browser's: 13 charts stacked cost ~540 ms to build per filter change at demo scale. With tabs that
run lazily, a filter change builds and draws 2 to 4. The first tab holds the four charts
that drill down to departments, so a click in one clears a list shown under another on the same page. The report still has every chart.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from exchange.adoption import charts, coverage, movement_charts
from exchange.adoption.aggregates import Dashboard
from exchange.adoption.charts import ChartView

TABS: dict[str, tuple[Callable[[Dashboard], ChartView], ...]] = {
    "Regions and stages": (charts.heatmap, charts.stage_bars, charts.trend, charts.tile_map),  # the drill-down charts
    "Reach over time": (coverage.curve, coverage.population),
    "Movement": (coverage.movement, movement_charts.transitions, movement_charts.time_in_stage, movement_charts.stalled),
    "By kind of place": tuple(functools.partial(coverage._breakdown, dim=dim) for dim in coverage.BREAKDOWN_TITLES),
    "Lessons": (coverage.lessons_by_stage, charts.lessons_by_kind, charts.lessons_by_risk),
}


def names() -> list[str]:
    """The tab labels, in page order."""
    return list(TABS)


def views(d: Dashboard, tab: str) -> list[ChartView]:
    """The charts of one tab, in page order."""
    return [build(d) for build in TABS[tab]]

