"""docs/deploy/ (issue 12): the systemd unit and the nginx site agree with each other and with the settings.
(tests/browser/test_deploy_nginx.py runs the site in Debian's nginx in front of the app.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from exchange import config

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
