"""Fixtures for the write path: a fresh journal per test, started from the seed.

The ``journal`` fixture is parametrized over both implementations, so every
test written against the interface runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor, Role
from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.postgres import PostgresJournal
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


@pytest.fixture(params=["sqlite", "postgres"])
def open_journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Journal]]:
    """Opens the test's journal (again, each call: as a restarted server or another replica would)."""
    opened: list[Journal] = []
    if request.param == "sqlite":

        def connect() -> Journal:
            opened.append(SQLiteJournal(tmp_path / "journal.db"))
            return opened[-1]

        yield connect
    else:
        url = request.getfixturevalue("postgres_url")

        def connect() -> Journal:
            opened.append(PostgresJournal(url, tmp_path / "snapshots"))
            return opened[-1]

        yield connect
    for journal in opened:
        journal.close()


@pytest.fixture
def journal(open_journal: Callable[[], Journal]) -> Journal:
    return open_journal()


@pytest.fixture
def writer(journal) -> Writer:
    return Writer(journal, start_model(journal, SEED))


def add_lab(writer: Writer, number: int) -> None:
    """One change set creating the organization ``org/lab-<number>``, as an editor."""
    record = {
        "key": f"org/lab-{number}",
        "name": f"Lab {number}",
        "description": "A lab.",
        "category": "COMPANY",
        "citation": [citation()],
    }
    writer.submit(EDITOR, f"lab {number}", [EditRequest("createEntity", {"record": record})])
