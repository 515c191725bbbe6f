"""Snapshots: the read model saved to one checksummed file, so a restart need not replay the journal.

A snapshot is written next to the journal (``Journal.snapshot_dir``) as
``<version>.snapshot``: a header line naming the format, the version and
the journal's id, then the graph, then a trailer line with the payload's
length and BLAKE2b digest. It is written to a temporary file, flushed to
disk and renamed into place, so a crash never leaves a partial one under a
real name. Reading checks the header, the length and the digest; a
snapshot of another journal, a damaged one or one of another format is
refused (:class:`~journal.errors.SnapshotError`) and the caller falls back
to an older snapshot or to replaying the journal, which is always the
source of truth.

The graph is pickled with its records in columns (:mod:`graph.columns`),
which rebuilds millions of records in C without re-validating them; format
1 snapshots (the whole model as one plain pickle) are still read.
Snapshots are only ever read from this server's own folder, and the digest
is checked before anything is unpickled.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import IO, Any

from oversight_graph.graph import columns
from oversight_graph.journal.base import Journal
from oversight_graph.journal.errors import SnapshotError
from oversight_graph.journal.readmodel import ReadModel

__all__ = ["KEEP", "latest_snapshot", "partial_path", "read_snapshot", "write_snapshot"]

MAGIC = b"OVERSIGHT-GRAPH-SNAPSHOT"
FORMAT = 2
"""The format written: 2 is :mod:`graph.columns`; 1, a plain pickle of the model's parts, is still read."""
_FORMATS = frozenset({1, FORMAT})
KEEP = 2
"""Snapshots kept per journal; older ones are deleted after a new one is written."""
_CHUNK = 1 << 20


class _Hashing(io.RawIOBase):
    """A writer that digests and counts what passes through it."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.blake2b()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.out.write(view)
        self.size += len(view)
        return len(view)


def write_snapshot(model: ReadModel, journal: Journal) -> Path:
    """Write a snapshot of ``model`` for ``journal``; return its path.

    The caller keeps the model steady while this runs (no change set applied).
    """
    folder = journal.snapshot_dir
    folder.mkdir(parents=True, exist_ok=True)
    version = model.version
    final = folder / f"{version:012d}.snapshot"
    temporary = partial_path(journal, version, os.getpid())
    with temporary.open("wb") as raw:
        raw.write(MAGIC + f" {FORMAT} {version} {journal.journal_id}\n".encode())
        hashing = _Hashing(raw)
        buffered = io.BufferedWriter(hashing, _CHUNK)
        columns.dump(model.store, (model.created, model.updated, model.base), buffered)
        buffered.flush()
        raw.write(f"\n{hashing.size} {hashing.digest.hexdigest()}\n".encode())
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, final)
    _sync_folder(folder)
    for old in sorted(folder.glob("*.snapshot"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return final


def partial_path(journal: Journal, version: int, pid: int) -> Path:
    """Where process ``pid`` writes the snapshot of ``version`` before renaming it into place.

    Named after the process too, so that two writers never share one, and
    one left by a killed writer can be told from one being written.
    """
    return journal.snapshot_dir / f".{version:012d}.{pid}.snapshot.partial"


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_snapshot(path: Path, journal: Journal) -> ReadModel:
    """The read model saved in ``path``.

    Raises
    ------
    SnapshotError
        If the file is not a snapshot of ``journal`` in this format, or is damaged.
    """
    try:
        with path.open("rb") as raw:
            header = raw.readline().rstrip(b"\n").split(b" ")
            if (
                len(header) != 4
                or header[0] != MAGIC
                or not (header[1].isdigit() and header[2].isdigit())
                or int(header[1]) not in _FORMATS
            ):
                raise SnapshotError(f"{path} is not a snapshot of this format")
            layout = int(header[1])
            if header[3].decode() != journal.journal_id:
                raise SnapshotError(f"{path} belongs to another journal")
            start = raw.tell()
            raw.seek(0, os.SEEK_END)
            end = raw.tell()
            raw.seek(max(start, end - 200))
            tail = raw.read().rsplit(b"\n", 2)
            try:
                size_text, digest = tail[-2].split(b" ")
                size = int(size_text)
            except (IndexError, ValueError):
                raise SnapshotError(f"{path} has no trailer: it was cut short") from None
            if start + size + 1 + len(tail[-2]) + 1 != end:
                raise SnapshotError(f"{path} is {end} bytes, not what its trailer says: it is damaged")
            raw.seek(start)
            check = hashlib.blake2b()
            remaining = size
            while remaining:
                chunk = raw.read(min(_CHUNK * 8, remaining))
                if not chunk:
                    raise SnapshotError(f"{path} ends early: it is damaged")
                check.update(chunk)
                remaining -= len(chunk)
            if check.hexdigest().encode() != digest:
                raise SnapshotError(f"{path} does not match its checksum: it is damaged")
            raw.seek(start)
            collecting = gc.isenabled()
            gc.disable()  # millions of new objects, no cycles: the collector would only rescan them
            try:
                payload = io.BufferedReader(_Limited(raw, size), _CHUNK)
                if layout == 1:
                    store, created, updated, base = pickle.load(payload)
                else:
                    store, (created, updated, base) = columns.load(payload)
                # Out of the collector's sight, as a started server puts its graph (server.app.settle):
                # else the first collection after this would walk every object just loaded.
                gc.freeze()
            finally:
                if collecting:
                    gc.enable()
    except OSError as error:
        raise SnapshotError(f"{path} cannot be read: {error}") from None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, ValueError, TypeError) as error:
        raise SnapshotError(f"{path} does not load with this version of the code: {error}") from None
    if int(header[2]) != store.version:
        raise SnapshotError(f"{path} says version {int(header[2])} but holds version {store.version}")
    return ReadModel(store, created, updated, base)


class _Limited(io.RawIOBase):
    """Reads at most ``size`` bytes of ``raw`` (the payload, not the trailer)."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self.raw = raw
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.left:
            return 0
        view = memoryview(buffer)[: self.left]
        count = self.raw.readinto(view)  # type: ignore[attr-defined]
        self.left -= count
        return int(count)


def latest_snapshot(journal: Journal, head: int) -> list[Path]:
    """Snapshots of ``journal`` no newer than ``head``, newest first."""
    folder = journal.snapshot_dir
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.snapshot"):
        try:
            version = int(path.stem)
        except ValueError:
            continue
        if version <= head:
            found.append((version, path))
    return [path for _, path in sorted(found, reverse=True)]
