"""The peer database answers what the graph answers (bench.peer's SQL, on real PostgreSQL)."""

from __future__ import annotations

import json
import random
import uuid

import pytest

from bench.generate import generate
from bench.peer.database import Database, stamp_of
from bench.peer.queries import pools
from oversight_graph.graph import paths, queries
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.store import GraphStore


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[GraphStore, Database]:
    directory = tmp_path_factory.mktemp("peer")
    generate(1500, directory)
    store = load_directory(directory)
    database = Database(f"test_peer_{uuid.uuid4().hex[:12]}")
    database.load(store, stamp_of(directory))
    yield store, database
    database.drop()


def _json(database: Database, sql: str) -> object:
    return json.loads(database.psql(sql))


def test_the_load_keeps_every_record_and_stamps_the_dataset(loaded: tuple[GraphStore, Database]) -> None:
    store, database = loaded
    counts = database.psql(
        "select (select count(*) from peer.entities) || ' ' || (select count(*) from peer.relations)"
    )
    assert counts == f"{len(store)} {store.relation_count}"
    citations = sum(len(r.citations) for r in store.relations())
    assert database.psql("select count(*) from peer.citations") == str(citations)
    assert database.stamp() is not None


def test_an_entitys_relations_come_in_key_order_both_ways(loaded: tuple[GraphStore, Database]) -> None:
    store, database = loaded
    for key in random.Random(1).sample(sorted(e.key for e in store.entities()), 20):
        found = _json(
            database,
            f"select coalesce(json_agg(r.key), '[]') from peer.entities e, peer.entities_relations(e) r "
            f"where e.key = '{key}'",
        )
        assert found == [r.key for r in store.relations_of(key)]


def test_the_neighbourhood_walk_matches_the_graphs(loaded: tuple[GraphStore, Database]) -> None:
    store, database = loaded
    keys = random.Random(2).sample(sorted(e.key for e in store.entities()), 15)
    for key, cap in [(k, 500) for k in keys] + [(keys[0], 7), ("org/caisi", 40), ("org/caisi", 500)]:
        row = _json(database, f"select row_to_json(n) from peer.neighborhood('{key}', 2, {cap}) n")
        expected = paths.neighborhood(store, key, 2, limit=cap)
        assert isinstance(row, dict)
        assert row["truncated"] == expected.truncated
        assert [e["key"] for e in row["entities"]] == [e.key for e in expected.entities]
        assert [r["key"] for r in row["relations"]] == [r.key for r in expected.relations]


def test_search_ranks_as_the_graph_does(loaded: tuple[GraphStore, Database]) -> None:
    store, database = loaded
    words = pools(store, 30)["search"]
    assert words
    for word in words:
        rows = _json(database, f"select json_agg(row_to_json(h)) from peer.search_entities('{word}') h")
        assert isinstance(rows, list)
        hits = queries.search(store, word, limit=10)
        assert [(h["key"], h["score"], h["matched"]) for h in rows[:10]] == [
            (h.entity.key, h.score, h.matched) for h in hits
        ]
