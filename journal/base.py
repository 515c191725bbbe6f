"""The journal interface: an append-only, numbered log of change sets.

Two implementations share it: :class:`journal.sqlite.SQLiteJournal` (embedded,
the default) and :class:`journal.postgres.PostgresJournal`, for several
servers (replicas) sharing a PostgreSQL database.
A journal only stores; :mod:`journal.writer` decides what to append and
:mod:`journal.readmodel` applies change sets to the in-memory graph.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from oversight_graph.journal.changes import Actor, ChangeSet, Effect, Role

__all__ = ["Appender", "Journal", "TokenInfo"]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of an API token: never the token itself."""

    name: str
    role: Role
    created: datetime
    revoked: datetime | None


class Appender(ABC):
    """Exclusive append rights, held inside :meth:`Journal.exclusive`."""

    @abstractmethod
    def head(self) -> int:
        """The newest version in the journal (0 when empty)."""

    @abstractmethod
    def append(self, actor: Actor, reason: str, effects: Iterable[Effect]) -> ChangeSet:
        """Record a change set as version ``head() + 1``; durable once the ``exclusive`` block ends.

        ``effects`` is read once, as it comes. A very large change set is
        returned as a header (``ChangeSet.complete`` is false).
        """


class Journal(ABC):
    """An append-only log of change sets, numbered from 1 without gaps, plus API tokens."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the journal lives (a path or a database address without its password), for messages."""

    @property
    @abstractmethod
    def snapshot_dir(self) -> Path:
        """The folder this server keeps snapshots of the graph in."""

    @property
    @abstractmethod
    def journal_id(self) -> str:
        """A random id fixed when the journal was created; snapshots name it so one is never used for another."""

    @abstractmethod
    def head(self) -> int:
        """The newest version (0 when empty)."""

    @abstractmethod
    def note(self, name: str) -> str | None:
        """A note kept with the journal (``origin``: the data directory of version 1), or ``None``."""

    @abstractmethod
    def set_note(self, name: str, value: str) -> None:
        """Keep a note with the journal."""

    @abstractmethod
    def read(self, after: int, limit: int | None = None, *, effects: bool = True) -> Iterator[ChangeSet]:
        """Change sets with versions above ``after``, oldest first, at most ``limit``.

        With ``effects=False`` only their headers are read (``ChangeSet.size``
        says how many effects each has; :meth:`effects` pages through them).
        """

    @abstractmethod
    def get(self, version: int, *, effects: bool = True) -> ChangeSet | None:
        """One change set (or its header), or ``None``."""

    @abstractmethod
    def effects(self, version: int, offset: int = 0, limit: int | None = None) -> list[Effect]:
        """Effects of one change set, in order, from ``offset``."""

    @abstractmethod
    def history(self, key: str, after: int = 0, limit: int = 100) -> list[int]:
        """Versions above ``after`` of the change sets that touched ``key``, oldest first."""

    @abstractmethod
    def exclusive(self) -> AbstractContextManager[Appender]:
        """Hold the right to append, across every process sharing the journal.

        The block's change sets are committed durably when it ends normally
        and discarded when it raises.
        """

    def wait_for_change(self, timeout: float, stop: threading.Event) -> int | None:
        """Return when another process may have appended, or after ``timeout`` seconds (sooner if ``stop`` is set).

        Returns the version just appended when the database announced it,
        else ``None``; either way only a hint: the caller reads the journal
        for what it lacks. This default sleeps; a journal whose database
        announces commits (PostgreSQL's ``NOTIFY``) returns as one arrives.
        """
        stop.wait(timeout)
        return None

    # -- tokens -----------------------------------------------------------------
    @abstractmethod
    def add_token(self, name: str, role: Role, digest: str) -> None:
        """Store a new token's name, role and digest; :class:`ValueError` if the name is taken."""

    @abstractmethod
    def tokens(self) -> list[TokenInfo]:
        """Every token, revoked ones included, by name."""

    @abstractmethod
    def revoke_token(self, name: str) -> bool:
        """Revoke a token; whether an active one had that name."""

    @abstractmethod
    def token_by_digest(self, digest: str) -> tuple[str, Role, str] | None:
        """The active token with this digest: its name, role and stored digest."""

    @abstractmethod
    def close(self) -> None:
        """Release the database."""

    @abstractmethod
    def reopen(self) -> None:
        """Connect again after :meth:`close` (a worker process forked from the one that loaded the graph)."""
