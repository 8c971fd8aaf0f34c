"""Small numbers on the demo data at the default threshold of 11: no figure, and no difference of figures, rests on 1 to 10 departments."""

import dataclasses
import random
from itertools import combinations

import pandas as pd
import pytest

from exchange import adoption, config
from exchange.adoption import Filters, governance, suppression
from exchange.errors import InvalidInput
from exchange.models import JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS, User

ADMIN = User(id=1, email="admin@example.org", display_name="Admin", role="admin")
K = 11


def released(d) -> dict[tuple, int]:
    """Every department count a view lets one read or work out: shown cells and each line's total minus its shown cells."""
    out: dict[tuple, int] = {}
    if d.departments is not None:
        out[("headline",)] = d.departments
    last = d.quarters[-1]
    for r in d.heatmap:
        if not r["suppressed"]:
            out[("heatmap", r["region"], r["practice_id"])] = r["departments"]
    totals = {}
    for r in d.stages:
        if not r["suppressed"]:
            totals[r["practice_id"]] = r["total"]
            out[("practice", r["practice_id"])] = r["total"]
    for r in d.trend:
        if not r["suppressed"]:
            out[("trend", r["quarter"], r["region"])] = r["departments"]
    for r in d.map:
        if not r["suppressed"]:
            out[("state", r["state"])] = r["departments"]
    for r in d.curve:
        if not r["suppressed"]:
            out[("curve", r["quarter"])] = r["departments"]
    for dim, rows in d.breakdowns.items():
        for r in rows:
            if not r["suppressed"]:
                out[(dim, r[dim])] = r["departments"]
    for r in d.stalled:  # the movement views' department counts (exchange/adoption/movement.py)
        if not r["suppressed"]:
            out[("stalled", r["practice_id"])] = r["departments"]
    for r in d.time_in_stage:
        if not r["suppressed"]:
            out[("time_in_stage", r["practice_id"], r["stage"])] = r["departments"]

    def residual(name, margin, cells, key):
        # The withheld cells of a line, together: named by which cells they are, so that two views'
        # residuals are compared only when they stand for the same cells.
        if margin is not None:
            hidden = frozenset(key(r) for r in cells if r["suppressed"] and not r.get("empty"))
            out[("residual", *name, hidden)] = margin - sum(r["departments"] for r in cells if not r["suppressed"])

    for practice, total in totals.items():
        residual(("heatmap", practice), total, [r for r in d.heatmap if r["practice_id"] == practice],
                 lambda r: r["region"])
    for q in d.quarters:
        residual(("trend", q), out.get(("curve", q)), [r for r in d.trend if r["quarter"] == q], lambda r: r["region"])
    for region in range(1, 11):
        residual(("map", region), out.get(("trend", last, region)), [r for r in d.map if r["region"] == region],
                 lambda r: r["state"])
    for dim, rows in d.breakdowns.items():
        residual((dim,), d.departments, rows, lambda r, dim=dim: r[dim])
    return out


def lines_with_one_hidden_cell(d) -> list:
    """Lines whose total is shown while exactly one non-empty cell is withheld: that cell is the difference."""
    found = []
    totals = {r["practice_id"]: r["total"] for r in d.stages if not r["suppressed"]}
    for practice in totals:
        hidden = [r for r in d.heatmap if r["practice_id"] == practice and r["suppressed"] and not r["empty"]]
        if len(hidden) == 1:
            found.append(("heatmap", practice))
    return found


def department_ids(demo_db, filters: Filters) -> frozenset:
    """The directory's departments a view's filters select (the views' figures are subsets of these)."""
    with demo_db.read() as cur:
        df = cur.execute("SELECT d.id, s.hhs_region AS region, d.jurisdiction_type, d.population_band, d.urban_rural, "
                         "coalesce(nullif(p.state_governance, ''), g.governance, 'not_recorded') AS governance "
                         "FROM departments d JOIN states s ON s.code = d.state_code "
                         "LEFT JOIN department_profiles p ON p.department_id = d.id "
                         "LEFT JOIN state_governance g ON g.state_code = d.state_code").df()
    return frozenset(suppression.select(df, adoption.aggregates.scope_of(filters))["id"])


CHOICES = {"regions": tuple(range(1, 11)), "jurisdiction_types": JURISDICTION_TYPES,
           "population_bands": POPULATION_BANDS, "urban_rural": URBAN_RURAL_LEVELS, "governance": governance.LEVELS}


def random_filters(rng: random.Random, practices: list[int]) -> Filters:
    def some(values, most):
        return tuple(sorted(rng.sample(list(values), rng.randint(1, most)))) if rng.random() < 0.3 else ()

    return Filters(practice_id=rng.choice([None, *practices[:3]]), regions=some(range(1, 11), 9),
                   jurisdiction_types=some(JURISDICTION_TYPES, 6), population_bands=some(POPULATION_BANDS, 2),
                   urban_rural=some(URBAN_RURAL_LEVELS, 5), governance=some(governance.LEVELS, 4))


def neighbour(rng: random.Random, f: Filters) -> Filters:
    """The view one filter value away: a value more or less in one filter ("all" is every value)."""
    field = rng.choice(list(CHOICES))
    values = set(getattr(f, field) or CHOICES[field])
    value = rng.choice(CHOICES[field])
    values ^= {value}
    if not values or values == set(CHOICES[field]):
        values = set()
    return dataclasses.replace(f, **{field: tuple(v for v in CHOICES[field] if v in values)})


def intersect(a: Filters, b: Filters) -> Filters:
    def both(x, y):
        return tuple(sorted(set(x) & set(y))) if x and y else (x or y)

    return Filters(practice_id=a.practice_id, regions=both(a.regions, b.regions),
                   jurisdiction_types=both(a.jurisdiction_types, b.jurisdiction_types),
                   population_bands=both(a.population_bands, b.population_bands),
                   urban_rural=both(a.urban_rural, b.urban_rural), governance=both(a.governance, b.governance))


def leaks(demo_db, seed: int, views: int) -> tuple[list, int]:
    """Differences of two views' figures (one view inside the other) resting on 1 to 10 departments; and how many were compared."""
    rng = random.Random(seed)
    practices = [p["id"] for p in adoption.options(demo_db, ADMIN).practices]
    chosen = [Filters()] + [random_filters(rng, practices) for _ in range(views)]
    chosen += [neighbour(rng, f) for f in chosen for _ in range(2)]
    pairs = list(combinations(chosen, 2))
    chosen += [intersect(a, b) for a, b in rng.sample(pairs, min(len(pairs), views)) if a.practice_id == b.practice_id]
    figures = {}
    for f in dict.fromkeys(chosen):
        try:
            d = adoption.dashboard(demo_db, ADMIN, f, movement=True)
        except InvalidInput:
            continue
        figures[f] = (department_ids(demo_db, f), released(d), d)
    found, compared = [], 0
    for f, (_, figs, d) in figures.items():
        found += [(f, key, n) for key, n in figs.items() if key[0] == "residual" and 0 < n < K]
        found += [(f, line) for line in lines_with_one_hidden_cell(d)]
    for (a, (ids_a, figs_a, _)), (b, (ids_b, figs_b, _)) in combinations(figures.items(), 2):
        if a.practice_id != b.practice_id or not (ids_a <= ids_b or ids_b <= ids_a):
            continue
        for key in figs_a.keys() & figs_b.keys():
            compared += 1
            if 0 < abs(figs_a[key] - figs_b[key]) < K:
                found.append((a, b, key, figs_a[key], figs_b[key]))
    return found, compared


@pytest.fixture(autouse=True)
def default_threshold():
    with config.override(suppression_min=K):
        adoption.aggregates.views.clear()
        yield
        adoption.aggregates.views.clear()


def test_the_default_threshold_is_11_the_cms_cell_size_rule():
    config.reload()
    assert config.settings().suppression_min == 11 == suppression.threshold()


@pytest.mark.parametrize("seed", [1, 2])
def test_no_difference_of_two_nested_filtered_views_recovers_a_suppressed_value(demo_db, seed):
    found, compared = leaks(demo_db, seed, views=12)
    assert found == [] and compared > 200


@pytest.fixture(scope="module")
def governed_db():
    """The demo exchange where governance is not just a function of the state: 30 departments chose one of their own
    on their profile, three states' 25 departments have none recorded anywhere (they count as "Not recorded"),
    and Massachusetts' six read their state's."""
    from exchange import setup

    db = setup.open_app_database(":memory:", with_demo=True)

    def vary(cur):
        cur.execute("DELETE FROM state_governance WHERE state_code IN ('CA', 'TX', 'NY')")
        cur.execute("""UPDATE department_profiles SET state_governance = '' WHERE department_id IN
                       (SELECT id FROM departments WHERE state_code IN ('CA', 'TX', 'NY', 'MA'))""")  # MA: its state's
        cur.execute("""UPDATE department_profiles SET state_governance = CASE WHEN department_id % 2 = 0 THEN 'shared'
                       ELSE 'mixed' END WHERE department_id IN (SELECT id FROM departments
                       WHERE state_code NOT IN ('CA', 'TX', 'NY', 'MA') ORDER BY id LIMIT 30)""")
    db.write(vary)
    yield db
    db.close()


def test_departments_without_a_recorded_governance_show_as_not_recorded_and_are_not_dropped(governed_db):
    d = adoption.dashboard(governed_db, ADMIN, Filters())
    rows = {r["governance"]: r for r in d.breakdowns["governance"]}
    assert "not_recorded" in rows and set(rows) <= set(governance.LEVELS)
    with governed_db.read() as cur:
        assessed = cur.execute("SELECT count(DISTINCT department_id) FROM assessments").fetchone()[0]
    assert sum(r["departments"] or 0 for r in rows.values()) <= assessed == d.departments
    chosen = adoption.dashboard(governed_db, ADMIN, Filters(governance=("not_recorded",)))
    assert 0 < chosen.departments < d.departments


def test_the_governance_filter_counts_a_departments_own_choice_over_its_states_and_drills_down_to_it(governed_db):
    shared = set(department_ids(governed_db, Filters(governance=("shared",))))
    with governed_db.read() as cur:
        own = {r[0] for r in cur.execute("SELECT department_id FROM department_profiles "
                                         "WHERE state_governance = 'shared'").fetchall()}
    assert len(own) >= 15 and own <= shared
    d = adoption.dashboard(governed_db, ADMIN, Filters(governance=("shared",)))
    assert d.directory == len(shared)
    row = next(r for r in d.stages if not r["suppressed"])
    listed = adoption.drilldown(governed_db, ADMIN, d.filters,
                                adoption.Drill(chart="chart_stages", practice_id=row["practice_id"], stage=row["stage"]))
    assert len(listed) == row["departments"] and {r["department_id"] for r in listed} <= shared


def test_no_difference_of_two_nested_views_recovers_a_suppressed_value_when_governance_varies_within_states(governed_db):
    found, compared = leaks(governed_db, 3, views=12)
    assert found == [] and compared > 200


def test_the_differencing_check_finds_leaks_when_complementary_suppression_is_off(demo_db, monkeypatch):
    # A test that cannot fail is a defect: without rules 2 and 3 the same check must find recoverable small numbers.
    monkeypatch.setattr(suppression, "_slices", lambda *a, **k: {})
    monkeypatch.setattr(suppression, "_complement", lambda *a, **k: None)
    assert leaks(demo_db, 1, views=12)[0]


def test_leaving_out_the_six_territorial_departments_withholds_what_would_reveal_them(demo_db):
    everything = adoption.dashboard(demo_db, ADMIN, Filters())
    rest = adoption.dashboard(demo_db, ADMIN, Filters(jurisdiction_types=tuple(
        t for t in JURISDICTION_TYPES if t != "territorial")))
    assert everything.departments == 156
    assert rest.departments is None  # 156 minus it would be the six territorial departments
    practice_totals = {r["practice_id"]: r["total"] for r in rest.stages}
    assert set(practice_totals.values()) == {None}


def test_the_demo_dashboard_still_shows_its_region_charts_at_11(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters())
    assert d.heatmap and not any(r["suppressed"] for r in d.heatmap)  # 15 to 18 departments in every region
    assert not any(r["suppressed"] for r in d.trend) and not any(r["suppressed"] for r in d.curve)
    assert all(r["suppressed"] for r in d.map)  # no demo state has 11 departments: grey, and said so
    assert sum(not r["suppressed"] for rows in d.breakdowns.values() for r in rows) >= 9


def test_every_figure_leaving_the_service_is_blank_when_suppressed(demo_db):
    d = adoption.dashboard(demo_db, ADMIN, Filters(jurisdiction_types=("county", "city")), movement=True)
    rows = [*d.heatmap, *d.trend, *d.map, *d.curve, *d.population, *(r for v in d.breakdowns.values() for r in v),
            *d.stalled, *d.time_in_stage, *d.transitions]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r.get("departments") is None and r.get("share") is None for r in hidden)
    assert all(r.get(k) is None for r in hidden for k in ("stalled", "median", "moves"))
    assert all(r.get("adopting") is None for r in hidden if "adopting" in r)


def test_protect_withholds_a_cell_one_filter_value_away_from_a_small_group():
    atoms = pd.DataFrame({"region": [1, 1, 1], "jurisdiction_type": ["county", "city", "tribal"],
                          "population_band": ["small"] * 3, "urban_rural": ["noncore"] * 3, "departments": [30, 20, 2]})
    scope = {"region": (), "jurisdiction_type": ("county", "city"), "population_band": (), "urban_rural": ()}
    cell = suppression.protect(atoms, scope, ["region"], ["departments"], k=11).iloc[0]
    assert (cell["departments"], cell["suppressed"], cell["why"]) == (50, True, "withheld")  # all types minus it: 2
    scope["jurisdiction_type"] = ("county", "city", "tribal")
    cell = suppression.protect(atoms, scope, ["region"], ["departments"], k=11).iloc[0]
    assert cell["why"] == "withheld"  # the chosen tribal slice adds only 2
