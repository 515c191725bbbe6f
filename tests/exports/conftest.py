"""Fixtures for the export tests: the seed and a small generated graph, each with its snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import MIN_ENTITIES, generate
from oversight_graph.exports import Snapshot
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.store import GraphStore


@pytest.fixture(scope="session")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The smallest generated benchmark graph: every kind, relation type, qualifier and attribution."""
    out: Path = tmp_path_factory.mktemp("generated") / "graph"
    generate(MIN_ENTITIES, out, workers=1)
    return load_directory(out)


@pytest.fixture(scope="session", params=["seed", "generated"])
def any_store(request: pytest.FixtureRequest, seed_store: GraphStore) -> GraphStore:
    """The seed, then the generated graph."""
    return seed_store if request.param == "seed" else request.getfixturevalue("generated_store")


@pytest.fixture(scope="session")
def seed_snapshot(seed_store: GraphStore) -> Snapshot:
    return Snapshot.of(seed_store)
