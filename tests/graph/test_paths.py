from __future__ import annotations

import json
import random

import pytest

from bench.generate import generate
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.errors import InvalidArgument, UnknownEntity
from oversight_graph.graph.load import build_store, load_directory
from oversight_graph.graph.paths import neighborhood, shortest_path
from oversight_graph.graph.queries import holds_at
from oversight_graph.graph.sample import entity_record, relation_record, sample_records, sample_store
from oversight_graph.graph.vocabulary import RelationType


def chain(n: int):
    """org/n0 -OVERSEES-> org/n1 -> ... -> org/n{n-1}."""
    records = sample_records()[:1]
    records += [entity_record("organization", f"org/n{i}", f"N{i}", category="OTHER") for i in range(n)]
    records += [relation_record(f"org/n{i}", "OVERSEES", f"org/n{i + 1}") for i in range(n - 1)]
    return build_store(records)


def test_path_is_a_real_chain_from_source_to_target():
    store = sample_store()
    path = shortest_path(store, "org/amazon", "org/anthropic")
    assert path is not None
    assert path.entities[0].key == "org/amazon" and path.entities[-1].key == "org/anthropic"
    for left, relation, right in zip(path.entities, path.relations, path.entities[1:], strict=False):
        assert {relation.subject, relation.object} == {left.key, right.key}
    assert path.length == 3


def test_path_respects_max_length():
    store = chain(8)
    assert shortest_path(store, "org/n0", "org/n7", max_length=7).length == 7
    assert shortest_path(store, "org/n0", "org/n7", max_length=6) is None


def test_path_finds_the_shortest_of_several():
    store = chain(6)
    store.add_relation(
        type(store.relation("org/n0|OVERSEES|org/n1"))(
            type=RelationType.LEADS,
            subject="org/n0",
            object="org/n4",
            citations=store.relation("org/n0|OVERSEES|org/n1").citations,
        )
    )
    assert [e.key for e in shortest_path(store, "org/n0", "org/n5").entities] == ["org/n0", "org/n4", "org/n5"]


def test_path_can_be_limited_to_types():
    store = sample_store()
    assert shortest_path(store, "org/amazon", "org/anthropic", types=[RelationType.DEVELOPED]) is None


def test_path_as_of_excludes_relations_not_yet_holding():
    store = sample_store()
    early = PartialDate.parse("2026-01")
    assert shortest_path(store, "person/donald-trump", "order/ai-review-order", as_of=early) is None
    assert shortest_path(store, "person/donald-trump", "order/ai-review-order").length == 1


def test_path_to_itself_and_errors():
    store = sample_store()
    assert shortest_path(store, "org/meta", "org/meta").length == 0
    with pytest.raises(UnknownEntity):
        shortest_path(store, "org/meta", "org/none")
    with pytest.raises(InvalidArgument):
        shortest_path(store, "org/meta", "org/caisi", max_length=-1)


def test_neighborhood_rings_grow_with_depth():
    store = chain(6)
    sizes = [len(neighborhood(store, "org/n0", depth=d).entities) for d in range(5)]
    assert sizes == [1, 2, 3, 4, 5]
    sub = neighborhood(store, "org/n2", depth=1)
    assert sorted(e.key for e in sub.entities) == ["org/n1", "org/n2", "org/n3"]
    assert [r.key for r in sub.relations] == ["org/n1|OVERSEES|org/n2", "org/n2|OVERSEES|org/n3"]


def test_neighborhood_is_capped_and_says_so():
    store = chain(10)
    sub = neighborhood(store, "org/n0", depth=9, limit=4)
    assert len(sub.entities) == 4 and sub.truncated
    assert not neighborhood(store, "org/n0", depth=9, limit=100).truncated


def test_neighborhood_relations_only_join_included_entities():
    store = sample_store()
    sub = neighborhood(store, "model/fable-5", depth=1)
    included = {e.key for e in sub.entities}
    assert all(r.subject in included and r.object in included for r in sub.relations)


def _walked_plainly(store, key, depth, types, as_of, limit):
    """The neighbourhood by its definition, slowly: every relation of every included entity."""

    def usable(rel):
        return (types is None or rel.type in types) and (as_of is None or holds_at(rel, as_of))

    order, seen, ring, truncated = [key], {key}, [key], False
    for _ in range(depth):
        following = []
        for current in ring:
            for rel in store.relations_of(current):
                other = rel.other(current)
                if not usable(rel) or other in seen:
                    continue
                if len(seen) >= limit:
                    truncated = True
                    break
                seen.add(other)
                order.append(other)
                following.append(other)
            if truncated:
                break
        ring = following
        if truncated or not ring:
            break
    found = {r.key: r for k in order for r in store.relations_of(k) if usable(r) and r.other(k) in seen}
    return order, sorted(found), truncated


def test_neighborhood_on_a_generated_graph_is_the_plain_walk(tmp_path):
    generate(3000, tmp_path)
    store = load_directory(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    rng = random.Random(7)
    centres = [summary["hub"], "org/caisi", *rng.sample(sorted(e.key for e in store.entities()), 40)]
    cases = [(c, 2, None, None, 500) for c in centres]
    cases += [(c, 3, None, None, rng.choice([1, 2, 30, 200])) for c in centres[:15]]
    types = frozenset({RelationType.DEVELOPED, RelationType.PARTY_TO, RelationType.SUBMITTED_TO, RelationType.PART_OF})
    cases += [(c, 2, types, None, 500) for c in centres[:15]]
    cases += [(c, 2, None, PartialDate.parse("2025-03"), 100) for c in centres[:15]]
    for centre, depth, wanted, as_of, limit in cases:
        sub = neighborhood(store, centre, depth, wanted, as_of, limit)
        order, relations, truncated = _walked_plainly(store, centre, depth, wanted, as_of, limit)
        assert [e.key for e in sub.entities] == order
        assert [r.key for r in sub.relations] == relations
        assert sub.truncated == truncated
