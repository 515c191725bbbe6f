"""Automatic snapshots, written by a forked copy of the process while the server goes on.

Writing a snapshot of a large graph takes a while (about 80 s of CPU for
a million entities): written by the server itself, it would hold up every
change set meanwhile, and slow readers down. Instead, every
``every`` change sets, :class:`Snapshotter` forks the process at a
moment when no change set is being applied (it holds the read model's
shared lock for the fork only) and the child writes the snapshot from its
copy-on-write image of the graph, then exits. The server keeps reading
and writing; the child's graph stays the one it was forked with, so the
snapshot is exactly the version it is named after. This is how Redis
writes its background saves, and has the same price: pages the server
changes while the child runs are copied, up to the size of the graph in
the worst case.

Only one snapshot is written at a time per snapshot folder: a child holds
an exclusive ``flock`` on ``.writing`` in it, so the workers of one server
(which share the folder) do not write the same snapshot twice, and a worker
that finds a newer snapshot than its own count skips its turn. A snapshot
that fails (a full disk, an unwritable folder) is logged and tried again at
the next turn; snapshots only save time at the next start. Where the
platform cannot fork, the snapshot is written in the applying thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import ChangeSet
from oversight_graph.journal.readmodel import ReadModel
from oversight_graph.journal.snapshot import latest_snapshot, partial_path, write_snapshot

__all__ = ["HAS_FORK", "Snapshotter"]

log = logging.getLogger("oversight.journal")

HAS_FORK = hasattr(os, "fork")
"""Whether this platform can fork (POSIX); elsewhere snapshots are written in the applying thread."""
LOCK_NAME = ".writing"
"""The file in a snapshot folder whose ``flock`` a writing child holds."""
_REPORT_LIMIT = 2000


@dataclass
class _Child:
    pid: int
    version: int
    report: int
    """Read end of the pipe the child writes its error to (closed when it exits)."""
    started: float


class Snapshotter:
    """Writes a snapshot of ``model`` after every ``every`` change sets applied to it.

    Parameters
    ----------
    journal
        The journal the model follows (its snapshot folder and id).
    model
        The read model; every change set applied to it, written here or
        followed from another process, counts.
    every
        Change sets between snapshots (0: never write one automatically).
    fork
        Write in a forked child (the default where the platform can); else
        in the thread that applied the change set, which waits meanwhile.

    Examples
    --------
    A snapshotter counts from the newest snapshot on disk; :meth:`start`
    attaches it to the model and :meth:`stop` detaches it (and ends a
    child still writing):

    >>> from oversight_graph.graph.sample import sample_store
    >>> from oversight_graph.journal.sqlite import SQLiteJournal
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> journal = SQLiteJournal(folder / "graph.db")
    >>> snapshots = Snapshotter(journal, ReadModel(sample_store()), every=1000)
    >>> snapshots.start(); snapshots.running
    False
    >>> snapshots.stop(); journal.close()
    """

    def __init__(self, journal: Journal, model: ReadModel, every: int, *, fork: bool = HAS_FORK) -> None:
        self.journal = journal
        self.model = model
        self.every = every
        self.fork = fork
        self.last = self._newest_on_disk()
        """The version of the newest snapshot known (written here or found on disk); counting starts there."""
        self.written = 0
        """Snapshots this snapshotter wrote."""
        self.failed = 0
        """Snapshots that failed (each logged)."""
        self._write: Callable[[ReadModel, Journal], Path] = write_snapshot
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._done = threading.Condition(self._lock)

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Count the change sets applied to the model from now on (in the serving process: threads do not cross a fork)."""
        if self._applied not in self.model.listeners:
            self.model.listeners.append(self._applied)
        self._remove_stale_partials()

    def stop(self, timeout: float = 0.0) -> None:
        """Stop counting; give a child still writing ``timeout`` seconds, then end it and remove its partial file."""
        with contextlib.suppress(ValueError):
            self.model.listeners.remove(self._applied)
        child = self._child
        if child is None:
            return
        if not self.wait(timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)
            self.wait(5.0)
            partial_path(self.journal, child.version, child.pid).unlink(missing_ok=True)

    @property
    def running(self) -> bool:
        """Whether a child is writing a snapshot now."""
        return self._child is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the child writing a snapshot, if any; return whether none is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._done:
            while self._child is not None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._done.wait(left)
        return True

    # -- turns ------------------------------------------------------------------------
    def _applied(self, change: ChangeSet) -> None:
        if not self.every or change.version - self.last < self.every or self._child is not None:
            return
        # Another worker on this folder may have written one meanwhile: count from it.
        self.last = max(self.last, self._newest_on_disk())
        if change.version - self.last >= self.every:
            self.snapshot()

    def snapshot(self) -> bool:
        """Start writing a snapshot of the model as it is now; return whether one was started (or, without fork, written).

        Nothing is started when one is being written already (here or by
        another process on the same folder), or when the folder holds one as
        new as the model.
        """
        with self._lock:
            if self._child is not None:
                return False
            newest = self._newest_on_disk()
            if newest >= self.model.version:
                self.last = max(self.last, newest)
                return False
            try:
                lock = self._take_folder()
            except OSError as error:
                self._failed(self.model.version, f"the snapshot folder cannot be used: {error}")
                return False
            if lock is None:
                return False  # another process writes one now
            try:
                if not self.fork:
                    return self._write_here()
                return self._fork(lock)
            finally:
                os.close(lock)  # a child holds its own copy of the lock until it exits

    def _write_here(self) -> bool:
        version = self.model.version
        started = time.monotonic()
        try:
            with self.model.reading():
                self._write(self.model, self.journal)
        except OSError as error:
            self._failed(version, str(error))
            return False
        self._succeeded(version, time.monotonic() - started)
        return True

    def _fork(self, lock: int) -> bool:
        read_end, write_end = os.pipe()
        started = time.monotonic()
        with self.model.reading():  # no change set half applied in the copy
            version = self.model.version
            self.model.store.prepare()  # the orders a snapshot saves, built here (the child takes no locks)
            try:
                with warnings.catch_warnings():
                    # Python 3.12+ warns about forking a threaded process; the child only
                    # serializes the graph and exits (no locks, no I/O but its own file).
                    warnings.simplefilter("ignore", DeprecationWarning)
                    pid = os.fork()
            except OSError as error:
                os.close(read_end)
                os.close(write_end)
                self._failed(version, f"cannot fork a process to write it: {error}")
                return False
            if pid == 0:  # pragma: no cover - the child exits, coverage never sees it
                self._in_child(write_end, lock)
        os.close(write_end)
        self._child = _Child(pid, version, read_end, started)
        threading.Thread(target=self._reap, args=(self._child,), name="snapshot-reaper", daemon=True).start()
        log.info("writing the snapshot of version %d in process %d", version, pid)
        return True

    def _in_child(self, report: int, lock: int) -> None:  # pragma: no cover - runs in the forked child
        status = 1
        try:
            # Only the report pipe and the folder's lock stay open: a copy of a client's
            # socket here would keep its connection open after the server closes it.
            low = 3
            for descriptor in sorted({report, lock}):
                os.closerange(low, descriptor)
                low = descriptor + 1
            os.closerange(low, os.sysconf("SC_OPEN_MAX"))
            gc.disable()  # the copy lives a short while; a collection would only copy pages
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which ends this child
            self._write(self.model, self.journal)
            status = 0
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.write(report, f"{type(error).__name__}: {error}".encode()[:_REPORT_LIMIT])
        finally:
            # No clean-up of the parent's objects: they share sockets and files with it.
            os._exit(status)

    def _reap(self, child: _Child) -> None:
        chunks = []
        try:
            while chunk := os.read(child.report, _REPORT_LIMIT):
                chunks.append(chunk)
        finally:
            os.close(child.report)
        _, status = os.waitpid(child.pid, 0)
        seconds = time.monotonic() - child.started
        if os.waitstatus_to_exitcode(status) == 0:
            self._succeeded(child.version, seconds)
        else:
            reason = b"".join(chunks).decode(errors="replace") or f"process {child.pid} ended with status {status}"
            self._failed(child.version, reason)
        with self._done:
            self._child = None
            self._done.notify_all()

    # -- bookkeeping ------------------------------------------------------------------
    def _succeeded(self, version: int, seconds: float) -> None:
        self.last = max(self.last, version)
        self.written += 1
        log.info("snapshot of version %d written in %.1f s", version, seconds)

    def _failed(self, version: int, reason: str) -> None:
        # Counted from here again: a failing disk is tried once per turn, not after every change set.
        self.last = max(self.last, version)
        self.failed += 1
        log.warning("snapshot of version %d not written: %s", version, reason)

    def _newest_on_disk(self) -> int:
        found = latest_snapshot(self.journal, self.model.version)
        return int(found[0].stem) if found else self.model.base

    def _take_folder(self) -> int | None:
        """An open descriptor holding the folder's exclusive lock, or ``None`` when another process holds it."""
        folder = self.journal.snapshot_dir
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        except OSError:
            os.close(descriptor)
            raise
        return descriptor

    def _remove_stale_partials(self) -> None:
        """Remove partial snapshots left by writers that are gone (killed mid-write).

        When the folder's lock is free, no process is writing a snapshot
        there, so every partial file in it is left over.
        """
        if not self.journal.snapshot_dir.is_dir():
            return
        try:
            lock = self._take_folder()
        except OSError:
            return
        if lock is None:
            return  # a writer is at work: its partial file is not stale
        try:
            for path in self.journal.snapshot_dir.glob(".*.snapshot.partial"):
                path.unlink(missing_ok=True)
        finally:
            os.close(lock)
