"""Plain values shared across the package: the acting user and the fixed vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("visitor", "member", "coordinator", "admin")
ROLE_LABELS = {"visitor": "Visitor", "member": "Member", "coordinator": "Regional coordinator", "admin": "Administrator"}

KINDS = ("success", "challenge", "mixed")
KIND_LABELS = {"success": "Success", "challenge": "Challenge", "mixed": "Mixed"}

STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn")
VISIBILITIES = ("public", "members")

JURISDICTION_TYPES = ("county", "city", "city-county", "multi-county district", "state", "tribal", "territorial")
POPULATION_BANDS = ("small", "medium", "large")
POPULATION_BAND_LABELS = {
    "small": "Small (< 50,000)",
    "medium": "Medium (50,000–499,999)",
    "large": "Large (≥ 500,000)",
}
URBAN_RURAL_LEVELS = (
    "large central metro",
    "large fringe metro",
    "medium metro",
    "small metro",
    "micropolitan",
    "noncore",
)
HHS_REGIONS = tuple(range(1, 11))


def population_band(population: int) -> str:
    """The size band of a population served (BRIEF.md: small < 50k, medium < 500k, large)."""
    if population < 50_000:
        return "small"
    if population < 500_000:
        return "medium"
    return "large"


@dataclass(frozen=True)
class User:
    """Who is acting. Services take one and check it against the object they touch."""

    id: int | None
    email: str
    display_name: str
    role: str
    department_id: int | None = None
    regions: tuple[int, ...] = field(default_factory=tuple)

    @property
    def signed_in(self) -> bool:
        """True for any account; False for a visitor."""
        return self.id is not None and self.role != "visitor"

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return self.role == "admin"


VISITOR = User(id=None, email="", display_name="Visitor", role="visitor")
