"""The executor's fragment cache: a graph record's answer under one selection, serialized once per graph version."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.writer import Writer
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.engine import CacheSizes, Engine
from oversight_graph.server.app import open_writer
from oversight_graph.server.settings import Settings
from tests.journal.conftest import EDITOR

SEED = Path(__file__).resolve().parents[2] / "seed"
SCHEMA = build_schema()


def _engine() -> Engine:
    return Engine(SCHEMA, caches=CacheSizes(responses=0))  # no whole-response cache: every answer is executed


def _data(engine: Engine, context: Context, query: str, variables: dict | None = None) -> dict:
    body = orjson.loads(engine.run(query, context, variables).body)
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture()
def writer(tmp_path: Path):
    opened = open_writer(Settings(data=SEED, db=tmp_path / "graph.db"))
    yield opened
    opened.journal.close()


def _describe(writer: Writer, key: str, text: str) -> None:
    writer.submit(EDITOR, "test", [EditRequest("updateEntity", {"key": key, "set": {"description": text}})])


PAGE = "{ organizations(first: 5) { edges { node { key description relations(first: 3) { edges { node { key type citations { claim } } } } } } } }"


def test_records_are_answered_from_fragments_the_same_as_without(seed_store) -> None:
    engine = _engine()
    context = Context(store=seed_store)
    first = _data(engine, context, PAGE)
    # The plan is kept from the document's second sight, a record's fragment from its second
    # sight under the kept plan: the third run makes them, the fourth uses them.
    assert _data(engine, context, PAGE) == first
    assert _data(engine, context, PAGE) == first
    assert engine.executor.fragments.hits == 0
    # One per organization; the relations under them are in those fragments and get none of their own.
    assert len(engine.executor.fragments) == 5
    assert _data(engine, context, PAGE) == first
    assert engine.executor.fragments.hits == 5
    # The same answers as without fragments.
    off = Engine(SCHEMA, caches=CacheSizes(responses=0))
    off.executor.fragments.max_entries = 0
    assert _data(off, context, PAGE) == first and len(off.executor.fragments) == 0


def test_a_change_set_is_seen_at_once(writer: Writer) -> None:
    engine = _engine()
    context = Context(store=writer.model.store, writer=writer)
    query = '{ entity(key: "org/meta") { key description } }'
    assert _data(engine, context, query)["entity"]["description"] != "Changed for the test."
    _describe(writer, "org/meta", "Changed for the test.")
    assert _data(engine, context, query)["entity"]["description"] == "Changed for the test."


def test_an_answer_that_reads_the_journal_or_the_request_is_not_kept(writer: Writer) -> None:
    engine = _engine()
    context = Context(store=writer.model.store, writer=writer)
    query = '{ entity(key: "org/meta") { key updatedIn { version reason } } }'
    for _sight in range(4):  # past the sights that would make a fragment of it
        assert _data(engine, context, query)["entity"]["updatedIn"]["version"] == 1
    assert len(engine.executor.fragments) == 0
    control = '{ entity(key: "org/meta") { key citations { claim } } }'  # the same record, nothing of the request
    for _sight in range(3):
        _data(engine, context, control)
    assert len(engine.executor.fragments) == 1
    _describe(writer, "org/caisi", "Another entity changed.")  # the graph's version moves on
    _describe(writer, "org/meta", "Changed.")
    assert _data(engine, context, query)["entity"]["updatedIn"] == {"version": 3, "reason": "test"}


def test_selections_with_variables_are_not_kept(seed_store) -> None:
    engine = _engine()
    context = Context(store=seed_store)
    query = 'query($n: Int) { entity(key: "org/meta") { key relations(first: $n) { edges { node { key } } } } }'
    one = _data(engine, context, query, {"n": 1})["entity"]["relations"]["edges"]
    two = _data(engine, context, query, {"n": 2})["entity"]["relations"]["edges"]
    assert len(one) == 1 and len(two) == 2 and two[0] == one[0]


def test_stores_do_not_share_fragments(seed_store, writer: Writer) -> None:
    engine = _engine()
    query = '{ entity(key: "org/meta") { description } }'
    _describe(writer, "org/meta", "Only in the journal's graph.")
    assert _data(engine, Context(store=seed_store), query) != _data(engine, Context(store=writer.model.store), query)
    assert (
        _data(engine, Context(store=writer.model.store), query)["entity"]["description"]
        == "Only in the journal's graph."
    )
