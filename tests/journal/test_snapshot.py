"""Snapshots: the same graph back, damage detected, and a restart that replays only what follows."""

from __future__ import annotations

import pytest

from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.errors import SnapshotError
from oversight_graph.journal.snapshot import KEEP, latest_snapshot, read_snapshot, write_snapshot
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.startup import start_model
from oversight_graph.journal.writer import Writer
from tests.journal.conftest import ADMIN, EDITOR, SEED, citation


def _same_graph(a, b) -> None:
    assert a.version == b.version
    assert {e.key: e for e in a.entities()} == {e.key: e for e in b.entities()}
    assert {r.key: r for r in a.relations()} == {r.key: r for r in b.relations()}
    assert a.redirects == b.redirects
    for kind_list in ("org/meta", "org/anthropic"):
        assert [m.key for m in a.names.search(kind_list)] == [m.key for m in b.names.search(kind_list)]


def _edit(writer: Writer, number: int) -> None:
    record = {
        "key": f"org/lab-{number}",
        "name": f"Lab {number}",
        "description": "A lab.",
        "category": "COMPANY",
        "citation": [citation()],
    }
    writer.submit(EDITOR, f"lab {number}", [EditRequest("createEntity", {"record": record})])


def test_a_snapshot_holds_the_same_graph(writer: Writer, journal: SQLiteJournal) -> None:
    _edit(writer, 1)
    writer.submit(ADMIN, "merge", [EditRequest("mergeEntities", {"keep": "org/meta", "merge": "org/lab-1"})])
    path = write_snapshot(writer.model, journal)
    loaded = read_snapshot(path, journal)
    _same_graph(loaded.store, writer.model.store)
    assert loaded.created == writer.model.created and loaded.updated == writer.model.updated
    assert loaded.store.entity("org/lab-1").key == "org/meta"  # the redirect came back


def test_restart_loads_the_newest_snapshot_and_replays_the_rest(writer: Writer, journal: SQLiteJournal) -> None:
    _edit(writer, 1)
    write_snapshot(writer.model, journal)
    _edit(writer, 2)
    restarted = start_model(journal, SEED)
    _same_graph(restarted.store, writer.model.store)
    assert restarted.created_in("org/lab-2") == 3


@pytest.mark.parametrize("where", ["middle", "end", "cut"])
def test_a_damaged_snapshot_is_refused_and_the_journal_replayed(
    writer: Writer, journal: SQLiteJournal, where: str
) -> None:
    _edit(writer, 1)
    path = write_snapshot(writer.model, journal)
    data = bytearray(path.read_bytes())
    if where == "middle":
        data[len(data) // 2] ^= 0xFF
    elif where == "end":
        data[-3] = ord("0") if data[-3] != ord("0") else ord("1")
    else:
        del data[len(data) // 2 :]
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError):
        read_snapshot(path, journal)
    restarted = start_model(journal, SEED)
    _same_graph(restarted.store, writer.model.store)


def test_a_snapshot_of_another_journal_is_refused(writer: Writer, journal: SQLiteJournal, tmp_path) -> None:
    path = write_snapshot(writer.model, journal)
    other = SQLiteJournal(tmp_path / "other.db")
    try:
        with pytest.raises(SnapshotError, match="another journal"):
            read_snapshot(path, other)
    finally:
        other.close()


def test_automatic_snapshots_keep_the_newest(journal: SQLiteJournal) -> None:
    writer = Writer(journal, start_model(journal, SEED), snapshot_every=2)
    for number in range(7):
        _edit(writer, number)
    kept = latest_snapshot(journal, journal.head())
    assert len(kept) == KEEP
    assert [int(p.stem) for p in kept] == [7, 5]
