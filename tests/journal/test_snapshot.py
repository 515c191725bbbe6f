"""Snapshots: the same graph back, damage detected, and a restart that replays only what follows."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest

from bench.generate import generate
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.load import load_directory
from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.errors import SnapshotError
from oversight_graph.journal.readmodel import ReadModel
from oversight_graph.journal.snapshot import KEEP, latest_snapshot, read_snapshot, write_snapshot
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.startup import start_model
from oversight_graph.journal.writer import Writer
from tests.graph.same_store import assert_same_answers, assert_same_store
from tests.journal.conftest import ADMIN, EDITOR, SEED, add_lab, citation

GENERATED = 1500


def _same_graph(a, b) -> None:
    assert a.version == b.version
    assert {e.key: e for e in a.entities()} == {e.key: e for e in b.entities()}
    assert {r.key: r for r in a.relations()} == {r.key: r for r in b.relations()}
    assert a.redirects == b.redirects
    for kind_list in ("org/meta", "org/anthropic"):
        assert [m.key for m in a.names.search(kind_list)] == [m.key for m in b.names.search(kind_list)]


def test_a_snapshot_holds_the_same_graph(writer: Writer, journal: SQLiteJournal) -> None:
    add_lab(writer, 1)
    writer.submit(ADMIN, "merge", [EditRequest("mergeEntities", {"keep": "org/meta", "merge": "org/lab-1"})])
    path = write_snapshot(writer.model, journal)
    loaded = read_snapshot(path, journal)
    _same_graph(loaded.store, writer.model.store)
    assert loaded.created == writer.model.created and loaded.updated == writer.model.updated
    assert loaded.store.entity("org/lab-1").key == "org/meta"  # the redirect came back


def test_restart_loads_the_newest_snapshot_and_replays_the_rest(writer: Writer, journal: SQLiteJournal) -> None:
    add_lab(writer, 1)
    write_snapshot(writer.model, journal)
    add_lab(writer, 2)
    restarted = start_model(journal, SEED)
    _same_graph(restarted.store, writer.model.store)
    assert restarted.created_in("org/lab-2") == 3


@pytest.mark.parametrize("where", ["middle", "end", "cut"])
def test_a_damaged_snapshot_is_refused_and_the_journal_replayed(
    writer: Writer, journal: SQLiteJournal, where: str
) -> None:
    add_lab(writer, 1)
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


def test_only_the_newest_snapshots_are_kept(writer: Writer, journal: SQLiteJournal) -> None:
    for number in range(KEEP + 2):
        add_lab(writer, number)
        write_snapshot(writer.model, journal)
    kept = latest_snapshot(journal, journal.head())
    assert [int(p.stem) for p in kept] == list(range(journal.head(), journal.head() - KEEP, -1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshot") / "graph"
    generate(GENERATED, out)
    return out


def _cited(store, paragraph: int = 1) -> dict:
    document = next(store.entities(Kind.DOCUMENT)).key
    return {**citation(paragraph, "A claim in the editors' words."), "document": document}


def _edits(writer: Writer) -> str:
    """Change sets of every kind that leaves something behind; returns the key the new lab was merged into."""
    store = writer.model.store
    orgs = store.keys_of_kind(Kind.ORGANIZATION)
    model = store.keys_of_kind(Kind.AI_MODEL)[3]
    org = {"key": "org/restart-lab", "name": "Restart Lab", "description": "A lab.", "category": "COMPANY"}
    writer.submit(EDITOR, "a lab", [EditRequest("createEntity", {"record": {**org, "citation": [_cited(store)]}})])
    rival = {"subject": "org/restart-lab", "type": "RIVALS", "object": orgs[0], "citation": [_cited(store, 2)]}
    writer.submit(EDITOR, "a rival", [EditRequest("addRelation", {"record": rival})])
    writer.submit(EDITOR, "renamed", [EditRequest("updateEntity", {"key": orgs[1], "set": {"name": "Renamed Org"}})])
    relation = store.relations_of(orgs[2])[0]
    writer.submit(
        EDITOR,
        "a note",
        [EditRequest("updateRelation", {"key": relation.key, "set": {"qualifiers": {"note": "Noted."}}})],
    )
    writer.submit(EDITOR, "cited", [EditRequest("addCitation", {"target": relation.key, "citation": _cited(store, 3)})])
    writer.submit(EDITOR, "gone", [EditRequest("retractEntity", {"key": model})])
    writer.submit(ADMIN, "the same", [EditRequest("mergeEntities", {"keep": orgs[4], "merge": "org/restart-lab"})])
    return orgs[4]


def test_a_restart_from_a_snapshot_equals_a_load_from_files(generated: Path, tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "graph.db")
    try:
        write_snapshot(start_model(journal, generated), journal)
        restarted = start_model(journal, generated)
        files = load_directory(generated)
        files.set_version(1)
        assert_same_store(files, restarted.store)
        keys = [files.keys_of_kind(kind)[1] for kind in Kind]
        assert_same_answers(files, restarted.store, keys)
        assert (restarted.created, restarted.updated, restarted.base) == ({}, {}, 1)

        writer = Writer(journal, restarted)
        survivor = _edits(writer)
        write_snapshot(writer.model, journal)
        # One more change set after the snapshot: replayed at the restart.
        writer.submit(
            EDITOR, "later", [EditRequest("updateEntity", {"key": keys[0], "set": {"description": "Later."}})]
        )
        again = start_model(journal, generated)
        live = writer.model
        assert_same_store(live.store, again.store)
        assert_same_answers(live.store, again.store, [*keys[1:], survivor])
        assert (again.created, again.updated, again.base) == (live.created, live.updated, live.base)
        assert again.store.redirects == {"org/restart-lab": survivor}
        assert again.store.entity("org/restart-lab").key == survivor
        assert again.created_in("org/restart-lab") == 2 and again.updated_in(keys[0]) == again.version
    finally:
        journal.close()


def _format_1(model: ReadModel, journal: SQLiteJournal) -> Path:
    """A snapshot as the first format has it: the model's parts as one plain pickle."""
    payload = pickle.dumps((model.store, model.created, model.updated, model.base), protocol=pickle.HIGHEST_PROTOCOL)
    journal.snapshot_dir.mkdir(parents=True, exist_ok=True)
    path = journal.snapshot_dir / f"{model.version:012d}.snapshot"
    header = f"OVERSIGHT-GRAPH-SNAPSHOT 1 {model.version} {journal.journal_id}\n".encode()
    trailer = f"\n{len(payload)} {hashlib.blake2b(payload).hexdigest()}\n".encode()
    path.write_bytes(header + payload + trailer)
    return path


def test_a_snapshot_of_the_first_format_still_loads(writer: Writer, journal: SQLiteJournal) -> None:
    add_lab(writer, 1)
    loaded = read_snapshot(_format_1(writer.model, journal), journal)
    assert_same_store(writer.model.store, loaded.store)
    assert loaded.created == writer.model.created


def test_a_whole_snapshot_that_does_not_hold_a_graph_is_refused(writer: Writer, journal: SQLiteJournal) -> None:
    path = write_snapshot(writer.model, journal)
    header = path.read_bytes().split(b"\n", 1)[0]
    payload = pickle.dumps("not a graph")
    trailer = f"\n{len(payload)} {hashlib.blake2b(payload).hexdigest()}\n".encode()
    path.write_bytes(header + b"\n" + payload + trailer)  # checksum right, content wrong
    with pytest.raises(SnapshotError, match="does not load"):
        read_snapshot(path, journal)
    _same_graph(start_model(journal, SEED).store, writer.model.store)
