"""State governance as the dashboard breaks it down: the kinds of exchange.peers.profiles, and "Not recorded".

A department's governance is its profile's own choice, else its state's (migration 0009), else none:
those departments are counted under "Not recorded" rather than dropped, so the breakdown's rows add up
to the view. The codes are the profiles' (tests/test_adoption_governance.py keeps the two lists equal);
they are repeated here because exchange.peers imports this package's suppression rules.
"""

from __future__ import annotations

NOT_RECORDED = "not_recorded"
LABELS = {"centralized": "Centralized", "decentralized": "Decentralized", "mixed": "Mixed", "shared": "Shared",
          NOT_RECORDED: "Not recorded"}
LEVELS = tuple(LABELS)  # the filter's choices and the breakdown's order


def label(code: str) -> str:
    """A governance code in words ("Not recorded" for anything unknown)."""
    return LABELS.get(code, LABELS[NOT_RECORDED])
