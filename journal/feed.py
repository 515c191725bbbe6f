"""Live change sets for subscribers: catch up from the journal, then follow the read model.

A :class:`ChangeFeed` sits between the read model, which calls its listeners
with each applied change set from whatever thread applied it, and the
subscribers, each an asyncio consumer on the server's event loop.

- **Hand-over without gap or duplicate.** A subscriber is registered before
  it reads the journal, so every change set applied from then on is
  buffered for it; it then reads the journal after its ``since`` up to the
  version the graph is at, and finally takes the buffer, skipping what it
  already had. Versions are numbered without gaps, so comparing them is
  enough to deliver each change set exactly once and in order.
- **Bounded buffers, slow subscribers read the journal.** Each subscriber
  buffers at most ``buffer`` change sets. When one falls further behind,
  its buffer is emptied and marked: on reaching the mark it catches up from
  the journal again, at its own pace, and then takes the buffer as before.
  A slow subscriber therefore costs the server a bounded amount of memory
  and is never dropped; it only lags.
- **One hop per change set.** The applying thread schedules a single
  callback on the loop (``call_soon_threadsafe``), which puts the change
  set in every buffer; subscribers never touch another thread.

Change sets are delivered only once the graph reflects them, so whatever a
subscriber reads of the graph after receiving version V is at least V.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import ChangeSet
from oversight_graph.journal.errors import JournalUnavailable
from oversight_graph.journal.readmodel import ReadModel

__all__ = ["ChangeFeed"]

_CATCH_UP_PAGE = 100
"""Change sets read from the journal at a time while catching up."""


class _Closed:
    """The mark a subscriber finds in its buffer when the server is stopping."""


_CLOSED = _Closed()


class _Subscriber:
    """One consumer's buffer of live change sets, optionally only those touching ``key``."""

    __slots__ = ("key", "queue")

    def __init__(self, buffer: int, key: str | None) -> None:
        self.key = key
        self.queue: asyncio.Queue[ChangeSet | _Closed | None] = asyncio.Queue(max(2, buffer))

    def offer(self, change: ChangeSet) -> None:
        queue = self.queue
        if queue.full():
            # Too far behind: what it holds is let go (the journal has it all)
            # and a mark, None, tells it to read the journal before the newer ones.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(None)
        queue.put_nowait(change)

    def close(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(_CLOSED)


class ChangeFeed:
    """Change sets of one read model, streamed to any number of asyncio subscribers.

    Parameters
    ----------
    journal
        Where change sets before a subscriber's arrival are read from.
    model
        The read model whose applied change sets are followed.
    buffer
        Change sets buffered per subscriber before it is dropped as too slow.
    """

    def __init__(self, journal: Journal, model: ReadModel, buffer: int = 1000) -> None:
        self.journal = journal
        self.model = model
        self.buffer = buffer
        self._subscribers: set[_Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def subscribers(self) -> int:
        """How many streams are open now."""
        return len(self._subscribers)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Follow the read model, delivering on ``loop`` (the loop subscribers run on)."""
        self._loop = loop
        if self._applied not in self.model.listeners:
            self.model.listeners.append(self._applied)

    def stop(self) -> None:
        """Stop following the read model; open streams stay open and receive nothing more."""
        if self._applied in self.model.listeners:
            self.model.listeners.remove(self._applied)
        self._loop = None

    def close(self) -> None:
        """End every open stream and refuse new ones: the server is stopping (call on the loop).

        Each stream ends with :class:`JournalUnavailable` naming the version
        to subscribe again from, so subscribers move to another server (or
        this one, restarted) without a gap instead of holding the stop up.
        """
        self._closed = True
        for subscriber in list(self._subscribers):
            subscriber.close()

    def _applied(self, change: ChangeSet) -> None:
        """Read-model listener, on the applying thread: one hop to the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._fan_out, change)

    def _fan_out(self, change: ChangeSet) -> None:
        keys: frozenset[str] | None = None
        for subscriber in list(self._subscribers):
            if subscriber.key is not None:
                if keys is None:
                    keys = change.keys
                if subscriber.key not in keys:
                    continue
            subscriber.offer(change)

    async def follow(self, since: int | None = None, key: str | None = None) -> AsyncIterator[ChangeSet]:
        """Every change set after ``since`` (default: from now on), in version order, each once.

        With ``key``, only the change sets that touched it (an entity with its
        relations, or a relation), as :meth:`Journal.history` lists them.

        Raises
        ------
        JournalUnavailable
            If the journal cannot be read while catching up, or the server is
            stopping (:meth:`close`); the message names the version to resume from.
        """
        last = self.model.version if since is None else since
        if self._closed:
            raise JournalUnavailable(_stopping(last))
        subscriber = _Subscriber(self.buffer, key)
        self._subscribers.add(subscriber)  # first: from here on nothing applied is missed
        try:
            if since is not None:
                async for change in self._catch_up(since, key):
                    yield change
                    last = change.version
            while True:
                live = await subscriber.queue.get()
                if isinstance(live, _Closed):
                    raise JournalUnavailable(_stopping(last))
                if live is None:  # the mark: it fell behind its buffer
                    async for change in self._catch_up(last, key):
                        yield change
                        last = change.version
                elif live.version > last:
                    yield live
                    last = live.version
        finally:
            self._subscribers.discard(subscriber)

    async def _catch_up(self, after: int, key: str | None) -> AsyncIterator[ChangeSet]:
        """Change sets from the journal after ``after``, up to the version the graph is at."""
        while after < self.model.version:
            page = await asyncio.to_thread(self._page, after, key, self.model.version)
            if not page:
                return
            for change in page:
                yield change
                after = change.version

    def _page(self, after: int, key: str | None, until: int) -> list[ChangeSet]:
        if key is None:
            found = list(self.journal.read(after, _CATCH_UP_PAGE, effects=False))
        else:
            versions = self.journal.history(key, after, _CATCH_UP_PAGE)
            found = [c for v in versions if (c := self.journal.get(v, effects=False)) is not None]
        return [c for c in found if c.version <= until]


def _stopping(last: int) -> str:
    return f"the server is stopping: subscribe again with since: {last} to continue without a gap"
