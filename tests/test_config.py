"""Settings: one typed object read from EXCHANGE_* variables, every one documented, bad values named."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import pytest

from exchange import cli, clock, config
from exchange.identity import passwords, sessions
from exchange.kernel import throttle

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "exchange").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py")),
           ROOT / "app.py", ROOT / "server.py"]


def readme_settings_table() -> dict[str, list[str]]:
    """The rows of README.md's settings table: variable -> its other cells."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Settings", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(EXCHANGE_[A-Z0-9_]+)`", cells[0])
        if match:
            rows[match.group(1)] = cells[1:]
    return rows


def test_every_setting_is_documented_in_the_readme_settings_table():
    rows = readme_settings_table()
    missing = [s.env for s in config.SETTINGS if s.env not in rows]
    assert not missing, f"add these to README.md's settings table: {missing}"
    for setting in config.SETTINGS:
        default, allowed, meaning = rows[setting.env]
        assert meaning and allowed, f"{setting.env}: say what is allowed and what it does"


def test_the_readme_lists_no_setting_the_code_does_not_have():
    assert set(readme_settings_table()) == set(config.ENV_NAMES)


def test_every_exchange_variable_the_code_names_is_a_setting():
    named = {}
    for path in SOURCES:
        for name in re.findall(r"\bEXCHANGE_[A-Z0-9_]+", path.read_text(encoding="utf-8")):
            named.setdefault(name, path.relative_to(ROOT).as_posix())
    unknown = {name: where for name, where in named.items() if name not in config.ENV_NAMES}
    assert not unknown, f"read these through exchange/config.py (and document them): {unknown}"


def test_only_config_reads_the_environment():
    readers = [p.relative_to(ROOT).as_posix() for p in SOURCES
               if p.name != "config.py" and re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text(encoding="utf-8"))]
    assert readers == []


def test_every_field_of_the_settings_object_has_one_variable():
    fields = [f.name for f in dataclasses.fields(config.Settings)]
    assert sorted(fields) == sorted(s.field for s in config.SETTINGS)
    assert len(set(config.ENV_NAMES)) == len(config.ENV_NAMES)


def test_defaults_keep_todays_behaviour():
    found = config.from_environment({})
    assert found.database == ROOT / "data" / "exchange.duckdb"
    assert found.mode == "demo" and not found.production
    assert found.search_refresh_seconds == 20
    assert found.https is False and found.test_clock_file is None and found.trusted_proxies == ()
    assert found.session_idle == timedelta(minutes=30) and found.session_max == timedelta(hours=12)
    assert found.anonymity_k == 5
    assert found.password_hash_cost == 14


def test_values_are_read_and_typed():
    found = config.from_environment({
        "EXCHANGE_DB": "/srv/exchange/x.duckdb", "EXCHANGE_MODE": " Production ", "EXCHANGE_SEARCH_REFRESH_SECONDS": "2.5",
        "EXCHANGE_HTTPS": "yes", "EXCHANGE_TEST_CLOCK_FILE": "/tmp/clock", "EXCHANGE_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
        "EXCHANGE_SESSION_IDLE_MINUTES": "15", "EXCHANGE_SESSION_MAX_HOURS": "8", "EXCHANGE_ANONYMITY_K": "7",
        "EXCHANGE_PASSWORD_HASH_COST": "15"})
    assert found.database == Path("/srv/exchange/x.duckdb") and found.production
    assert found.search_refresh_seconds == 2.5 and found.https is True and found.test_clock_file == Path("/tmp/clock")
    assert found.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1"))
    assert found.session_idle == timedelta(minutes=15) and found.session_max == timedelta(hours=8)
    assert found.anonymity_k == 7 and found.password_hash_cost == 15
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.mode = "demo"


def test_a_blank_value_means_the_default():
    assert config.from_environment({"EXCHANGE_MODE": "", "EXCHANGE_ANONYMITY_K": "  "}) == config.from_environment({})


@pytest.mark.parametrize("variable, value, allowed", [
    ("EXCHANGE_MODE", "prod", "demo or production"),
    ("EXCHANGE_SEARCH_REFRESH_SECONDS", "often", "0.1 to 86400"),
    ("EXCHANGE_SEARCH_REFRESH_SECONDS", "0", "0.1 to 86400"),
    ("EXCHANGE_SEARCH_REFRESH_SECONDS", "nan", "0.1 to 86400"),
    ("EXCHANGE_HTTPS", "maybe", "1, true, yes, on"),
    ("EXCHANGE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal", "'proxy.internal' is not an IP address"),
    ("EXCHANGE_SESSION_IDLE_MINUTES", "0", "1 to 1440"),
    ("EXCHANGE_SESSION_IDLE_MINUTES", "7.5", "whole number"),
    ("EXCHANGE_SESSION_MAX_HOURS", "1000", "1 to 720"),
    ("EXCHANGE_ANONYMITY_K", "1", "2 to 1000"),
    ("EXCHANGE_PASSWORD_HASH_COST", "30", "4 to 16"),
])
def test_a_value_not_allowed_names_the_variable_and_what_is_allowed(variable, value, allowed):
    with pytest.raises(config.ConfigError) as raised:
        config.from_environment({variable: value})
    assert raised.value.message.startswith(f"{variable}=") and allowed in raised.value.message


def test_production_refuses_a_cheap_password_hash_cost():
    with pytest.raises(config.ConfigError, match="too cheap for production"):
        config.from_environment({"EXCHANGE_MODE": "production", "EXCHANGE_PASSWORD_HASH_COST": "10"})
    assert config.from_environment({"EXCHANGE_MODE": "demo", "EXCHANGE_PASSWORD_HASH_COST": "4"}).password_hash_cost == 4
    assert config.from_environment({"EXCHANGE_MODE": "production"}).password_hash_cost == 14


def test_settings_are_read_once_and_again_when_a_variable_changes(monkeypatch):
    first = config.settings()
    assert config.settings() is first
    monkeypatch.setenv("EXCHANGE_ANONYMITY_K", "9")
    assert config.settings().anonymity_k == 9
    monkeypatch.delenv("EXCHANGE_ANONYMITY_K")
    assert config.settings().anonymity_k == 5
    assert config.reload() == config.settings()


def test_an_override_holds_for_its_block_only():
    before = config.settings().session_idle
    with config.override(session_idle=timedelta(minutes=5)) as inside:
        assert inside.session_idle == config.settings().session_idle == timedelta(minutes=5)
    assert config.settings().session_idle == before
    with pytest.raises(TypeError, match="not a setting"):
        with config.override(colour="blue"):
            pass


def test_tests_hash_passwords_cheaply_and_the_app_does_not():
    cheap = passwords.hash_password("correct mulberry lantern")
    assert cheap.split("$")[1] == str(2**4)
    assert passwords.verify_password("correct mulberry lantern", cheap)
    with config.override(password_hash_cost=14):
        dear = passwords.hash_password("correct mulberry lantern")
    assert dear.split("$")[1] == str(2**14)
    assert passwords.verify_password("correct mulberry lantern", dear) and not passwords.verify_password("wrong", dear)


def test_session_lengths_come_from_the_settings():
    now = clock.now()
    started = sessions.Session(user_id=1, started_at=now, last_seen_at=now)
    later = started.last_seen_at + timedelta(minutes=20)
    assert sessions.problem(started, later) is None
    with config.override(session_idle=timedelta(minutes=10)):
        assert sessions.problem(started, later) == "idle"
        assert sessions.IDLE_LIMIT == timedelta(minutes=10)
        assert sessions.MESSAGES["idle"] == "You were signed out after 10 minutes without activity. Please sign in again."
    active = sessions.Session(user_id=1, started_at=now, last_seen_at=now + timedelta(minutes=60))
    assert sessions.problem(active, now + timedelta(minutes=61)) is None
    with config.override(session_max=timedelta(hours=1)):
        assert sessions.problem(active, now + timedelta(minutes=61)) == "too_long"
        assert sessions.SESSION_LIMIT == timedelta(hours=1)
        assert sessions.MESSAGES["too_long"] == "You were signed out after 1 hour. Please sign in again."
    assert sessions.MESSAGES["idle"] == "You were signed out after 30 minutes without activity. Please sign in again."


def test_trusted_proxies_come_from_the_settings():
    with config.override(trusted_proxies=config.parse_networks("10.1.0.0/16")):
        assert throttle.client_address("10.1.2.3", "198.51.100.4") == "198.51.100.4"
    assert throttle.client_address("10.1.2.3", "198.51.100.4") == "10.1.2.3"


def test_the_test_clock_is_ignored_in_production(tmp_path):
    clock_file = tmp_path / "clock"
    clock_file.write_text("3600")
    with config.override(test_clock_file=clock_file):
        ahead = clock.now()
        with config.override(mode="production"):
            assert ahead - clock.now() > timedelta(minutes=59)


def test_the_command_line_reports_a_bad_setting_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("EXCHANGE_MODE", "staging")
    assert cli.main(["init", "--db", str(tmp_path / "x.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err == "Error: EXCHANGE_MODE='staging' is not allowed: use demo or production.\n"


def test_the_server_exits_with_the_message_instead_of_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("EXCHANGE_SESSION_MAX_HOURS", "forever")
    with pytest.raises(SystemExit) as exited:
        config.exit_on_error()
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith("Error: EXCHANGE_SESSION_MAX_HOURS='forever' is not allowed")


def test_the_account_page_states_the_configured_session_lengths():
    from exchange.identity import sessions

    with config.override(session_idle=timedelta(minutes=45), session_max=timedelta(hours=8)):
        assert sessions.lengths() == "45 minutes without activity, or 8 hours in all"
    assert sessions.lengths() == "30 minutes without activity, or 12 hours in all"
