"""Liveness and readiness: is the database reachable, is its schema current, has the search index caught up."""

from __future__ import annotations

from datetime import datetime, timezone

from exchange import config
from exchange.discovery import search
from exchange.storage import migrations


def index_lag_limit() -> float:
    """Seconds the search index may trail the newest change before the app is not ready (3 refresh rounds, ≥ 60)."""
    return max(60.0, 3 * config.settings().search_refresh_seconds)


def readiness(db) -> dict:
    """{"ready": bool, "checks": {name: {"ok": bool, "detail": str}}}; never raises."""
    checks: dict[str, dict] = {}
    try:
        with db.read() as cur:
            cur.execute("SELECT 1").fetchone()
        checks["database"] = {"ok": True, "detail": "reachable"}
    except Exception:  # noqa: BLE001 — the answer is "not ready", not an error page
        checks["database"] = {"ok": False, "detail": "the database cannot be read"}
        return {"ready": False, "checks": checks}
    try:
        missing = migrations.pending(db)
        checks["migrations"] = {"ok": not missing, "detail": "current" if not missing
                                else f"{len(missing)} schema update(s) not applied"}
    except Exception:  # noqa: BLE001
        checks["migrations"] = {"ok": False, "detail": "the schema version cannot be read"}
    checks["search_index"] = _search_index(db)
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}


def _search_index(db) -> dict:
    try:
        seq = search.index_seq(db)
        if seq < 0:
            return {"ok": False, "detail": "not built yet"}
        with db.read() as cur:
            behind, oldest = cur.execute("SELECT count(*), min(changed_at) FROM changes WHERE seq > ?", [seq]
                                         ).fetchone()
    except Exception:  # noqa: BLE001
        return {"ok": False, "detail": "its state cannot be read"}
    if not behind:
        return {"ok": True, "detail": "caught up"}
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the change log's times are UTC without a zone
    lag = max(0.0, (now - oldest).total_seconds())
    ok = lag <= index_lag_limit()
    return {"ok": ok, "detail": f"{behind} change(s) behind, the oldest {lag:.0f} s old"
                                + ("" if ok else f" (more than {index_lag_limit():.0f} s)")}
