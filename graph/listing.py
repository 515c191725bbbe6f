"""Entity lists: filters, orders and the sorted sequences root lists page through.

Free functions over the store, like :mod:`graph.queries`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from oversight_graph.graph import deadline
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import DescribedEnum, Direction, Kind
from oversight_graph.graph.model import Entity
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.text import fold
from oversight_graph.graph.vocabulary import RelationType

__all__ = [
    "EntityFilter",
    "EntityOrder",
    "EntitySequence",
    "RelationFilter",
    "filter_entities",
    "list_entities",
    "sort_entities",
]

_MISSING = object()


@dataclass(frozen=True, slots=True)
class RelationFilter:
    """A condition on an entity's relations: of ``type``, optionally with ``other``.

    ``direction`` is the entity's side: ``OUTGOING`` when it is the subject.
    """

    type: RelationType
    other: str | None = None
    direction: Direction = Direction.BOTH

    def matches(self, store: GraphStore, key: str) -> bool:
        """Whether entity ``key`` has a relation satisfying this filter."""
        for rel in store.relations_of(key):
            if rel.type is not self.type:
                continue
            if self.direction is Direction.OUTGOING and rel.subject != key:
                continue
            if self.direction is Direction.INCOMING and rel.object != key:
                continue
            if self.other is None or rel.other(key) == self.other:
                return True
        return False


@dataclass(frozen=True, slots=True)
class EntityFilter:
    """Conditions an entity must meet; every condition given must hold.

    Attributes
    ----------
    name_contains
        Folded substring of the name or an alias.
    attributes
        Pairs of (attribute name, allowed values): the entity's attribute
        must be one of the values, e.g. ``("category", {COMPANY})`` or
        ``("status", {SIGNED})``. Entities without the attribute fail.
    date_from, date_to
        The entity's own date (signing, release, occurrence) must overlap
        this range; undated entities fail a date condition.
    some
        The entity must have a relation matching each of these.
    none
        The entity must have no relation matching any of these.
    """

    name_contains: str | None = None
    attributes: tuple[tuple[str, frozenset[Any]], ...] = ()
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    some: tuple[RelationFilter, ...] = field(default=())
    none: tuple[RelationFilter, ...] = field(default=())

    def accepts(self, store: GraphStore, entity: Entity) -> bool:
        """Whether ``entity`` meets every condition."""
        if self.name_contains is not None:
            needle = fold(self.name_contains)
            if not any(needle in fold(n) for n in entity.names):
                return False
        for name, allowed in self.attributes:
            if getattr(entity, name, _MISSING) not in allowed:
                return False
        if self.date_from is not None or self.date_to is not None:
            date = entity.date
            if date is None:
                return False
            if self.date_from is not None and date.latest() < self.date_from.earliest():
                return False
            if self.date_to is not None and date.earliest() > self.date_to.latest():
                return False
        if not all(f.matches(store, entity.key) for f in self.some):
            return False
        return not any(f.matches(store, entity.key) for f in self.none)


class EntitySequence(Sequence[Entity]):
    """A read-only sequence of entities backed by a list of keys; looks entities up on access."""

    __slots__ = ("_keys", "_store")

    def __init__(self, store: GraphStore, keys: Sequence[str]) -> None:
        self._store = store
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._store.entity(k) for k in self._keys[index]]
        return self._store.entity(self._keys[index])


def list_entities(
    store: GraphStore,
    kind: Kind,
    where: EntityFilter | None = None,
    order: EntityOrder | None = None,
    descending: bool = False,
) -> Sequence[Entity]:
    """The entities of ``kind`` meeting ``where``, in ``order`` (default: name).

    The sequence is sorted ascending by :meth:`EntityOrder.walk_key` of the
    same order and direction; for most orders a descending listing is that
    sequence read backwards (see :meth:`EntityOrder.walks_backwards`).
    Without a filter the sorted list is built once and kept current as
    entities change (see :meth:`graph.store.GraphStore.sorted_keys`), and
    entities are looked up only for the page that is read.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [e.name for e in list_entities(sample_store(), Kind.AI_MODEL, order=EntityOrder.DATE)]
    ['Muse Spark', 'Fable 5']
    """
    order = order or EntityOrder.NAME
    key = order.walk_key(descending)
    if where is None:
        if order is EntityOrder.NAME:
            return EntitySequence(store, store.keys_of_kind(kind))

        return EntitySequence(store, store.sorted_keys(kind, (order, descending), key))
    found = filter_entities(store, kind, where)
    return found if order is EntityOrder.NAME else sorted(found, key=key)


def filter_entities(store: GraphStore, kind: Kind, where: EntityFilter | None = None) -> list[Entity]:
    """The entities of ``kind`` meeting ``where``, in name order (then key).

    When ``where`` requires a relation to a given entity, the candidates
    are that entity's neighbours rather than every entity of the kind.

    Raises
    ------
    UnknownEntity
        If a relation filter names an entity that is not in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> signed = RelationFilter(RelationType.PARTY_TO, direction=Direction.OUTGOING)
    >>> major = EntityFilter(attributes=(("major_ai_developer", frozenset({True})),), none=(signed,))
    >>> [e.name for e in filter_entities(store, Kind.ORGANIZATION, major)]
    ['Meta']
    """
    keys: Sequence[str] = store.keys_of_kind(kind)
    if where is None:
        return [store.entity(k) for k in keys]
    anchored = [f for f in where.some if f.other is not None]
    if anchored:
        anchor = anchored[0]
        assert anchor.other is not None
        store.entity(anchor.other)
        around = set(store.out_relations(anchor.other)) | set(store.in_relations(anchor.other))
        near = {r.other(anchor.other) for r in around if r.type is anchor.type}
        keys = (
            [k for k in keys if k in near]
            if len(near) > len(keys)
            else sorted(
                (k for k in near if store.entity(k).kind is kind), key=lambda k: (fold(store.entity(k).name), k)
            )
        )
    for relation_filter in (*where.some, *where.none):
        if relation_filter.other is not None:
            store.entity(relation_filter.other)
    found = []
    for index, key in enumerate(keys):
        if not index & 63:
            # Conditions make each entity cost an unknown amount: stay within the time limit.
            deadline.check()
        entity = store.entity(key)
        if where.accepts(store, entity):
            found.append(entity)
    return found


class EntityOrder(DescribedEnum):
    """The orders entity lists can be sorted in; ties are broken by key."""

    NAME = ("name", "By preferred name, ignoring case, accents and punctuation.")
    DATE = (
        "date",
        "By the entity's own date (signing, release, occurrence); undated entities last in either direction.",
    )
    KEY = ("key", "By stable key.")

    def sort_key(self, entity: Entity) -> tuple[str | int, ...]:
        """The flat, comparable ascending sort key of ``entity`` in this order."""
        if self is EntityOrder.NAME:
            return (fold(entity.name), entity.key)
        if self is EntityOrder.DATE:
            date = entity.date
            year, month, day = date.sort_key if date is not None else (10_000, 0, 0)
            return (year, month, day, entity.key)
        return (entity.key,)

    def walks_backwards(self, descending: bool) -> bool:
        """Whether a descending listing reads the ascending ``walk_key`` order backwards.

        Dates are the exception: newest first must still keep undated
        entities last, so they have a descending key of their own.
        """
        return descending and self is not EntityOrder.DATE

    def key_shape(self, descending: bool) -> tuple[type, ...]:
        """The types of the values of :meth:`walk_key`, for checking cursors."""
        if self is EntityOrder.NAME:
            return (str, str)
        if self is EntityOrder.DATE:
            return (int, int, int, int, str) if descending else (int, int, int, str)
        return (str,)

    def walk_key(self, descending: bool) -> Callable[[Entity], tuple[str | int, ...]]:
        """The key a listing in this order and direction is sorted ascending by."""
        if descending and self is EntityOrder.DATE:
            return _newest_first
        return self.sort_key


def _newest_first(entity: Entity) -> tuple[str | int, ...]:
    """Dated entities newest first (ties by key), then undated ones by key."""
    date = entity.date
    if date is None:
        return (1, 0, 0, 0, entity.key)
    year, month, day = date.sort_key
    return (0, -year, -month, -day, entity.key)


def sort_entities(entities: list[Entity], order: EntityOrder) -> list[Entity]:
    """``entities`` sorted ascending by ``order`` (a list already in name order is returned as is)."""
    if order is EntityOrder.NAME:
        return entities
    return sorted(entities, key=order.sort_key)
