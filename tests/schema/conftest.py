"""Fixtures for the GraphQL schema tests.

Every test runs a document in-process through ``schema.execute_sync`` with a
:class:`schema.Context` around a store: the session-wide seed store (never
changed) or a tiny hand-built one. Results come back as ``(data, errors)``
with the errors as their ``formatted`` dicts, i.e. exactly what a client
would see in the ``errors`` list of a response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oversight_graph.graph.load import build_store
from oversight_graph.graph.sample import SAMPLE_DOCUMENT, entity_record
from oversight_graph.graph.store import GraphStore
from oversight_graph.schema import Context, schema
from oversight_graph.schema.context import Limits

Execute = Callable[..., tuple[Any, list[dict[str, Any]]]]


def run(
    store: GraphStore,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    limits: Limits | None = None,
    request_id: str | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Execute ``query`` against ``store``; return ``(data, formatted errors)``."""
    context = Context(store=store, limits=limits or Limits())
    if request_id is not None:
        context.request_id = request_id
    result = schema.execute_sync(query, variable_values=variables, context_value=context)
    return result.data, [error.formatted for error in result.errors or []]


@pytest.fixture()
def execute(seed_store: GraphStore) -> Execute:
    """Run a document against the seed (or ``store=``); return ``(data, errors)``."""

    def execute(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        store: GraphStore | None = None,
        limits: Limits | None = None,
        request_id: str | None = None,
    ) -> tuple[Any, list[dict[str, Any]]]:
        return run(store or seed_store, query, variables, limits=limits, request_id=request_id)

    return execute


@pytest.fixture()
def ok(execute: Execute) -> Callable[..., Any]:
    """Like ``execute``, but assert there is no error and return the data alone."""

    def ok(query: str, variables: dict[str, Any] | None = None, **options: Any) -> Any:
        data, errors = execute(query, variables, **options)
        assert errors == [], errors
        return data

    return ok


@pytest.fixture()
def tiny() -> Callable[..., GraphStore]:
    """Build a store from the sample document plus the given raw records."""

    def tiny(*records: Any, paragraphs: int = 5) -> GraphStore:
        document = entity_record(
            "document", SAMPLE_DOCUMENT, "Sample article", title="Sample article", paragraphs=paragraphs
        )
        return build_store([document, *records])

    return tiny
