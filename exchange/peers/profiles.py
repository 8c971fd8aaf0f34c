"""Department profiles: what anyone may see of a department, and how its members (and administrators) edit it.

Read rules, each in one place here:
- lessons on a profile are the department's *attributed* lessons this viewer may read, chosen through
  the anonymity rule (LESSON_FACTS: `shown_department_id`), so an anonymous lesson never appears on, or
  links to, its department's profile for anyone outside that department;
- practice stages are named only if the department shares them (its own members, and roles that may read
  any self-assessment, see them regardless, told so);
- the contact shows per the department's choice: nobody, signed-in members, or anyone.
Edits use optimistic concurrency (a revision, as lessons do): a stale edit is refused with the stored
version, so nothing typed is lost. Every edit is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from exchange import clock
from exchange.discovery import cards
from exchange.errors import Conflict, InvalidInput, NotFound
from exchange.identity import audit, permissions
from exchange.identity.emails import check_email
from exchange.kernel import text
from exchange.models import POPULATION_BAND_LABELS, User
from exchange.privacy.anonymity import lesson_facts, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows

GOVERNANCE = {"centralized": "Centralized", "decentralized": "Decentralized", "mixed": "Mixed", "shared": "Shared"}
GOVERNANCE_MEANING = {
    "centralized": "local health units are led by state employees",
    "decentralized": "local health units are led by local government",
    "mixed": "some local health units are led by the state, some by local government",
    "shared": "state and local government share authority over local health units",
}
ACCREDITATION = {"accredited": "Accredited (PHAB)", "in_process": "Working toward PHAB accreditation",
                 "not_accredited": "Not accredited", "not_stated": "Not stated"}
CONTACT = {"nobody": "Nobody (no contact is shown)", "members": "Signed-in members of the exchange",
           "public": "Anyone, including visitors"}
FIELD_LABELS = {"description": "Description", "state_governance": "State governance",
                "accreditation": "Accreditation status", "share_stages": "Share our practice stages with peers",
                "contact_visibility": "Who can see our contact", "contact_name": "Contact name",
                "contact_email": "Contact e-mail"}
MAX_DESCRIPTION = 1500
MAX_CONTACT_NAME = 120
LESSONS_SHOWN = 10
NOT_FOUND = "That department does not exist. Check the link, or open a department from a lesson or the Peers page."
WORKING = 1  # the lowest stage that counts as working on a practice (Exploring)
# Only the columns lists need (the anonymity rule's included): long text carried through its joins costs most.
NARROW_LESSONS = """(SELECT id, title, kind, status, visibility, hidden, anonymous, department_id, author_id, published_at,
                            created_at, updated_at, submitted_at FROM lessons"""

# A department with its profile; a department without a profile row reads the defaults (governance from its state).
DEPARTMENT_SQL = """
    SELECT d.id, d.name, d.jurisdiction_type, d.state_code, s.name AS state_name, s.hhs_region, d.population,
           d.population_band, d.urban_rural, d.description,
           coalesce(nullif(p.state_governance, ''), g.governance, '') AS state_governance,
           coalesce(p.accreditation, 'not_stated') AS accreditation,
           coalesce(p.contact_visibility, 'nobody') AS contact_visibility,
           coalesce(p.contact_name, '') AS contact_name, coalesce(p.contact_email, '') AS contact_email,
           coalesce(p.share_stages, FALSE) AS share_stages, coalesce(p.revision, 1) AS revision,
           p.updated_at, (SELECT u.display_name FROM users u WHERE u.id = p.updated_by) AS updated_by
    FROM departments d
    JOIN states s ON s.code = d.state_code
    LEFT JOIN state_governance g ON g.state_code = d.state_code
    LEFT JOIN department_profiles p ON p.department_id = d.id"""


@dataclass(frozen=True)
class ProfileInput:
    """A profile as typed into the edit form."""

    description: str = ""
    state_governance: str = ""
    accreditation: str = "not_stated"
    share_stages: bool = False
    contact_visibility: str = "nobody"
    contact_name: str = ""
    contact_email: str = ""


class ProfileInvalid(InvalidInput):
    """InvalidInput whose summary names each field by its on-screen label."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.labels = {f: FIELD_LABELS.get(f, f) for f in self.errors}
        self.message = "; ".join(f"{self.labels[f]}: {m}" for f, m in self.errors.items())
        self.args = (self.message,)


class ProfileChanged(Conflict):
    """Someone saved the profile after this editor opened it; carries the version now stored."""

    def __init__(self, current: ProfileInput, revision: int, updated_at: datetime | None, updated_by: str | None):
        self.current, self.revision, self.updated_at, self.updated_by = current, revision, updated_at, updated_by
        who = f" by {updated_by}" if updated_by else ""
        when = f" at {updated_at:%H:%M} UTC" if updated_at else ""
        super().__init__(f"This profile was changed{who}{when} after you opened it, so nothing was saved. Your "
                         "changes are still in the form: compare them with the saved version below, then save again.")

    def changed_fields(self, mine: ProfileInput) -> list[str]:
        """The fields where the stored version differs from `mine`, in form order."""
        return [f.name for f in fields(ProfileInput) if getattr(self.current, f.name) != getattr(mine, f.name)]


def department_id(value) -> int:
    """A department id from a link (text or int), or NotFound with a clear message."""
    if isinstance(value, bool):
        raise NotFound(NOT_FOUND)
    if isinstance(value, int):
        return value
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise NotFound(NOT_FOUND)
    return int(value)


def load(cur, dept_id: int) -> dict | None:
    """One department with its profile (no permission rule: a department's name and facts are public)."""
    return one(cur, DEPARTMENT_SQL + " WHERE d.id = ?", [dept_id])


def profile(db: Database, user: User, dept_id) -> dict:
    """A department's profile as this viewer may see it: facts, contact, stages if shared, attributed lessons."""
    dept_id = department_id(dept_id)
    with db.read() as cur:
        found = load(cur, dept_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        rels = permissions.department_relations(user, dept_id)
        own = "own_department" in rels
        found["own"] = own
        found["can_edit"] = permissions.allowed(user, "department.edit", rels)
        found["population_label"] = POPULATION_BAND_LABELS.get(found["population_band"], found["population_band"])
        found["governance_label"] = GOVERNANCE.get(found["state_governance"], "Not known")
        found["accreditation_label"] = ACCREDITATION.get(found["accreditation"], found["accreditation"])
        found["contact"] = _contact(user, found, own)
        found["stages"], found["stages_note"] = _stages(cur, user, found, rels)
        ids, found["lesson_total"] = _attributed_lessons(cur, user, dept_id)
        found["lessons"] = cards.cards(db, cur, user, ids)
        if not found["can_edit"]:  # who edited, and the contact's raw fields, are for its editors
            for private in ("updated_by", "contact_name", "contact_email"):
                found.pop(private, None)
        return found


def editable(db: Database, user: User, dept_id) -> tuple[ProfileInput, int]:
    """The edit form's values and the revision they are at; Forbidden unless the user may edit this profile."""
    dept_id = department_id(dept_id)
    with db.read() as cur:
        found = load(cur, dept_id)
        if found is None:
            raise NotFound(NOT_FOUND)
        permissions.require(user, "department.edit", permissions.department_relations(user, dept_id))
        return _as_input(found), found["revision"]


def update(db: Database, user: User, dept_id, data: ProfileInput, *, revision: int | None,
           now: datetime | None = None) -> int:
    """Save a profile edit made from `revision`; return the revision now stored (a repeat of the stored text is no edit).

    Raises ProfileChanged when someone saved in between, ProfileInvalid naming every wrong field.
    """
    dept_id = department_id(dept_id)
    now = now or clock.now()
    clean = validate(data)

    def work(cur):
        current = load(cur, dept_id)
        if current is None:
            raise NotFound(NOT_FOUND)
        permissions.require(user, "department.edit", permissions.department_relations(user, dept_id))
        stored = _as_input(current)
        if stored == clean:
            return current["revision"]
        if revision is not None and current["revision"] != revision:
            raise ProfileChanged(stored, current["revision"], current["updated_at"], current["updated_by"])
        new_revision = current["revision"] + 1
        cur.execute("""
            INSERT INTO department_profiles (department_id, state_governance, accreditation, contact_visibility,
                                             contact_name, contact_email, share_stages, revision, updated_at, updated_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (department_id) DO UPDATE SET state_governance = excluded.state_governance,
                accreditation = excluded.accreditation, contact_visibility = excluded.contact_visibility,
                contact_name = excluded.contact_name, contact_email = excluded.contact_email,
                share_stages = excluded.share_stages, revision = excluded.revision,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
                    [dept_id, clean.state_governance, clean.accreditation, clean.contact_visibility, clean.contact_name,
                     clean.contact_email, clean.share_stages, new_revision, now, user.id])
        if clean.description != stored.description:
            cur.execute("UPDATE departments SET description = ? WHERE id = ?", [clean.description, dept_id])
        before, after = asdict(stored), asdict(clean)
        audit.record(cur, user, "department.profile_edited", "department", dept_id, now=now,
                     detail={FIELD_LABELS[f]: audit.change(before[f], after[f]) for f in before if before[f] != after[f]})
        # Not "department": nothing a lesson list or index shows depends on the profile.
        changes.record(cur, "department_profile", dept_id)
        return new_revision

    return db.write(work)


def validate(data: ProfileInput) -> ProfileInput:
    """A cleaned copy of `data`, or ProfileInvalid naming every wrong field by its label."""
    errors: dict[str, str] = {}
    values: dict = {}
    for name, limit, multiline in (("description", MAX_DESCRIPTION, True), ("contact_name", MAX_CONTACT_NAME, False)):
        try:
            values[name] = text.field(getattr(data, name), name, limit, multiline=multiline, label=FIELD_LABELS[name])
        except InvalidInput as exc:
            errors[name] = exc.errors[name]
    for name, allowed in (("state_governance", GOVERNANCE), ("accreditation", ACCREDITATION),
                          ("contact_visibility", CONTACT)):
        value = getattr(data, name)
        if value not in allowed:
            errors[name] = f"Choose one of: {', '.join(allowed.values())}."
        values[name] = value
    if not isinstance(data.share_stages, bool):
        errors["share_stages"] = "Choose yes or no."
    values["share_stages"] = bool(data.share_stages)
    email = data.contact_email
    values["contact_email"] = ""
    if email not in (None, "") and (not isinstance(email, str) or email.strip()):
        try:
            values["contact_email"] = check_email(email, "contact_email")
        except InvalidInput as exc:
            errors["contact_email"] = exc.errors["contact_email"]
    if data.contact_visibility in ("members", "public"):
        if not values.get("contact_name") and "contact_name" not in errors:
            errors["contact_name"] = "Give the name of the person (or team) to contact, or choose Nobody."
        if not values["contact_email"] and "contact_email" not in errors:
            errors["contact_email"] = "Give an e-mail address to reach the contact, or choose Nobody."
    if errors:
        raise ProfileInvalid(errors)
    return ProfileInput(**values)


def latest_stages(cur, dept_ids: list[int] | None = None) -> list[dict]:
    """Each department's latest self-assessed stage per practice at or above Exploring (no permission rule: callers apply it)."""
    only = "" if dept_ids is None else "WHERE department_id IN (SELECT unnest($ids::INTEGER[]))"
    return rows(cur, f"""
        WITH ranked AS (
            SELECT department_id, practice_id, stage, as_of,
                   row_number() OVER (PARTITION BY department_id, practice_id ORDER BY as_of DESC, recorded_at DESC, id DESC) AS n
            FROM assessments {only}),
        latest AS (SELECT department_id, practice_id, stage, as_of FROM ranked WHERE n = 1)
        SELECT l.department_id, l.practice_id, p.name AS practice, l.stage, st.name AS stage_name, l.as_of
        FROM latest l JOIN practices p ON p.id = l.practice_id JOIN adoption_stages st ON st.level = l.stage
        WHERE l.stage >= {WORKING} AND p.active
        ORDER BY l.department_id, l.stage DESC, p.position""", {} if dept_ids is None else {"ids": dept_ids})


# --- internals -------------------------------------------------------------------------

def _as_input(row: dict) -> ProfileInput:
    return ProfileInput(description=row["description"] or "", state_governance=row["state_governance"],
                        accreditation=row["accreditation"], share_stages=bool(row["share_stages"]),
                        contact_visibility=row["contact_visibility"], contact_name=row["contact_name"],
                        contact_email=row["contact_email"])


def _contact(user: User, dept: dict, own: bool) -> dict | None:
    """The contact this viewer may see ({name, email}), or None."""
    visibility = dept["contact_visibility"]
    shown = visibility == "public" or (visibility == "members" and user.signed_in) or (own and visibility != "nobody")
    if not shown or not dept["contact_email"]:
        return None
    return {"name": dept["contact_name"], "email": dept["contact_email"]}


def _stages(cur, user: User, dept: dict, rels: set[str]) -> tuple[list[dict] | None, str]:
    """(the practices the department works on with stages, or None when this viewer may not see them; a note)."""
    if dept["share_stages"]:
        note = "This department shares its self-assessed stages with peers."
    elif "own_department" in rels:
        note = "Only your department's members see these stages: peers see them only if you choose to share them."
    elif permissions.allowed(user, "assessment.read", rels):
        note = "This department does not share its stages with peers; you see them through your role."
    else:
        return None, "This department keeps its practice stages to itself; they count only in the exchange's totals."
    return latest_stages(cur, [dept["id"]]), note


def _attributed_lessons(cur, user: User, dept_id: int) -> tuple[list[int], int]:
    """(newest ids up to LESSONS_SHOWN, total) of the published lessons this viewer may read and see as the department's."""
    found = cur.execute(f"""
        WITH {lesson_facts(NARROW_LESSONS + ' WHERE department_id = $dept AND status = $published)')}
        SELECT id, count(*) OVER () FROM lesson_facts
        WHERE shown_department_id = $dept AND status = 'published' AND NOT hidden
              AND (visibility = 'public' OR $members)
        ORDER BY published_at DESC, id DESC LIMIT {LESSONS_SHOWN}""",
                        {"viewer_department": viewer_department(user), "dept": dept_id, "published": "published",
                         "members": permissions.allowed(user, "lesson.read", {"published"})}).fetchall()
    return [r[0] for r in found], (found[0][1] if found else 0)
