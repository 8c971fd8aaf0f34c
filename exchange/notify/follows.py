"""Follow a practice, a risk type, a region, a state, a department or a saved Find-lessons view; match new lessons.

A follow names its target by id or code (a view by its query string, in the Find-lessons codec's
own encoding), never by a name: names are looked up when shown. A new lesson reaches a follower
only if the follower may read it, and only by what the follower may see of it — the same
anonymity rule as Find lessons (anonymity.ATTRIBUTION): an anonymous lesson never matches a
state or a region it does not show, and never reaches the followers of its department at all.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from exchange import clock, taxonomy
from exchange.discovery import browse, textindex
from exchange.errors import Conflict, InvalidInput, NotFound
from exchange.identity import permissions
from exchange.kernel import serial
from exchange.models import KIND_LABELS, POPULATION_BAND_LABELS, User
from exchange.privacy.anonymity import ATTRIBUTION, K_TABLES, joins
from exchange.storage.duckdb import Database, one, rows

log = logging.getLogger(__name__)

KINDS = {"practice": "Practice", "risk": "Risk type", "region": "HHS region", "state": "State or territory",
         "department": "Department", "view": "Saved view"}
MAX_FOLLOWS = 100
MAX_VIEW_CHARS = 2000
# Find-lessons filters by what they show (the view's summary line).
_DIMENSION_LABELS = {"practice": "Practice", "action": "Action", "risk": "Risk", "kind": "Kind", "region": "Region",
                     "state": "State", "jurisdiction": "Type", "size": "Size", "year": "Year",
                     "department": "Shared by"}


def follow(db: Database, user: User, kind: str, target, *, now: datetime | None = None) -> int:
    """Follow `target` (an id, a code, or for a view its URL query); return the follow's id. Following twice is a no-op."""
    permissions.require(user, "account.read", {"self"})  # a signed-in person, for their own account
    now = now or clock.now()
    with db.read() as cur:
        canonical = _canonical(db, cur, kind, target)

    def work(cur):
        found = cur.execute("SELECT id FROM follows WHERE user_id = ? AND kind = ? AND target = ?",
                            [user.id, kind, canonical]).fetchone()
        if found:
            return found[0]
        count = cur.execute("SELECT count(*) FROM follows WHERE user_id = ?", [user.id]).fetchone()[0]
        if count >= MAX_FOLLOWS:
            raise Conflict(f"You follow {MAX_FOLLOWS} things already, the most there can be. Stop following some "
                           "of them (Inbox › What you follow) first.")
        return cur.execute("INSERT INTO follows (user_id, kind, target, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                           [user.id, kind, canonical, now]).fetchone()[0]

    # Serialised per person: parallel follows (two tabs, a double click) cannot pass the cap together.
    return serial.write(db, [("user_follows", user.id)], work, now, entity="follow")


def unfollow(db: Database, user: User, follow_id) -> None:
    """Stop one of your follows; NotFound when it is not yours (or already gone)."""
    permissions.require(user, "account.read", {"self"})
    follow_id = _int(follow_id, "follow")

    def work(cur):
        gone = cur.execute("DELETE FROM follows WHERE id = ? AND user_id = ? RETURNING id", [follow_id, user.id]).fetchone()
        if not gone:
            raise NotFound("You do not follow that (any longer).")

    db.write(work, entity="follow")


def follow_id(db: Database, user: User, kind: str, target) -> int | None:
    """The id of the user's follow of this target, or None (also for a visitor or a target that is not valid)."""
    if not user.signed_in:
        return None
    with db.read() as cur:
        try:
            canonical = _canonical(db, cur, kind, target)
        except InvalidInput:
            return None
        found = cur.execute("SELECT id FROM follows WHERE user_id = ? AND kind = ? AND target = ?",
                            [user.id, kind, canonical]).fetchone()
    return found[0] if found else None


def following(db: Database, user: User) -> list[dict]:
    """What the user follows, oldest first: id, kind, kind_label, label (names looked up now) and the Find-lessons query."""
    permissions.require(user, "account.read", {"self"})
    with db.read() as cur:
        found = rows(cur, "SELECT id, kind, target, created_at FROM follows WHERE user_id = ? ORDER BY created_at, id",
                     [user.id])
        names = _department_names(cur, [int(f["target"]) for f in found if f["kind"] == "department"])
    tax = taxonomy.load(db)
    for item in found:
        item["kind_label"] = KINDS.get(item["kind"], item["kind"])
        item["label"] = describe(tax, names, item["kind"], item["target"])
        item["query"] = _query_of(item["kind"], item["target"])
    return found


def view_query(filters: browse.Filters) -> str:
    """The canonical query string of a Find-lessons view (its filters and search; no sort or page)."""
    return urlencode(browse.to_params(replace(filters, sort="", page=1)), doseq=True)


def describe(tax, department_names: dict[int, str], kind: str, target: str) -> str:
    """How a follow reads: 'Community engagement', 'HHS Region 5', 'Search “eviction” · Region: 5'."""
    try:
        if kind == "practice":
            return tax.practice_name(int(target))
        if kind == "risk":
            return tax.risk_name(int(target))
        if kind == "region":
            return f"HHS Region {int(target)}"
        if kind == "state":
            return tax.state(target)["name"]
        if kind == "department":
            return department_names.get(int(target), "A department no longer listed")
        if kind == "view":
            return view_label(tax, department_names, browse.from_params(parse_qs(target)))
    except (NotFound, KeyError, ValueError, StopIteration):
        pass
    return "Something no longer listed"


def view_label(tax, department_names: dict[int, str], filters: browse.Filters) -> str:
    """A one-line summary of a view's search and filters."""
    shown = {"practice": tax.practice_name, "action": tax.action_name, "risk": tax.risk_name,
             "kind": lambda v: KIND_LABELS.get(v, v), "region": str, "state": lambda c: tax.state(c)["name"],
             "jurisdiction": str.capitalize, "size": lambda v: POPULATION_BAND_LABELS.get(v, v), "year": str,
             "department": lambda d: department_names.get(d, "a department")}
    parts = [f"Search “{filters.q.strip()}”"] if filters.q.strip() else []
    for name, values in filters.active.items():
        names = []
        for value in values:
            try:
                names.append(shown[name](value))
            except (NotFound, KeyError, StopIteration):
                names.append("(no longer listed)")
        parts.append(f"{_DIMENSION_LABELS[name]}: {', '.join(names)}")
    return " · ".join(parts) or "All lessons"


# ---------------------------------------------------------------- matching a new lesson
def matches(db: Database, cur, lesson_id: int) -> dict[int, list[int]]:
    """Followers a newly published lesson should reach: user id -> the ids of their follows it matches.

    Only people who may read the lesson, each matched by what they may see of it; never its author.
    """
    lesson = one(cur, f"""WITH {K_TABLES}
        SELECT l.id, l.status, l.hidden, l.visibility, l.anonymous, l.department_id, l.author_id, l.kind,
               year(l.period_start) AS year, s.hhs_region AS own_region, d.state_code AS own_state,
               d.jurisdiction_type AS own_jurisdiction, d.population_band AS own_size, {ATTRIBUTION}
        {joins()} WHERE l.id = $id""", {"viewer_department": -1, "id": lesson_id})
    if lesson is None or lesson["status"] != "published" or lesson["hidden"]:
        return {}
    tags = {name: [r[0] for r in cur.execute(f"SELECT {column} FROM {table} WHERE lesson_id = ?", [lesson_id]).fetchall()]
            for name, table, column in (("practice", "lesson_practices", "practice_id"),
                                        ("action", "lesson_actions", "action_id"),
                                        ("risk", "lesson_risks", "risk_type_id"))}
    candidates = rows(cur, """
        SELECT f.id, f.user_id, f.kind, f.target, u.email, u.display_name, u.role, u.department_id,
               (SELECT list(hhs_region) FROM user_regions r WHERE r.user_id = u.id) AS regions
        FROM follows f JOIN users u ON u.id = f.user_id
        WHERE u.active AND u.id <> $author AND u.role <> 'visitor' AND (
              f.kind = 'view'
           OR (f.kind = 'practice' AND f.target IN (SELECT unnest($practices::VARCHAR[])))
           OR (f.kind = 'risk' AND f.target IN (SELECT unnest($risks::VARCHAR[])))
           OR (f.kind = 'region' AND f.target = $region)
           OR (f.kind = 'state' AND f.target = $state)
           OR (f.kind = 'department' AND f.target = $department))
        ORDER BY f.user_id, f.id""",
        {"author": lesson["author_id"], "practices": [str(p) for p in tags["practice"]],
         "risks": [str(r) for r in tags["risk"]], "region": str(lesson["own_region"]), "state": lesson["own_state"],
         "department": str(lesson["department_id"])})
    found: dict[int, list[int]] = {}
    searches: dict[str, bool] = {}
    for follow in candidates:
        user = User(id=follow["user_id"], email=follow["email"], display_name=follow["display_name"],
                    role=follow["role"], department_id=follow["department_id"], regions=tuple(follow["regions"] or ()))
        rels = permissions.lesson_relations(user, {**lesson, "hhs_region": lesson["own_region"]})
        if not permissions.allowed(user, "lesson.read", rels):
            continue
        seen = _as_seen_by(lesson, user)
        if _follow_matches(db, cur, follow, seen, tags, searches):
            found.setdefault(user.id, []).append(follow["id"])
    return found


def _as_seen_by(lesson: dict, user: User) -> dict:
    """The lesson's filterable values as this viewer may see them (own department: all; others: the K rule)."""
    own = user.department_id is not None and user.department_id == lesson["department_id"]
    seen = {"kind": lesson["kind"], "year": lesson["year"], "anonymous": lesson["anonymous"], "id": lesson["id"]}
    for name, mine, theirs in (("region", "own_region", "hhs_region"), ("state", "own_state", "state_code"),
                               ("jurisdiction", "own_jurisdiction", "jurisdiction_type"),
                               ("size", "own_size", "population_band"),
                               ("department", "department_id", "shown_department_id")):
        seen[name] = lesson[mine] if own else lesson[theirs]
    return seen


def _follow_matches(db, cur, follow: dict, seen: dict, tags: dict, searches: dict) -> bool:
    kind, target = follow["kind"], follow["target"]
    if kind in ("practice", "risk"):
        return True  # the query matched its tag; tags are no secret of anyone's
    if kind == "region":
        return str(seen["region"]) == target
    if kind == "state":
        return seen["state"] == target
    if kind == "department":
        # Attributed lessons only: not even its own members hear of an anonymous lesson as "their department's".
        return not seen["anonymous"] and str(seen["department"]) == target
    filters = browse.from_params(parse_qs(target))
    for name, values in filters.active.items():
        if name in tags:
            if not set(values) & set(tags[name]):
                return False
        elif seen.get(name) is None or seen[name] not in values:
            return False
    q = filters.q.strip()
    if q:
        if q not in searches:
            try:
                found = textindex.match(db, cur, q)
                searches[q] = found.mode == "all" and bool((found.ids == seen["id"]).any())
            except Exception:  # noqa: BLE001 — a search that fails must not hold back every later notification
                log.exception("matching a followed search failed; the view is treated as not matching")
                searches[q] = False
        return searches[q]
    return True


# ---------------------------------------------------------------- internals
def _canonical(db: Database, cur, kind: str, target) -> str:
    """The stored form of a target, once it names something that exists; InvalidInput otherwise."""
    if kind not in KINDS:
        raise InvalidInput(f"You can follow a {', a '.join(k.lower() for k in KINDS.values())}.", "kind")
    if kind == "view":
        return _view(db, target)
    if kind == "state":
        code = str(target or "").strip().upper()
        if not cur.execute("SELECT 1 FROM states WHERE code = ?", [code]).fetchone():
            raise InvalidInput("Choose a state or territory that exists.", "state")
        return code
    value = _int(target, kind)
    table = {"practice": "practices", "risk": "risk_types", "department": "departments"}.get(kind)
    if kind == "region":
        if not 1 <= value <= 10:
            raise InvalidInput("HHS regions are numbered 1 to 10.", "region")
    elif not cur.execute(f"SELECT 1 FROM {table} WHERE id = ?", [value]).fetchone():
        raise InvalidInput(f"That {KINDS[kind].lower()} does not exist.", kind)
    return str(value)


def _view(db: Database, target) -> str:
    """A Find-lessons view (a query string, a link to it, or Filters) in canonical form, read by the page's own codec."""
    if isinstance(target, browse.Filters):
        filters = target
    else:
        text = str(target or "")
        if len(text) > MAX_VIEW_CHARS:
            raise InvalidInput(f"That view's address is {len(text):,} characters; the limit is {MAX_VIEW_CHARS:,}.",
                               "view")
        query = urlsplit(text).query if "?" in text else text
        filters, ignored = browse.parse_params(parse_qs(query, keep_blank_values=True))
        if ignored:
            raise InvalidInput(f"Part of this view's address could not be read: {', '.join(ignored)}.", "view")
    filters, dropped = browse.known_only(db, filters)
    if dropped:
        raise InvalidInput(f"This view names things that do not exist: {', '.join(dropped)}.", "view")
    if len(filters.q) > browse.search.MAX_QUERY_CHARS:
        raise InvalidInput(f"The search is longer than {browse.search.MAX_QUERY_CHARS} characters.", "view")
    canonical = view_query(filters)
    if not canonical:
        raise InvalidInput("This view shows every lesson: choose a filter or search for something, then follow it.",
                           "view")
    return canonical


def _int(value, field: str) -> int:
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise InvalidInput(f"That {KINDS.get(field, field).lower()} is not a valid choice.", field)
    return int(text)


def _department_names(cur, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(cur.execute("SELECT id, name FROM departments WHERE id IN (SELECT unnest(?::INTEGER[]))", [ids]).fetchall())


def _query_of(kind: str, target: str) -> dict[str, list[str]] | None:
    """The Find-lessons query that lists what a follow names."""
    if kind == "view":
        return {k: v for k, v in parse_qs(target).items()}
    return {kind: [target]}
