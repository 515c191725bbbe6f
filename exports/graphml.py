"""GraphML through networkx: entities as nodes, relations as edges, scalar attributes only.

GraphML attributes must be strings, numbers or booleans, so every value is
flattened the way the CSV tables flatten it (:mod:`exports.tables`): dates
as ISO text with a ``<name>_inferred`` attribute, lists (aliases, inferred
fields) and citations as JSON text, absent values left out. Edges are keyed
by relation key, so parallel relations of different types or dates stay
apart and read back as a ``MultiDiGraph``.

networkx writes GraphML from a graph it holds, so this builds a
``MultiDiGraph`` of the flattened attributes (strings and numbers, no
records) and streams its lines out as networkx generates them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import networkx as nx

from oversight_graph.exports.snapshot import Snapshot
from oversight_graph.exports.tables import entity_row, relation_row
from oversight_graph.graph.serialize import citation_record

__all__ = ["graphml_stream", "to_networkx"]


def _attributes(row: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in drop or value == "":
            continue
        if value in ("true", "false") and name == "major_ai_developer":
            value = value == "true"
        out[name] = value
    return out


def to_networkx(snapshot: Snapshot) -> nx.MultiDiGraph[str]:
    """The snapshot as a MultiDiGraph with GraphML-legal attributes only."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name="Oversight Graph", version=snapshot.version)
    for entity in snapshot.entities:
        attributes = _attributes(entity_row(entity), ("key",))
        attributes["citations"] = json.dumps([citation_record(c) for c in entity.citations], ensure_ascii=False)
        graph.add_node(entity.key, **attributes)
    for relation in snapshot.relations:
        attributes = _attributes(relation_row(relation), ("key", "subject", "object"))
        attributes["citations"] = json.dumps([citation_record(c) for c in relation.citations], ensure_ascii=False)
        graph.add_edge(relation.subject, relation.object, key=relation.key, **attributes)
    return graph


def graphml_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as GraphML (``application/graphml+xml``)."""
    yield b'<?xml version="1.0" encoding="utf-8"?>\n'
    for line in nx.generate_graphml(to_networkx(snapshot), named_key_ids=True, edge_id_from_attribute=None):
        yield line.encode("utf-8") + b"\n"
