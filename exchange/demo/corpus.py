"""The demo generator's text and place data, loaded from the TOML files in exchange/demo/data/.

Departments are real US health departments with approximate populations; the lessons attached
to them in demo mode are fictional. Scenario templates (data/scenarios.toml) are written the way
practitioners describe their work, with {slots} the generator fills per department and lesson
(see SLOTS). The files are read once, at import, straight from the package directory: editing
one needs no build step, only a fresh demo (`python -m exchange demo --reset`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict:
    """One data file (data/<name>.toml) as parsed TOML."""
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


# ---------------------------------------------------------------- departments and people
_DEPARTMENT_FIELDS = ("name", "place", "root", "type", "state", "population", "urban")
REAL_DEPARTMENTS = [dict(zip(_DEPARTMENT_FIELDS, row, strict=True)) for row in load("departments")["departments"]]

_names = load("names")
FIRST_NAMES: list[str] = _names["first_names"]
LAST_NAMES: list[str] = _names["last_names"]
# For the national scale: real county and town names, combined with a state code for uniqueness.
COUNTY_NAMES: list[str] = _names["county_names"]
TOWN_NAMES: list[str] = _names["town_names"]
DISTRICT_NAMES: list[str] = _names["district_names"]
TRIBES = [tuple(pair) for pair in _names["tribes"]]  # (nation, state code)
TERRITORIES = [tuple(row) for row in _names["territories"]]  # (name, code, place, root, population)
STATE_POPULATIONS = [tuple(pair) for pair in _names["state_populations"]]  # (state code, millions)
LOCAL_DEPARTMENT_WEIGHTS = [tuple(pair) for pair in _names["local_department_weights"]]  # (state code, weight)

# ---------------------------------------------------------------- phrases
_phrases = load("phrases")
# Partner names built from a department's root ({r}); anonymous lessons use the generic form instead.
ORGS = {slot: (org["names"], org["generic"]) for slot, org in _phrases["orgs"].items()}
# Partner names by jurisdiction type, where a city's would not fit (a tribal clinic, a state hospital association).
ORGS_BY_TYPE: dict[str, dict[str, list[str]]] = _phrases["orgs_by_type"]
PARTNER_TAGS: list[str] = _phrases["partner_tags"]
PLACE_WORDS: dict[str, str] = _phrases["place_words"]
BOARDS: dict[str, list[str]] = _phrases["boards"]
LEADERS: list[str] = _phrases["leaders"]
TYPE_LABELS: dict[str, str] = _phrases["type_labels"]
FOCUS_AREAS: list[str] = _phrases["focus_areas"]
BAND_WORDS: dict[str, str] = _phrases["band_words"]
CONTEXT_OPENERS: list[str] = _phrases["context_openers"]
DID_CODAS: list[str] = _phrases["did_codas"]
HAPPENED_CODAS: dict[str, list[str]] = _phrases["happened_codas"]
DIFFERENTLY: dict[str, list[str]] = _phrases["differently"]
DIFFERENTLY["mixed"] = DIFFERENTLY["success"][:2] + DIFFERENTLY["challenge"][:3]
ADVICE: list[str] = _phrases["advice"]
REJECTION_REASONS: list[str] = _phrases["rejection_reasons"]
REPORT_REASONS: dict[str, list[str]] = _phrases["reports"]  # open ones, and ones a coordinator settled
NOTES_UP: list[str] = _phrases["notes_up"]
NOTES_DOWN: list[str] = _phrases["notes_down"]
NOTES_SAME: list[str] = _phrases["notes_same"]

# ---------------------------------------------------------------- anonymous lessons (exchange/demo/neutral.py)
_anonymous = load("anonymous")
NEUTRAL_SLOTS: dict[str, str] = _anonymous["slots"]
NEUTRAL_REWRITES = tuple(tuple(pair) for pair in _anonymous["rewrites"])
NEUTRAL_OPENERS: list[str] = _anonymous["openers"]
GENERIC_NEIGHBORHOODS: list[str] = _anonymous["neighborhoods"]

# Slots every template may use (tests render every template with every slot filled).
SLOTS = ("place", "state", "residents", "board", "leader", "pop_phrase", "n_staff", "neighborhood", "n", "n2", "n3", "pct",
         "pct2", "money", "big_money", "weeks", "months", "hourly", "votes_for", "votes_against", "start", "end", "year",
         "end_year", "home", "colleague", "colleague_cap", "quote", "topic", "prior_year", *ORGS)


# ---------------------------------------------------------------- beats and real places (issue #15)
_beats = load("beats")
COLLEAGUES: list[str] = _beats["colleagues"]
QUOTES: list[str] = _beats["quotes"]
QUOTE_FRAMES: list[str] = _beats["quote_frames"]
# Context beats: general ones, and ones for a setting or a jurisdiction type ("rural", "urban", "tribal"...).
CONTEXT_BEATS: dict[str, list[str]] = {"any": _beats["context"], **{
    k.removeprefix("context_"): v for k, v in _beats.items() if k.startswith("context_")}}
DID_BEATS: list[str] = _beats["did"]
HAPPENED_BEATS: dict[str, list[str]] = _beats["happened"]
ERA_BEATS = [(int(span.split("-")[0]), int(span.split("-")[1]), lines) for span, lines in _beats["era"].items()]
TITLE_PATTERNS: dict[str, list[str]] = _beats["titles"]
GENERIC_PLACES: dict[str, list[str]] = _beats["places"]  # by jurisdiction type
REAL_PLACES: dict[str, list[str]] = load("places")["places"]  # by department name
# Every phrase a named lesson may put in {neighborhood}: the real places and the generic phrases.
NEIGHBORHOODS: list[str] = sorted({p for places in (*REAL_PLACES.values(), *GENERIC_PLACES.values()) for p in places})
# A scenario's settings: urban ones need a metro department.
SETTINGS = {"urban": ("large central metro", "large fringe metro", "medium metro", "small metro"),
            "rural": ("micropolitan", "noncore")}

# ---------------------------------------------------------------- scenarios
_KINDS = {"success": "+", "challenge": "-", "mixed": "~"}  # the generator's field suffix per kind: "title+"
_TAGS = ("practices", "actions", "risks", "partners")
_PER_KIND = ("title", "summary", "happened", "differently")
_SHARED = ("context", "did", "advice")


def parse_scenarios(entries: list[dict]) -> list[dict]:
    """Scenario tables as the generator uses them: tag lists, tuples for kinds/years/types, variant lists per text field.

    A text field for one kind is keyed with its suffix ("title+", "title-", "title~"); one for every
    kind by its name ("context"). Raises ValueError naming the scenario for a field it does not know.
    """
    scenarios: list[dict] = []
    for entry in entries:
        key = entry.get("key", "?")
        kinds = entry.get("kinds", {"success": 50, "challenge": 34, "mixed": 16})
        if set(kinds) != set(_KINDS):
            raise ValueError(f"scenario {key!r}: kinds needs a weight for each of {', '.join(_KINDS)}")
        first, last = entry.get("years", (2017, 2026))
        scenario: dict = {"key": key, "kinds": tuple(kinds[k] for k in _KINDS), "years": (first, last),
                          "types": tuple(entry.get("types", ())), "settings": tuple(entry.get("settings", ())),
                          "topic": entry.get("topic", key.replace("-", " "))}
        if set(scenario["settings"]) - set(SETTINGS):
            raise ValueError(f"scenario {key!r}: settings may only be {', '.join(SETTINGS)}")
        for field, value in entry.items():
            if field in ("key", "kinds", "years", "types", "settings", "topic"):
                continue
            if field in _TAGS:
                scenario[field] = list(value)
            elif field in _SHARED:
                scenario[field] = _variants(value)
            elif field in _PER_KIND and isinstance(value, dict) and set(value) <= set(_KINDS):
                for kind, text in value.items():
                    scenario[field + _KINDS[kind]] = _variants(text)
            else:
                raise ValueError(f"scenario {key!r}: unknown field {field!r} (see the top of data/scenarios.toml)")
        scenarios.append(scenario)
    return scenarios


def _variants(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


SCENARIOS = parse_scenarios(load("scenarios")["scenario"])
