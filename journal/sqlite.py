"""The embedded journal: one SQLite file (standard library ``sqlite3``).

The database runs in WAL mode with ``synchronous=FULL``, so a change set is
on disk when its transaction commits, and readers never wait for a writer.
Appending takes SQLite's write lock (``BEGIN IMMEDIATE``) for the whole
:meth:`SQLiteJournal.exclusive` block, which orders writers across every
process using the file. A change set is one row, its effects one row each,
and the keys they touched an index for ``history``.

Opening never creates over or repairs an existing file: a file that is not
a journal, is damaged, or cannot be written is refused with a message that
names it, and nothing in it is changed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from oversight_graph.journal.base import Appender, Journal, TokenInfo
from oversight_graph.journal.changes import Actor, ChangeSet, Effect, Role
from oversight_graph.journal.errors import JournalUnavailable

__all__ = ["SQLiteJournal"]

FORMAT = "1"
"""The journal layout this code writes; a file of another layout is refused."""

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE change_set (
    version INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE effect (
    version INTEGER NOT NULL REFERENCES change_set(version),
    position INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (version, position)
) WITHOUT ROWID;
CREATE TABLE touched (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (key, version)
) WITHOUT ROWID;
CREATE TABLE token (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(
        f"file:{path}?mode=rw", uri=True, isolation_level=None, check_same_thread=False, timeout=30
    )
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


class _SQLiteAppender(Appender):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._head: int = connection.execute("SELECT coalesce(max(version), 0) FROM change_set").fetchone()[0]

    def head(self) -> int:
        return self._head

    def append(self, actor: Actor, reason: str, effects: Iterable[Effect]) -> ChangeSet:
        version = self._head + 1
        at = datetime.now(UTC)
        self._db.execute(
            "INSERT INTO change_set (version, at, actor, role, reason) VALUES (?, ?, ?, ?, ?)",
            (version, at.isoformat(), actor.name, actor.role.value, reason),
        )
        # Streamed: a first import of a large graph is millions of effects.
        kept: list[Effect] = []
        keys: set[str] = set()

        def rows() -> Iterator[tuple[int, int, bytes]]:
            for position, effect in enumerate(effects):
                if len(kept) <= _KEEP_EFFECTS:
                    kept.append(effect)
                keys.update(effect.keys)
                yield version, position, orjson.dumps(effect.to_json())

        self._db.executemany("INSERT INTO effect (version, position, body) VALUES (?, ?, ?)", rows())
        count = self._db.execute("SELECT count(*) FROM effect WHERE version = ?", (version,)).fetchone()[0]
        self._db.executemany("INSERT INTO touched (key, version) VALUES (?, ?)", ((k, version) for k in keys))
        self._head = version
        if len(kept) > _KEEP_EFFECTS:  # too many to hand back: a header, its effects stay in the journal
            return ChangeSet(version, at, actor, reason, (), count)
        return ChangeSet(version, at, actor, reason, tuple(kept))


_KEEP_EFFECTS = 10_000
"""Change sets with more effects than this are returned from ``append`` as headers."""


class SQLiteJournal(Journal):
    """A journal in one SQLite file, created on first use.

    Parameters
    ----------
    path
        The database file. Its folder must exist or be creatable.
    snapshot_dir
        The folder of snapshots (default ``<path>.snapshots/`` beside the file).

    Raises
    ------
    JournalUnavailable
        If the file exists but is not a journal of this format, is damaged,
        or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from journal.changes import Actor, Role
    >>> journal = SQLiteJournal(pathlib.Path(tempfile.mkdtemp()) / "graph.db")
    >>> with journal.exclusive() as appender:
    ...     appender.append(Actor("ana", Role.EDITOR), "first", []).version
    1
    >>> journal.head(), next(journal.read(0)).reason
    (1, 'first')
    >>> journal.close()
    """

    def __init__(self, path: str | os.PathLike[str], snapshot_dir: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path)
        self._snapshot_dir = Path(snapshot_dir) if snapshot_dir is not None else None
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        existed = self._path.exists()
        if existed:
            self._check_writable()
        else:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._path.touch(exist_ok=False)
            except OSError as error:
                raise JournalUnavailable(f"cannot create the journal {self._path}: {error.strerror}") from None
        try:
            self._writer = _connect(self._path)
            self._reader = _connect(self._path)
            mode = self._writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise JournalUnavailable(f"{self._path}: cannot switch the database to WAL mode (got {mode})")
            if existed and os.path.getsize(self._path) > 0:
                self._id = self._open_existing()
            else:
                self._id = self._create()
        except sqlite3.DatabaseError as error:
            raise JournalUnavailable(
                f"{self._path} is not a usable Oversight Graph journal ({error}); it was left as it is"
            ) from None

    # -- opening ----------------------------------------------------------------------
    def _check_writable(self) -> None:
        if not self._path.is_file():
            raise JournalUnavailable(f"{self._path} is not a file")
        folder = self._path.parent
        # The mode bits too: an administrator (root) may write anything, but a
        # file or folder without write bits was made read-only on purpose.
        if not os.access(self._path, os.R_OK | os.W_OK) or not self._path.stat().st_mode & 0o222:
            raise JournalUnavailable(
                f"the journal {self._path} is not writable by this user: changes could not be recorded; "
                "fix its permissions or choose another --db"
            )
        if not os.access(folder, os.W_OK | os.X_OK) or not folder.stat().st_mode & 0o222:
            raise JournalUnavailable(
                f"the folder of the journal {self._path} is not writable: SQLite needs to create its "
                "write-ahead log beside the file"
            )

    def _create(self) -> str:
        journal_id = uuid.uuid4().hex
        with self._transaction(self._writer):
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._writer.execute(statement)
            self._writer.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)", [("format", FORMAT), ("journal_id", journal_id)]
            )
        return journal_id

    def _open_existing(self) -> str:
        tables = {row[0] for row in self._reader.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise JournalUnavailable(
                f"{self._path} is an SQLite database but not an Oversight Graph journal; it was left as it is"
            )
        # The small tables are checked now; the large ones (effects, history)
        # would take minutes on a big journal, and report damage when read.
        for table in ("meta", "change_set", "token"):
            check = self._reader.execute(f"PRAGMA quick_check({table})").fetchone()[0]
            if check != "ok":
                raise JournalUnavailable(f"{self._path} is damaged (SQLite quick_check: {check}); it was left as it is")
        meta = dict(self._reader.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise JournalUnavailable(
                f"{self._path} is a journal of format {meta.get('format')!r}; this version reads format {FORMAT}"
            )
        return str(meta["journal_id"])

    @contextmanager
    def _reads(self) -> Iterator[None]:
        """Hold the reading connection; a damaged page read becomes :class:`JournalUnavailable`."""
        with self._read_lock:
            try:
                yield
            except sqlite3.DatabaseError as error:
                raise JournalUnavailable(
                    f"the journal {self._path} cannot be read ({error}): it may be damaged; it was left as it is"
                ) from None

    @staticmethod
    @contextmanager
    def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # -- the interface ----------------------------------------------------------------
    @property
    def location(self) -> str:
        return str(self._path)

    @property
    def snapshot_dir(self) -> Path:
        if self._snapshot_dir is not None:
            return self._snapshot_dir
        return self._path.with_name(self._path.name + ".snapshots")

    @property
    def journal_id(self) -> str:
        return self._id

    def note(self, name: str) -> str | None:
        with self._reads():
            row = self._reader.execute("SELECT value FROM meta WHERE name = ?", (f"note:{name}",)).fetchone()
        return str(row[0]) if row is not None else None

    def set_note(self, name: str, value: str) -> None:
        with self._write_lock, self._transaction(self._writer):
            self._writer.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (f"note:{name}", value),
            )

    def head(self) -> int:
        with self._reads():
            version: int = self._reader.execute("SELECT coalesce(max(version), 0) FROM change_set").fetchone()[0]
        return version

    def read(self, after: int, limit: int | None = None, *, effects: bool = True) -> Iterator[ChangeSet]:
        # Pages of change sets, so a large journal is never held in memory at once.
        while True:
            page = 256 if limit is None else min(limit, 256)
            with self._reads():
                rows = self._reader.execute(
                    "SELECT version, at, actor, role, reason FROM change_set WHERE version > ? ORDER BY version LIMIT ?",
                    (after, page),
                ).fetchall()
                found = [self._change_set(row, effects) for row in rows]
            yield from found
            if len(rows) < page:
                return
            after = rows[-1][0]
            if limit is not None:
                limit -= len(rows)
                if limit <= 0:
                    return

    def _change_set(self, row: tuple[Any, ...], effects: bool) -> ChangeSet:
        version, at, actor, role, reason = row
        when, who = datetime.fromisoformat(at), Actor(actor, Role.of(role))
        if not effects:
            (size,) = self._reader.execute("SELECT count(*) FROM effect WHERE version = ?", (version,)).fetchone()
            return ChangeSet(version, when, who, reason, (), size)
        return ChangeSet(version, when, who, reason, tuple(self._effects(version, 0, -1)))

    def _effects(self, version: int, offset: int, limit: int) -> list[Effect]:
        return [
            Effect.from_json(orjson.loads(body))
            for (body,) in self._reader.execute(
                "SELECT body FROM effect WHERE version = ? AND position >= ? ORDER BY position LIMIT ?",
                (version, offset, limit),
            )
        ]

    def get(self, version: int, *, effects: bool = True) -> ChangeSet | None:
        with self._reads():
            row = self._reader.execute(
                "SELECT version, at, actor, role, reason FROM change_set WHERE version = ?", (version,)
            ).fetchone()
            return self._change_set(row, effects) if row is not None else None

    def effects(self, version: int, offset: int = 0, limit: int | None = None) -> list[Effect]:
        with self._reads():
            return self._effects(version, offset, -1 if limit is None else limit)

    def history(self, key: str, after: int = 0, limit: int = 100) -> list[int]:
        with self._reads():
            rows = self._reader.execute(
                "SELECT version FROM touched WHERE key = ? AND version > ? ORDER BY version LIMIT ?",
                (key, after, limit),
            ).fetchall()
        return [row[0] for row in rows]

    @contextmanager
    def exclusive(self) -> Iterator[Appender]:
        with self._write_lock:
            try:
                with self._transaction(self._writer):
                    yield _SQLiteAppender(self._writer)
            except sqlite3.Error as error:
                raise JournalUnavailable(f"the journal {self._path} could not record the change: {error}") from None

    # -- tokens -----------------------------------------------------------------------
    def add_token(self, name: str, role: Role, digest: str) -> None:
        with self._write_lock:
            try:
                with self._transaction(self._writer):
                    self._writer.execute(
                        "INSERT INTO token (name, role, digest, created) VALUES (?, ?, ?, ?)",
                        (name, role.value, digest, datetime.now(UTC).isoformat()),
                    )
            except sqlite3.IntegrityError:
                raise ValueError(f"a token named {name!r} exists already (revoked ones keep their name)") from None

    def tokens(self) -> list[TokenInfo]:
        with self._reads():
            rows = self._reader.execute("SELECT name, role, created, revoked FROM token ORDER BY name").fetchall()
        return [
            TokenInfo(
                name,
                Role.of(role),
                datetime.fromisoformat(created),
                datetime.fromisoformat(revoked) if revoked else None,
            )
            for name, role, created, revoked in rows
        ]

    def revoke_token(self, name: str) -> bool:
        with self._write_lock, self._transaction(self._writer):
            cursor = self._writer.execute(
                "UPDATE token SET revoked = ? WHERE name = ? AND revoked IS NULL", (datetime.now(UTC).isoformat(), name)
            )
            return cursor.rowcount == 1

    def token_by_digest(self, digest: str) -> tuple[str, Role, str] | None:
        with self._reads():
            row = self._reader.execute(
                "SELECT name, role, digest FROM token WHERE digest = ? AND revoked IS NULL", (digest,)
            ).fetchone()
        return (row[0], Role.of(row[1]), row[2]) if row is not None else None

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self._writer.close()
            self._reader.close()

    def reopen(self) -> None:
        """Open fresh connections (in a process forked after :meth:`close`)."""
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer = _connect(self._path)
        self._reader = _connect(self._path)
