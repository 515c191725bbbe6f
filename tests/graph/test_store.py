from __future__ import annotations

import networkx as nx
import pytest

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.errors import UnknownEntity, UnknownRelation
from oversight_graph.graph.load import build_store
from oversight_graph.graph.model import Organization
from oversight_graph.graph.sample import entity_record, relation_record, sample_records, sample_store
from oversight_graph.graph.store import DuplicateKey


def test_version_changes_with_every_addition():
    store = sample_store()
    before = store.version
    org = Organization(key="org/new", name="New", description="d", category=store.entity("org/meta").category)
    store.add_entity(org)
    assert store.version == before + 1


def test_caches_are_dropped_when_the_graph_changes():
    store = sample_store()
    assert "org/new" not in store.keys_of_kind(Kind.ORGANIZATION)
    store.add_entity(
        Organization(key="org/new", name="New", description="d", category=store.entity("org/meta").category)
    )
    assert "org/new" in store.keys_of_kind(Kind.ORGANIZATION)


def test_duplicate_entity_is_refused():
    store = sample_store()
    with pytest.raises(DuplicateKey):
        store.add_entity(store.entity("org/meta"))


def test_relation_to_a_missing_entity_is_refused():
    store = sample_store()
    relation = store.relation("org/anthropic|DEVELOPED|model/fable-5")
    with pytest.raises(DuplicateKey):
        store.add_relation(relation)
    with pytest.raises(UnknownEntity):
        store.add_relation(
            type(relation)(**{**{f: getattr(relation, f) for f in relation.__slots__}, "object": "model/none"})
        )


def test_lookups_raise_clear_errors():
    store = sample_store()
    with pytest.raises(UnknownEntity, match="no entity with key 'org/none'"):
        store.entity("org/none")
    with pytest.raises(UnknownRelation):
        store.relation("org/meta|DEVELOPED|model/fable-5")
    with pytest.raises(UnknownRelation):
        store.relation("garbage")
    assert store.get("org/none") is None


def test_graph_view_is_read_only():
    view = sample_store().graph
    assert isinstance(view, nx.MultiDiGraph)
    with pytest.raises(nx.NetworkXError):
        view.add_node("org/sneaky")


def test_kind_listing_is_in_name_order():
    store = sample_store()
    names = [store.entity(k).name for k in store.keys_of_kind(Kind.ORGANIZATION)]
    assert names == sorted(names, key=str.lower)


def test_relations_of_a_hub_are_sorted_and_cached():
    records = sample_records()
    records += [entity_record("organization", f"org/c{i:03d}", f"C{i}", category="COMPANY") for i in range(100)]
    records += [relation_record("org/caisi", "OVERSEES", f"org/c{i:03d}") for i in range(100)]
    store = build_store(records)
    first = store.relations_of("org/caisi")
    assert [r.key for r in first] == sorted(r.key for r in first)
    assert store.relations_of("org/caisi") is first
