"""Keyset pagination over sorted sequences.

A page starts after a *sort key* (the sort key of the last item the client
saw), not at an offset, so pages stay correct when entities or relations
are added in between: nothing is skipped or seen twice among the items
that existed when paging began.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from oversight_graph.graph.errors import InvalidArgument, InvalidCursor

__all__ = ["Page", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A slice of a sorted sequence.

    Attributes
    ----------
    items
        The items on this page.
    total
        How many items the whole sequence has.
    has_next
        Whether items follow this page.
    has_previous
        Whether items precede this page.
    """

    items: Sequence[T]
    total: int
    has_next: bool
    has_previous: bool


def paginate(
    items: Sequence[T], first: int, after: Any = None, *, key: Callable[[T], Any], descending: bool = False
) -> Page[T]:
    """Return up to ``first`` items that come after ``after``.

    Parameters
    ----------
    items
        A sequence sorted by ``key``.
    first
        Page size; zero gives an empty page (useful for ``total`` alone).
    after
        The sort key of the last item of the previous page, or ``None``
        for the first page.
    key
        The sort key of an item.
    descending
        Walk ``items`` (still sorted ascending) from the end: the page holds
        the items whose keys are *below* ``after``, largest first.

    Raises
    ------
    InvalidArgument
        If ``first`` is negative.
    InvalidCursor
        If ``after`` cannot be compared with the sort keys of ``items``.

    Examples
    --------
    >>> page = paginate(["a", "b", "c", "d"], 2, key=str)
    >>> list(page.items), page.has_next
    (['a', 'b'], True)
    >>> list(paginate(["a", "b", "c", "d"], 2, "b", key=str).items)
    ['c', 'd']
    >>> list(paginate(["a", "b", "c", "d"], 2, "c", key=str, descending=True).items)
    ['b', 'a']
    """
    if first < 0:
        raise InvalidArgument(f"page size must not be negative, got {first}")
    try:
        if descending:
            stop = len(items) if after is None else bisect.bisect_left(items, after, key=key)
            begin = max(stop - first, 0)
            return Page(items[begin:stop][::-1], len(items), begin > 0, stop < len(items))
        start = 0 if after is None else bisect.bisect_right(items, after, key=key)
    except TypeError:
        raise InvalidCursor("the cursor does not belong to this list") from None
    end = start + first
    return Page(items[start:end], len(items), end < len(items), start > 0)
