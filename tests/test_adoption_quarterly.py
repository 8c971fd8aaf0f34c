"""The quarterly table (issue 14.1): the trend read from it equals the spreading query, on random data, after every kind of change."""

import random
from datetime import date, datetime, timedelta

import pytest

from exchange import adoption
from exchange.adoption import Filters, quarterly, queries
from exchange.storage import changes
from tests.factories import make_department, make_user

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

STATES = ["MN", "IA", "CA", "TX", "NY"]
TODAY = date(2026, 5, 20)  # mid-quarter, as most days are


def _key(rows):
    return sorted(tuple(sorted(r.items())) for r in rows)


def _one(db, sql):
    with db.read() as cur:
        return cur.execute(sql).fetchone()[0]


def _random_exchange(db, rng: random.Random, departments: int = 30, records: int = 500) -> list[int]:
    ids = [make_department(db, state=rng.choice(STATES), jurisdiction_type=rng.choice(["county", "city", "district"]),
                           urban_rural=rng.choice(["large central metro", "micropolitan", "noncore"]))
           for _ in range(departments)]
    start = date(2021, 1, 1)
    rows = []
    for _ in range(records):
        day = start + timedelta(days=rng.randrange((TODAY - start).days + 1))
        rows.append((rng.choice(ids), rng.randint(1, 6), rng.randint(0, 4), day))
    rows += [(d, p, rng.randint(0, 4), day) for d, p, _, day in rows[:40]]  # same-day ties: the later save wins

    def work(cur):
        cur.executemany("INSERT INTO assessments (department_id, practice_id, stage, as_of, recorded_at) "
                        "VALUES (?, ?, ?, ?, current_timestamp)", rows)

    db.write(work)  # a bulk write that says nothing: entity "data", so the table rebuilds
    return ids


def _random_filters(rng: random.Random, quarters: list[str]) -> Filters:
    first, last = sorted(rng.sample(range(len(quarters)), 2))
    return Filters(practice_id=rng.choice([None, None, *range(1, 7)]),
                   regions=tuple(rng.sample(range(1, 11), rng.randint(0, 2))),
                   jurisdiction_types=tuple(rng.sample(["county", "city", "district"], rng.randint(0, 1))),
                   first_quarter=quarters[first], last_quarter=quarters[last])


def _same_trend(db, filters: Filters, today: date = TODAY) -> int:
    params, quarters = adoption.resolve(db, filters, today)
    quarterly.current(db, quarterly.number(adoption.quarter_bounds(quarters[-1])[0]))
    old, new = adoption.fetch(db, "trend", params), adoption.fetch(db, "trend_quarterly", params)
    assert _key(new) == _key(old), filters
    return len(old)


def test_trend_from_the_quarterly_table_equals_the_spreading_query_on_random_data(fresh_db):
    rng = random.Random(14)
    _random_exchange(fresh_db, rng)
    quarters = adoption.quarters_between("2020 Q3", "2026 Q1")  # whole quarters: exact by construction
    compared = sum(_same_trend(fresh_db, _random_filters(rng, quarters)) for _ in range(40))
    assert compared > 500  # the comparisons had rows to compare


def test_a_new_assessment_rewrites_only_its_departments_rows_and_keeps_the_trend_equal(fresh_db):
    rng = random.Random(7)
    ids = _random_exchange(fresh_db, rng, departments=12, records=150)
    quarterly.current(fresh_db)
    with fresh_db.read() as cur:
        before = dict(cur.execute("SELECT department_id, count(*) FROM adoption_quarters GROUP BY 1").fetchall())
    admin = make_user(fresh_db, "admin")
    adoption.record(fresh_db, admin, department_id=ids[0], practice_id=1, stage=4, as_of=date(2022, 2, 1),
                    now=datetime(2026, 5, 20, 9))
    with fresh_db.read() as cur:
        assert cur.execute("SELECT entity, entity_id IS NOT NULL FROM changes ORDER BY seq DESC LIMIT 1").fetchone() \
            == ("assessment", True)
    quarterly.current(fresh_db)
    with fresh_db.read() as cur:
        after = dict(cur.execute("SELECT department_id, count(*) FROM adoption_quarters GROUP BY 1").fetchall())
        assert changes.position(cur, quarterly.CONSUMER) == changes.latest(cur)
    assert {d: n for d, n in after.items() if d != ids[0]} == {d: n for d, n in before.items() if d != ids[0]}
    for filters in [Filters(first_quarter="2021 Q4", last_quarter="2023 Q2"), Filters(practice_id=1, first_quarter="2022 Q1",
                                                                                      last_quarter="2026 Q1")]:
        _same_trend(fresh_db, filters)


def test_the_catch_up_does_not_move_the_data_version(fresh_db):
    _random_exchange(fresh_db, random.Random(3), departments=5, records=40)
    version = fresh_db.data_version()
    quarterly.reset(fresh_db)
    quarterly.current(fresh_db)
    assert fresh_db.data_version() == version
    assert _one(fresh_db, "SELECT count(*) FROM adoption_quarters") > 0


def test_a_practice_made_inactive_leaves_the_trend_at_once_without_a_rebuild(fresh_db):
    _random_exchange(fresh_db, random.Random(5), departments=10, records=200)
    filters = Filters(first_quarter="2022 Q1", last_quarter="2025 Q4")
    _same_trend(fresh_db, filters)
    fresh_db.write(lambda cur: cur.execute("UPDATE practices SET active = false WHERE id = 2"), entity="taxonomy")
    _same_trend(fresh_db, filters)


def test_a_quarter_beyond_the_horizon_extends_the_table(fresh_db):
    _random_exchange(fresh_db, random.Random(9), departments=6, records=60)
    horizon = quarterly.current(fresh_db)
    assert horizon == quarterly.number(date.today())
    later = quarterly.current(fresh_db, horizon + 3)
    assert later == horizon + 3
    assert _one(fresh_db, "SELECT max(quarter) FROM adoption_quarters") == horizon + 3


@pytest.mark.parametrize("cut", [date(2025, 5, 10), date(2025, 6, 30)])
def test_a_period_ending_mid_quarter_before_a_later_record_falls_back_to_the_exact_query(fresh_db, cut):
    dept = make_department(fresh_db, state="MN")
    fresh_db.write(lambda cur: cur.executemany(
        "INSERT INTO assessments (department_id, practice_id, stage, as_of, recorded_at) VALUES (?, 1, ?, ?, current_timestamp)",
        [(dept, 1, date(2025, 1, 5)), (dept, 4, date(2025, 5, 20))]))
    params, _ = adoption.resolve(fresh_db, Filters(first_quarter="2025 Q1", last_quarter="2025 Q2"), cut)
    expected = adoption.fetch(fresh_db, "trend", params)
    assert quarterly.exact_for(fresh_db, params["as_of"]) is (cut == date(2025, 6, 30))
    found = queries.trend(fresh_db, params)
    assert _key(found.astype(object).to_dict("records")) == _key(expected)
    last = [r for r in expected if r["k"] == 1]
    assert [r["adopting_pairs"] for r in last] == [0 if cut.month == 5 else 1]
