"""docs/deploy/ (issue 12): Debian's nginx with the shipped site in front of the app, over TLS: a page, the
websocket, the sign-in cookie, the body-size limit; and the app's log of that journey holds no password,
token, reader's e-mail address or anonymous lesson's department."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from exchange.storage.duckdb import Database
from tests.browser.helpers import demo_account, free_port, running_app, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
INSECURE = ssl.create_default_context()
INSECURE.check_hostname, INSECURE.verify_mode = False, ssl.CERT_NONE


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], capture_output=True, timeout=600,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.skip("nginx is not installed and could not be installed here (apt-get install nginx needs root "
                    "and Debian's package archive)")
    return found


def _site(app_port: int, http_port: int, tls_port: int, folder: Path) -> str:
    """The shipped site with this test's ports, certificate and log files (nothing else changed)."""
    text = (DEPLOY / "exchange.nginx.conf").read_text()
    replacements = [
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"), ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"), ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/exchange.example.gov/fullchain.pem", str(folder / "cert.pem")),
        ("/etc/letsencrypt/live/exchange.example.gov/privkey.pem", str(folder / "key.pem")),
        ("/var/log/nginx/", f"{folder}/"),
    ]
    for old, new in replacements:
        assert old in text, f"the shipped site no longer has {old!r}: update this test with it"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def anonymous_facts(demo_database, tmp_path_factory):
    """A copy of the demo database for this server, and its anonymous lessons' departments (read before it starts)."""
    path = tmp_path_factory.mktemp("deploy") / "exchange.duckdb"
    shutil.copy(demo_database[1], path)
    db = Database(path)
    try:
        with db.read() as cur:
            names = {r[0] for r in cur.execute(
                "SELECT DISTINCT d.name FROM lessons l JOIN departments d ON d.id = l.department_id "
                "WHERE l.anonymous").fetchall()}
            lesson = cur.execute("SELECT l.id FROM lessons l JOIN departments d ON d.id = l.department_id "
                                 "WHERE l.anonymous AND l.status = 'published' AND l.visibility = 'public' AND "
                                 "NOT l.hidden AND d.name <> ? ORDER BY l.id LIMIT 1",
                                 [demo_account("member")["department"]]).fetchone()[0]
    finally:
        db.close()
    assert names and lesson
    return path, names, lesson


@pytest.fixture(scope="module")
def behind_nginx(anonymous_facts, tmp_path_factory):
    """The app on a free port and nginx with the shipped site in front of it; yields (https base, http base, app log)."""
    nginx = _nginx()
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True,
                   capture_output=True)
    log = folder / "app.log"
    with running_app(anonymous_facts[0], log, env={"EXCHANGE_BACKUP_TIME": "off", "EXCHANGE_LOG_FORMAT": "json",
                                                   "EXCHANGE_TRUSTED_PROXIES": "127.0.0.1"}) as app:
        app_port = int(app.rsplit(":", 1)[1])
        http_port, tls_port = free_port(), free_port()
        (folder / "site.conf").write_text(_site(app_port, http_port, tls_port, folder))
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / temp).mkdir()
        (folder / "nginx.conf").write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    access_log {folder}/access.log;
    include {folder}/site.conf;
}}
""")
        checked = subprocess.run([nginx, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        proc = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", tls_port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        pytest.fail("nginx did not start: " + (proc.stderr.read() if proc.poll() is not None else ""))
                    time.sleep(0.1)
            yield f"https://127.0.0.1:{tls_port}", f"http://127.0.0.1:{http_port}", log
        finally:
            proc.terminate()
            proc.wait(10)


def _get(url: str, data: bytes | None = None):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, data=data), context=INSECURE, timeout=20)
    except urllib.error.HTTPError as answer:
        return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_nginx_serves_the_app_over_tls_redirects_http_and_bounds_the_body(behind_nginx):
    https, http, _ = behind_nginx
    # Not ready (503) while a fresh process builds its search index on the warm-up thread; ready once it has.
    deadline = time.time() + 120
    while (ready := _get(f"{https}/readyz")).status == 503 and time.time() < deadline:
        time.sleep(0.5)
    assert ready.status == 200 and json.loads(ready.read())["status"] == "ready"
    health = _get(f"{https}/healthz")
    assert health.status == 200 and re.fullmatch(r"[0-9a-f]{32}", health.headers["x-request-id"])  # nginx's id
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{http}/lesson?id=1", timeout=10)
        pytest.fail("plain http was served")
    except urllib.error.HTTPError as answer:
        assert answer.code == 301 and answer.headers["location"].startswith("https://127.0.0.1/lesson?id=1")
    too_big = _get(f"{https}/_stcore/upload_file/x/y", data=b"x" * (11 * 1024 * 1024))
    assert too_big.status == 413


def test_a_journey_through_nginx_uses_the_websocket_and_leaves_nothing_identifying_in_the_log(
        behind_nginx, anonymous_facts, browser):
    https, _, log = behind_nginx
    member = demo_account("member")
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        page.goto(f"{https}/")
        wait_for_app(page)  # "connected": Streamlit's websocket came through nginx
        expect(page.get_by_role("heading", name="Find lessons")).to_be_visible()
        assert any(url.startswith(https.replace("https", "wss")) and url.endswith("/_stcore/stream") for url in sockets)
        page.get_by_label("Search lessons").fill("community health workers")
        page.keyboard.press("Enter")
        wait_for_app(page)
        page.goto(f"{https}/account")
        wait_for_app(page)
        page.get_by_label("Email").fill(member["email"])
        page.get_by_label("Password", exact=True).fill(member["password"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        cookie = next(c for c in context.cookies() if c["name"] == "ee_session")
        assert cookie["secure"] and cookie["httpOnly"]  # X-Forwarded-Proto https arrived through nginx
        page.goto(f"{https}/lesson?id={anonymous_facts[2]}")
        wait_for_app(page)
        expect(page.get_by_text(re.compile(r"^Anonymous( —| department)")).first).to_be_visible()
        page.reload()  # a reload stays signed in: the cookie works through the proxy
        wait_for_app(page)
        expect(page.get_by_role("link", name="Your account")).to_be_visible()
    finally:
        context.close()
    time.sleep(1)  # the websocket's closing line
    text = log.read_text()
    lines = [line for line in text.splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    requests = [e for e in entries if e.get("event") == "http_request"]
    assert requests and all(re.fullmatch(r"[0-9a-f]{32}", e["request_id"]) for e in requests)  # nginx's ids
    assert any(e["path"] == "/auth/session" for e in requests)
    assert all("?" not in e["path"] for e in requests) and "code=" not in text  # no one-time sign-in code
    leaks = [secret for secret in (member["password"], member["email"], cookie["value"], *anonymous_facts[1])
             if secret.lower() in text.lower()]
    assert not leaks, f"the app's log holds {leaks}"
    assert not re.search(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}", text), "an e-mail address is in the log"
