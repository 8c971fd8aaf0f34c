"""Deterministic demo data: real health departments, practitioner-style lessons, and three
years of quarterly practice self-assessments.

Everything is drawn from random.Random(seed) against a fixed clock (world.NOW), so one seed always
gives the same exchange (tests/test_demo.py holds digests of every table). Rows are built in
Python lists and bulk-inserted from DataFrames in a single transaction: a build is all or
nothing, and ids come from the tables' own sequences, so rows added after the build never collide.

Assessment history: one row per department x active practice x quarter (as_of = the last day
of each quarter, 2023-12-31 .. 2026-09-30), as a quarterly self-assessment records it even when
the stage is unchanged. The current stage at a date is the latest row with as_of <= that date,
which reads the same whether rows are saved every quarter or only on change.

The package, by concern:
    builder     build() and the named scales: generate everything, then commit it in one write
    accounts    the demo accounts that can sign in
    directory   departments (real ones, spread over the regions) and their members
    national    synthetic departments beyond the real list (the national scale)
    lessons     which lessons are written, by whom, when, with which tags
    writing     text assembly: slots, rendering, fitting a field's limit
    neutral     anonymous lessons carry no clue to their department
    history     quarterly self-assessments (adoption history)
    bulk        ids from the sequences and the bulk insert
    world       the fixed clock and the diffusion dials
    corpus      the text and place data, loaded from data/*.toml
    conversations  questions, answers and endorsements on the lessons just written (issue 11)
"""

from __future__ import annotations

from exchange.demo import corpus, neutral
from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.demo.builder import SCALES, build, build_sized
from exchange.demo.world import NOW, QUARTER_ENDS

_build = build_sized  # the name tests and older callers use for a build of any size

__all__ = ["DEMO_ACCOUNTS", "NOW", "QUARTER_ENDS", "SCALES", "build", "build_sized", "corpus", "neutral"]
