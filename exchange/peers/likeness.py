"""Departments like us: the departments most like one department, with the reasons in words, and who has done
what it is about to do.

Likeness counts public facts (jurisdiction type, population band, urban–rural level, HHS region, state
governance) and, only where both sides' stages may be used, the practices they work on (implementing or
sustaining). Stages are used
for an individual department only if it shares them (or for the viewer's own department); every other
department's stages count only in totals passed through the small-number rule
(exchange/adoption/suppression.py), so a department that does not share stages is never listed by them.
Lessons come through the anonymity rule: a peer's anonymous lessons are never shown as its lessons.

The table of departments and their latest stages is kept per data version (VersionedCache), so a call at
national scale (3,000 departments) is array work plus one small lesson query.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from exchange.adoption import suppression
from exchange.errors import NotFound
from exchange.identity import permissions
from exchange.kernel.cache import VersionedCache
from exchange.models import User
from exchange.peers import profiles
from exchange.privacy.anonymity import lesson_facts, viewer_department
from exchange.storage.duckdb import Database, rows

EXPLORING, PREPARING, IMPLEMENTING, SUSTAINING = 1, 2, 3, 4
WEIGHTS = {"jurisdiction_type": 3.0, "population_band": 2.0, "urban_rural": 2.0, "hhs_region": 1.5,
           "state_governance": 1.0}
PRACTICE_WEIGHT = 4.0  # times the share of practices in common (Jaccard)
LESSONS_PER_PEER = 3
DOERS_PER_PRACTICE = 5
# Filter name -> department column (the page's filters and the suppression scope use the same names).
FILTERS = {"jurisdiction": "jurisdiction_type", "size": "population_band", "urban": "urban_rural",
           "region": "hhs_region", "governance": "state_governance"}
TYPE_NOUNS = {"state": "state health department", "tribal": "tribal health department",
              "territorial": "territorial health department"}
BAND_WORDS = {"small": "under 50,000", "medium": "50,000–499,999", "large": "500,000 or more"}
URBAN_WORDS = {"micropolitan": "a micropolitan area", "noncore": "a noncore (rural) area"}

_cache = VersionedCache("peers", maxsize=4)


@dataclass(frozen=True)
class PeerFilters:
    """Which departments may be listed as peers (empty = any); values are codes, regions ints."""

    jurisdiction: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    urban: tuple[str, ...] = ()
    region: tuple[int, ...] = ()
    governance: tuple[str, ...] = ()

    def scope(self) -> dict[str, tuple]:
        """{department column: chosen values} for the filters that have values."""
        return {FILTERS[name]: getattr(self, name) for name in FILTERS if getattr(self, name)}


@dataclass(frozen=True)
class _Table:
    departments: pd.DataFrame  # one row per department, indexed by id
    stages: dict[int, dict[int, int]]  # department id -> {practice id: latest stage >= Exploring}


def table(db: Database) -> _Table:
    """Every department's facts and latest stages, at the current data version."""
    def compute() -> _Table:
        with db.read() as cur:
            frame = pd.DataFrame(rows(cur, profiles.DEPARTMENT_SQL + " ORDER BY d.id"))
            found = cur.execute(f"""
                SELECT department_id, practice_id, arg_max(stage, (as_of, recorded_at, id)) AS stage
                FROM assessments GROUP BY 1, 2 HAVING arg_max(stage, (as_of, recorded_at, id)) >= {EXPLORING}
                   AND practice_id IN (SELECT id FROM practices WHERE active)""").fetchall()
        stages: dict[int, dict[int, int]] = {}
        for dept, practice, stage in found:
            stages.setdefault(dept, {})[practice] = stage
        frame = frame.set_index("id", drop=False) if len(frame) else frame
        return _Table(frame, stages)
    return _cache.get(db, "table", compute)


def stages_visible(user: User, dept: dict) -> bool:
    """May `user` see this department's stages by name? (it shares them, or it is the user's own department)."""
    return bool(dept["share_stages"]) or (user.department_id is not None and user.department_id == dept["id"])


def like(db: Database, user: User, dept_id, *, filters: PeerFilters = PeerFilters(), limit: int = 10) -> dict:
    """The departments most like `dept_id` (filtered), best first, each with its reasons in words."""
    dept_id = profiles.department_id(dept_id)
    data = table(db)
    if dept_id not in data.departments.index:
        raise NotFound(profiles.NOT_FOUND)
    base = data.departments.loc[dept_id].to_dict()
    own_view = user.department_id == dept_id
    mine = data.stages.get(dept_id, {}) if stages_visible(user, base) else None
    peers = _candidates(data, dept_id, filters)
    score = sum(WEIGHTS[c] * (peers[c] == base[c]) for c in WEIGHTS)
    common, shares = {}, peers["share_stages"].astype(bool)
    if mine:
        ours = _worked_on(mine)
        for pid in peers.index[shares]:
            theirs = _worked_on(data.stages.get(pid, {}))
            common[pid] = len(ours & theirs)
            union = len(ours | theirs)
            score.loc[pid] += PRACTICE_WEIGHT * (common[pid] / union if union else 0)
    peers = peers.assign(score=score).sort_values(["score", "name"], ascending=[False, True]).head(limit)
    listed = []
    for row in peers.to_dict("records"):
        listed.append({"id": int(row["id"]), "name": row["name"], "state_code": row["state_code"],
                       "jurisdiction_type": row["jurisdiction_type"], "population_band": row["population_band"],
                       "urban_rural": row["urban_rural"], "hhs_region": int(row["hhs_region"]),
                       "state_governance": row["state_governance"], "score": round(float(row["score"]), 2),
                       "reasons": reasons(base, row, common.get(row["id"]), len(_worked_on(mine or {})), yours=own_view)})
    return {"department": base, "practices": None if mine is None else len(_worked_on(mine)), "peers": listed,
            "considered": int(len(_candidates(data, dept_id, filters)))}


def reasons(base: dict, peer: dict, common: int | None, practices: int, *, yours: bool) -> str:
    """Why `peer` is like `base`, in words: "also a county of 50,000–499,999 in a medium metro, working on 4 of your 6 practices"."""
    same = {c: peer[c] == base[c] for c in WEIGHTS}
    parts = []
    noun = TYPE_NOUNS.get(peer["jurisdiction_type"], peer["jurisdiction_type"])
    if same["jurisdiction_type"] and same["population_band"]:
        parts.append(f"also a {noun} of {BAND_WORDS[peer['population_band']]}")
    elif same["jurisdiction_type"]:
        parts.append(f"also a {noun}")
    elif same["population_band"]:
        parts.append(f"also serving {BAND_WORDS[peer['population_band']]} people")
    if same["urban_rural"]:
        parts.append(f"in {URBAN_WORDS.get(peer['urban_rural'], 'a ' + peer['urban_rural'])}")
    if same["hhs_region"]:
        parts.append(f"in HHS Region {int(peer['hhs_region'])}")
    if same["state_governance"] and peer["state_governance"]:
        parts.append(f"with {peer['state_governance']} state governance")
    sentence = " ".join(parts[:2]) + "".join(", " + p for p in parts[2:]) if parts else ""
    if common is not None and practices:
        whose = "your" if yours else "its"
        sentence += (", " if sentence else "") + f"working on {common} of {whose} {practices} practices"
    return sentence or "no facts in common beyond the filters chosen"


def who_has_done(db: Database, user: User, dept_id, *, filters: PeerFilters = PeerFilters()) -> list[dict] | None:
    """For each practice the department is exploring or preparing: sharing departments implementing or sustaining
    it (most alike first) with their attributed lessons on it, and how many others (small-number rule); None when
    this viewer may not see the department's stages."""
    dept_id = profiles.department_id(dept_id)
    data = table(db)
    if dept_id not in data.departments.index:
        raise NotFound(profiles.NOT_FOUND)
    base = data.departments.loc[dept_id].to_dict()
    if not stages_visible(user, base):
        return None
    upcoming = {p: s for p, s in data.stages.get(dept_id, {}).items() if s in (EXPLORING, PREPARING)}
    if not upcoming:
        return []
    ranked = like(db, user, dept_id, filters=filters, limit=len(data.departments))["peers"]
    order = {p["id"]: n for n, p in enumerate(ranked)}
    by_id = {p["id"]: p for p in ranked}
    candidates = data.departments.loc[list(order)] if order else data.departments.iloc[0:0]
    sharing = set(candidates.index[candidates["share_stages"].astype(bool)]) if len(candidates) else set()
    doers: dict[int, list[int]] = {p: [] for p in upcoming}
    for pid in sharing:
        for practice in upcoming:
            if data.stages.get(pid, {}).get(practice, 0) >= IMPLEMENTING:
                doers[practice].append(pid)
    others = _private_counts(data, dept_id, user, upcoming, filters)
    shown = {p: sorted(ids, key=order.get)[:DOERS_PER_PRACTICE] for p, ids in doers.items()}
    lessons = _lessons_on(db, user, {(d, p) for p, ids in shown.items() for d in ids})
    names = _practice_names(db, list(upcoming))
    out = []
    for practice, stage in sorted(upcoming.items(), key=lambda item: (-item[1], names.get(item[0], ""))):
        out.append({"practice_id": practice, "practice": names.get(practice, ""), "stage": stage,
                    "stage_name": "Preparing" if stage == PREPARING else "Exploring",
                    "doers": [{**by_id[d], "stage": data.stages[d][practice],
                               "stage_name": "Sustaining" if data.stages[d][practice] == SUSTAINING else "Implementing",
                               "lessons": lessons.get((d, practice), [])} for d in shown[practice]],
                    "more_sharing": max(0, len(doers[practice]) - DOERS_PER_PRACTICE),
                    "others": others.get(practice, "none")})
    return out


# --- internals -------------------------------------------------------------------------

def _worked_on(stages: dict[int, int]) -> set[int]:
    """The practices a department works on: implementing or sustaining (exploring and preparing are still to come)."""
    return {p for p, s in stages.items() if s >= IMPLEMENTING}


def _candidates(data: _Table, dept_id: int, filters: PeerFilters) -> pd.DataFrame:
    frame = data.departments[data.departments["id"] != dept_id]
    for column, values in filters.scope().items():
        frame = frame[frame[column].isin(list(values))]
    return frame


def _private_counts(data: _Table, dept_id: int, user: User, practices: dict, filters: PeerFilters) -> dict[int, str]:
    """Per practice: how many departments not sharing stages implement or sustain it, as the small-number rule allows."""
    frame = data.departments[(data.departments["id"] != dept_id) & ~data.departments["share_stages"].astype(bool)]
    if user.department_id is not None:
        frame = frame[frame["id"] != user.department_id]
    atoms = [{"practice_id": p, **{c: row[c] for c in FILTERS.values()}, "departments": 1}
             for row in frame.to_dict("records") for p in practices
             if data.stages.get(row["id"], {}).get(p, 0) >= IMPLEMENTING]
    if not atoms:
        return {}
    table = pd.DataFrame(atoms).groupby(["practice_id", *FILTERS.values()], as_index=False)["departments"].sum()
    cells = suppression.protect(table, filters.scope(), ["practice_id"], ["departments"])
    return {int(r["practice_id"]): (suppression.small_label() if r["suppressed"] else f"{int(r['departments']):,}")
            for r in cells.to_dict("records")}


def _lessons_on(db: Database, user: User, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[dict]]:
    """(department, practice) -> up to LESSONS_PER_PEER of its attributed, readable lessons tagged with that practice."""
    if not pairs:
        return {}
    depts = sorted({d for d, _ in pairs})
    practices = sorted({p for _, p in pairs})
    with db.read() as cur:
        found = rows(cur, f"""
            WITH {lesson_facts('(SELECT * FROM lessons WHERE department_id IN (SELECT unnest($depts::INTEGER[])))')}
            SELECT f.shown_department_id AS department_id, lp.practice_id, f.id, f.title, f.kind
            FROM lesson_facts f JOIN lesson_practices lp ON lp.lesson_id = f.id
            WHERE lp.practice_id IN (SELECT unnest($practices::INTEGER[])) AND f.shown_department_id IS NOT NULL
                  AND f.status = 'published' AND NOT f.hidden AND (f.visibility = 'public' OR $members)
            QUALIFY row_number() OVER (PARTITION BY f.shown_department_id, lp.practice_id
                                       ORDER BY f.published_at DESC, f.id DESC) <= {LESSONS_PER_PEER}""",
                     {"viewer_department": viewer_department(user), "depts": depts, "practices": practices,
                      "members": permissions.allowed(user, "lesson.read", {"published"})})
    out: dict[tuple[int, int], list[dict]] = {}
    for r in found:
        if (r["department_id"], r["practice_id"]) in pairs:
            out.setdefault((r["department_id"], r["practice_id"]), []).append(
                {"id": r["id"], "title": r["title"], "kind": r["kind"]})
    return out


def _practice_names(db: Database, ids: list[int]) -> dict[int, str]:
    with db.read() as cur:
        return dict(cur.execute("SELECT id, name FROM practices WHERE id IN (SELECT unnest(?::INTEGER[]))",
                                [ids]).fetchall())
