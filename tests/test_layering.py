"""The layering holds (issue 9.5): import-linter's contracts, and pages that talk only to exchange."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


# A page translates input into one service call and renders the result: no driver, no SQL, no storage.
FORBIDDEN_IN_PAGES = ("duckdb", "exchange.storage", "psycopg")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_pages_and_the_app_reach_data_only_through_exchange_services():
    offenders = {}
    for path in [ROOT / "app.py", ROOT / "server.py", *sorted((ROOT / "pages").glob("*.py"))]:
        bad = sorted(name for name in _imports(path)
                     if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_PAGES))
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_the_layering_check_would_catch_a_page_that_opens_the_database(tmp_path):
    page = tmp_path / "bad.py"
    page.write_text("import duckdb\nfrom exchange.storage.duckdb import rows\n")
    assert {"duckdb", "exchange.storage.duckdb"} <= _imports(page)
