"""Opening a journal and building the read model from it; importing files as a change set.

At start a server opens its journal (:func:`open_journal`) and builds the
graph (:func:`start_model`): a new, empty journal first records the seed
directory as version 1; otherwise the newest usable snapshot is loaded and
the change sets after it are replayed. :class:`Follower` then keeps the
graph current with change sets that other processes record.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from pathlib import Path

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.errors import DataError, Problem
from oversight_graph.graph.load import RawRecord, _label, iter_directory, load_directory
from oversight_graph.graph.model import kind_of_key
from oversight_graph.graph.records import SECTIONS
from oversight_graph.graph.serialize import entity_record, relation_record
from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor, ChangeSet, Effect, Role, Target
from oversight_graph.journal.edits import EditRequest, plan
from oversight_graph.journal.errors import EditRejected, JournalError, JournalUnavailable, SnapshotError
from oversight_graph.journal.readmodel import ReadModel
from oversight_graph.journal.snapshot import latest_snapshot, read_snapshot
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.writer import Writer

__all__ = [
    "DEFAULT_PG_SNAPSHOTS",
    "IMPORTER",
    "Follower",
    "file_requests",
    "import_directory",
    "open_journal",
    "start_model",
]

log = logging.getLogger("oversight.journal")

DEFAULT_PG_SNAPSHOTS = Path("oversight-snapshots")
"""Where a server keeps the snapshots of a PostgreSQL journal unless told otherwise (one folder per replica)."""

IMPORTER = Actor("import", Role.ADMIN)
"""The actor of change sets made from files by the operator (first start, ``oversight import``)."""


def open_journal(location: str | os.PathLike[str], snapshots: str | os.PathLike[str] | None = None) -> Journal:
    """Open (or create) the journal at ``location``: an SQLite file path or a ``postgresql://`` address.

    Parameters
    ----------
    location
        An SQLite file, created if missing, or the address of an existing
        PostgreSQL database (its journal tables are created if missing).
    snapshots
        The folder of this server's snapshots. By default an SQLite journal
        keeps them beside its file (``<file>.snapshots``) and a PostgreSQL
        journal in ``oversight-snapshots`` in the current directory.

    Raises
    ------
    JournalUnavailable
        If it cannot be opened, with the reason.
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from oversight_graph.journal.postgres import PostgresJournal  # psycopg is loaded only when used

        return PostgresJournal(text, Path(snapshots) if snapshots is not None else DEFAULT_PG_SNAPSHOTS)
    return SQLiteJournal(Path(text), Path(snapshots) if snapshots is not None else None)


def start_model(journal: Journal, seed: str | os.PathLike[str], *, chosen: bool = False) -> ReadModel:
    """The graph the journal describes, importing ``seed`` first if the journal is empty.

    Parameters
    ----------
    journal
        The journal.
    seed
        The data directory recorded as version 1 of a new journal.
    chosen
        Whether the user chose ``seed`` (rather than the default): a journal
        begun from another directory is then refused rather than served in
        its place.

    Raises
    ------
    DataError, ValidationFailed
        If the journal is empty and the seed directory does not load.
    JournalError
        If the journal cannot be read or replayed, or (``chosen``) was begun from another directory.
    """
    head = journal.head()
    origin = journal.note("origin")
    wanted = str(Path(seed).resolve())
    if head and chosen and origin is not None and origin != wanted:
        raise JournalError(
            f"the journal {journal.location} holds the graph begun from {origin}, not {wanted}: give another --db "
            f"to serve {wanted}, or apply it to this journal with `oversight import {seed} --reason ...`"
        )
    if head == 0:
        store = load_directory(seed)
        effects = itertools.chain(
            (Effect("import", Target.ENTITY, e.key, None, entity_record(e)) for e in store.entities()),
            (Effect("import", Target.RELATION, r.key, None, relation_record(r)) for r in store.relations()),
        )
        change = None
        with journal.exclusive() as appender:
            if appender.head() == 0:
                change = appender.append(IMPORTER, f"import of {Path(seed).name or seed}", effects)
        if change is not None:
            journal.set_note("origin", wanted)
            store.set_version(change.version)
            log.info("new journal %s: the data in %s recorded as version 1", journal.location, seed)
            return ReadModel(store, base=change.version)
        head = journal.head()  # another process imported first
    model: ReadModel | None = None
    for path in latest_snapshot(journal, head):
        try:
            model = read_snapshot(path, journal)
            log.info("snapshot %s loaded (version %d)", path, model.version)
            break
        except SnapshotError as error:
            log.warning("snapshot skipped: %s", error)
    if model is None:
        model = ReadModel(GraphStore())
    replayed = model.catch_up(journal)
    model.store.prepare()
    log.info("journal %s: graph at version %d (%d change sets replayed)", journal.location, model.version, replayed)
    return model


_ORDER = {Kind.DOCUMENT: 0}


def file_requests(directory: str | os.PathLike[str], problems: list[Problem]) -> list[EditRequest]:
    """The records of a data directory as ``putEntity``/``putRelation`` requests.

    Documents come first, then other entities, then relations, so that a
    record may refer to anything in the directory or the graph. Problems
    met while reading (syntax, unknown record types) go to ``problems``.

    Raises
    ------
    DataError
        If ``directory`` is not a directory or holds no data files.
    """
    entities: list[tuple[int, EditRequest]] = []
    relations: list[EditRequest] = []
    for record in iter_directory(directory, problems):
        entities_or_relations = _request(record, problems)
        if entities_or_relations is None:
            continue
        order, request = entities_or_relations
        if request.op == "putRelation":
            relations.append(request)
        else:
            entities.append((order, request))
    entities.sort(key=lambda pair: pair[0])
    return [request for _, request in entities] + relations


def _request(record: RawRecord, problems: list[Problem]) -> tuple[int, EditRequest] | None:
    label = _label(record.section, record.data, record.position)
    kind = SECTIONS[record.section]
    if kind is None:
        return 2, EditRequest("putRelation", {"record": record.data}, record.file, label)
    key = record.data.get("key")
    if isinstance(key, str) and kind_of_key(key) not in (kind, None):
        problems.append(
            Problem(
                record.file,
                label,
                "key",
                f"{key!r} does not start with {kind.prefix}/ as every {kind.section} key must",
            )
        )
        return None
    return _ORDER.get(kind, 1), EditRequest("putEntity", {"record": record.data}, record.file, label)


def import_directory(
    writer: Writer, directory: str | os.PathLike[str], reason: str, actor: Actor = IMPORTER
) -> ChangeSet:
    """Apply a data directory to the graph as one change set: all of it, or nothing.

    Raises
    ------
    DataError
        If ``directory`` cannot be read as a data directory.
    EditRejected
        With every problem (file, record, field), if anything in it is invalid.
    """
    problems: list[Problem] = []
    requests = file_requests(directory, problems)
    if problems:  # report what the rest of the directory has wrong too
        try:
            plan(writer.model.store, requests)
        except EditRejected as more:
            problems += more.problems
        raise EditRejected(problems)
    if not requests:
        raise DataError(f"{directory} holds no records")
    return writer.submit(actor, reason, requests)


class Follower:
    """A thread that applies the change sets other processes record, and watches the database.

    It wakes when the journal announces a commit (PostgreSQL's ``NOTIFY``) or
    every ``interval`` seconds, whichever comes first, and then reads the
    journal from the graph's version on: a missed announcement only delays
    a change set by ``interval``, it never loses one. It also records what
    it last saw of the database, for ``/healthz`` and stale answers: the
    database's newest version, whether the last contact succeeded, and when.
    """

    def __init__(self, journal: Journal, model: ReadModel, interval: float) -> None:
        self.journal = journal
        self.model = model
        self.interval = interval
        self.database_version = model.version
        """The newest version the database held when last asked."""
        self.reachable = True
        """Whether the last contact with the database succeeded."""
        self.last_contact = time.monotonic()
        """When the database last answered (``time.monotonic()``)."""
        self.error: str | None = None
        """Why the database is unreachable, while it is."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stale(self) -> bool:
        """Whether the graph may be behind the database without this server knowing: it lost the database."""
        return not self.reachable

    @property
    def lag(self) -> int:
        """Change sets the database held beyond the graph's version when last asked."""
        return max(0, self.database_version - self.model.version)

    def start(self) -> None:
        """Start following (in the process that serves: threads do not cross a fork)."""
        self._thread = threading.Thread(target=self._run, name="journal-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following (returns once the thread has ended)."""
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=10)

    def check(self, announced: int | None = None) -> None:
        """Apply what the graph lacks: up to the ``announced`` version, else whatever the database holds."""
        try:
            if announced is not None:  # the database named its newest version: no need to ask
                if announced > self.model.version:
                    self.model.catch_up(self.journal)
                self._reached(max(announced, self.database_version))
                return
            head = self.journal.head()
            self._reached(head)
            if head > self.model.version:
                self.model.catch_up(self.journal)
        except JournalUnavailable as error:
            self._lost(str(error))

    def _reached(self, head: int) -> None:
        self.database_version = head
        self.last_contact = time.monotonic()
        if not self.reachable:
            log.warning("journal %s reachable again (version %d)", self.journal.location, head)
        self.reachable, self.error = True, None

    def _lost(self, error: str) -> None:
        if self.reachable:
            log.warning("journal unreachable, serving the graph at version %d: %s", self.model.version, error)
        self.reachable, self.error = False, error

    def _run(self) -> None:
        announced: int | None = None
        while not self._stop.is_set():
            try:
                self.check(announced)
            except JournalError as error:
                log.warning("following the journal failed: %s", error)
            except Exception:  # the thread must outlive any one failure
                log.exception("following the journal failed")
            announced = self.journal.wait_for_change(self.interval, self._stop)
