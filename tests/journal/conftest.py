"""Fixtures for the write path: a fresh journal per test, started from the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight_graph.journal.changes import Actor, Role
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.startup import start_model
from oversight_graph.journal.writer import Writer

SEED = Path(__file__).resolve().parents[2] / "seed"
EDITOR = Actor("ana", Role.EDITOR)
ADMIN = Actor("root", Role.ADMIN)
READER = Actor("rita", Role.READER)
DOC = "doc/nyt-meta-ai-reviews"


def citation(paragraph: int = 3, claim: str = "A claim in the editors' words.") -> dict:
    """A valid citation record of the seed's document."""
    return {
        "document": DOC,
        "paragraph": paragraph,
        "claim": claim,
        "confidence": "REPORTED",
        "attribution": {"kind": "REPORTING"},
    }


@pytest.fixture
def journal(tmp_path: Path):
    opened = SQLiteJournal(tmp_path / "journal.db")
    yield opened
    opened.close()


@pytest.fixture
def writer(journal) -> Writer:
    return Writer(journal, start_model(journal, SEED))
