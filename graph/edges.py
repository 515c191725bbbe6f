"""The graph's relations as one list in relation-key order, filtered.

This is what integrations page through (the root ``relations`` list of the
API) and what exports walk: every relation once, in an order that does not
depend on how the graph was loaded. Free functions over the store, like
:mod:`graph.queries`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from operator import attrgetter

from oversight_graph.graph import deadline
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.derived import Change
from oversight_graph.graph.enums import Confidence, Direction
from oversight_graph.graph.model import Relation
from oversight_graph.graph.queries import holds_at, relations
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["list_relations", "sorted_relations"]

_KEY = attrgetter("key")


def _follow(store: GraphStore, change: Change) -> list[tuple[str, Relation | None]]:
    """A relation change to a list of relations by key: its key leaves, or now holds the new relation."""
    before, after = change.before, change.after
    found: list[tuple[str, Relation | None]] = []
    if isinstance(before, Relation):
        found.append((before.key, None))
    if isinstance(after, Relation):
        found.append((after.key, after))
    return found


def sorted_relations(store: GraphStore, type_: RelationType | None = None) -> Sequence[Relation]:
    """Every relation (or every relation of ``type_``) in relation-key order.

    Built once and kept current as relations change (see
    :meth:`graph.store.GraphStore.sorted_items`); a list returned is never changed.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [r.key for r in sorted_relations(sample_store(), RelationType.DEVELOPED)]
    ['org/anthropic|DEVELOPED|model/fable-5', 'org/meta|DEVELOPED|model/muse-spark']
    """

    def build_all() -> list[Relation]:
        return sorted(store.relations(), key=_KEY)

    if type_ is None:
        return store.sorted_items("relations-by-key", build_all, _KEY, _follow, watch=RelationType)

    def build_type() -> list[Relation]:
        return [r for r in sorted_relations(store) if r.type is type_]

    return store.sorted_items(("relations-by-key", type_), build_type, _KEY, _follow, watch=(type_,))


def list_relations(
    store: GraphStore,
    types: Iterable[RelationType] | None = None,
    subject: str | None = None,
    object: str | None = None,
    as_of: PartialDate | None = None,
    min_confidence: Confidence | None = None,
) -> Sequence[Relation]:
    """The relations meeting every condition given, in relation-key order.

    Parameters
    ----------
    store
        The graph.
    types
        Only relations of these types, if given (an empty list gives nothing).
    subject, object
        Only relations from, or to, this entity.
    as_of
        Only relations that may hold at this date (see :func:`graph.queries.holds_at`).
    min_confidence
        Only relations with a citation at least this firm.

    Raises
    ------
    UnknownEntity
        If ``subject`` or ``object`` is not in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [r.key for r in list_relations(sample_store(), object="org/caisi")]
    ['person/howard-lutnick|OVERSEES|org/caisi']
    >>> len(list_relations(sample_store())) == sample_store().relation_count
    True
    """
    wanted = frozenset(types) if types is not None else None
    if subject is not None or object is not None:
        # One end is known: its own (short, sorted) list of relations is the place to start.
        if object is not None:
            store.entity(object)
        anchor, direction = (subject, Direction.OUTGOING) if subject is not None else (object, Direction.INCOMING)
        assert anchor is not None
        found = relations(store, anchor, wanted, direction, as_of, min_confidence)
        if subject is not None and object is not None:
            return [r for r in found if r.object == object]
        return found
    if wanted is None:
        base: Sequence[Relation] = sorted_relations(store)
    elif len(wanted) == 1:
        base = sorted_relations(store, next(iter(wanted)))
    else:
        base = list(heapq.merge(*(sorted_relations(store, t) for t in wanted), key=_KEY))
    if as_of is None and min_confidence is None:
        return base
    floor = min_confidence.rank if min_confidence is not None else None
    found = []
    for index, r in enumerate(base):
        if not index & 1023:
            # A filter over the whole graph's relations: stay within the request's time limit.
            deadline.check()
        if (as_of is None or holds_at(r, as_of)) and (floor is None or r.confidence.rank >= floor):
            found.append(r)
    return found
