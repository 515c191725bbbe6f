"""Fixtures shared by every test package.

The seed store is expensive enough to load once per session; tests must
not change it (the store has no public removal, and tests only read).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.load import load_directory
from graph.store import GraphStore

SEED = Path(__file__).resolve().parent.parent / "seed"


@pytest.fixture(scope="session")
def seed_store() -> GraphStore:
    """The bundled seed, loaded once."""
    return load_directory(SEED)
