"""Checking API tokens without holding up the event loop.

A token is looked up in the journal: a quick read of a local SQLite file, or a
round trip to PostgreSQL, which takes up to the pool's timeout while the
database is unreachable. The lookup runs in a few worker threads of its own, so
a slow or lost database delays only the requests that carry a token, never the
event loop that answers everyone else (nor the threads that run queries).
"""

from __future__ import annotations

import anyio.to_thread

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor
from oversight_graph.journal.tokens import authenticate

__all__ = ["TokenChecks", "bearer_token"]


class TokenChecks:
    """Token lookups in at most ``threads`` worker threads at once."""

    def __init__(self, threads: int = 4) -> None:
        self._limiter = anyio.CapacityLimiter(threads)

    async def actor(self, journal: Journal, token: str) -> Actor | None:
        """The actor an active token stands for, ``None`` for an unknown or revoked one.

        Raises
        ------
        JournalUnavailable, JournalError
            As :func:`~oversight_graph.journal.tokens.authenticate` does.
        """
        return await anyio.to_thread.run_sync(authenticate, journal, token, limiter=self._limiter)


def bearer_token(value: object) -> str | None:
    """The token of an ``Authorization`` value of the form ``Bearer TOKEN``; ``None`` if malformed.

    >>> bearer_token("bearer og_abc ")
    'og_abc'
    >>> bearer_token("Basic x") is None
    True
    """
    scheme, _, token = str(value).strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
