"""The change log as the derived views of this process read it: once per data version, shared.

The facet index, the card cache and the endorsement counts each catch up from the change log after a write.
Each reading the log itself cost a statement apiece (a few ms each at national scale, more under load) on the
first click after every write. `since` reads the log once for all of them and serves each its part of it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Iterable

from exchange.storage import changes
from exchange.storage.duckdb import Database


@dataclass(frozen=True)
class _Window:
    start: int                  # the changes after this sequence ...
    end: int                    # ... up to this one, all of them
    found: tuple


_windows: "weakref.WeakKeyDictionary[Database, _Window]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def since(db: Database, seq: int, entities: Iterable[str] | None = None) -> tuple[list[changes.Change], int]:
    """(the changes after `seq`, oldest first, only of `entities` and ones the log cannot name, if given;
    the sequence they reach: at least the current data version)."""
    version = db.data_version()
    with _lock:
        window = _windows.get(db)
    if window is None or window.start > seq or window.end < version:
        with db.read() as cur:
            found = tuple(changes.since(cur, seq))
        # Commits are numbered in commit order, so every change up to the data version read before is in `found`.
        window = _Window(seq, max([version, *(c.seq for c in found)]), found)
        with _lock:
            held = _windows.get(db)
            if held is None or held.end <= window.end:
                _windows[db] = window
    wanted = None if entities is None else {*entities, changes.ANYTHING}
    return [c for c in window.found if c.seq > seq and (wanted is None or c.entity in wanted)], window.end
