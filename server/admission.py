"""Admission control: two lanes for cheap and expensive work, load shedding, per-client cost budgets.

**Lanes.** Requests estimated to cost more than ``offload_cost`` run in the
expensive lane (``offload_threads`` worker threads); everything else runs on
the event loop. The threads share one interpreter lock with the loop, so an
expensive operation gives way: while cheap requests are in progress it
works in slices of half a millisecond and pauses for 8 ms after each, at
the first checkpoint (:func:`graph.deadline.check`, every few dozen list
items, resolver calls or filtered entities) past the slice, and the cheap
lane keeps its latency.

New documents (not yet parsed and validated) are prepared in a thread of
their own, paced the same way: their cost is unknown until admission.

**Shedding.** When ``shed_queue`` expensive operations already wait for a
thread, a new one is refused at once with ``503 SERVICE_UNAVAILABLE`` and
``Retry-After``, instead of queueing without bound.

**Budgets.** Each client — the authenticated token's name when there is one,
else the client address — may spend ``rate_limit_cost`` units of estimated
cost per ``rate_limit_window`` seconds; answers from the response cache and
requests refused before execution cost nothing. A request whose cost is
more than what is left is refused with ``429 RATE_LIMITED``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from oversight_graph.graph import deadline

__all__ = ["Budget", "Budgets", "Lanes", "client_key"]

T = TypeVar("T")

_PAUSE = 0.008
"""Seconds an expensive operation pauses after a slice of work while cheap requests are in progress.

Under bench.attack, 8 ms rather than 2 ms roughly halved the normal client's p99 under attack
(bench/results/attack-10k-pacing.md): the interpreter lock held by the lane's thread, and the
collections its garbage triggers, are what the event loop waits for."""
_SLICE = 0.0005
"""Seconds an expensive operation works between pauses while cheap requests are in progress (the
interpreter's switch interval, server.manager.SWITCH_INTERVAL): about a seventeenth of the time."""
_RECENT = 0.005
"""Seconds after a cheap request finished during which cheap traffic counts as ongoing."""
_MAX_CLIENTS = 10_000
"""Clients whose budgets are remembered; the least recently seen are forgotten first."""


class Lanes:
    """The cheap lane (the event loop) and the expensive lane (worker threads) of one process."""

    def __init__(self, threads: int, shed_queue: int, hurry: Callable[[], bool] | None = None) -> None:
        self._limiter = anyio.CapacityLimiter(threads)
        self._preparing = anyio.CapacityLimiter(1)
        self._threads = threads
        self.shed_queue = shed_queue
        self.cheap = 0  # cheap requests in progress; read by the worker threads
        self.last_cheap = 0.0  # when the last one finished (monotonic)
        self.waiting = 0  # expensive operations waiting for a thread
        self._slice = threading.local()  # when each worker thread's current slice of work began
        self._hurry = hurry
        """Whether something waits for the running operations to finish (a change set to apply): they
        then run without pausing, since pausing would only make it, and everyone behind it, wait longer."""

    def cheap_started(self) -> None:
        self.cheap += 1

    def cheap_finished(self, *, was_cheap: bool = True) -> None:
        """A request leaves the event loop's lane: done, or (``was_cheap=False``) gone to the expensive lane.

        Only a request that was cheap counts as recent cheap traffic: an
        expensive one passing through must not make the next expensive
        operation pause for it (with only expensive operations arriving,
        that halved their throughput).
        """
        self.cheap -= 1
        if was_cheap:
            self.last_cheap = time.monotonic()

    def full(self) -> bool:
        """Whether a new expensive operation would have to wait behind ``shed_queue`` others."""
        return self._limiter.borrowed_tokens >= self._threads and self.waiting >= self.shed_queue

    async def run_expensive(self, work: Callable[[T], Any], argument: T) -> Any:
        """Run ``work(argument)`` in a worker thread, pausing for cheap requests at its checkpoints."""
        self.waiting += 1
        try:
            await self._limiter.acquire()
        finally:
            self.waiting -= 1
        try:
            return await anyio.to_thread.run_sync(self._paced, work, argument)
        finally:
            self._limiter.release()

    async def prepare_new(self, work: Callable[[T], Any], argument: T) -> Any:
        """Parse, validate and admit a document seen for the first time, in a thread of its own.

        Its cost is unknown until then, and validating a large document takes
        milliseconds: off the event loop, paced like expensive work.
        """
        async with self._preparing:
            return await anyio.to_thread.run_sync(self._paced, work, argument)

    def _paced(self, work: Callable[[T], Any], argument: T) -> Any:
        self._slice.started = time.monotonic()
        with deadline.paced(self._give_way):
            return work(argument)

    def _give_way(self) -> None:
        now = time.monotonic()
        if now - self._slice.started < _SLICE:
            return
        # Cheap requests come one after another: one that finished a moment
        # ago is likely followed by the next, which must not find the lock held.
        if (self.cheap > 0 or now - self.last_cheap < _RECENT) and not (self._hurry and self._hurry()):
            time.sleep(_PAUSE)
            now = time.monotonic()
        self._slice.started = now


@dataclass(frozen=True, slots=True)
class Budget:
    """A client's budget after a request: what it cost, the limit, what is left, when it refills."""

    cost: int
    limit: int
    remaining: int
    reset_at: float  # Unix time
    refused: bool = False  # the cost was more than what was left: nothing charged

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` response headers."""
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(int(self.reset_at)),
            "x-query-cost": str(self.cost),
        }

    def refusal(self, window: float, what: str = "request") -> tuple[str, dict[str, int]]:
        """For a refused budget: the ``RATE_LIMITED`` message and extensions (``retryAfter`` in whole seconds)."""
        wait = max(1, math.ceil(self.reset_at - time.time()))
        message = (
            f"this {what} would cost {self.cost} and {self.remaining} of the client's budget of "
            f"{self.limit} per {window:g} s is left; retry after {wait} s"
        )
        return message, {"limit": self.limit, "remaining": self.remaining, "cost": self.cost, "retryAfter": wait}


class Budgets:
    """Cost budgets per client over fixed windows (thread-safe; bounded in clients).

    Examples
    --------
    >>> budgets = Budgets(limit=100, window=60)
    >>> budgets.charge("a", 60).remaining, budgets.charge("a", 60)
    (40, Budget(cost=60, limit=100, remaining=40, reset_at=..., refused=True))
    >>> budgets.charge("b", 10).remaining
    90
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._spent: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, client: str) -> Budget:
        """The client's budget now, charging nothing."""
        return self._update(client, 0, charge=False)

    def charge(self, client: str, cost: int) -> Budget:
        """Charge ``cost`` if the client has that much left; else charge nothing and say ``refused``."""
        return self._update(client, cost, charge=True)

    def _update(self, client: str, cost: int, *, charge: bool) -> Budget:
        now = self._clock()
        with self._lock:
            started, spent = self._spent.pop(client, (now, 0))
            if now - started >= self.window:
                started, spent = now, 0
            left = self.limit - spent
            refused = charge and cost > left
            if charge and not refused:
                spent += cost
                left -= cost
            self._spent[client] = (started, spent)
            while len(self._spent) > _MAX_CLIENTS:
                self._spent.popitem(last=False)
        return Budget(cost, self.limit, left, started + self.window, refused)


def client_key(context: Any, request: Any) -> str:
    """Whom a request's cost is charged to: its token's name when authenticated, else its address."""
    actor = getattr(context, "actor", None)
    name = getattr(actor, "name", None)
    if name:
        return f"token:{name}"
    client = getattr(request, "client", None)
    return f"address:{client.host if client else 'unknown'}"
