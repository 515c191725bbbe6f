"""The Oversight Graph knowledge graph: model, store, loader and queries.

This package knows nothing of GraphQL or HTTP. It imports only the
standard library, networkx, orjson (the bulk seed parser) and rapidfuzz
(typo-tolerant search, :mod:`graph.fuzzy`).

Typical use::

    from graph.load import load_directory
    from graph import queries

    store = load_directory("seed")
    queries.companies_without_agreement(store)
"""

from __future__ import annotations

from graph.dates import PartialDate
from graph.errors import OversightError, ValidationFailed
from graph.load import load_directory
from graph.store import GraphStore

__all__ = ["GraphStore", "OversightError", "PartialDate", "ValidationFailed", "load_directory"]
