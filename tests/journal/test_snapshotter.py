"""Automatic snapshots: written by a forked child from the graph as it was, while writes go on."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from oversight_graph.journal.base import Journal
from oversight_graph.journal.readmodel import ReadModel
from oversight_graph.journal.snapshot import latest_snapshot, partial_path, read_snapshot, write_snapshot
from oversight_graph.journal.snapshotter import Snapshotter
from oversight_graph.journal.startup import start_model
from oversight_graph.journal.writer import Writer
from tests.graph.same_store import assert_same_store
from tests.journal.conftest import SEED, add_lab


def _versions(journal: Journal) -> list[int]:
    return [int(path.stem) for path in latest_snapshot(journal, journal.head())]


def _slow(seconds: float):
    """A snapshot writer that first waits ``seconds`` (in the child, where it runs)."""

    def write(model: ReadModel, journal: Journal) -> Path:
        time.sleep(seconds)
        return write_snapshot(model, journal)

    return write


@pytest.fixture
def snapshots(writer: Writer, journal: Journal):
    snapshotter = Snapshotter(journal, writer.model, every=3)
    snapshotter.start()
    yield snapshotter
    snapshotter.stop(timeout=30)


def test_a_snapshot_is_written_every_n_change_sets(writer: Writer, journal: Journal, snapshots: Snapshotter) -> None:
    for number in range(2):
        add_lab(writer, number)
    assert not snapshots.running and _versions(journal) == []  # versions 2 and 3: not yet 3 since version 1
    add_lab(writer, 2)
    assert snapshots.wait(30)
    assert _versions(journal) == [4]
    assert snapshots.written == 1 and snapshots.failed == 0
    for number in range(3, 6):
        add_lab(writer, number)
        snapshots.wait(30)
    assert _versions(journal) == [7, 4]
    assert_same_store(writer.model.store, read_snapshot(latest_snapshot(journal, 7)[0], journal).store)


def test_writes_go_on_while_a_snapshot_is_written_and_it_holds_the_graph_as_forked(
    writer: Writer, journal: Journal, snapshots: Snapshotter
) -> None:
    snapshots._write = _slow(4.0)
    for number in range(3):
        add_lab(writer, number)  # the third starts the snapshot of version 4
    assert snapshots.running
    as_forked = read_snapshot(write_snapshot(writer.model, journal), journal).store  # the same graph, written here
    for number in range(3, 8):
        add_lab(writer, number)  # not held up by the child, and not in its copy
    assert snapshots.running, "the writes waited for the snapshot"
    assert snapshots.wait(30)
    assert writer.model.version == 9
    written = read_snapshot(latest_snapshot(journal, 4)[0], journal)
    assert written.version == 4
    assert_same_store(as_forked, written.store)
    assert "org/lab-2" in written.store and "org/lab-3" not in written.store
    # One snapshot at a time: version 7 was due while the child ran, and is written at the next turn.
    assert snapshots.written == 1
    add_lab(writer, 8)
    assert snapshots.wait(30) and max(_versions(journal)) == 10


def test_a_restart_uses_the_snapshot_and_replays_what_followed(
    writer: Writer, journal: Journal, snapshots: Snapshotter
) -> None:
    for number in range(4):
        add_lab(writer, number)
    assert snapshots.wait(30) and _versions(journal) == [4]
    restarted = start_model(journal, SEED)
    assert restarted.version == 5
    assert_same_store(writer.model.store, restarted.store)
    assert restarted.created_in("org/lab-3") == 5


def test_stopping_ends_a_child_still_writing_and_leaves_no_partial_file(
    writer: Writer, journal: Journal, snapshots: Snapshotter
) -> None:
    snapshots._write = _slow(60.0)
    for number in range(3):
        add_lab(writer, number)
    child = snapshots._child
    assert child is not None
    partial = partial_path(journal, child.version, child.pid)
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")  # as a writer cut short would leave it
    started = time.monotonic()
    snapshots.stop()
    assert time.monotonic() - started < 10
    assert not snapshots.running and not partial.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
    assert _versions(journal) == []
    add_lab(writer, 3)  # stopped: no longer counting
    assert not snapshots.running


def test_a_failed_snapshot_is_logged_and_tried_at_the_next_turn(
    writer: Writer, journal: Journal, snapshots: Snapshotter, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(model: ReadModel, journal: Journal) -> Path:
        raise OSError(28, "No space left on device")

    snapshots._write = broken
    with caplog.at_level(logging.WARNING, logger="oversight.journal"):
        for number in range(3):
            add_lab(writer, number)
        assert snapshots.wait(30)
    assert snapshots.failed == 1 and snapshots.written == 0
    assert "snapshot of version 4 not written: OSError: [Errno 28] No space left on device" in caplog.text
    snapshots._write = write_snapshot
    for number in range(3, 6):
        add_lab(writer, number)
    assert snapshots.wait(30) and _versions(journal) == [7]


def test_one_writer_per_folder(writer: Writer, journal: Journal, snapshots: Snapshotter) -> None:
    """Two workers serving one journal share its folder: one writes each snapshot, the other counts from it."""
    other = Snapshotter(journal, writer.model, every=3)
    other.start()
    try:
        snapshots._write = _slow(3.0)
        for number in range(3):
            add_lab(writer, number)
        assert snapshots.running and not other.running  # the folder's lock is the child's
        assert not other.snapshot()
        assert snapshots.wait(30)
        assert not other.snapshot()  # the folder has this version already
        assert other.last == 4
        snapshots._write = write_snapshot
        add_lab(writer, 3)  # version 5: the snapshot of 4 is recent enough for both
        assert not snapshots.running and not other.running
        for number in range(4, 6):
            add_lab(writer, number)
        assert snapshots.wait(30) and other.wait(30)
        assert _versions(journal) == [7, 4]
        assert snapshots.written + other.written == 2
    finally:
        other.stop(timeout=30)


def test_a_snapshotter_counts_from_the_newest_snapshot_on_disk(writer: Writer, journal: Journal) -> None:
    for number in range(2):
        add_lab(writer, number)
    write_snapshot(writer.model, journal)
    snapshotter = Snapshotter(journal, writer.model, every=3)
    assert snapshotter.last == 3
    snapshotter.start()
    try:
        for number in range(2, 4):
            add_lab(writer, number)
        assert not snapshotter.running and _versions(journal) == [3]
        add_lab(writer, 4)
        assert snapshotter.wait(30) and _versions(journal) == [6, 3]
    finally:
        snapshotter.stop(timeout=30)


def test_without_fork_the_snapshot_is_written_in_the_applying_thread(writer: Writer, journal: Journal) -> None:
    snapshotter = Snapshotter(journal, writer.model, every=2, fork=False)
    snapshotter.start()
    try:
        for number in range(2):
            add_lab(writer, number)
        assert not snapshotter.running and _versions(journal) == [3]
    finally:
        snapshotter.stop()


def test_partial_files_of_writers_that_are_gone_are_removed(
    journal: Journal, writer: Writer, snapshots: Snapshotter
) -> None:
    journal.snapshot_dir.mkdir(parents=True, exist_ok=True)
    left = partial_path(journal, 9, 12345)
    left.write_bytes(b"half")
    snapshots._write = _slow(3.0)
    for number in range(3):
        add_lab(writer, number)
    assert snapshots.running  # a writer at work: its folder's partial files are not touched
    Snapshotter(journal, writer.model, every=3).start()
    assert left.exists()
    assert snapshots.wait(30)
    Snapshotter(journal, writer.model, every=3).start()  # nobody writing: what is left over goes
    assert not left.exists()
    assert _versions(journal) == [4]
