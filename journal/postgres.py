"""The shared journal: tables in a PostgreSQL database (psycopg 3 and its connection pool).

Several servers — processes on one machine or on many — share one database.
Each keeps its own read model; the database orders their writes:

- :meth:`PostgresJournal.exclusive` runs one transaction that first takes a
  transaction-scoped advisory lock, so appenders queue behind each other in
  whichever process or machine they run; the lock is released by the commit,
  so a reader never sees version ``n + 1`` before version ``n`` is committed;
- the appending transaction sends a ``NOTIFY`` that PostgreSQL delivers to
  listeners when (and only if) it commits; :meth:`PostgresJournal.wait_for_change`
  listens on a connection of its own. A notification only wakes the
  follower: it always reads the journal itself, so a lost one loses nothing;
- a change set is acknowledged only after ``COMMIT`` returns, with PostgreSQL's
  default ``synchronous_commit``: it is then on the server's disk.

The tables are prefixed ``oversight_`` so they can live in an existing
database. They are created on first use under an advisory lock, so servers
starting together on an empty database create them once. Snapshots are
local files: each server keeps its own (``snapshot_dir``).
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from oversight_graph.journal.base import Appender, Journal, TokenInfo
from oversight_graph.journal.changes import Actor, ChangeSet, Effect, Role
from oversight_graph.journal.errors import JournalUnavailable

__all__ = ["CHANNEL", "PostgresJournal", "is_postgres"]

FORMAT = "1"
"""The table layout this code writes; a database holding another layout is refused."""

CHANNEL = "oversight_journal"
"""The ``LISTEN``/``NOTIFY`` channel; the payload is the new version."""

_APPEND_LOCK = 0x6F76_6572_7369_6768
"""Advisory lock key held by the appending transaction ('oversigh' in ASCII)."""
_CREATE_LOCK = _APPEND_LOCK + 1
"""Advisory lock key held while the tables are created."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oversight_meta (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS oversight_change_set (
    version bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    role text NOT NULL,
    reason text NOT NULL,
    size bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS oversight_effect (
    version bigint NOT NULL REFERENCES oversight_change_set (version),
    position integer NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (version, position)
);
CREATE TABLE IF NOT EXISTS oversight_touched (
    key text NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE TABLE IF NOT EXISTS oversight_token (
    name text PRIMARY KEY,
    role text NOT NULL,
    digest text NOT NULL UNIQUE,
    created timestamptz NOT NULL,
    revoked timestamptz
)
"""

_KEEP_EFFECTS = 10_000
"""Change sets with more effects than this are returned from ``append`` as headers."""

_ERRORS = (psycopg.Error, PoolTimeout)
_LOST = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
"""What a lost or unreachable database raises (other errors are not the database's absence)."""


def is_postgres(location: str) -> bool:
    """Whether ``location`` is a PostgreSQL address rather than a file path.

    Examples
    --------
    >>> is_postgres("postgresql://postgres@127.0.0.1/graph"), is_postgres("oversight.db")
    (True, False)
    """
    return location.startswith(("postgresql://", "postgres://"))


def _without_password(location: str) -> str:
    """The address with any password masked, for messages.

    Examples
    --------
    >>> _without_password("postgresql://ana:secret@db.example/graph")
    'postgresql://ana:***@db.example/graph'
    """
    location = re.sub(r"^(postgres(?:ql)?://[^:@/]*):[^@/]*@", r"\1:***@", location)
    return re.sub(r"(password=)[^&\s]*", r"\1***", location)


class _PostgresAppender(Appender):
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._db = connection
        row = connection.execute("SELECT coalesce(max(version), 0) FROM oversight_change_set").fetchone()
        self._head: int = int(row[0]) if row is not None else 0
        self.appended = False

    def head(self) -> int:
        return self._head

    def append(self, actor: Actor, reason: str, effects: Iterable[Effect]) -> ChangeSet:
        version = self._head + 1
        at = datetime.now(UTC)
        self._db.execute(
            "INSERT INTO oversight_change_set (version, at, actor, role, reason, size) VALUES (%s, %s, %s, %s, %s, 0)",
            (version, at, actor.name, actor.role.value, reason),
        )
        kept: list[Effect] = []
        keys: set[str] = set()
        count = 0
        # COPY streams the rows: a first import of a large graph is millions of effects.
        with self._db.cursor() as cursor:
            with cursor.copy("COPY oversight_effect (version, position, body) FROM STDIN") as copy:
                for position, effect in enumerate(effects):
                    if len(kept) <= _KEEP_EFFECTS:
                        kept.append(effect)
                    keys.update(effect.keys)
                    copy.write_row((version, position, orjson.dumps(effect.to_json()).decode()))
                    count = position + 1
            with cursor.copy("COPY oversight_touched (key, version) FROM STDIN") as copy:
                for key in keys:
                    copy.write_row((key, version))
        # The NOTIFY is delivered by PostgreSQL when this transaction commits, never before and never if it
        # rolls back; sent with the count's update, in one round trip (the append lock is held meanwhile).
        self._db.execute(
            "WITH counted AS (UPDATE oversight_change_set SET size = %s WHERE version = %s RETURNING version) "
            "SELECT pg_notify(%s, %s) FROM counted",
            (count, version, CHANNEL, str(version)),
        )
        self._head = version
        self.appended = True
        if len(kept) > _KEEP_EFFECTS:
            return ChangeSet(version, at, actor, reason, (), count)
        return ChangeSet(version, at, actor, reason, tuple(kept))


class PostgresJournal(Journal):
    """A journal in a PostgreSQL database, shared by every server given the same address.

    Parameters
    ----------
    location
        A ``postgresql://`` (or ``postgres://``) address; the database must exist.
    snapshot_dir
        The local folder this server keeps its snapshots in.
    timeout
        Seconds to wait for a connection before an operation fails with
        :class:`JournalUnavailable` (the database is down or unreachable).

    Raises
    ------
    JournalUnavailable
        If the database cannot be reached, or holds journal tables of another format.
    """

    def __init__(self, location: str, snapshot_dir: str | Path, *, timeout: float = 3.0) -> None:
        self._location = location
        self._shown = _without_password(location)
        self._snapshot_dir = Path(snapshot_dir)
        self._timeout = timeout
        self._listener: psycopg.Connection[Any] | None = None
        self._listener_lock = threading.Lock()
        self._pool = self._open_pool()
        try:
            self._id = self._prepare()
        except BaseException:
            self._pool.close()
            raise

    # -- opening ----------------------------------------------------------------------
    def _open_pool(self, *, wait: bool = True) -> ConnectionPool:
        pool = ConnectionPool(
            self._location,
            min_size=1,
            max_size=8,  # the follower, a writer (two while it catches up), token checks, subscribers reading back
            open=False,
            timeout=self._timeout,
            # Give up on a lost connection soon: the next caller asks for a new one at once,
            # instead of waiting out a growing back-off after the database returns.
            reconnect_timeout=self._timeout,
            check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(self._timeout))},
            name="oversight-journal",
        )
        try:
            pool.open(wait=wait, timeout=self._timeout)
        except PoolTimeout:
            pool.close()
            raise JournalUnavailable(
                f"cannot connect to the journal database {self._shown} within {self._timeout:g} s: "
                "is PostgreSQL running, and does the database exist?"
            ) from None
        return pool

    def _prepare(self) -> str:
        with self._connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            exists = db.execute("SELECT to_regclass('oversight_meta') IS NOT NULL").fetchone()
            if exists is not None and exists[0]:
                meta = dict(db.execute("SELECT name, value FROM oversight_meta").fetchall())
                if meta.get("format") != FORMAT:
                    raise JournalUnavailable(
                        f"{self._shown} holds journal tables of format {meta.get('format')!r}; "
                        f"this version reads format {FORMAT}; they were left as they are"
                    )
                return str(meta["journal_id"])
            for statement in _SCHEMA.split(";"):
                db.execute(statement)
            journal_id = uuid.uuid4().hex
            db.execute(
                "INSERT INTO oversight_meta (name, value) VALUES ('format', %s), ('journal_id', %s)",
                (FORMAT, journal_id),
            )
            return journal_id

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; a lost or unreachable database becomes :class:`JournalUnavailable`."""
        try:
            with self._pool.connection() as connection:
                yield connection
        except _LOST as error:
            raise JournalUnavailable(f"the journal database {self._shown} is unavailable: {_reason(error)}") from None

    # -- the interface ----------------------------------------------------------------
    @property
    def location(self) -> str:
        return self._shown

    @property
    def snapshot_dir(self) -> Path:
        return self._snapshot_dir

    @property
    def journal_id(self) -> str:
        return self._id

    def note(self, name: str) -> str | None:
        with self._connection() as db:
            row = db.execute("SELECT value FROM oversight_meta WHERE name = %s", (f"note:{name}",)).fetchone()
        return str(row[0]) if row is not None else None

    def set_note(self, name: str, value: str) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT INTO oversight_meta (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (f"note:{name}", value),
            )

    def head(self) -> int:
        with self._connection() as db:
            row = db.execute("SELECT coalesce(max(version), 0) FROM oversight_change_set").fetchone()
        return int(row[0]) if row is not None else 0

    def read(self, after: int, limit: int | None = None, *, effects: bool = True) -> Iterator[ChangeSet]:
        while True:
            page = 256 if limit is None else min(limit, 256)
            with self._connection() as db:
                if effects:
                    # One round trip for a page of change sets and their effects: following replicas read
                    # each new change set this way, and under load every round trip waits for a core.
                    rows, bodies = _with_effects(
                        db.execute(
                            "WITH page AS (SELECT version, at, actor, role, reason, size FROM oversight_change_set "
                            "WHERE version > %s ORDER BY version LIMIT %s) "
                            "SELECT page.*, e.body FROM page LEFT JOIN oversight_effect e USING (version) "
                            "ORDER BY version, e.position",
                            (after, page),
                        ).fetchall()
                    )
                else:
                    rows, bodies = (
                        db.execute(
                            "SELECT version, at, actor, role, reason, size FROM oversight_change_set "
                            "WHERE version > %s ORDER BY version LIMIT %s",
                            (after, page),
                        ).fetchall(),
                        None,
                    )
            yield from (_change_set(row, bodies) for row in rows)
            if len(rows) < page:
                return
            after = rows[-1][0]
            if limit is not None:
                limit -= len(rows)
                if limit <= 0:
                    return

    def get(self, version: int, *, effects: bool = True) -> ChangeSet | None:
        found = list(self.read(version - 1, 1, effects=effects))
        return found[0] if found and found[0].version == version else None

    def effects(self, version: int, offset: int = 0, limit: int | None = None) -> list[Effect]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT body FROM oversight_effect WHERE version = %s AND position >= %s ORDER BY position LIMIT %s",
                (version, offset, limit),
            ).fetchall()
        return [Effect.from_json(orjson.loads(body)) for (body,) in rows]

    def history(self, key: str, after: int = 0, limit: int = 100) -> list[int]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT version FROM oversight_touched WHERE key = %s AND version > %s ORDER BY version LIMIT %s",
                (key, after, limit),
            ).fetchall()
        return [int(row[0]) for row in rows]

    @contextmanager
    def exclusive(self) -> Iterator[Appender]:
        with self._connection() as db:
            try:
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
                    yield _PostgresAppender(db)
            except _ERRORS as error:
                raise JournalUnavailable(
                    f"the journal database {self._shown} could not record the change: {_reason(error)}"
                ) from None

    def wait_for_change(self, timeout: float, stop: threading.Event) -> int | None:
        """Return when another server appended (a notification came: its version), or after ``timeout`` (``None``).

        Listens on a connection of its own, reconnecting after the database
        went away; notifications missed meanwhile are made up for by the
        caller reading the journal, as it does after every wake without a version.
        """
        with self._listener_lock:
            try:
                if self._listener is None or self._listener.closed:
                    self._listener = psycopg.connect(
                        self._location, autocommit=True, connect_timeout=max(1, round(self._timeout))
                    )
                    self._listener.execute(f"LISTEN {CHANNEL}")
                    return None  # listening now: the caller reads what came meanwhile
                deadline = time.monotonic() + timeout
                # In short waits, so that a stopping server is not held up by a long poll interval.
                while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                    for notification in self._listener.notifies(timeout=min(left, 0.25), stop_after=1):
                        return int(notification.payload) if notification.payload.isdigit() else None
                return None
            except psycopg.Error:
                if self._listener is not None:
                    self._listener.close()
                self._listener = None
        stop.wait(min(timeout, 1.0))
        return None

    # -- tokens -----------------------------------------------------------------------
    def add_token(self, name: str, role: Role, digest: str) -> None:
        try:
            with self._connection() as db:
                db.execute(
                    "INSERT INTO oversight_token (name, role, digest, created) VALUES (%s, %s, %s, %s)",
                    (name, role.value, digest, datetime.now(UTC)),
                )
        except psycopg.errors.UniqueViolation:
            raise ValueError(f"a token named {name!r} exists already (revoked ones keep their name)") from None

    def tokens(self) -> list[TokenInfo]:
        with self._connection() as db:
            rows = db.execute("SELECT name, role, created, revoked FROM oversight_token ORDER BY name").fetchall()
        return [
            TokenInfo(name, Role.of(role), created.astimezone(UTC), revoked.astimezone(UTC) if revoked else None)
            for name, role, created, revoked in rows
        ]

    def revoke_token(self, name: str) -> bool:
        with self._connection() as db:
            cursor = db.execute(
                "UPDATE oversight_token SET revoked = %s WHERE name = %s AND revoked IS NULL", (datetime.now(UTC), name)
            )
            return cursor.rowcount == 1

    def token_by_digest(self, digest: str) -> tuple[str, Role, str] | None:
        with self._connection() as db:
            row = db.execute(
                "SELECT name, role, digest FROM oversight_token WHERE digest = %s AND revoked IS NULL", (digest,)
            ).fetchone()
        return (row[0], Role.of(row[1]), row[2]) if row is not None else None

    def close(self) -> None:
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._pool.close()

    def reopen(self) -> None:
        """Open a fresh pool (in a process forked after :meth:`close`).

        Does not wait for the database: a server process started while it is
        away serves its graph and connects when it returns.
        """
        self._listener = None
        self._listener_lock = threading.Lock()
        self._pool = self._open_pool(wait=False)


def _change_set(row: tuple[Any, ...], bodies: dict[int, list[Effect]] | None) -> ChangeSet:
    version, at, actor, role, reason, size = row
    who, at = Actor(actor, Role.of(role)), at.astimezone(UTC)
    if bodies is None:
        return ChangeSet(version, at, who, reason, (), size)
    return ChangeSet(version, at, who, reason, tuple(bodies.get(version, ())))


def _with_effects(joined: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], dict[int, list[Effect]]]:
    """Change set rows and their effects, from rows of a change set joined with each of its effects."""
    rows: list[tuple[Any, ...]] = []
    bodies: dict[int, list[Effect]] = {}
    for *header, body in joined:
        if not rows or rows[-1][0] != header[0]:
            rows.append(tuple(header))
            bodies[header[0]] = []
        if body is not None:
            bodies[header[0]].append(Effect.from_json(orjson.loads(body)))
    return rows, bodies


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
