"""Issue 14.2: state governance beside regions, size, urban–rural level and jurisdiction type on the dashboard.

The breakdown's suppression and differencing are tested in tests/test_adoption_suppression.py (governed_db).
"""

import json

from exchange import adoption
from exchange.adoption import Filters, governance, url as adoption_url
from exchange.adoption import coverage, downloads
from exchange.api import service
from exchange.models import User
from exchange.peers import profiles

ADMIN = User(id=1, email="admin@example.org", display_name="Admin", role="admin")


def test_the_dashboards_kinds_of_governance_are_the_profiles_and_not_recorded():
    assert {k: v for k, v in governance.LABELS.items() if k != governance.NOT_RECORDED} == profiles.GOVERNANCE
    assert governance.label(governance.NOT_RECORDED) == "Not recorded" == governance.label("anything else")


def test_a_governance_filter_round_trips_through_the_address_and_junk_is_ignored(demo_db):
    opts = adoption.options(demo_db, ADMIN)
    view = adoption_url.from_params({"governance": ["mixed", "not_recorded", "feudal"]}, opts)
    assert view.filters.governance == ("mixed", "not_recorded") and view.ignored == ("governance",)
    assert adoption_url.to_params(view.filters, opts)["governance"] == ["mixed", "not_recorded"]


def test_the_governance_breakdown_names_each_kind_in_words_in_its_chart_table_and_csv(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters())
    rows = d.breakdowns["governance"]
    assert rows and {r["governance"] for r in rows} <= set(governance.LEVELS)
    assert sum(r["departments"] or 0 for r in rows) <= d.departments
    view = next(v for v in coverage.breakdowns(d) if v.key == "chart_by_governance")
    assert view.title.startswith("Adoption by state governance")
    column = view.table["Kind of state governance"]
    assert set(column) <= set(governance.LABELS.values()) and not any("_" in c for c in column)
    csv = downloads.to_csv(view.table).decode("utf-8-sig")
    assert all(governance.label(r["governance"]) in csv for r in rows)


def test_a_view_narrowed_by_governance_has_fewer_departments_and_says_so_in_the_report_filters(demo_db):
    from exchange.adoption import report

    everyone = adoption.dashboard(demo_db, ADMIN, Filters())
    decentralized = adoption.dashboard(demo_db, ADMIN, Filters(governance=("decentralized",)))
    assert 11 <= decentralized.directory < everyone.directory
    assert "State governance: Decentralized" in report.filters_text(decentralized)


def test_the_api_takes_the_governance_parameter_and_returns_the_breakdown(demo_db):
    board = json.loads(json.dumps(service.adoption_aggregates(demo_db, ADMIN, {"governance": ["decentralized"]})))
    assert board["filters"]["governance"] == ["decentralized"] and board["ignored"] == []
    assert {r["governance"] for r in board["breakdowns"]["governance"]} == {"decentralized"}
