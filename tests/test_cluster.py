"""scripts/cluster.py's pieces (issue 13.2): the shared cookie secret, each replica's environment, and an nginx
configuration Debian's nginx accepts. tests/browser/test_cluster.py runs the whole cluster."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from tests.helpers import script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cluster():
    return script("cluster")


def test_the_cookie_secret_is_made_once_readable_by_its_owner_only_and_reused(cluster, tmp_path):
    first = cluster.cookie_secret(tmp_path)
    assert len(first) == 64 and int(first, 16) >= 0
    assert stat.S_IMODE((tmp_path / "cookie_secret").stat().st_mode) == 0o600
    assert cluster.cookie_secret(tmp_path) == first  # every replica, every run: the same secret


def test_every_replica_gets_the_same_database_and_secret_and_no_stray_streamlit_setting(cluster):
    base = {"PATH": "/usr/bin", "STREAMLIT_SERVER_PORT": "9999", "EXCHANGE_MODE": "demo"}
    one = cluster.replica_env(base, "postgresql://x@127.0.0.1/exchange", "s" * 64)
    assert one["EXCHANGE_DATABASE_URL"] == "postgresql://x@127.0.0.1/exchange"
    assert one["STREAMLIT_SERVER_COOKIE_SECRET"] == "s" * 64 and "STREAMLIT_SERVER_PORT" not in one
    assert one["EXCHANGE_TRUSTED_PROXIES"] == "127.0.0.1" and one["EXCHANGE_MODE"] == "demo"
    command = cluster.replica_command(8502)
    assert command[command.index("--server.port") + 1] == "8502" and "--server.cookieSecret" not in command


def test_the_generated_nginx_configuration_is_valid_and_sticky(cluster, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (CI's .ci/run installs it)")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    text = cluster.nginx_config([8501, 8502, 8503], 18080, tmp_path, user="root" if os.geteuid() == 0 else None)
    (tmp_path / "nginx.conf").write_text(text)
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert text.count("server 127.0.0.1:85") == 3 and "hash $exchange_route consistent;" in text
    assert "X-Exchange-Replica" in text  # the trial says which replica answered


def test_the_command_refuses_a_replica_count_out_of_range(cluster, capsys):
    with pytest.raises(SystemExit):
        cluster.main(["--replicas", "0"])
    assert "--replicas must be a whole number from 1 to 64" in capsys.readouterr().err
