"""Derived indexes that follow the store's changes instead of being rebuilt after each one.

A sorted list of a large graph (the organizations by name, the whole
timeline, every relation by key) takes up to seconds to build, and one
change moves only a few of its items. The holders here keep such a list
and note what each change does to it; the next read merges those notes
into a new list in one pass (:func:`merged`): a binary search per changed
item and one copy of the list, instead of a sort with a key computed per
item. The list a reader was given is never changed: a reader that holds it
across a change keeps reading the list as it was.

:class:`SortedKeys` holds the keys of one kind of entity in an order given
by a function of the entity; :class:`SortedItems` holds items that carry
their own sort key (timeline entries, relations), told by a function of
each change which sort keys now hold what. :class:`GraphStore
<graph.store.GraphStore>` owns them (see ``sorted_keys`` and
``sorted_items`` there) and tells them of its changes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.model import Entity, Relation

__all__ = ["DROP", "Change", "SortedItems", "SortedKeys", "merged"]

_T = TypeVar("_T")

_FEW = 16
"""Up to this many changes, :func:`merged` copies the list once and changes the copy in place."""

_REBUILD_SHARE = 16
"""A list is rebuilt rather than merged once more than 1/16 of its length (for :class:`SortedKeys`, of
the number of keys of its kind, which a rebuild reads) changed: by then the binary searches, a Python
call per step, cost about what one sort does."""


class _Drop:
    __slots__ = ()

    def __repr__(self) -> str:
        return "DROP"


DROP: Any = _Drop()
"""What a ``follow`` function returns for a value it cannot bring up to date: the store drops it."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the store, as derived indexes see it: a record before and after.

    ``before`` is ``None`` for an addition, ``after`` for a removal; both are
    entities or both relations, with the same key.
    """

    before: Entity | Relation | None
    after: Entity | Relation | None

    @property
    def record(self) -> Entity | Relation:
        """The record after the change, or the removed one."""
        record = self.after if self.after is not None else self.before
        assert record is not None
        return record


def merged(items: Sequence[_T], removals: Iterable[int], insertions: Iterable[tuple[int, Any, _T]]) -> list[_T]:
    """A new list: ``items`` without the positions in ``removals``, with ``insertions`` added.

    Parameters
    ----------
    items
        The list as it was; not changed.
    removals
        Positions in ``items`` of the items to leave out.
    insertions
        ``(position, sort key, item)``: ``item`` goes before ``items[position]``
        (at the end for ``len(items)``); several at one position go in the
        order of their sort keys.

    Examples
    --------
    >>> merged(["a", "c", "d"], [2], [(1, "b", "b"), (3, "e", "e")])
    ['a', 'b', 'c', 'e']
    """
    ins = sorted(insertions, key=lambda t: (t[0], t[1]))
    rem = sorted(removals)
    if len(ins) + len(rem) <= _FEW:
        # One copy, then each change in place: a copy costs a reference count per item (scattered in
        # memory), an insertion or removal only a move of the pointers after it.
        out = list(items)
        i, j = len(ins) - 1, len(rem) - 1
        while i >= 0 or j >= 0:
            # From the end, so that the positions still to do stay put; at one position the removal
            # first, then the insertions, the largest sort key first.
            if i < 0 or (j >= 0 and rem[j] >= ins[i][0]):
                del out[rem[j]]
                j -= 1
            else:
                out.insert(ins[i][0], ins[i][2])
                i -= 1
        return out
    out = []
    start = 0
    i = j = 0
    while i < len(ins) or j < len(rem):
        # An insertion before position p goes in before the item at p is removed.
        if j == len(rem) or (i < len(ins) and ins[i][0] <= rem[j]):
            position, _, item = ins[i]
            i += 1
            out += items[start:position]
            out.append(item)
            start = position
        else:
            position = rem[j]
            j += 1
            out += items[start:position]
            start = position + 1
    out += items[start:]
    return out


def _worth_merging(changed: int, length: int) -> bool:
    return changed * _REBUILD_SHARE <= length


class SortedKeys:
    """The keys of one kind of entity that ``where`` accepts, sorted by ``sort_key`` of the entity.

    ``sort_key`` must tell every two entities apart (end with the key, say),
    so that a key's place in the list follows from its entity alone.

    Parameters
    ----------
    kind
        The kind listed.
    sort_key
        The order: a function of the entity.
    where
        Which entities are listed (all when ``None``).
    keys
        The list, sorted, as the store stands now.
    """

    __slots__ = ("keys", "kind", "sort_key", "touched", "where")

    def __init__(
        self,
        kind: Kind,
        sort_key: Callable[[Entity], Any],
        where: Callable[[Entity], bool] | None,
        keys: list[str],
    ) -> None:
        self.kind = kind
        self.sort_key = sort_key
        self.where = where
        self.keys = keys
        # Each key changed since ``keys`` was made, with its entity as ``keys`` has it (None: not in it).
        self.touched: dict[str, Entity | None] = {}

    @property
    def stale(self) -> bool:
        """Whether changes were noted since ``keys`` was made."""
        return bool(self.touched)

    def follow(self, store: object, change: Change) -> SortedKeys:
        """Note ``change`` (to an entity of this kind, in ``store``) for the next :meth:`current`."""
        before = change.before
        key = change.record.key
        if key not in self.touched:
            # Untouched until now: ``keys`` has it as it was right before this change.
            self.touched[key] = before if isinstance(before, Entity) else None
        return self

    def _listed(self, entity: Entity | None) -> Any:
        """The sort key of ``entity`` if it belongs in the list, else ``None``."""
        if entity is None or entity.kind is not self.kind or (self.where is not None and not self.where(entity)):
            return None
        return self.sort_key(entity)

    def current(self, nodes: dict[str, Entity], size: int) -> list[str] | None:
        """The list as the store's entities ``nodes`` stand, made from ``keys`` and the changes noted.

        ``None`` when so much changed that :meth:`build` from the ``size``
        keys of the kind is as quick, or when ``keys`` does not hold a changed
        key where its entity as noted puts it (the store was changed
        meanwhile, from another thread).
        """
        keys, touched = self.keys, dict(self.touched)  # a copy: another thread may be noting a change
        if not _worth_merging(len(touched), max(size, len(keys))):
            return None
        sort_key = self.sort_key
        # Where each changed key sits in ``keys``: by its entity as it was listed.
        listed: dict[str, Any] = {}
        for key, was in touched.items():
            old = self._listed(was)
            if old is not None:
                listed[key] = old

        def probe(key: str) -> Any:
            found = listed.get(key)
            return found if found is not None else sort_key(nodes[key])

        removals: list[int] = []
        insertions: list[tuple[int, Any, str]] = []
        for key in touched:
            old, new = listed.get(key), self._listed(nodes.get(key))
            if old == new:
                continue
            if old is not None:
                at = bisect.bisect_left(keys, old, key=probe)
                if at == len(keys) or keys[at] != key:
                    return None
                removals.append(at)
            if new is not None:
                insertions.append((bisect.bisect_left(keys, new, key=probe), new, key))
        return merged(keys, removals, insertions)

    def build(self, nodes: dict[str, Entity], every: Iterable[str]) -> list[str]:
        """The list made afresh from ``every`` key of the kind."""
        sort_key, where = self.sort_key, self.where
        if where is None:
            return sorted(every, key=lambda k: sort_key(nodes[k]))
        return sorted((k for k in every if where(nodes[k])), key=lambda k: sort_key(nodes[k]))


Follow = Callable[[Any, Change], Iterable[tuple[Any, Any]] | None]
"""How a :class:`SortedItems` follows a change: given the store and the change, each sort key whose item
the change makes, replaces or removes, with the item now there (``None``: none); or ``None`` when it
cannot tell (the list is then dropped and built anew when next read)."""


class SortedItems(Generic[_T]):
    """Items sorted by a sort key each carries (``sort_key(item)``), no two alike.

    Parameters
    ----------
    items
        The list, sorted, as the store stands now.
    sort_key
        The sort key of an item.
    follow
        What a change does to the list (see :data:`Follow`).
    """

    __slots__ = ("follow_change", "items", "pending", "sort_key")

    def __init__(self, items: list[_T], sort_key: Callable[[_T], Any], follow: Follow) -> None:
        self.items = items
        self.sort_key = sort_key
        self.follow_change = follow
        # Sort keys changed since ``items`` was made, with the item each now has (None: none).
        self.pending: dict[Any, _T | None] = {}

    @property
    def stale(self) -> bool:
        """Whether changes were noted since ``items`` was made."""
        return bool(self.pending)

    def follow(self, store: Any, change: Change) -> SortedItems[_T] | Any:
        """Note ``change`` for the next :meth:`current`; :data:`DROP` when ``follow`` cannot tell."""
        found = self.follow_change(store, change)
        if found is None:
            return DROP
        self.pending.update(found)
        return self

    def current(self) -> list[_T] | None:
        """The list made from ``items`` and the changes noted; ``None`` when so much changed that
        building it afresh is as quick."""
        items, sort_key = self.items, self.sort_key
        pending = dict(self.pending)  # a copy: another thread may be noting a change
        if not _worth_merging(len(pending), len(items)):
            return None
        removals: list[int] = []
        insertions: list[tuple[int, Any, _T]] = []
        for wanted, item in pending.items():
            at = bisect.bisect_left(items, wanted, key=sort_key)
            if at < len(items) and sort_key(items[at]) == wanted:
                removals.append(at)
            if item is not None:
                insertions.append((at, wanted, item))
        return merged(items, removals, insertions)
