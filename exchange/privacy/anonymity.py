"""Anonymous means anonymous: what a viewer may learn about who posted a lesson.

An anonymous lesson shows no department, state, size or author to anyone but the posting
department's own members (administrators use an explicit, audited reveal). It shows its
HHS region and jurisdiction type only while at least K departments share that combination;
otherwise its region only; if even the region has fewer than K departments, neither.
Every read path (page, related, search, facets, CSV, charts) selects from LESSON_FACTS,
so the rule lives in exactly one place; `content_facts` applies the same rule to any other
department-authored table (questions, answers, endorsements).

Time links posts too: to anyone but its own department, an anonymous lesson's timestamps are
coarsened to the day (a minute-exact publish time sits next to the same department's named
posts), and exports name lessons by a keyed, non-sequential reference instead of the id.
"""

from __future__ import annotations

import hashlib
import secrets

from exchange import config, storage

# Read when this module is imported: K is written into the SQL fragments below (an int, checked by config).
K = config.settings().anonymity_k
TIMESTAMPS = ("created_at", "updated_at", "submitted_at", "published_at")
OWN_ANONYMOUS = "anonymous to others"
_REF_KEY_SETTING = "lesson_ref_key"

# Department counts behind the K rule (tiny: one row per region / region × jurisdiction type).
K_TABLES = """
k_region AS (
    SELECT s.hhs_region, count(*) AS n FROM departments d JOIN states s ON s.code = d.state_code GROUP BY 1
),
k_combo AS (
    SELECT s.hhs_region, d.jurisdiction_type, count(*) AS n
    FROM departments d JOIN states s ON s.code = d.state_code GROUP BY 1, 2
)"""

# Any department-authored content (lessons today; questions, answers and endorsements next) is a
# table with department_id, anonymous and author_id columns. The rule below is written once, over
# such a table under an alias; lessons use the alias `l`.

def joins(content: str = "lessons", alias: str = "l") -> str:
    """The FROM clause over `content` (a table or a parenthesised subquery) as `alias`, with its department `d`,
    state `s` and the K counts."""
    return f"""
    FROM {content} {alias}
    JOIN departments d ON d.id = {alias}.department_id
    JOIN states s ON s.code = d.state_code
    LEFT JOIN k_region kr ON kr.hhs_region = s.hhs_region
    LEFT JOIN k_combo kc ON kc.hhs_region = s.hhs_region AND kc.jurisdiction_type = d.jurisdiction_type"""


def attribution(alias: str = "l") -> str:
    """What the viewer may see of who posted the content row `alias`. Named parameter: $viewer_department (-1: none)."""
    # The condition is written out in each CASE rather than reusing the `attributed` alias in the same
    # SELECT list: DuckDB allows that, PostgreSQL (issue 13) does not.
    attributed = _attributed(alias)
    return f"""
        {attributed} AS attributed,
        CASE WHEN {attributed} THEN {alias}.department_id END AS shown_department_id,
        CASE WHEN {attributed} THEN d.name END AS department_name,
        CASE WHEN {attributed} THEN d.state_code END AS state_code,
        CASE WHEN {attributed} THEN s.name END AS state_name,
        CASE WHEN {attributed} THEN d.population_band END AS population_band,
        CASE WHEN {attributed} OR kr.n >= {K} THEN s.hhs_region END AS hhs_region,
        CASE WHEN {attributed} OR kc.n >= {K} THEN d.jurisdiction_type END AS jurisdiction_type"""


def _attributed(alias: str) -> str:
    return f"(NOT {alias}.anonymous OR {alias}.department_id = $viewer_department)"


ATTRIBUTION = attribution("l")


def _coarse_times(alias: str, timestamps: tuple[str, ...]) -> str:
    """Anonymous content's timestamps, to the day, for everyone outside its department."""
    return ", ".join(
        f"CASE WHEN {alias}.anonymous AND {alias}.department_id <> $viewer_department "
        f"THEN CAST(CAST({alias}.{c} AS DATE) AS TIMESTAMP) ELSE {alias}.{c} END AS {c}" for c in timestamps)


def content_facts(content: str, name: str, *, timestamps: tuple[str, ...], alias: str = "c") -> str:
    """CTEs ending in `name`: every column of each `content` row plus what this viewer may see of its origin
    (department, state, size, region, jurisdiction, author), with timestamps coarsened when anonymous."""
    replace = f" REPLACE ({_coarse_times(alias, timestamps)})" if timestamps else ""
    return f"""{K_TABLES},
{name} AS (
    SELECT {alias}.*{replace}, s.hhs_region AS true_region, {attribution(alias)},
        CASE WHEN {_attributed(alias)} THEN (SELECT u.display_name FROM users u WHERE u.id = {alias}.author_id) END AS author_name
    {joins(content, alias)}
)
"""


def lesson_facts(lessons: str = "lessons") -> str:
    """CTEs ending in `lesson_facts`: every column of a lesson plus what this viewer may see of its origin."""
    return content_facts(lessons, "lesson_facts", timestamps=TIMESTAMPS, alias="l")


LESSON_FACTS = lesson_facts()


def viewer_department(user) -> int:
    """The parameter value for $viewer_department."""
    return user.department_id if user.department_id is not None else -1


def attribution_line(lesson: dict) -> str:
    """How a lesson's origin reads to this viewer: a department, a region, or 'Anonymous department'.

    The posting department sees its own anonymous lessons marked, so a list it forwards says so.
    """
    if lesson.get("department_name"):
        line = f"{lesson['department_name']} ({lesson['state_code']})"
        return f"{line} — {OWN_ANONYMOUS}" if lesson.get("anonymous") else line
    parts = []
    if lesson.get("jurisdiction_type"):
        parts.append(f"a {lesson['jurisdiction_type']} department")
    if lesson.get("hhs_region"):
        parts.append(f"in HHS Region {lesson['hhs_region']}")
    return "Anonymous — " + " ".join(parts) if parts else "Anonymous department"


def public_refs(cur, ids: list[int]) -> dict[int, str]:
    """A stable, non-sequential reference per lesson id (keyed hash): exports cite lessons by it.

    Neighbouring ids tie a department's anonymous lesson to its named ones; the reference does not,
    and without the exchange's key it cannot be turned back into an id.
    """
    key = _ref_key(cur)
    return {i: "L-" + hashlib.blake2b(str(i).encode(), key=key, digest_size=5).hexdigest() for i in ids}


def _ref_key(cur) -> bytes:
    found = cur.execute("SELECT value FROM settings WHERE key = ?", [_REF_KEY_SETTING]).fetchone()
    if found is None:
        try:  # made once per exchange; a concurrent first export may win the race, so read back
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING", [_REF_KEY_SETTING, secrets.token_hex(32)])
        except storage.INSERT_RACE:
            pass
        found = cur.execute("SELECT value FROM settings WHERE key = ?", [_REF_KEY_SETTING]).fetchone()
    return bytes.fromhex(found[0])
