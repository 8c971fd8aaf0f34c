"""A throwaway PostgreSQL server for the test run: Debian's initdb/pg_ctl, a free loopback port, a temporary folder.

`Server.start()` makes a cluster in a temporary directory and starts it on 127.0.0.1 (as `nobody`
when the run is root: PostgreSQL refuses to run as root, and the data folder must belong to the
user that runs it). Durability is switched off (fsync, synchronous_commit): a test server's data
dies with the run anyway. `create_database(name, template=)` copies a template database, which is
how every test gets a fresh, migrated and seeded exchange cheaply (`CREATE DATABASE … TEMPLATE`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "exchange"


def binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (the newest installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A TCP port nobody listens on at the moment (bind to 0 and let the kernel choose)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One PostgreSQL cluster for this test process (start it once, stop it at the end)."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.directory: Path | None = None
        self.port = 0
        self._as: list[str] = []

    @property
    def available(self) -> bool:
        """True when Debian's PostgreSQL server programs are installed."""
        return self.bin is not None

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> "Server":
        """initdb a cluster in a temporary folder and start it on a free loopback port."""
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: run  sudo apt-get install postgresql  (Debian).")
        self.directory = Path(tempfile.mkdtemp(prefix="exchange-pg-"))
        data = self.directory / "data"
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.directory, nobody.pw_uid, nobody.pw_gid)
            self._as = ["runuser", "-u", "nobody", "--"]
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--locale=C", cwd=self.directory)
        for attempt in range(5):  # another process may take the free port between choosing and binding it
            self.port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                       "-c shared_buffers=64MB -c max_locks_per_transaction=128")
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.directory / "server.log"),
                          "-o", options, "-w", "-t", "60", "start", cwd=self.directory)
                return self
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise RuntimeError("PostgreSQL did not start: " + self.log())
                time.sleep(0.2)
        return self

    def log(self) -> str:
        """The server's log so far (for a failure message)."""
        with contextlib.suppress(OSError):
            return (self.directory / "server.log").read_text()[-4000:]
        return ""

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for `database` on this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) as the superuser."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as con:
            con.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); its URL."""
        # FILE_COPY copies the template's files (0.09 s here); the default WAL_LOG took 0.15-2 s.
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever still uses it."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.directory is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None


# --- pytest wiring (imported by tests/conftest.py) ----------------------------------------------

import itertools  # noqa: E402

import pytest  # noqa: E402

BACKENDS = ("duckdb", "postgres")
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server per test process, started on first use and stopped at the end."""
    server = Server()
    if not server.available:
        pytest.fail("PostgreSQL is not installed: run  sudo apt-get install postgresql  (Debian); CI's .ci/run does.")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A migrated PostgreSQL database with the taxonomy loaded: what every PostgreSQL test database copies."""
    from exchange import taxonomy
    from exchange.storage import open_database

    db = open_database(pg_server.create_database("template_exchange"))
    try:
        taxonomy.seed(db)
    finally:
        db.close()
    return "template_exchange"


def fresh_postgres(server: Server, template: str):
    """A PostgresDatabase on a private copy of the template (CREATE DATABASE … TEMPLATE), dropped afterwards."""
    from exchange.storage.postgres import PostgresDatabase

    name = f"test_{os.getpid()}_{next(_names)}"
    db = PostgresDatabase(server.create_database(name, template=template), max_size=12)
    try:
        yield db
    finally:
        db.close()
        server.drop_database(name)


def second_handle(db):
    """Another store on the same database as `db` (as a second app process would open it), on either backend."""
    from exchange.storage.duckdb import Database
    from exchange.storage.postgres import PostgresDatabase

    return PostgresDatabase(db.url) if isinstance(db, PostgresDatabase) else Database(db.path)
