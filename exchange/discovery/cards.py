"""Lesson cards for lists, with the anonymity rule applied, cached per lesson for readers outside its department.

A card (title, kind, summary, period, who shared it as a stranger may see it, tags) is the same for every
reader outside the lesson's department, so the stranger's card is kept in an LRU and reused by every list
and search page. The cache follows the change log: a lesson's change drops its card; a change to what every
card reads (departments, taxonomy, or a change the log cannot name) drops them all; any other change, none.
A reader from the lesson's own department (who sees the department even on an anonymous lesson) always gets
a card read for them.
"""

from __future__ import annotations

import threading
import weakref

from cachetools import LRUCache

from exchange.conversations import counts as endorsement_counts
from exchange.discovery import feed
from exchange.identity import permissions
from exchange.lessons import attach_tags
from exchange.models import User
from exchange.privacy.anonymity import attribution_line, lesson_facts, viewer_department
from exchange.storage.duckdb import Database, rows

MAX_CARDS = 4000
# What a card is made of: its lesson (a change drops that card), and the departments, states and taxonomy
# every card's attribution and tags read (a change drops them all, as does one the log cannot name).
# Anything else (notifications, mail, follows, questions, endorsements, sessions ...) leaves the cards alone:
# endorsement counts come from conversations.counts, kept apart.
_WATCHED = ("lesson", "department", "taxonomy")

_SOURCE = """(SELECT id, title, kind, summary, period_start, period_end, created_at, updated_at, submitted_at,
                     published_at, visibility, anonymous, department_id, author_id, status, hidden
              FROM lessons WHERE id IN (SELECT unnest($ids)))"""


class _Store:
    def __init__(self, version: int):
        self.version = version
        self.cards: LRUCache = LRUCache(MAX_CARDS)  # lesson id -> (its department, the stranger's card)


_stores: "weakref.WeakKeyDictionary[Database, _Store]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _read(cur, ids: list[int], viewer: int, members: bool) -> list[dict]:
    """Cards read from the database for this viewer (only the columns a card shows: long text fields
    carried through the joins tripled the time), in no particular order."""
    found = rows(cur, f"""WITH {lesson_facts(_SOURCE)}
        SELECT id, title, kind, summary, period_start, period_end, published_at, visibility, anonymous,
               shown_department_id, department_name, state_code, hhs_region, jurisdiction_type,
               department_id AS true_department_id
        FROM lesson_facts WHERE id IN (SELECT unnest($ids)) AND status = 'published' AND NOT hidden
              AND (visibility = 'public' OR $members)""",
                 {"viewer_department": viewer, "ids": ids, "members": members})
    attach_tags(cur, found)
    for lesson in found:
        lesson["attribution"] = attribution_line(lesson)
    return found


def _advanced(db: Database, cur) -> _Store:
    """This database's store, with the cards that changes since its version made stale dropped."""
    version = db.data_version()
    with _lock:
        store = _stores.get(db)
        if store is None:
            store = _stores[db] = _Store(version)
        if store.version < version:
            found, reached = feed.since(db, store.version, _WATCHED)  # the log read once for every view
            if all(c.entity == "lesson" and c.entity_id is not None for c in found):
                for c in found:
                    store.cards.pop(c.entity_id, None)
            else:
                store.cards.clear()
            store.version = reached
    return store


def _copy(card: dict) -> dict:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in card.items()}


def cards(db: Database, cur, user: User, ids: list[int], *, cached: bool = True) -> list[dict]:
    """The cards of the lessons `ids` this user may read, in the order of `ids` (unreadable ones left out)."""
    if not ids:
        return []
    viewer = viewer_department(user)
    members = permissions.allowed(user, "lesson.read", {"published"})
    if not cached:
        found = _read(cur, ids, viewer, members)
    else:
        store = _advanced(db, cur)
        version = store.version
        with _lock:
            held = {i: store.cards[i] for i in ids if i in store.cards}
        missing = [i for i in ids if i not in held]
        if missing:
            fresh = _read(cur, missing, -1, True)  # the stranger's card, whatever its visibility
            with _lock:
                if store.version == version:  # no change was applied meanwhile: these are current
                    for card in fresh:
                        store.cards[card["id"]] = (card["true_department_id"], card)
            held.update({card["id"]: (card["true_department_id"], card) for card in fresh})
        own = [i for i, (department, _) in held.items() if department == viewer]
        mine = {card["id"]: card for card in _read(cur, own, viewer, members)} if own else {}
        found = []
        for lesson_id, (department, card) in held.items():
            if department == viewer:
                if lesson_id in mine:
                    found.append(mine[lesson_id])
            elif card["visibility"] == "public" or members:
                found.append(_copy(card))
    order = {lesson_id: pos for pos, lesson_id in enumerate(ids)}
    found.sort(key=lambda lesson: order[lesson["id"]])
    for lesson in found:
        lesson.pop("true_department_id", None)  # never leaves this module
    endorsement_counts.attach(db, found)  # counts kept in memory from the change log
    return found


def clear() -> None:
    """Forget every card (the benchmark times cold reads)."""
    with _lock:
        _stores.clear()


__all__ = ["cards", "clear", "MAX_CARDS"]
