"""Checkpoints of long work: its time limit, and giving way to more urgent work.

A caller that bounds a piece of work (a request) sets a deadline with
:func:`within`; loops whose length the caller cannot bound in advance (the
entities a filter scans, a neighbourhood's rings) call :func:`check` every
so often, and the work stops with :class:`DeadlineExceeded` once the
deadline has passed. A caller running work in the background may also set
a pace with :func:`paced`: a function each checkpoint calls, which may
pause (and so let more urgent work have the processor). Both live in
context variables, so they follow the work into the thread that runs it and
never leak into another request.

Examples
--------
>>> with within(60):
...     check()  # well before the deadline: nothing happens
>>> with within(0.000001):
...     import time; time.sleep(0.001)
...     check()
Traceback (most recent call last):
...
oversight_graph.graph.deadline.DeadlineExceeded: the request exceeded its time limit of 1e-06 s and was stopped
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["DeadlineExceeded", "check", "current", "paced", "until", "within"]

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("oversight_deadline", default=None)
"""(monotonic deadline, the limit in seconds it came from) of the current work, or None."""
_PACE: ContextVar[Callable[[], None] | None] = ContextVar("oversight_pace", default=None)
"""Called at every checkpoint of the current work, if set."""


class DeadlineExceeded(Exception):
    """The work ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request exceeded its time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


def current() -> tuple[float, float] | None:
    """The current ``(deadline, seconds)``, or ``None`` when the work is unbounded."""
    return _DEADLINE.get()


@contextmanager
def until(deadline: tuple[float, float] | None) -> Iterator[None]:
    """Run the block under ``deadline`` (as :func:`current` returned it); ``None`` for none."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


@contextmanager
def within(seconds: float | None) -> Iterator[tuple[float, float] | None]:
    """Run the block with at most ``seconds`` more (an earlier deadline already set stays)."""
    found = _DEADLINE.get()
    if seconds:
        mine = (time.monotonic() + seconds, seconds)
        if found is None or mine[0] < found[0]:
            found = mine
    token = _DEADLINE.set(found)
    try:
        yield found
    finally:
        _DEADLINE.reset(token)


@contextmanager
def paced(pace: Callable[[], None] | None) -> Iterator[None]:
    """Run the block calling ``pace`` at each checkpoint (``None``: none)."""
    token = _PACE.set(pace)
    try:
        yield
    finally:
        _PACE.reset(token)


def check() -> None:
    """A checkpoint: give way if a pace is set, then raise :class:`DeadlineExceeded` if the deadline has passed."""
    pace = _PACE.get()
    if pace is not None:
        pace()
    found = _DEADLINE.get()
    if found is not None and time.monotonic() > found[0]:
        raise DeadlineExceeded(found[1])
