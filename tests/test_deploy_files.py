"""docs/deploy/ (issue 12): the systemd unit and the nginx site agree with each other and with the settings.
(tests/browser/test_deploy_nginx.py runs the site in Debian's nginx in front of the app.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from exchange import config
from tests.helpers import script

DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy"
UNIT = (DEPLOY / "exchange.service").read_text()
SITE = (DEPLOY / "exchange.nginx.conf").read_text()


def _directive(name: str) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", UNIT, re.M)


def test_the_unit_serves_server_py_on_the_loopback_port_the_site_proxies_to():
    [start] = _directive("ExecStart")
    command = shlex.split(start)
    assert command[1:5] == ["-m", "streamlit", "run", "server.py"]
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    port = command[command.index("--server.port") + 1]
    assert f"server 127.0.0.1:{port};" in SITE
    assert _directive("ExecStartPre") == ["/srv/exchange/.venv/bin/python -m exchange init"]


def test_every_setting_the_unit_sets_exists_and_together_they_are_a_valid_production_configuration():
    values = dict(line.split("=", 1) for line in _directive("Environment"))
    assert values and set(values) <= set(config.ENV_NAMES), set(values) - set(config.ENV_NAMES)
    found = config.from_environment(values)
    assert found.production and found.https and str(found.database).startswith("/var/lib/exchange/")
    writable = _directive("ReadWritePaths")[0].split()
    assert str(found.database.parent) in writable and str(found.backup_dir) in writable


def test_the_site_proxies_the_websocket_bounds_uploads_like_streamlit_and_sends_the_scheme():
    assert re.search(r"location = /_stcore/stream \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*"
                     r"proxy_set_header Connection \"upgrade\";", SITE)
    streamlit = (DEPLOY.parent.parent / ".streamlit" / "config.toml").read_text()
    upload_mb = re.search(r"^maxUploadSize = (\d+)", streamlit, re.M).group(1)
    assert f"client_max_body_size {upload_mb}m;" in SITE
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in SITE and "listen 443 ssl" in SITE
    assert "return 301 https://" in SITE


# ---------------------------------------------------------------- several replicas (issue 13.2)


REPLICA_UNIT = (DEPLOY / "exchange@.service").read_text()
MIGRATE_UNIT = (DEPLOY / "exchange-migrate.service").read_text()
CLUSTER_SITE = (DEPLOY / "exchange-cluster.nginx.conf").read_text()
GUIDE = (DEPLOY / "README.md").read_text()


def _cluster():
    return script("cluster")


def _lines(text: str) -> str:
    """Text with each line stripped and blank lines dropped (indentation-blind comparison)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _directives(unit: str, name: str) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", unit, re.M)


def _enabled_ports() -> list[int]:
    """The replica ports the guide's `systemctl enable` line starts (exchange@8501 …)."""
    [line] = [line for line in GUIDE.splitlines() if "systemctl enable --now exchange@" in line]
    return [int(port) for port in re.findall(r"exchange@(\d+)", line)]


def test_the_replica_unit_runs_what_the_trial_cluster_runs_on_the_port_of_its_instance():
    [start] = _directives(REPLICA_UNIT, "ExecStart")
    command = shlex.split(start)
    trial = _cluster().replica_command(8501)
    assert command[0] == "/srv/exchange/.venv/bin/python"
    assert command[1:] == [("%i" if part == "8501" else part) for part in trial[1:]]
    assert _directives(REPLICA_UNIT, "Requires") == ["exchange-migrate.service"]
    assert "exchange-migrate.service" in _directives(REPLICA_UNIT, "After")[0]
    assert _directives(MIGRATE_UNIT, "ExecStart") == ["/srv/exchange/.venv/bin/python -m exchange init"]
    assert _directives(MIGRATE_UNIT, "Type") == ["oneshot"]


def test_every_replica_reads_the_shared_secret_file_and_its_settings_are_a_valid_production_configuration():
    for unit in (REPLICA_UNIT, MIGRATE_UNIT):
        assert _directives(unit, "EnvironmentFile") == ["/etc/exchange/cluster.env"]
    # The file holds the database URL and Streamlit's cookie secret: the same on every replica.
    assert "EXCHANGE_DATABASE_URL=postgresql://" in REPLICA_UNIT and "STREAMLIT_SERVER_COOKIE_SECRET=" in REPLICA_UNIT
    values = dict(line.split("=", 1) for line in _directives(REPLICA_UNIT, "Environment"))
    assert set(values) <= set(config.ENV_NAMES), set(values) - set(config.ENV_NAMES)
    found = config.from_environment({**values, "EXCHANGE_DATABASE_URL": "postgresql://exchange@db.internal/exchange"})
    assert found.production and found.https and found.database_url.startswith("postgresql://")
    assert str(found.backup_dir) in _directives(REPLICA_UNIT, "ReadWritePaths")[0].split()
    assert "/var/lib/exchange" not in REPLICA_UNIT  # no DuckDB file: the database is PostgreSQL


def test_the_cluster_site_has_the_trial_clusters_sticky_upstream_and_locations_with_the_guides_replicas():
    cluster = _cluster()
    ports = _enabled_ports()
    assert len(ports) >= 2
    assert _lines(cluster.upstream_block(ports, secure=True)) in _lines(CLUSTER_SITE)
    assert _lines(cluster.locations_block()) in _lines(CLUSTER_SITE)
    assert "hash $exchange_route consistent;" in CLUSTER_SITE and "ip_hash" not in CLUSTER_SITE
    assert "SameSite=Lax; Secure" in CLUSTER_SITE  # the route cookie over https only
    streamlit = (DEPLOY.parent.parent / ".streamlit" / "config.toml").read_text()
    upload_mb = re.search(r"^maxUploadSize = (\d+)", streamlit, re.M).group(1)
    assert f"client_max_body_size {upload_mb}m;" in CLUSTER_SITE
    assert "listen 443 ssl" in CLUSTER_SITE and "return 301 https://" in CLUSTER_SITE
