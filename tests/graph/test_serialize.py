"""Every seed entity and relation survives model → record → model unchanged."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from oversight_graph.graph.load import load_directory
from oversight_graph.graph.records import Source, parse_entity, parse_relation
from oversight_graph.graph.serialize import entity_record, relation_record
from oversight_graph.graph.store import GraphStore

SEED = Path(__file__).resolve().parents[2] / "seed"


@pytest.fixture(scope="module")
def seed() -> GraphStore:
    return load_directory(SEED)


def test_every_entity_round_trips(seed: GraphStore) -> None:
    for entity in seed.entities():
        # Through JSON, as the journal stores it.
        record = orjson.loads(orjson.dumps(entity_record(entity)))
        problems: list = []
        again = parse_entity(entity.kind, record, Source("test", entity.key), problems)
        assert problems == []
        assert again.entity == entity


def test_every_relation_round_trips(seed: GraphStore) -> None:
    relations = list(seed.relations())
    assert relations
    for relation in relations:
        record = orjson.loads(orjson.dumps(relation_record(relation)))
        problems: list = []
        again = parse_relation(record, Source("test", relation.key), problems)
        assert problems == []
        assert again.relation == relation
