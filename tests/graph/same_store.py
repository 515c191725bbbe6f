"""One assertion shared by the snapshot tests: two stores hold the same graph, down to the orders of its dicts."""

from __future__ import annotations

import itertools
from typing import Any

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.model import Attribution, Citation, Qualifiers
from oversight_graph.graph.paths import neighborhood, shortest_path
from oversight_graph.graph.queries import search, stats
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.timeline import timeline
from oversight_graph.graph.vocabulary import RelationType


def _adjacency(adjacency: dict[str, dict[str, dict[Any, Any]]]) -> list[Any]:
    return [
        (key, [(other, list(keyed.items())) for other, keyed in targets.items()]) for key, targets in adjacency.items()
    ]


def _value_types(record: Any) -> None:
    """Citations are Citations (a plain tuple would compare equal), and so on down."""
    for citation in record.citations:
        assert type(citation) is Citation and type(citation.attribution) is Attribution
    qualifiers = getattr(record, "qualifiers", None)
    assert qualifiers is None or type(qualifiers) is Qualifiers
    for name in ("valid_from", "valid_to", "release_date", "date_signed", "occurred", "published", "ended"):
        value = getattr(record, name, None)
        assert value is None or type(value) is PartialDate


def assert_same_store(expected: GraphStore, found: GraphStore) -> None:
    """``found`` holds ``expected``'s graph: records (values and classes), adjacency, indexes, orders and version.

    Dict orders are compared too: whatever a query walks, it walks in the same order.
    """
    assert found.version == expected.version
    assert [(type(e), e) for e in found.entities()] == [(type(e), e) for e in expected.entities()]
    assert _adjacency(found._succ) == _adjacency(expected._succ)
    assert _adjacency(found._pred) == _adjacency(expected._pred)
    for subject, targets in found._succ.items():
        for other, keyed in targets.items():
            assert found._pred[other][subject] is keyed  # one key dict per pair, as networkx keeps it
            for relation in keyed.values():
                _value_types(relation)
                assert relation.subject is subject  # keys are shared, not copied
    for entity in found.entities():
        _value_types(entity)
    assert list(found.redirects.items()) == list(expected.redirects.items())
    for kind in Kind:
        assert list(found.entities(kind)) == list(expected.entities(kind))
        assert found.keys_of_kind(kind) == expected.keys_of_kind(kind)
    assert {t: found.count_type(t) for t in RelationType} == {t: expected.count_type(t) for t in RelationType}
    assert list(found.names._words.items()) == list(expected.names._words.items())
    assert found.names.vocabulary() == expected.names.vocabulary()
    assert len(found.names) == len(expected.names)
    assert found.major_ai_developers() == expected.major_ai_developers()


def assert_same_answers(expected: GraphStore, found: GraphStore, keys: list[str]) -> None:
    """The graph's queries answer the same on both stores, for a few entities ``keys``."""
    assert stats(found) == stats(expected)
    for key in keys:
        name = expected.entity(key).name
        assert search(found, name) == search(expected, name)
        assert found.relations_of(key) == expected.relations_of(key)
        assert neighborhood(found, key, depth=2) == neighborhood(expected, key, depth=2)
        assert timeline(found, key) == timeline(expected, key)
    for source, target in itertools.pairwise(keys):
        assert shortest_path(found, source, target) == shortest_path(expected, source, target)
    assert timeline(found, limit=200) == timeline(expected, limit=200)
