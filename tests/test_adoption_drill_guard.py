"""Issue 14.4: a suppressed figure (grey, "fewer than 11" or "withheld") cannot be drilled down to the departments behind it."""

import pytest

from exchange import adoption
from exchange.adoption import Drill, Filters
from exchange.errors import Forbidden, InvalidInput
from exchange.models import User

TODAY_FILTERS = [Filters(), Filters(jurisdiction_types=("city",)), Filters(regions=(8, 10)),
                 Filters(population_bands=("small",), urban_rural=("noncore",))]


@pytest.fixture
def admin():
    return User(id=1, email="admin@demo.example.org", display_name="Admin", role="admin")


def _cells(d):
    """(Drill, row) for every clickable figure of a dashboard."""
    for r in d.heatmap:
        yield Drill("chart_heatmap", region=r["region"], practice_id=r["practice_id"]), r
    for r in d.stages:
        yield Drill("chart_stages", practice_id=r["practice_id"], stage=r["stage"]), r
    for r in d.map:
        yield Drill("chart_map", state=r["state"]), r
    for r in d.trend:
        if r["quarter"] == d.quarters[-1]:
            yield Drill("chart_trend", region=r["region"]), r


def _small(d, row) -> bool:
    return bool(row.get("suppressed"))


def test_no_suppressed_figure_lists_its_departments_and_every_shown_one_does(demo_db, admin):
    refused = listed = 0
    for filters in TODAY_FILTERS:
        try:
            d = adoption.dashboard(demo_db, admin, filters)
        except InvalidInput:  # a refused view has no cells to click
            continue
        for drill, row in _cells(d):
            if drill.stage is None and drill.chart == "chart_stages":
                continue  # a withheld practice's single grey bar carries no stage
            if _small(d, row):
                with pytest.raises(Forbidden, match="not listed"):
                    adoption.drilldown(demo_db, admin, filters, drill)
                refused += 1
            elif listed < 25:
                found = adoption.drilldown(demo_db, admin, filters, drill)
                assert found and (drill.chart == "chart_stages" or len(found) >= d.threshold)
                listed += 1
    assert refused >= 5 and listed >= 10  # both kinds were exercised


def test_a_withheld_practice_bar_and_a_figure_the_chart_does_not_draw_are_refused(demo_db, admin):
    d = adoption.dashboard(demo_db, admin, Filters())
    grey = next((r for r in d.stages if r["stage"] is None), None)
    if grey is not None:
        with pytest.raises(Forbidden):
            adoption.drilldown(demo_db, admin, Filters(), Drill("chart_stages", practice_id=grey["practice_id"]))
    with pytest.raises(Forbidden):  # a forged click: a state that is not on the map
        adoption.drilldown(demo_db, admin, Filters(), Drill("chart_map", state="ZZ"))
    with pytest.raises(Forbidden):  # a chart with no drill-down at all
        adoption.drilldown(demo_db, admin, Filters(), Drill("chart_curve", region=5))
