"""Fixtures shared by every test package.

The seed store is expensive enough to load once per session; tests must
not change it (the store has no public removal, and tests only read).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oversight_graph.graph.load import load_directory
from oversight_graph.graph.store import GraphStore

SEED = Path(__file__).resolve().parent.parent / "seed"


@pytest.fixture(scope="session")
def seed_store() -> GraphStore:
    """The bundled seed, loaded once."""
    return load_directory(SEED)


@pytest.fixture(autouse=True)
def _journal_elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers a test starts keep their journal in a fresh temporary folder, never in the working directory."""
    monkeypatch.setenv("OVERSIGHT_DB", str(tmp_path_factory.mktemp("journal") / "graph.db"))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of the local server, dropped after the test."""
    from tests.postgres import fresh_database

    with fresh_database() as url:
        yield url
