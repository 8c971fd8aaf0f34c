"""The administrators' whole-dataset export: one zip of every table as Parquet and as CSV, with a data dictionary.

What goes in is decided by one reviewed file, dictionary.toml: a table or column it does not describe
is never exported (a new migration's data is reviewed before it can leave the server), secrets are
blanked (password and API-token hashes) or their tables left out (sessions, throttles, plumbing), and
the key of public lesson references is left out of `settings`. Anonymous lessons keep their
department: this is the administrators' own copy of everything they may already see; the page says
so, the dictionary warns beside the column, and every export is audited.

All tables are read in one read transaction (a consistent snapshot while people keep working), a
batch of rows at a time: each batch goes to a Parquet file on disk and through the one CSV writer
(exchange.kernel.csv, formula cells neutralised) straight into the zip, so no table is held in
memory whole. The zip is written under a temporary name and appears only when complete.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import time
import tomllib
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow.parquet as pq

from exchange.errors import ExchangeError
from exchange.identity import audit, permissions
from exchange.kernel import csv
from exchange.models import User
from exchange.storage.duckdb import Database, classify

DICTIONARY = Path(__file__).with_name("dictionary.toml")
FORMAT = 1
BATCH_ROWS = 10_000  # rows per step: a batch of lessons with their stories is ~20 MB in Arrow and again in Python
# Rows that never leave the server, by table: (column, values). The reference key turns public refs into ids;
# the unsubscribe key signs one-click unsubscribe links (with it, anyone could unsubscribe anyone).
HIDDEN_ROWS = {"settings": ("key", ("lesson_ref_key", "mail_unsubscribe_key"))}
_DERIVED_SCHEMAS = ("fts_",)  # an older full-text layout, dropped by the next index build
Progress = Callable[[float, str], None]  # (fraction done, what is happening)


@functools.cache
def dictionary() -> dict:
    """The reviewed descriptions: {table label: {description, export, why, warning, columns: {name: {…}}}}."""
    raw = tomllib.loads(DICTIONARY.read_text(encoding="utf-8"))["tables"]
    tables = {}
    for name, entry in raw.items():
        columns = {}
        for column, value in entry.get("columns", {}).items():
            value = {"description": value} if isinstance(value, str) else dict(value)
            value.setdefault("export", "keep")
            columns[column] = value
        tables[name] = {"description": entry.get("description", ""), "export": entry.get("export", "full"),
                        "why": entry.get("why", ""), "warning": entry.get("warning", ""), "columns": columns}
    return tables


def label(schema: str, table: str) -> str:
    """How the dictionary names a table: `lessons`, or `search.docs` outside the main schema."""
    return table if schema in ("main", "public") else f"{schema}.{table}"  # public: PostgreSQL's main


def catalog(cur: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Every user table of the database: {label: {schema, table, columns: [(name, type)]}} in a stable order."""
    found: dict[str, dict] = {}
    for schema, table, column, kind in cur.execute(
            # information_schema: the same answer as duckdb_tables() on DuckDB, and PostgreSQL has it (issue 13)
            "SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name "
            "WHERE t.table_type = 'BASE TABLE' AND c.table_catalog = current_database() "
            "AND c.table_schema NOT IN ('information_schema', 'pg_catalog') "
            "ORDER BY c.table_schema NOT IN ('main', 'public'), c.table_schema, c.table_name, c.ordinal_position").fetchall():
        if schema.startswith(_DERIVED_SCHEMAS):
            continue
        entry = found.setdefault(label(schema, table), {"schema": schema, "table": table, "columns": []})
        entry["columns"].append((column, kind))
    return found


def gaps(cur: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """What dictionary.toml lacks for this schema ("tables", "columns": table.column, "descriptions": empty ones)
    and what it describes that is gone ("stale")."""
    described, present = dictionary(), catalog(cur)
    missing_tables = sorted(set(present) - set(described))
    missing_columns, empty, stale = [], [], sorted(set(described) - set(present))
    for name, entry in present.items():
        if name not in described:
            continue
        if not described[name]["description"].strip():
            empty.append(name)
        columns = described[name]["columns"]
        for column, _ in entry["columns"]:
            if column not in columns:
                missing_columns.append(f"{name}.{column}")
            elif not str(columns[column].get("description", "")).strip():
                empty.append(f"{name}.{column}")
        here = {c for c, _ in entry["columns"]}
        stale += [f"{name}.{c}" for c in columns if c not in here]
    return {"tables": missing_tables, "columns": missing_columns, "descriptions": empty, "stale": sorted(stale)}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plan(present: dict[str, dict]) -> list[dict]:
    """The tables to export with their columns (described ones only), and what is left out."""
    described = dictionary()
    out = []
    for name, entry in present.items():
        about = described.get(name)
        exported = about is not None and about["export"] != "exclude"
        columns = []
        for column, kind in entry["columns"]:
            detail = (about or {}).get("columns", {}).get(column)
            mode = "missing" if detail is None else ("blank" if detail["export"] == "blank" else "keep")
            columns.append({"name": column, "type": kind, "export": mode,
                            "description": (detail or {}).get("description", ""),
                            "why": (detail or {}).get("why", ""), "warning": (detail or {}).get("warning", "")})
        out.append({**entry, "label": name, "exported": exported, "described": about is not None,
                    "description": (about or {}).get("description", ""), "why": (about or {}).get("why", "")
                    or ("" if about else "Not described in the data dictionary yet, so not exported."),
                    "warning": (about or {}).get("warning", ""), "column_list": columns})
    return out


def _select(table: dict) -> tuple[str, list]:
    """The SELECT of one table: described columns only, blanked ones as typed NULLs, hidden rows left out."""
    parts = []
    for column in table["column_list"]:
        if column["export"] == "keep":
            parts.append(_quote(column["name"]))
        elif column["export"] == "blank":
            parts.append(f"CAST(NULL AS {column['type']}) AS {_quote(column['name'])}")
    sql = f"SELECT {', '.join(parts)} FROM {_quote(table['schema'])}.{_quote(table['table'])}"
    params: list = []
    hidden = HIDDEN_ROWS.get(table["label"])
    if hidden:
        sql += f" WHERE {_quote(hidden[0])} NOT IN ({', '.join('?' for _ in hidden[1])})"
        params += list(hidden[1])
    return sql, params


def _cells(batch) -> list[tuple]:
    """A record batch as CSV rows: booleans as true/false, times as ISO text (UTC), None empty."""
    def cell(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        return value

    columns = batch.to_pydict()
    return [tuple(cell(v) for v in row) for row in zip(*columns.values())] if columns else []


def export(db: Database, user: User, target: Path, *, progress: Progress | None = None) -> dict:
    """Write the whole dataset to the new zip file `target` (refused if it exists); audited. Returns its summary."""
    permissions.require(user, "data.export")
    target = Path(target)
    step = progress or (lambda _f, _m: None)
    if target.exists():
        raise ExchangeError(f"{target} already exists; the export never writes over a file. Give a new file name.")
    started = time.perf_counter()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(handle)
        partial = Path(partial_name)
    except OSError as exc:
        raise ExchangeError(f"Could not write in {target.parent} ({exc.strerror or exc}); choose a folder the "
                            "exchange may write to.") from exc
    try:
        summary = _write(db, partial, step)
        summary.update(file=target.name, bytes=partial.stat().st_size, seconds=round(time.perf_counter() - started, 2))
        try:
            os.link(partial, target)  # fails if the name appeared meanwhile: never replaces a file
        except FileExistsError as exc:
            raise ExchangeError(f"{target} appeared while exporting; it was left alone. Give a new file name.") from exc
    except OSError as exc:
        _failed(db, user, target, f"{exc.strerror or exc}")
        raise ExchangeError(f"The export could not be written to {target.parent} ({exc.strerror or exc}); nothing "
                            "was kept. Check the free space and permissions of that folder.") from exc
    except ExchangeError as exc:
        _failed(db, user, target, exc.message)
        raise
    except BaseException:
        _failed(db, user, target, "failed")
        raise
    finally:
        partial.unlink(missing_ok=True)
    audit.record(db, user, "dataset_export", "dataset", target.name, detail={
        "tables": summary["tables"], "rows": summary["rows"], "bytes": summary["bytes"],
        "left out": ", ".join(summary["left_out"]) or "none"})
    step(1.0, "Done")
    return summary


def _failed(db: Database, user: User, target: Path, why: str) -> None:
    try:
        audit.record(db, user, "dataset_export", "dataset", target.name, success=False, detail={"error": why[:300]})
    except Exception:  # noqa: BLE001 — the export's own error is the one to report
        pass


def _write(db: Database, path: Path, step: Progress) -> dict:
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="exchange-export-") as scratch, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as zf:
        with db.read() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("SELECT 1").fetchall()  # the snapshot starts here
                tables = _plan(catalog(cur))
                exported = [t for t in tables if t["exported"]]
                counts = {}
                for t in exported:
                    sql, params = _select(t)
                    counts[t["label"]] = cur.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
                # Progress counts cells (rows × columns), so a wide table of stories weighs what it costs.
                width = {t["label"]: max(1, sum(c["export"] != "missing" for c in t["column_list"])) for t in exported}
                total, done = max(1, sum(counts[n] * width[n] for n in counts)), 0
                for t in exported:
                    name = t["label"]
                    step(done / total * 0.98, f"Writing {name} ({counts[name]:,} rows)")
                    before = done
                    _table(cur, zf, Path(scratch), t, lambda n, t=t, before=before, w=width[name]: step(
                        min(0.98, (before + n * w) / total * 0.98), f"Writing {t['label']} ({n:,} rows so far)"))
                    done = before + counts[name] * width[name]
                    t["rows"] = counts[name]
                migrations = [r[0] for r in cur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
            except duckdb.Error as exc:
                raise classify(exc, db.path) from exc
            finally:
                try:
                    cur.execute("COMMIT")
                except duckdb.Error:
                    pass
        step(0.99, "Writing the data dictionary")
        about = {"format": FORMAT, "created_at": now.isoformat(timespec="seconds"),
                 "schema": {"migrations": migrations, "latest": migrations[-1] if migrations else None},
                 "tables": [_described(t) for t in tables]}
        zf.writestr("dictionary.json", json.dumps(about, indent=1, ensure_ascii=False) + "\n")
        zf.writestr("README.md", markdown(about))
    return {"tables": len(exported), "rows": sum(counts.values()), "created_at": about["created_at"],
            "left_out": [t["label"] for t in tables if not t["exported"]]}


def _table(cur, zf: zipfile.ZipFile, scratch: Path, table: dict, progress: Callable[[int], None]) -> int:
    """One table into the zip: Parquet (written beside, then stored) and CSV (streamed in); the rows written."""
    done = 0
    sql, params = _select(table)
    name = table["label"]
    parquet_path = scratch / f"{name}.parquet"
    reader = cur.execute(sql, params).to_arrow_reader(BATCH_ROWS)
    header = [c["name"] for c in table["column_list"] if c["export"] != "missing"]
    with zf.open(f"csv/{name}.csv", "w", force_zip64=True) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text, \
            pq.ParquetWriter(parquet_path, reader.schema, compression="zstd") as parquet:
        csv.write_to(text, header, ())
        for batch in reader:
            parquet.write_batch(batch)
            done += csv.write_to(text, None, _cells(batch))
            progress(done)
    zf.write(parquet_path, f"parquet/{name}.parquet", compress_type=zipfile.ZIP_STORED)  # Parquet is compressed
    parquet_path.unlink()
    return done


def _described(table: dict) -> dict:
    return {"name": table["label"], "description": table["description"], "exported": table["exported"],
            "rows": table.get("rows"), "why_left_out": None if table["exported"] else table["why"],
            "warning": table["warning"] or None,
            "files": [f"parquet/{table['label']}.parquet", f"csv/{table['label']}.csv"] if table["exported"] else [],
            "columns": [{"name": c["name"], "type": c["type"], "description": c["description"],
                         "export": {"keep": "kept", "blank": "blanked", "missing": "left out"}[c["export"]]
                         if table["exported"] else "left out",
                         "why": c["why"] or (None if c["export"] != "missing" else "Not described yet."),
                         "warning": c["warning"] or None} for c in table["column_list"]]}


def markdown(about: dict) -> str:
    """The data dictionary as Markdown (README.md in the zip)."""
    lines = [f"# Equity Exchange: the whole dataset ({about['created_at']})", "",
             "Every table as `parquet/TABLE.parquet` and `csv/TABLE.csv` (UTF-8 with a byte-order mark; a cell "
             "that a spreadsheet would run as a formula starts with an apostrophe). Times are UTC. "
             f"Schema version: {about['schema']['latest']}. `dictionary.json` says the same as this file.", "",
             "**Handle with care.** This is the administrators' copy of everything: it names the department of "
             "every anonymous lesson (`lessons.department_id`, and `lessons.author_id` with `users`) and holds "
             "members' e-mail addresses. Password hashes and API-token hashes are blanked; sessions, throttles "
             "and internal plumbing are left out (listed at the end with the reason).", ""]
    left_out = [t for t in about["tables"] if not t["exported"]]
    for t in (t for t in about["tables"] if t["exported"]):
        lines += [f"## {t['name']} ({t['rows']:,} rows)", "", t["description"], ""]
        if t["warning"]:
            lines += [f"**Warning:** {t['warning']}", ""]
        lines += ["| Column | Type | Description |", "|---|---|---|"]
        for c in t["columns"]:
            note = c["description"]
            if c["export"] != "kept":
                note += f" **{c['export'].capitalize()}:** {c['why']}"
            if c["warning"]:
                note += f" **Warning:** {c['warning']}"
            lines.append(f"| {c['name']} | {c['type']} | {note.replace('|', '/')} |")
        lines.append("")
    if left_out:
        lines += ["## Left out", "", "| Table | What it is | Why it is left out |", "|---|---|---|"]
        lines += [f"| {t['name']} | {t['description']} | {t['why_left_out']} |" for t in left_out]
        lines.append("")
    return "\n".join(lines)


def file_name(now: datetime | None = None) -> str:
    """The export's default file name."""
    return f"equity-exchange-dataset-{(now or datetime.now(timezone.utc)):%Y%m%d-%H%M%S}Z.zip"


def require(user: User) -> None:
    """Raise Forbidden unless the user may export the whole dataset (administrators)."""
    permissions.require(user, "data.export")
