"""Adoption of equity practices: departments' dated self-assessments and the coordinators' aggregates.

Split by concern: `assessments` (the self-assessment form and its writes), `aggregates` (the
dashboard's filters, suppressed aggregates and drill-downs), `queries` (their SQL, cached per data
version), `suppression` (small numbers), `quarters` (quarter labels), `charts` and `url` (drawing and addressing the dashboard).
The names below are the package's public face: `from exchange import adoption; adoption.record(...)`.
"""

from __future__ import annotations

from exchange.adoption.quarters import quarter_bounds, quarter_of, quarters_between
from exchange.adoption.assessments import (EARLIEST, NOTE_LIMIT, UNCHECKED, URL_LIMIT, SelfAssessment, record,
                                           self_assessment)
from exchange.adoption.queries import SQL, fetch, fetch_frame, query
from exchange.adoption.queries import results as query_cache
from exchange.adoption import suppression
from exchange.adoption.aggregates import (ADOPTED, DRILL_LIMIT, Dashboard, Drill, Filters,
                                          Options, dashboard, drill_from_selection, drilldown, movement_views, options,
                                          require_dashboard, resolve)

__all__ = [
    "ADOPTED", "DRILL_LIMIT", "EARLIEST", "NOTE_LIMIT", "SQL", "UNCHECKED", "URL_LIMIT",
    "Dashboard", "Drill", "Filters", "Options", "SelfAssessment", "dashboard", "drill_from_selection", "drilldown",
    "fetch", "fetch_frame", "movement_views", "options", "quarter_bounds", "quarter_of", "quarters_between", "query", "query_cache", "record",
    "require_dashboard", "resolve", "self_assessment", "suppression",
]
