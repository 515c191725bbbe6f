"""The derived-index benchmark runs on a small generated graph and renders its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.derived import INDEXES, WRITES, _table, measure
from bench.generate import generate
from oversight_graph.graph.load import load_directory


def test_measures_the_first_read_of_every_index_after_each_write(tmp_path: Path) -> None:
    generate(1000, tmp_path, workers=1)
    store = load_directory(tmp_path)
    result = measure(store, reps=1, only=[0, 4])
    assert set(result["cold_ms"]) == set(INDEXES)
    names = list(WRITES)
    assert set(result["writes"]) == {names[0], names[4]}
    for write in result["writes"].values():
        assert write["apply_ms"] >= 0
        assert set(write["first_read_ms"]) == set(INDEXES)
        assert all(cell["median"] <= cell["max"] for cell in write["first_read_ms"].values())
    run = {"when": "now", "entities": len(store), "relations": 1, "reps": 1, "load": "0", "commit": "x"}
    text = _table("1k", {"after": {**run, "result": result}})
    assert f"## {names[0]}" in text and f"## {names[1]}" not in text


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_changes_the_store(tmp_path: Path, write: str) -> None:
    from bench.derived import _Writes

    generate(300, tmp_path, workers=1)
    store = load_directory(tmp_path)
    before = (sorted(e.key + e.name for e in store.entities()), sorted(r.key for r in store.relations()))
    WRITES[write](_Writes(store, seed=1))
    assert (sorted(e.key + e.name for e in store.entities()), sorted(r.key for r in store.relations())) != before
