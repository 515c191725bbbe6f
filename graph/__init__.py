"""The Oversight Graph knowledge graph: model, store, loader and queries.

This package knows nothing of GraphQL or HTTP. It imports only the
standard library, networkx, orjson (the bulk seed parser) and rapidfuzz
(typo-tolerant search, :mod:`graph.fuzzy`).

Typical use::

    from oversight_graph.graph.load import load_directory
    from oversight_graph.graph import queries

    store = load_directory("seed")
    queries.companies_without_agreement(store)
"""

from __future__ import annotations

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.errors import OversightError, ValidationFailed
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.store import GraphStore

__all__ = ["GraphStore", "OversightError", "PartialDate", "ValidationFailed", "load_directory"]
