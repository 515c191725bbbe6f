"""A store pickled in columns comes back the same: records, adjacency, indexes and orders, shared objects shared."""

from __future__ import annotations

import io
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from bench.generate import generate
from oversight_graph.graph import columns
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.model import Qualifiers, Relation
from oversight_graph.graph.sample import sample_store
from oversight_graph.graph.store import GraphStore
from tests.graph.same_store import assert_same_answers, assert_same_store

SIZE = 2000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("columns") / "graph"
    generate(SIZE, out)
    return out


def _round_trip(store: GraphStore, extra: object = None) -> tuple[GraphStore, object]:
    buffer = io.BytesIO()
    columns.dump(store, extra, buffer)
    buffer.seek(0)
    return columns.load(buffer)


def test_a_generated_graph_comes_back_the_same(generated: Path) -> None:
    store = load_directory(generated)
    loaded, extra = _round_trip(store, ({"org/x": 3}, {}, 1))
    assert extra == ({"org/x": 3}, {}, 1)
    assert_same_store(store, loaded)
    keys = [store.keys_of_kind(kind)[0] for kind in Kind] + ["org/caisi"]
    assert_same_answers(store, loaded, keys)


def test_shared_values_stay_shared(generated: Path) -> None:
    store = load_directory(generated)
    loaded, _ = _round_trip(store)
    # The loader shares equal attributions (and the key strings); so does the loaded store, which keeps it small.
    before = {id(c.attribution) for r in store.relations() for c in r.citations}
    after = {id(c.attribution) for r in loaded.relations() for c in r.citations}
    assert len(after) == len(before) < sum(len(r.citations) for r in store.relations())
    nodes = loaded._nodes
    assert all(nodes[key].key is key for key in list(nodes)[:100])


def test_an_edited_store_comes_back_the_same() -> None:
    store = sample_store()
    meta = store.entity("org/meta")
    store.put_entity(replace(meta, aliases=(*meta.aliases, "Meta Platforms Inc.")))
    relation = next(store.relations())
    store.put_relation(
        Relation(
            type=relation.type,
            subject=relation.subject,
            object=relation.object,
            citations=relation.citations,
            qualifiers=Qualifiers(days_allowed=30, deadline=PartialDate(2026, 7)),
            valid_from=PartialDate(2026, 1, 2),
        )
    )
    store.remove_relation(relation.key)
    gone = next(e for e in store.entities() if not store.degree(e.key))
    store.remove_entity(gone.key)
    store.redirect(gone.key, "org/meta")
    store.set_version(7)
    loaded, _ = _round_trip(store)
    assert_same_store(store, loaded)
    assert loaded.entity(gone.key).key == "org/meta"


def test_something_else_is_refused() -> None:
    buffer = io.BytesIO(pickle.dumps("a string"))
    with pytest.raises(pickle.UnpicklingError):
        columns.load(buffer)


def test_records_written_with_other_fields_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    columns.dump(sample_store(), None, buffer)
    layout = columns._layout

    def renamed(cls: type) -> tuple[tuple[str, ...], int | None]:
        names, citations_at = layout(cls)
        # As if a newer Relation had its dates in the other order: same count, other slots.
        return (tuple(reversed(names)) if cls is Relation else names), citations_at

    monkeypatch.setattr(columns, "_layout", renamed)
    buffer.seek(0)
    with pytest.raises(ValueError, match="other fields"):
        columns.load(buffer)
