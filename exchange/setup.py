"""Open the app's database: migrate it, seed the taxonomy, and in demo mode the demo data."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from . import taxonomy
from .db import Database, database_path, scalar

log = logging.getLogger(__name__)


def production_mode() -> bool:
    """True when EXCHANGE_MODE=production: no demo accounts and no demo data."""
    return os.environ.get("EXCHANGE_MODE", "demo").strip().lower() == "production"


def open_app_database(path: str | Path | None = None, *, with_demo: bool | None = None) -> Database:
    """Open (creating and migrating if needed) the database; add demo data to an empty one in demo mode."""
    path = Path(path) if path else database_path()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    taxonomy.seed(db)
    if with_demo is None:
        with_demo = not production_mode()
    if with_demo:
        with db.read() as cur:
            empty = scalar(cur, "SELECT count(*) FROM departments") == 0
        if empty:
            from . import demo

            log.info("Creating demo data in %s", path)
            demo.build(db)
    from . import search

    search.refresh_index(db)
    return db
