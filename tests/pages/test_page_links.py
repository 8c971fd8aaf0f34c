"""Lesson cards link through the registered st.Page (exchange/ui/links.py): same address, no per-link path lookups."""

from __future__ import annotations

import os


from exchange.ui import links


def test_cards_link_to_the_lesson_page_by_its_address_and_id(pages):
    at = pages.open("home")
    cards = [link.proto for link in at.get("page_link") if "id=" in (link.proto.query_string or "")]
    assert len(cards) >= 10
    assert {card.page for card in cards} == {"lesson"}
    assert len({card.page_script_hash for card in cards}) == 1 and cards[0].page_script_hash


def test_a_path_is_resolved_once_not_on_every_link(pages, monkeypatch):
    pages.open("home")  # resolved (and kept) on the first run
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    at = pages.open("home")
    cards = [link for link in at.get("page_link") if "id=" in (link.proto.query_string or "")]
    resolved = [p for p in calls if str(p).endswith("lesson.py")]
    # Navigation still builds its st.Page("pages/lesson.py") on each of the two runs; the cards add nothing
    # (st.page_link given the path resolved it once per card: 20 or more here).
    assert len(cards) >= 10 and len(resolved) <= 4


def test_anything_but_a_registered_script_path_is_left_to_streamlit():
    assert links.page("https://example.org/x") == "https://example.org/x"
    assert links.page("pages/lesson.py") == "pages/lesson.py"  # outside a script run: as given

