"""PostgreSQL as the system of record (issue 13): the same Store seam over psycopg 3 and a connection pool.

Chosen over DuckDB's postgres extension by measurement (docs/storage.md): a point read, a card page
and a write transaction are 2-30x faster through psycopg, and the extension cannot INSERT … RETURNING
or call nextval(), which the services use. Services keep writing DuckDB's SQL: `translate` turns
its placeholders (`?`, `$name`) into psycopg's, and `COMPAT` defines in PostgreSQL the few DuckDB
functions the services call (len, list_contains, epoch_us, …). What is still DuckDB-only is listed
in docs/storage.md.

Units of work run at REPEATABLE READ: a snapshot, like DuckDB's, so a concurrent update of the same
row is a serialization failure that `write` retries, then reports as Conflict. Change-log numbers
come from the `change_seq` sequence taken under a transaction-scoped advisory lock that is held
until COMMIT, so sequence order is commit order across every process of the cluster.
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterator, TypeVar

import psycopg
from psycopg import errors as pgerrors
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool, PoolTimeout

from exchange.errors import Conflict, DatabaseBusy, DatabaseProblem
from exchange.storage import changes

T = TypeVar("T")
VERSION_TTL = 1.0  # seconds a data version read from the database is trusted for others' commits
CHANGE_LOCK = 1_300_013  # advisory lock key: numbering and committing change-log rows, one writer at a time
RETRYABLE = (pgerrors.SerializationFailure, pgerrors.DeadlockDetected, pgerrors.UniqueViolation)

# DuckDB functions the services call, defined in PostgreSQL (run by every migrate; idempotent).
COMPAT = r"""
CREATE SEQUENCE IF NOT EXISTS change_seq;
CREATE OR REPLACE FUNCTION len(anyarray) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT coalesce(cardinality($1), 0)';
CREATE OR REPLACE FUNCTION len(text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT length($1)';
CREATE OR REPLACE FUNCTION list_contains(anyarray, anyelement) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $2 = ANY($1)';
CREATE OR REPLACE FUNCTION epoch_us(timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT (extract(epoch FROM $1) * 1000000)::bigint';
CREATE OR REPLACE FUNCTION epoch(timestamp) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT extract(epoch FROM $1)::double precision';
CREATE OR REPLACE FUNCTION year(timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT extract(year FROM $1)::integer';
CREATE OR REPLACE FUNCTION month(timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT extract(month FROM $1)::integer';
CREATE OR REPLACE FUNCTION quarter(timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT extract(quarter FROM $1)::integer';
CREATE OR REPLACE FUNCTION today() RETURNS date LANGUAGE sql STABLE AS 'SELECT current_date';
CREATE OR REPLACE FUNCTION list_value(VARIADIC anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE OR REPLACE FUNCTION range(integer, integer) RETURNS integer[] LANGUAGE sql IMMUTABLE AS 'SELECT array(SELECT generate_series($1, $2 - 1))';
CREATE OR REPLACE FUNCTION contains(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT strpos($1, $2) > 0';
CREATE OR REPLACE FUNCTION to_years(integer) RETURNS interval LANGUAGE sql IMMUTABLE AS 'SELECT make_interval(years => $1)';
CREATE OR REPLACE FUNCTION date_sub(text, timestamp, timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT CASE lower($1) WHEN ''year'' THEN extract(year FROM age($3, $2))::bigint WHEN ''month'' THEN (extract(year FROM age($3, $2)) * 12 + extract(month FROM age($3, $2)))::bigint WHEN ''day'' THEN extract(day FROM ($3 - $2))::bigint END'
"""


class _Text(Loader):
    """JSON columns come back as text, as DuckDB returns them (callers json.loads them)."""

    def load(self, data):
        return bytes(data).decode("utf-8")


class _Number(Loader):
    """NUMERIC results (sum of BIGINT, avg) as int when whole, else float, as DuckDB returns them."""

    def load(self, data):
        value = Decimal(bytes(data).decode("ascii"))
        return int(value) if value == value.to_integral_value() else float(value)


_TOKENS = re.compile(r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(--[^\n]*)|(\?)|(\$[A-Za-z_]\w*)|(%)|(::)"""
                     r"""|((?<![\w.])list\s*\()|((?<=[(,])\s*\[\s*\])""", re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, bool]:
    """DuckDB SQL in psycopg's form: `?` -> %s, `$name` -> %(name)s, every % doubled when there are
    placeholders (inside string literals too: psycopg reads the whole text); DuckDB's `list(…)` aggregate -> array_agg(…) and
    its empty list `[]` as an argument (`coalesce(x, [])`) -> '{}'. Returns (sql, whether it has placeholders)."""
    has = any(m.group(4) or m.group(5) for m in _TOKENS.finditer(sql))

    def swap(match: re.Match) -> str:
        literal, quoted, comment, question, named, percent, cast, aggregate, empty = match.groups()
        if question:
            return "%s"
        if named:
            return f"%({named[1:]})s"
        if percent:
            return "%%" if has else "%"  # psycopg reads % only in a query with parameters
        if aggregate:
            return "array_agg("
        if empty:
            return "'{}'"
        if has and (literal or quoted or comment):
            return match.group(0).replace("%", "%%")
        return match.group(0)

    return _TOKENS.sub(swap, sql), has


_REPLACE = re.compile(r"(\w+)\.\*\s*REPLACE\s*\(")
_expanded: dict[str, str] = {}  # DuckDB SQL with `alias.* REPLACE (…)` -> the same with the columns listed
_expanded_lock = threading.Lock()


def _closing(text: str, start: int) -> int:
    """The index just past the parenthesis that closes the one at `start` (string literals skipped)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "'":
            i = text.index("'", i + 1)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parentheses")


def _top_level_items(text: str) -> list[str]:
    """`a, f(b, c), d` -> ['a', 'f(b, c)', 'd'] (commas inside parentheses or strings kept)."""
    items, depth, current, quoted = [], 0, [], False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [i for i in items if i]


def _source_of(sql: str, alias: str) -> str:
    """The table or parenthesised subquery that `FROM … alias` names."""
    for match in re.finditer(r"\bFROM\s+", sql):
        start = match.end()
        if sql[start] == "(":
            end = _closing(sql, start)
        else:
            end = re.match(r"[\w.]+", sql[start:]).end() + start
        if re.match(rf"\s+(AS\s+)?{alias}\b", sql[end:]):
            return sql[start:end]
    raise ValueError(f"no FROM … {alias} for {alias}.* REPLACE")


def expand_replace(cur: "Cursor", sql: str, params: Any) -> str:
    """DuckDB's `alias.* REPLACE (expr AS col, …)` with the columns listed, as PostgreSQL needs (the source's
    columns are asked of PostgreSQL once per query text)."""
    with _expanded_lock:
        done = _expanded.get(sql)
    if done is not None:
        return done
    out = sql
    while (match := _REPLACE.search(out)) is not None:
        alias = match.group(1)
        close = _closing(out, match.end() - 1)
        items = _top_level_items(out[match.end():close - 1])
        replaced = {re.search(r"\bAS\s+(\w+)\s*$", item, re.I).group(1): item for item in items}
        source = _source_of(out, alias)
        probe, has = translate(f"SELECT * FROM {source} AS {alias} LIMIT 0")
        names = [d[0] for d in cur._cur.execute(probe, _params(params) if has else None).description]
        listed = ", ".join(replaced.get(name, f"{alias}.{name}") for name in names)
        out = out[:match.start()] + listed + out[close:]
    with _expanded_lock:
        _expanded[sql] = out
    return out


class Cursor:
    """A psycopg cursor that takes DuckDB's SQL and answers like a DuckDB cursor (execute returns it)."""

    def __init__(self, con: psycopg.Connection):
        self.connection = con
        self._cur = con.cursor()

    def execute(self, sql: str, params: Any = None) -> "Cursor":
        """Run one statement (DuckDB placeholders)."""
        if sql.strip().upper() in ("BEGIN", "BEGIN TRANSACTION"):
            sql = "BEGIN ISOLATION LEVEL REPEATABLE READ"  # a snapshot, as a DuckDB transaction is
        if "REPLACE" in sql and _REPLACE.search(sql):
            sql = expand_replace(self, sql, params)
        text, has = translate(sql)
        if has:
            self._cur.execute(text, _params(params))
        else:
            self._cur.execute(text)
        return self

    def executemany(self, sql: str, seq: Any) -> "Cursor":
        """Run one statement for each parameter row."""
        text, _ = translate(sql)
        self._cur.executemany(text, [_params(p) for p in seq])
        return self

    def fetchone(self):
        """The next row, or None."""
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list:
        """Every remaining row."""
        return self._cur.fetchall() if self._cur.description is not None else []

    def fetchmany(self, size: int = 1) -> list:
        """Up to `size` more rows."""
        return self._cur.fetchmany(size)

    @property
    def description(self):
        """Column descriptions of the last result (first item: the name)."""
        return self._cur.description

    @property
    def rowcount(self) -> int:
        """Rows the last statement touched."""
        return self._cur.rowcount

    def fetchnumpy(self) -> dict:
        """The result as {column: numpy array}, as DuckDB's fetchnumpy."""
        import numpy as np

        names = [d[0] for d in self._cur.description]
        found = self._cur.fetchall()
        return {name: np.array([r[i] for r in found]) for i, name in enumerate(names)}

    def df(self):
        """The result as a pandas DataFrame."""
        import pandas as pd

        names = [d[0] for d in self._cur.description]
        return pd.DataFrame(self._cur.fetchall(), columns=names)

    def to_arrow_reader(self, batch_size: int = 100_000):
        """The result as a pyarrow RecordBatchReader, as DuckDB's (types from the columns' PostgreSQL types)."""
        import pyarrow as pa

        description = self._cur.description
        schema = pa.schema([pa.field(d.name, _arrow_type(pa, d.type_code)) for d in description])
        plain = [t == pa.string() for t in schema.types]

        def batches():
            while found := self._cur.fetchmany(batch_size):
                columns = list(zip(*found))
                yield pa.record_batch([pa.array([None if v is None else str(v) for v in col] if text else list(col),
                                                type=field.type)
                                       for col, field, text in zip(columns, schema, plain)], schema=schema)

        return pa.RecordBatchReader.from_batches(schema, batches())

    def register(self, name: str, frame) -> None:
        """DuckDB's `register`: make a DataFrame queryable as table `name` (here a temporary table filled by
        COPY, dropped by `unregister` or at the end of the transaction)."""
        columns = [(str(c), _pg_type(frame[c])) for c in frame.columns]
        self._cur.execute(f'CREATE TEMP TABLE "{name}" ({", ".join(f"{c} {t}" for c, t in columns)}) ON COMMIT DROP')
        with self._cur.copy(f'COPY "{name}" FROM STDIN') as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([_plain(v) for v in row])

    def copy_rows(self, table: str, columns: list[str], rows) -> int:
        """COPY `rows` (tuples in `columns` order) into `table` (a quoted name); the rows sent."""
        sent = 0
        with self._cur.copy(f"COPY {table} ({', '.join(_quoted(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                sent += 1
        return sent

    def unregister(self, name: str) -> None:
        """Drop what `register` made."""
        self._cur.execute(f'DROP TABLE IF EXISTS "{name}"')

    def close(self) -> None:
        """Release the cursor."""
        self._cur.close()


def _arrow_type(pa, oid: int):
    """The pyarrow type for a PostgreSQL type OID (text for anything unlisted)."""
    known = {16: pa.bool_(), 20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 700: pa.float32(), 701: pa.float64(),
             1700: pa.float64(), 1082: pa.date32(), 1114: pa.timestamp("us"), 1184: pa.timestamp("us", tz="UTC"),
             17: pa.binary(), 1005: pa.list_(pa.int16()), 1007: pa.list_(pa.int32()), 1016: pa.list_(pa.int64()),
             1009: pa.list_(pa.string()), 1015: pa.list_(pa.string())}
    return known.get(oid, pa.string())


def _pg_type(series) -> str:
    """The PostgreSQL column type for a DataFrame column (from its dtype, else its first value)."""
    kind = str(series.dtype)
    if kind.startswith("datetime64"):
        return "timestamp"
    if kind in ("bool", "boolean"):
        return "boolean"
    if kind.lower().startswith("int") or kind.lower().startswith("uint"):
        return "bigint"
    if kind.startswith("float"):
        return "double precision"
    import datetime as _dt

    for value in series:
        value = _plain(value)
        if value is None:
            continue
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "bigint"
        if isinstance(value, float):
            return "double precision"
        if isinstance(value, _dt.datetime):
            return "timestamp"
        if isinstance(value, _dt.date):
            return "date"
        return "text"
    return "text"


def _plain(value):
    """A DataFrame cell as a Python value psycopg can copy (NaN/NaT/NA -> None, numpy/pandas scalars unwrapped)."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _params(params: Any):
    if params is None:
        return ()
    if isinstance(params, dict):
        return params
    return tuple(params)


STARTING_UP = "the database system is starting up"


def _reachable(url: str, *, wait: float = 30.0) -> None:
    """One direct connection first: a refused or misnamed server is reported at once (the pool would retry it for
    30 s), while a server still starting up is waited for, as the pool would."""
    deadline = time.monotonic() + wait
    while True:
        try:
            psycopg.connect(url, connect_timeout=10, autocommit=True).close()
            return
        except psycopg.OperationalError as exc:
            if STARTING_UP not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database; every unit of work borrows one."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8):
        self.path = _redacted(url)
        self.url = url
        self._closed = False
        self._lock = threading.Lock()
        self._version = 0
        self._version_read_at = float("-inf")
        try:
            _reachable(url)
            self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True, timeout=30,
                                        configure=_configure, kwargs={"autocommit": True})
            self._pool.wait(timeout=30)
        except (psycopg.Error, PoolTimeout) as exc:
            with contextlib.suppress(Exception):
                self._pool.close()
            raise DatabaseBusy(f"The exchange cannot reach its PostgreSQL database {self.path}: {_first_line(exc)} "
                               "Check EXCHANGE_DATABASE_URL and that the server is running, then try again.") from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[Cursor]:
        """A cursor for reads (autocommit: each statement sees every committed write)."""
        with self._connection() as con:
            cur = Cursor(con)
            try:
                yield cur
            finally:
                cur.close()

    def cursor(self):
        """Not offered: a PostgreSQL cursor belongs to a pooled connection; use read() or write()."""
        raise TypeError("Use db.read() or db.write(work) with a PostgreSQL store.")

    def write(self, work: Callable[[Cursor], T], *, attempts: int = 5, bump: bool = True,
              entity: str | None = None) -> T:
        """Run `work(cursor)` in one REPEATABLE READ transaction; retry serialization failures, then report Conflict."""
        for attempt in range(attempts):
            with self._connection() as con:
                cur = Cursor(con)
                changes.take(cur)
                try:
                    con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    result = work(cur)
                    recorded = changes.take(cur)
                    if bump and not recorded:
                        recorded = [(entity or changes.ANYTHING, None, None, None)]
                    if recorded:
                        self._commit_with_changes(con, recorded)
                    else:
                        con.execute("COMMIT")
                    return result
                except RETRYABLE as exc:
                    _rollback(con)
                    if attempt == attempts - 1:
                        raise Conflict("Someone else was saving the same record at the same moment. Nothing was "
                                       "lost; please try again.") from exc
                except BaseException:
                    _rollback(con)
                    raise
                finally:
                    changes.take(cur)
                    cur.close()
            time.sleep(0.01 * (2**attempt) + random.random() * 0.01)
        raise AssertionError("unreachable")

    def _commit_with_changes(self, con: psycopg.Connection, recorded: list[tuple]) -> None:
        # The advisory lock is held until COMMIT ends, and numbers are drawn only under it: so a reader
        # that has applied up to N never later meets a change below N, in any process.
        con.execute("SELECT pg_advisory_xact_lock(%s)", [CHANGE_LOCK])
        first = con.execute("SELECT nextval('change_seq') FROM generate_series(1, %s)", [len(recorded)]).fetchall()
        rows = [(seq, entity, entity_id, event, payload)
                for (seq,), (entity, entity_id, event, payload) in zip(first, recorded)]
        with con.cursor() as cur:
            cur.executemany("INSERT INTO changes VALUES (%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')", rows)
        con.execute("COMMIT")
        with self._lock:
            self._version, self._version_read_at = max(self._version, rows[-1][0]), time.monotonic()

    def after_migrations(self) -> None:
        """Define the DuckDB functions services call, and start change_seq after the newest change."""
        from exchange.storage.migrations import statements

        def prepare(cur):
            for statement in statements(COMPAT):
                cur.execute(statement)
            if cur.execute("SELECT to_regclass('changes') IS NULL").fetchone()[0]:
                return  # an old schema without the change log (0006 makes it)
            cur.execute("SELECT pg_advisory_xact_lock(%s)" % CHANGE_LOCK)
            cur.execute("""SELECT setval('change_seq', greatest((SELECT coalesce(max(seq), 0) FROM changes),
                                                                (SELECT last_value FROM change_seq), 1))""")

        with self._connection() as con:
            with con.transaction():  # READ COMMITTED: the max is read after the lock is taken
                prepare(Cursor(con))

    def data_version(self) -> int:
        """The newest change-log sequence number (at most a second old for other processes' commits)."""
        if time.monotonic() - self._version_read_at > VERSION_TTL:
            try:
                with self.read() as cur:
                    latest = changes.latest(cur)
            except pgerrors.UndefinedTable:  # not migrated yet
                latest = 0
            with self._lock:
                self._version = max(self._version, latest)
                self._version_read_at = time.monotonic()
        return self._version

    @property
    def version(self) -> int:
        """The data version (same as data_version())."""
        return self.data_version()

    @property
    def open(self) -> bool:
        """False once closed."""
        return not self._closed

    def close(self) -> None:
        """Close every pooled connection."""
        self._closed = True
        self._pool.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as con:
                yield con
        except (psycopg.OperationalError, PoolTimeout) as exc:
            if isinstance(exc, RETRYABLE):
                raise
            raise DatabaseProblem(f"The PostgreSQL database {self.path} stopped answering: {_first_line(exc)} "
                                  "Nothing more was saved; try again in a moment.") from exc


def _configure(con: psycopg.Connection) -> None:
    con.execute("SET TIME ZONE 'UTC'")
    for name in ("json", "jsonb"):
        con.adapters.register_loader(name, _Text)
    con.adapters.register_loader("numeric", _Number)


def _rollback(con: psycopg.Connection) -> None:
    with contextlib.suppress(psycopg.Error):
        con.execute("ROLLBACK")


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


_redacted = redacted


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
