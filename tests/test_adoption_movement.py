"""Issue 14.2 "Movement": stage transitions per quarter, time in stage, stalled departments, and who a stalled list may name."""

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from exchange import adoption, setup
from exchange.adoption import Filters, movement, stalled
from exchange.errors import Forbidden
from exchange.models import User

ADMIN = User(id=1, email="admin@example.org", display_name="Admin", role="admin")
COORDINATOR = User(id=2, email="c@example.org", display_name="Coordinator", role="coordinator", regions=(5, 7))
MEMBER = User(id=3, email="m@example.org", display_name="Member", role="member", department_id=1)


def records(db) -> pd.DataFrame:
    with db.read() as cur:
        return cur.execute("SELECT a.*, s.hhs_region AS region FROM assessments a JOIN departments d ON d.id = a.department_id "
                           "JOIN states s ON s.code = d.state_code JOIN practices p ON p.id = a.practice_id AND p.active "
                           "ORDER BY a.as_of, a.id").df()


def stage_at(df: pd.DataFrame, day: date) -> pd.Series:
    """Each (department, practice) pair's stage as of `day` (its latest record by date, then id)."""
    held = df[df["as_of"].dt.date <= day]
    return held.groupby(["department_id", "practice_id"])["stage"].last()


def test_transitions_count_each_pair_whose_stage_changed_since_the_quarter_before(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=2), movement=True)
    df = records(demo_db)
    df = df[df["practice_id"] == 2]
    for q in (d.quarters[1], d.quarters[-2]):
        end, before = adoption.quarter_bounds(q)[1], adoption.quarter_bounds(d.quarters[d.quarters.index(q) - 1])[1]
        now, then = stage_at(df, end), stage_at(df, before)
        both = pd.concat([then.rename("from"), now.rename("to")], axis=1).dropna()
        moved = both[both["from"] != both["to"]].value_counts().to_dict()
        shown = {(r["from_stage"], r["to_stage"]): r["moves"] for r in d.transitions if r["quarter"] == q}
        assert shown == {(int(a), int(b)): n for (a, b), n in moved.items()}, q
    assert sum(r["moves"] for r in d.transitions if not r["suppressed"]) > 100


def test_the_quarterly_table_and_the_spreading_query_give_the_same_transitions(demo_db):
    from exchange.adoption import queries, quarterly

    params, _ = adoption.resolve(demo_db, Filters(), date(2026, 12, 1))
    quarterly.current(demo_db, params["first_year"] * 4 + params["first_q"] - 2 + params["quarters"])
    spread, stored = (queries._run_frame(demo_db, name, queries._used(name, params)).astype(str)
                      .sort_values(["k", "state", "jurisdiction_type", "population_band", "urban_rural", "from_stage",
                                    "to_stage"]).reset_index(drop=True)
                      for name in ("transitions", "transitions_quarterly"))
    assert len(spread) > 100
    pd.testing.assert_frame_equal(spread, stored)


def test_a_quarter_whose_base_is_withheld_has_no_transition_numbers():
    atoms = pd.DataFrame([dict(k=k, state="MN", region=5, jurisdiction_type="county", population_band="small",
                               urban_rural="noncore", from_stage=1, to_stage=2, moves=3) for k in (1, 2)])
    moves = pd.DataFrame([dict(k=0, suppressed=False, why=None), dict(k=1, suppressed=False, why=None),
                          dict(k=2, suppressed=True, why="withheld")])
    rows = movement._transitions(atoms, {}, moves, {0: "2025 Q1", 1: "2025 Q2", 2: "2025 Q3"})
    assert rows == [dict(k=1, quarter="2025 Q2", from_stage=1, to_stage=2, moves=3, suppressed=False, why=None),
                    dict(k=2, quarter="2025 Q3", from_stage=None, to_stage=None, moves=None, suppressed=True, why="withheld")]


def test_time_in_stage_is_the_median_over_departments_seen_entering_and_leaving_the_stage(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=3), movement=True)
    df = records(demo_db)
    df = df[df["practice_id"] == 3].sort_values(["department_id", "as_of", "id"])
    spent: dict[tuple, float] = {}
    for dept, rows in df.groupby("department_id"):
        stages, days = list(rows["stage"]), list(rows["as_of"])
        starts = [i for i in range(len(stages)) if i == 0 or stages[i] != stages[i - 1]]
        for a, b in zip(starts, starts[1:]):
            if a > 0 and days[b].date() >= adoption.quarter_bounds(d.quarters[0])[0]:  # entered by a change, left in the period
                spent[(dept, stages[a])] = spent.get((dept, stages[a]), 0) + (days[b] - days[a]).days
    expected = pd.Series({k: round(v / 91.3125) for k, v in spent.items()})
    shown = [r for r in d.time_in_stage if not r["suppressed"]]
    assert shown  # the demo has stages 11+ departments left
    for r in shown:
        mine = expected[[k for k in expected.index if k[1] == r["stage"]]]
        assert r["departments"] == len(mine) >= d.threshold
        assert r["median"] == float(mine.median())
    assert all(r["median"] is None and r["departments"] is None for r in d.time_in_stage if r["suppressed"])


def test_stalled_counts_departments_below_sustaining_and_no_higher_than_a_year_before(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters(regions=(5, 7)), movement=True)
    df = records(demo_db)
    df = df[df["region"].isin([5, 7])]
    now, then = stage_at(df, d.snapshot), stage_at(df, movement.year_ago(d.snapshot))
    both = pd.concat([then.rename("then"), now.rename("now")], axis=1).dropna()
    stuck = both[(both["now"] < 4) & (both["now"] <= both["then"])].groupby(level="practice_id").size()
    base = both.groupby(level="practice_id").size()
    for r in d.stalled:
        assert not r["suppressed"]
        assert (r["departments"], r["stalled"]) == (base[r["practice_id"]], stuck.get(r["practice_id"], 0))


def test_stalled_counts_follow_the_small_number_rule():
    atom = dict(state="MN", region=5, jurisdiction_type="county", population_band="small", urban_rural="noncore")
    atoms = pd.DataFrame([dict(atom, practice_id=1, departments=30, stalled=9), dict(atom, practice_id=2, departments=6, stalled=2),
                          dict(atom, region=6, state="TX", practice_id=1, departments=4, stalled=1)])
    practices = pd.DataFrame([dict(practice_id=1, practice="A", position=1), dict(practice_id=2, practice="B", position=2)])
    rows = {r["practice_id"]: r for r in movement._stalled(atoms, {"region": (5,)}, practices)}
    assert rows[2]["suppressed"] and (rows[2]["departments"], rows[2]["stalled"], rows[2]["share"]) == (None, None, None)
    # Region 6 adds 4 departments to practice 1 when the region filter is lifted: one filter value away, 1 to 10 apart
    assert rows[1]["suppressed"] and rows[1]["why"] == "withheld" and rows[1]["stalled"] is None
    shown = {r["practice_id"]: r for r in movement._stalled(atoms, {}, practices)}[1]
    assert (shown["departments"], shown["stalled"], shown["share"]) == (34, 10, 10 / 34)


@pytest.fixture(scope="module")
def demo_copy():
    """A demo database this module may change (it sets the departments' share-stages choices)."""
    with tempfile.TemporaryDirectory(prefix="exchange-movement-") as directory:
        db = setup.open_app_database(Path(directory) / "demo.duckdb", with_demo=True)
        yield db
        db.close()


def share_stages(db, department_ids, share: bool) -> None:
    """Set the profiles' "share our practice stages" choice (a department without a profile row has not chosen)."""
    db.write(lambda cur: cur.execute("""
        INSERT INTO department_profiles (department_id, share_stages) SELECT unnest($ids), $share
        ON CONFLICT (department_id) DO UPDATE SET share_stages = excluded.share_stages""",
                                     {"ids": list(department_ids), "share": share}))


def test_a_department_that_does_not_share_its_stages_is_never_named(demo_copy):
    with demo_copy.read() as cur:
        everyone = [r[0] for r in cur.execute("SELECT id FROM departments").fetchall()]
    share_stages(demo_copy, everyone, False)
    listed = stalled.stalled_departments(demo_copy, COORDINATOR, Filters())
    assert listed.regions == (5, 7) and listed.departments == []
    assert adoption.dashboard(demo_copy, COORDINATOR, Filters(regions=(5, 7)), movement=True).stalled  # the counts are still there
    demo_copy.write(lambda cur: cur.execute("DELETE FROM department_profiles"))  # no choice made: not consent either
    assert stalled.stalled_departments(demo_copy, COORDINATOR, Filters()).departments == []


def test_only_departments_that_share_their_stages_are_named_and_only_in_my_regions(demo_copy):
    with demo_copy.read() as cur:
        everyone = [r[0] for r in cur.execute("SELECT id FROM departments").fetchall()]
    share_stages(demo_copy, everyone, False)
    share_stages(demo_copy, [d for d in everyone if d % 3 == 0], True)
    listed = stalled.stalled_departments(demo_copy, COORDINATOR, Filters())
    assert listed.departments
    assert {r["region"] for r in listed.departments} <= {5, 7}
    assert all(r["department_id"] % 3 == 0 for r in listed.departments)
    assert all(r["stage"] < 4 and r["stage"] <= r["year_ago"] for r in listed.departments)
    named = {(r["department_id"], r["practice_id"]) for r in listed.departments}
    everyone = stalled.stalled_departments(demo_copy, ADMIN, Filters())  # administrators: every region
    assert {r["region"] for r in everyone.departments} > {5, 7}
    assert named == {(r["department_id"], r["practice_id"]) for r in everyone.departments if r["region"] in (5, 7)}
    only7 = stalled.stalled_departments(demo_copy, COORDINATOR, Filters(regions=(7, 8), practice_id=2))
    assert only7.regions == (7,) and {(r["region"], r["practice_id"]) for r in only7.departments} <= {(7, 2)}
    assert stalled.stalled_departments(demo_copy, COORDINATOR, Filters(regions=(1,))).departments == []


def test_members_get_no_stalled_list(demo_db):
    with pytest.raises(Forbidden):
        stalled.stalled_departments(demo_db, MEMBER, Filters())


def test_the_dashboard_computes_the_movement_views_only_when_asked(demo_db, monkeypatch):
    # Issue 14.1: every tab but Movement reads dashboard() alone, so it must not pay for transitions, time in stage
    # and stalled (~1.4 s cold at national scale); the Movement tab, the report and the API ask for them.
    from exchange.adoption import aggregates, movement_charts

    aggregates.views.clear()
    aggregates.moving_views.clear()
    real = movement.views
    calls = []
    monkeypatch.setattr(movement, "views", lambda *a, **k: calls.append(1) or real(*a, **k))
    plain = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=2))
    assert calls == [] and (plain.transitions, plain.time_in_stage, plain.stalled) == (None, None, None)
    with pytest.raises(ValueError):  # a chart never reads "no moves" from views that were not computed
        movement_charts.transitions(plain)
    full = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=2), movement=True)
    assert calls == [1] and full.transitions and full.time_in_stage and full.stalled
    assert adoption.movement_views(demo_db, ADMIN, Filters(practice_id=2)) == {
        "transitions": full.transitions, "time_in_stage": full.time_in_stage, "stalled": full.stalled}
    assert calls == [1]  # cached on the data version like the rest
    assert {k: v for k, v in full.__dict__.items() if k not in ("transitions", "time_in_stage", "stalled")} == \
        {k: v for k, v in plain.__dict__.items() if k not in ("transitions", "time_in_stage", "stalled")}


def test_the_movement_views_refuse_a_view_too_small_to_show(demo_db):
    from exchange.errors import InvalidInput

    with pytest.raises(InvalidInput):
        adoption.movement_views(demo_db, ADMIN, Filters(regions=(5,), jurisdiction_types=("territorial",)))
    with pytest.raises(Forbidden):
        adoption.movement_views(demo_db, MEMBER, Filters())
