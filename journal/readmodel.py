"""The read model: the in-memory graph, kept current by applying change sets.

Requests read the :class:`~graph.store.GraphStore` directly and never wait
on the database. A change set is applied in place, in version order, and
all at once as readers see it:

- its effects are parsed into model objects first, so nothing can fail
  half-way through the changes;
- the changes are made while no offloaded reader (a request running in a
  worker thread, see :meth:`ReadModel.reading`) is inside the graph, and
  on the event loop's thread when the server has one (``run_exclusive``),
  so a request answered on the loop sees a change set entirely or not at all.

The model also remembers, for every key changed since the graph's base
import, the versions that created and last changed it (``createdIn`` /
``updatedIn`` in the API); keys not listed date from the base version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from oversight_graph.graph.errors import Problem
from oversight_graph.graph.model import Entity, Relation, kind_of_key
from oversight_graph.graph.records import Source, parse_entity, parse_relation
from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import ChangeSet, Effect, Target
from oversight_graph.journal.errors import JournalError

__all__ = ["ReadModel", "SharedLock"]


class SharedLock:
    """A readers–writer lock that lets a waiting writer in before new readers.

    Examples
    --------
    >>> lock = SharedLock()
    >>> with lock.shared():
    ...     pass
    >>> with lock.exclusive():
    ...     pass
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the lock with other readers."""
        with self._condition:
            while self._writing or self._waiting_writers:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if not self._readers:
                    self._condition.notify_all()

    @property
    def writer_waiting(self) -> bool:
        """Whether a writer waits for the readers to finish (a hint: read without the lock)."""
        return self._waiting_writers > 0

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the lock alone."""
        with self._condition:
            self._waiting_writers += 1
            try:
                while self._writing or self._readers:
                    self._condition.wait()
            finally:
                self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


def _parsed(change: ChangeSet) -> list[tuple[Effect, Entity | Relation | str | None]]:
    """Each effect with the object it leaves (``None`` for a retraction, the target key for a redirect)."""
    problems: list[Problem] = []
    source = Source("journal", f"version {change.version}")
    out: list[tuple[Effect, Entity | Relation | str | None]] = []
    for effect in change.effects:
        after = effect.after
        value: Entity | Relation | str | None = None
        if after is not None:
            if effect.target is Target.ENTITY:
                kind = kind_of_key(effect.key)
                value = parse_entity(kind, after, source, problems).entity if kind is not None else None
            elif effect.target is Target.RELATION:
                value = parse_relation(after, source, problems).relation
            else:
                value = str(after["to"])
            if value is None and not problems:
                problems.append(Problem("journal", source.record, "", f"effect on {effect.key!r} is unreadable"))
        out.append((effect, value))
    if problems:
        raise JournalError(
            f"change set {change.version} in the journal does not parse: {problems[0]}; the graph was not changed"
        )
    return out


class ReadModel:
    """The in-memory graph and what it needs to follow a journal.

    Parameters
    ----------
    store
        The graph; its ``version`` is the journal version it reflects.
    created, updated
        Versions that created and last changed each key, for keys changed
        after the base import (see the module docstring).
    base
        The version of the base import (1 for a journal started from files).
    """

    def __init__(
        self,
        store: GraphStore,
        created: dict[str, int] | None = None,
        updated: dict[str, int] | None = None,
        base: int = 1,
    ) -> None:
        self.store = store
        self.created = created if created is not None else {}
        self.updated = updated if updated is not None else {}
        self.base = base
        self.lock = SharedLock()
        self.run_exclusive: Callable[[Callable[[], None]], None] = _call
        """How a change is made where no reader sees it half done; the server runs it on its event loop."""
        self.listeners: list[Callable[[ChangeSet], None]] = []
        self._applying = threading.Lock()

    @property
    def version(self) -> int:
        """The journal version the graph reflects."""
        return self.store.version

    def created_in(self, key: str) -> int:
        """The version that created ``key`` (the base version for keys from the base import)."""
        return self.created.get(key, self.base)

    def updated_in(self, key: str) -> int:
        """The version that last changed ``key``."""
        return self.updated.get(key, self.created_in(key))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the graph steady for a reader outside the event loop (an offloaded request)."""
        with self.lock.shared():
            yield

    def apply(self, change: ChangeSet) -> bool:
        """Apply the next change set; return whether it was applied (``False``: seen already).

        Raises
        ------
        JournalError
            If ``change`` is not the next version (a gap) or does not parse.
        """
        with self._applying:
            version = self.store.version
            if change.version <= version:
                return False
            if not change.complete:
                raise JournalError(f"change set {change.version} came without its effects; it cannot be applied")
            if change.version != version + 1:
                raise JournalError(f"change set {change.version} cannot follow version {version}: a gap in the journal")
            parsed = _parsed(change)
            with self.lock.exclusive():
                self.run_exclusive(lambda: self._change(change, parsed))
        for listener in self.listeners:
            listener(change)
        return True

    def _change(self, change: ChangeSet, parsed: list[tuple[Effect, Any]]) -> None:
        store, version = self.store, change.version
        for effect, value in parsed:
            key = effect.key
            if effect.target is Target.ENTITY:
                if value is None:
                    store.remove_entity(key)
                else:
                    store.put_entity(value)
            elif effect.target is Target.RELATION:
                if value is None:
                    store.remove_relation(key)
                else:
                    store.put_relation(value)
            elif value is None:
                store.redirects.pop(key, None)
            else:
                store.redirect(key, value)
            if effect.target is Target.REDIRECT or version <= self.base:
                continue  # keys of the base import date from it without being listed
            if effect.before is None:
                self.created[key] = version
            self.updated[key] = version
        store.set_version(version)

    def catch_up(self, journal: Journal, until: int | None = None) -> int:
        """Apply every change set the journal has after the graph's version (up to ``until``); return how many."""
        applied = 0
        for change in journal.read(self.store.version):
            if until is not None and change.version > until:
                break
            applied += self.apply(change)
        return applied


def _call(change: Callable[[], None]) -> None:
    change()
