"""Departments like us: the departments most like one department, with the reasons in words, and who has done
what it is about to do.

Likeness counts public facts (jurisdiction type, population band, urban–rural level, HHS region, state
governance) and, only where both sides' stages may be used, the practices they work on (implementing or
sustaining). Stages are used
for an individual department only if it shares them (or for the viewer's own department); every other
department's stages count only in totals passed through the small-number rule
(exchange/adoption/suppression.py), so a department that does not share stages is never listed by them.
Lessons come through the anonymity rule: a peer's anonymous lessons are never shown as its lessons.

The table of departments and their latest stages (a departments x practices array) is kept until an
assessment, department or profile changes (the change log says), so a call at national scale (3,000
departments) is array work plus one small lesson query.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from exchange.adoption import suppression
from exchange.adoption.queries import latest_stage
from exchange.errors import NotFound
from exchange.identity import permissions
from exchange.models import User
from exchange.peers import profiles
from exchange.privacy.anonymity import lesson_facts, viewer_department
from exchange.storage import changes
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

_cache: "weakref.WeakKeyDictionary[Database, _Table]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# Changes that move the table; anything else (lessons, sessions, reports) leaves it as it is.
_WATCHED = ("assessment", "department", "department_profile", "taxonomy")


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
    version: int
    records: list[dict]  # one per department, in id order: what a listed peer shows
    row: dict[int, int]  # department id -> row
    ids: np.ndarray
    name_rank: np.ndarray  # tie-break: alphabetical order
    facts: dict[str, np.ndarray]  # WEIGHTS' columns
    share: np.ndarray  # shares its stages
    practices: list[int]  # the stage matrix's columns
    stage: np.ndarray  # departments x practices: latest stage (0: none or not started)


def table(db: Database) -> _Table:
    """Every department's facts and latest stages, kept until assessments, departments or profiles change."""
    version = db.data_version()
    found = _cache.get(db)
    if found is not None and found.version >= version:
        return found
    with _lock:
        found = _cache.get(db)
        if found is not None and found.version < version:
            with db.read() as cur:
                moved = [c for c in changes.since(cur, found.version, entities=_WATCHED) if c.seq <= version]
            found = replace(found, version=version) if not moved else None
        if found is None:
            found = _build(db, version)
        _cache[db] = found
    return found


def _build(db: Database, version: int) -> _Table:
    with db.read() as cur:
        records = rows(cur, profiles.DEPARTMENT_SQL + " ORDER BY d.id")
        found = cur.execute(f"""
            SELECT a.department_id, a.practice_id, {latest_stage("a")} AS stage
            FROM assessments a WHERE a.practice_id IN (SELECT id FROM practices WHERE active) GROUP BY 1, 2""").fetchall()
    for r in records:
        r.pop("updated_by", None)
    ids = np.array([r["id"] for r in records], dtype=np.int64)
    row = {int(i): n for n, i in enumerate(ids)}
    practices = sorted({p for _, p, _ in found})
    column = {p: n for n, p in enumerate(practices)}
    stage = np.zeros((len(ids), len(practices)), dtype=np.int8)
    for dept, practice, level in found:
        if dept in row:
            stage[row[dept], column[practice]] = level
    names = [r["name"] for r in records]
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    facts = {c: np.array([r[c] for r in records], dtype=object) for c in WEIGHTS}
    share = np.array([bool(r["share_stages"]) for r in records], dtype=bool)
    return _Table(version, records, row, ids, name_rank, facts, share, practices, stage)


def stages_visible(user: User, dept: dict) -> bool:
    """May `user` see this department's stages by name? (it shares them, or it is the user's own department)."""
    return bool(dept["share_stages"]) or (user.department_id is not None and user.department_id == dept["id"])


def _base(data: _Table, dept_id) -> int:
    dept_id = profiles.department_id(dept_id)
    if dept_id not in data.row:
        raise NotFound(profiles.NOT_FOUND)
    return data.row[dept_id]


def _scores(data: _Table, base: int, filters: PeerFilters, practices_used: bool):
    """(candidate rows, score, practices in common or -1 where not used) for the departments other than `base`."""
    keep = np.ones(len(data.ids), dtype=bool)
    keep[base] = False
    for column, values in filters.scope().items():
        keep &= np.isin(data.facts[column], np.array(list(values), dtype=object))
    rows_ = np.nonzero(keep)[0]
    score = np.zeros(len(rows_))
    for column, weight in WEIGHTS.items():
        score += weight * (data.facts[column][rows_] == data.facts[column][base])
    common = np.full(len(rows_), -1, dtype=np.int64)
    if practices_used and data.stage.size:
        worked = data.stage >= IMPLEMENTING
        ours = worked[base]
        shares = data.share[rows_]
        theirs = worked[rows_]
        both = (theirs & ours).sum(axis=1)
        union = theirs.sum(axis=1) + ours.sum() - both
        jaccard = np.divide(both, union, out=np.zeros(len(rows_)), where=union > 0)
        score += PRACTICE_WEIGHT * jaccard * shares
        common = np.where(shares, both, -1)
    return rows_, score, common


def _peer(data: _Table, base: int, r: int, score: float, common: int, practices: int, yours: bool) -> dict:
    record = data.records[r]
    return {"id": int(record["id"]), "name": record["name"], "state_code": record["state_code"],
            "jurisdiction_type": record["jurisdiction_type"], "population_band": record["population_band"],
            "urban_rural": record["urban_rural"], "hhs_region": int(record["hhs_region"]),
            "state_governance": record["state_governance"], "score": round(float(score), 2),
            "reasons": reasons(data.records[base], record, None if common < 0 else int(common), practices, yours=yours)}


def like(db: Database, user: User, dept_id, *, filters: PeerFilters = PeerFilters(), limit: int = 10) -> dict:
    """The departments most like `dept_id` (filtered), best first, each with its reasons in words."""
    data = table(db)
    base = _base(data, dept_id)
    record = data.records[base]
    visible = stages_visible(user, record)
    practices = int((data.stage[base] >= IMPLEMENTING).sum()) if visible and data.stage.size else 0
    rows_, score, common = _scores(data, base, filters, visible)
    order = np.lexsort((data.name_rank[rows_], -score))[:limit]
    yours = user.department_id == record["id"]
    return {"department": record, "practices": practices if visible else None, "considered": int(len(rows_)),
            "peers": [_peer(data, base, rows_[i], score[i], common[i], practices, yours) for i in order]}


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
    data = table(db)
    base = _base(data, dept_id)
    record = data.records[base]
    if not stages_visible(user, record):
        return None
    upcoming = [(j, p) for j, p in enumerate(data.practices) if data.stage[base, j] in (EXPLORING, PREPARING)]
    if not upcoming:
        return []
    practices = int((data.stage[base] >= IMPLEMENTING).sum())
    rows_, score, common = _scores(data, base, filters, True)
    yours = user.department_id == record["id"]
    shown: dict[int, list[dict]] = {}
    more: dict[int, int] = {}
    for j, practice in upcoming:
        doing = np.nonzero(data.share[rows_] & (data.stage[rows_, j] >= IMPLEMENTING))[0]
        best = doing[np.lexsort((data.name_rank[rows_[doing]], -score[doing]))][:DOERS_PER_PRACTICE]
        shown[practice] = [{**_peer(data, base, rows_[i], score[i], common[i], practices, yours),
                            "stage": int(data.stage[rows_[i], j])} for i in best]
        more[practice] = max(0, len(doing) - DOERS_PER_PRACTICE)
    lessons = _lessons_on(db, user, {(d["id"], p) for p, ds in shown.items() for d in ds})
    others = _private_counts(data, base, user, upcoming, filters)
    names = _practice_names(db, [p for _, p in upcoming])
    out = []
    for j, practice in sorted(upcoming, key=lambda item: (-int(data.stage[base, item[0]]), names.get(item[1], ""))):
        stage = int(data.stage[base, j])
        out.append({"practice_id": practice, "practice": names.get(practice, ""), "stage": stage,
                    "stage_name": "Preparing" if stage == PREPARING else "Exploring",
                    "doers": [{**d, "stage_name": "Sustaining" if d["stage"] == SUSTAINING else "Implementing",
                               "lessons": lessons.get((d["id"], practice), [])} for d in shown[practice]],
                    "more_sharing": more[practice], "others": others.get(practice, "none")})
    return out


# --- internals -------------------------------------------------------------------------

def _private_counts(data: _Table, base: int, user: User, upcoming: list[tuple[int, int]],
                    filters: PeerFilters) -> dict[int, str]:
    """Per practice: how many departments not sharing stages implement or sustain it, as the small-number rule allows.

    The atoms are every such department (not only the filtered ones): the rule needs them to check that changing
    one filter cannot reveal a small group."""
    private = ~data.share
    private[base] = False
    if user.department_id is not None and user.department_id in data.row:
        private[data.row[user.department_id]] = False
    if not filters.scope():  # no filter to difference against: only the primary rule applies (suppression rule 1)
        k = suppression.threshold()
        counts = {practice: int((private & (data.stage[:, j] >= IMPLEMENTING)).sum()) for j, practice in upcoming}
        return {p: suppression.small_label() if n < k else f"{n:,}" for p, n in counts.items() if n}
    frames = []
    for j, practice in upcoming:
        chosen = np.nonzero(private & (data.stage[:, j] >= IMPLEMENTING))[0]
        if len(chosen):
            frames.append(pd.DataFrame({"practice_id": practice, **{c: data.facts[c][chosen] for c in FILTERS.values()},
                                        "departments": 1}))
    if not frames:
        return {}
    atoms = pd.concat(frames).groupby(["practice_id", *FILTERS.values()], as_index=False)["departments"].sum()
    cells = suppression.protect(atoms, filters.scope(), ["practice_id"], ["departments"])
    return {int(r["practice_id"]): (suppression.small_label() if r["suppressed"] else f"{int(r['departments']):,}")
            for r in cells.to_dict("records")}


def _lessons_on(db: Database, user: User, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[dict]]:
    """(department, practice) -> up to LESSONS_PER_PEER of its attributed, readable lessons tagged with that practice."""
    if not pairs:
        return {}
    depts = sorted({d for d, _ in pairs})
    practices = sorted({p for _, p in pairs})
    with db.read() as cur:
        # The candidates first, by a plain join (cheap), then the anonymity rule over those few only.
        ids = [r[0] for r in cur.execute("""
            SELECT DISTINCT l.id FROM lessons l JOIN lesson_practices lp ON lp.lesson_id = l.id
            WHERE l.department_id IN (SELECT unnest($depts::INTEGER[])) AND l.status = 'published' AND NOT l.hidden
                  AND lp.practice_id IN (SELECT unnest($practices::INTEGER[]))""",
                                         {"depts": depts, "practices": practices}).fetchall()]
        if not ids:
            return {}
        found = rows(cur, f"""
            WITH {lesson_facts(profiles.NARROW_LESSONS + " WHERE id IN (SELECT unnest($ids::INTEGER[])))")},
            ranked AS (
                SELECT f.shown_department_id AS department_id, lp.practice_id, f.id, f.title, f.kind,
                       row_number() OVER (PARTITION BY f.shown_department_id, lp.practice_id
                                          ORDER BY f.published_at DESC, f.id DESC) AS n
                FROM lesson_facts f JOIN lesson_practices lp ON lp.lesson_id = f.id
                WHERE lp.practice_id IN (SELECT unnest($practices::INTEGER[])) AND f.shown_department_id IS NOT NULL
                      AND f.status = 'published' AND NOT f.hidden AND (f.visibility = 'public' OR $members)
            )
            SELECT department_id, practice_id, id, title, kind FROM ranked WHERE n <= {LESSONS_PER_PEER}
            ORDER BY department_id, practice_id, n""",
                     {"viewer_department": viewer_department(user), "ids": ids, "practices": practices,
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
