"""The write path: check who asks, plan, record durably, then apply.

:meth:`Writer.submit` is the one way a change reaches the graph:

1. the actor must hold a role that allows every requested operation;
2. under the journal's exclusive append right (which orders writers across
   processes), the read model first catches up with change sets other
   processes recorded, then ``expected_version`` is checked;
3. the requests are planned against the graph (:func:`journal.edits.plan`,
   the loader's validation) — a problem anywhere rejects the whole set;
4. the change set is recorded; it is durable when the exclusive block ends;
5. only then is it applied to the in-memory graph, and returned.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace

from oversight_graph.graph.errors import Problem
from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor, ChangeSet, Role
from oversight_graph.journal.edits import OPERATIONS, EditRequest, plan
from oversight_graph.journal.errors import EditRejected, Forbidden, Unauthenticated, VersionConflict
from oversight_graph.journal.readmodel import ReadModel

__all__ = ["MAX_REASON", "Writer"]

log = logging.getLogger("oversight.journal")

MAX_REASON = 1000
"""Longest ``reason`` accepted, in characters."""


class Writer:
    """Accepts change sets for one journal and one read model.

    Parameters
    ----------
    journal
        Where change sets are recorded.
    model
        The in-memory graph they are applied to (snapshots of it are
        written by :class:`journal.snapshotter.Snapshotter`, not here).
    """

    def __init__(self, journal: Journal, model: ReadModel) -> None:
        self.journal = journal
        self.model = model
        self._lock = threading.Lock()
        self.forked_from: int | None = None
        """The process that loaded the graph, when workers are forked from it (they reconnect to the journal)."""

    def submit(
        self,
        actor: Actor | None,
        reason: str,
        requests: Sequence[EditRequest],
        expected_version: int | None = None,
    ) -> ChangeSet:
        """Record and apply one change set; return it.

        Raises
        ------
        Unauthenticated
            If there is no actor.
        Forbidden
            If the actor's role does not allow an operation.
        VersionConflict
            If ``expected_version`` is given and the graph has moved past it.
        EditRejected
            If the reason is missing or any request is invalid.
        JournalUnavailable
            If the journal cannot record it (nothing is applied then).
        """
        if actor is None:
            raise Unauthenticated("changing the graph needs an API token: send Authorization: Bearer <token>")
        for request in requests:
            needed = OPERATIONS.get(request.op, Role.ADMIN)
            if not actor.role.allows(needed):
                raise Forbidden(
                    f"{request.op} needs the {needed.value} role; the token {actor.name!r} is {actor.role.value}"
                )
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason or len(reason) > MAX_REASON:
            raise EditRejected(
                [Problem("input", "", "reason", f"say why in 1 to {MAX_REASON} characters, like an edit summary")]
            )
        with self._lock:
            with self.journal.exclusive() as appender:
                head = appender.head()
                if head > self.model.version:  # not read when current: the lock is held meanwhile
                    self.model.catch_up(self.journal, until=head)
                if expected_version is not None and expected_version != head:
                    raise VersionConflict(expected_version, head)
                effects = plan(self.model.store, requests)
                change = appender.append(actor, reason, effects)
            if not change.complete:  # a large change set comes back as a header: it has these effects
                change = replace(change, effects=tuple(effects), size=None)
            # Recorded durably: now (and only now) the graph changes.
            self.model.apply(change)
            log.info("version %d by %s (%s): %d effect(s)", change.version, actor.name, actor.role.value, len(effects))
        return change
