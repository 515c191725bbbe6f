"""GraphML: networkx reads it back with every node, every edge and scalar attributes."""

from __future__ import annotations

import io
import json

import networkx as nx

from oversight_graph.exports import FORMATS, Snapshot


def read_back(snapshot: Snapshot) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(b"".join(FORMATS["graphml"].stream(snapshot))), force_multigraph=True)


def test_networkx_reads_every_node_and_edge(any_store):
    graph = read_back(Snapshot.of(any_store))
    assert graph.is_directed() and graph.is_multigraph()
    assert graph.number_of_nodes() == len(any_store)
    assert graph.number_of_edges() == any_store.relation_count
    keys = {key for _s, _o, key in graph.edges(keys=True)}
    assert keys == {r.key for r in any_store.relations()}


def test_attributes_are_scalars_holding_the_facts(seed_snapshot, seed_store):
    graph = read_back(seed_snapshot)
    meta = graph.nodes["org/meta"]
    assert meta["name"] == "Meta" and meta["kind"] == "ORGANIZATION" and meta["wikidata_id"] == "Q380"
    assert meta["major_ai_developer"] is True
    for _key, attributes in graph.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in attributes.values())
    signed = seed_store.relation("person/donald-trump|SIGNED|order/ai-model-review-order|2026-06-02")
    edge = graph.edges["person/donald-trump", "order/ai-model-review-order", signed.key]
    assert edge["type"] == "SIGNED" and edge["valid_from"] == "2026-06-02" and edge["valid_from_inferred"] == "year"
    assert [c["paragraph"] for c in json.loads(edge["citations"])] == [c.paragraph for c in signed.citations]
