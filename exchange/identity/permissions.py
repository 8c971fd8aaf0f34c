"""Who may do what: one readable table, consulted by every service for the specific object.

A rule is (role, action, relation). The service computes the relations the acting user
has to the object (e.g. "own_department", "published") and the action is allowed when
any of them appears in the table for the user's role. Pages only show or hide controls.
"""

from __future__ import annotations

from typing import Callable, Iterable

from exchange.errors import Forbidden, NotFound
from exchange.models import User

# relation "any" is always present.
_MEMBER = [
    ("lesson.read", "published"),
    ("lesson.read", "own_department"),
    ("lesson.create", "has_department"),
    ("lesson.edit", "own_department"),
    ("lesson.submit", "own_department"),
    ("lesson.withdraw", "own_department"),
    ("lesson.report", "published"),
    ("lesson.list_mine", "has_department"),
    ("assessment.read", "own_department"),
    ("assessment.write", "own_department"),
    ("account.read", "self"),
    ("account.change_password", "self"),
    ("account.api_tokens", "self"),
    ("department.edit", "own_department"),  # its profile (issue 11); administrators edit any by the wildcard
    ("lesson.confirm", "own_department"),  # "still current" / historical: the posting department's own word
]
_COORDINATOR = _MEMBER + [
    ("lesson.read", "in_my_region"),
    ("lesson.review", "in_my_region"),
    ("lesson.review_queue", "any"),
    ("dashboard.view", "any"),
    ("assessment.read", "any"),
]

RULES: dict[str, set[tuple[str, str]]] = {
    "visitor": {
        ("lesson.read", "published_public"),
    },
    "member": set(_MEMBER),
    "coordinator": set(_COORDINATOR),
    # Administrators may do everything (the wildcard) except the actions in NOT_BY_WILDCARD,
    # which they hold only on the relations listed here.
    "admin": {("*", "any"), ("lesson.create", "has_department"), ("lesson.review", "other_department"),
              ("lesson.confirm", "own_department")},
}
# Actions the wildcard does not grant: one needs a department to post for; nobody reviews their own department;
# only the posting department says its lesson is still current.
NOT_BY_WILDCARD = {"lesson.create", "lesson.review", "lesson.confirm"}

# Every action some service asks about: the table's, and those only the wildcard grants (tests check both ways).
ACTIONS = sorted({a for rules in RULES.values() for a, _ in rules if a != "*"} | {
    "lesson.reveal_department", "users.manage", "taxonomy.edit", "audit.read", "data.import",
    "backups.manage", "data.export",
})
# Every relation a rule may name: "any" is always present, "self" is given by account services for one's own account.
RELATIONS = frozenset({"any", "self", "has_department", "own_department", "other_department", "published",
                       "published_public", "in_my_region"})

# Tests register observers to prove each service consulted the table.
observers: list[Callable[[User, str, frozenset[str], bool], None]] = []


def allowed(user: User, action: str, relations: Iterable[str] = ()) -> bool:
    """True when the user's role has `action` for any of the given relations (plus "any")."""
    rels = frozenset(relations) | {"any"}
    rules = RULES.get(user.role, set())
    decision = (("*", "any") in rules and action not in NOT_BY_WILDCARD) or any((action, rel) in rules for rel in rels)
    for observe in observers:
        observe(user, action, rels, decision)
    return decision


def require(user: User, action: str, relations: Iterable[str] = (), *, hide: bool = False) -> None:
    """Raise Forbidden (or NotFound when `hide`, so existence is not revealed) unless allowed."""
    if allowed(user, action, relations):
        return
    if hide:
        raise NotFound("That item does not exist or you do not have access to it.")
    if not user.signed_in:
        raise Forbidden("Please sign in to do that.")
    raise Forbidden("Your account is not allowed to do that.")


def lesson_relations(user: User, lesson: dict) -> set[str]:
    """The relations `user` has to a lesson row (needs status, visibility, hidden, department_id, hhs_region)."""
    rels = set()
    published = lesson["status"] == "published" and not lesson.get("hidden")
    if published:
        rels.add("published")
        if lesson["visibility"] == "public":
            rels.add("published_public")
    if user.department_id is not None and user.department_id == lesson["department_id"]:
        rels.add("own_department")
    else:
        rels.add("other_department")
    # A coordinator's region covers lessons that reached review (submitted, decided, hidden after
    # reports) — never a department's drafts or the lessons it withdrew.
    reached_review = lesson["status"] in ("submitted", "rejected", "published")
    # ... and never their own department's lessons: a coordinator cannot publish what their department wrote.
    if user.role == "coordinator" and reached_review and lesson.get("hhs_region") in user.regions \
            and "other_department" in rels:
        rels.add("in_my_region")
    return rels


def user_relations(user: User) -> set[str]:
    """Relations that depend only on the user (for actions on no particular object)."""
    rels = set()
    if user.department_id is not None:
        rels.add("has_department")
    return rels


def department_relations(user: User, department_id: int) -> set[str]:
    """Relations of `user` to a department."""
    rels = user_relations(user)
    if user.department_id is not None and user.department_id == department_id:
        rels.add("own_department")
    return rels
