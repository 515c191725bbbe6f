"""Timelines: dated entities and dated relations in chronological order.

An entity appears on a timeline at its own date (an order's signing, a
model's release, an event's occurrence). A relation appears when it has a
``valid_from`` (it *started*) and again when it has a ``valid_to`` (it
*ended*). Entries sort by date (see
:attr:`graph.dates.PartialDate.sort_key`: a month-only date sorts before
the days of that month) and then by key, so the order is total and stable.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Iterable
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.derived import Change
from oversight_graph.graph.enums import DescribedEnum, Kind
from oversight_graph.graph.model import Citation, Entity, Relation
from oversight_graph.graph.phrasing import mention, sentence
from oversight_graph.graph.store import ANY_RECORD, GraphStore

__all__ = ["Boundary", "TimelineEntry", "describe", "timeline"]

# How far back a timeline scan must start so that coarse dates (a whole
# year) overlapping the requested range are not missed.
_WIDEST = _dt.timedelta(days=366)


class Boundary(DescribedEnum):
    """What a timeline entry marks."""

    OCCURRED = ("occurred", "The entity's own date: an order signed, a model released, an event held.")
    STARTED = ("started", "A relation started to hold (its validFrom).")
    ENDED = ("ended", "A relation stopped holding (its validTo).")


_ENTITY_VERBS = {
    Kind.ORDER: "signed",
    Kind.AI_MODEL: "released",
    Kind.DOCUMENT: "published",
    Kind.AGREEMENT: "signed",
}


def describe(store: GraphStore, relation: Relation) -> str:
    """One English sentence for a relation (see :func:`graph.phrasing.sentence`).

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> describe(store, store.relation("org/anthropic|DEVELOPED|model/fable-5"))
    'Anthropic developed Fable 5'
    """
    return sentence(store.entity(relation.subject), relation, store.entity(relation.object))


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


class TimelineEntry(NamedTuple):
    """A dated entity or a relation's start or end.

    A named tuple: the whole graph's timeline holds one per dated entity and
    relation, and is built at once.

    Attributes
    ----------
    date
        When.
    boundary
        Whether this is an entity's own date, or a relation starting or ending.
    entity
        The dated entity, or the relation's subject.
    relation
        The relation, for ``STARTED`` and ``ENDED`` entries.
    other
        The relation's object, for ``STARTED`` and ``ENDED`` entries.
    citations
        The sources of the entry: the relation's or the entity's citations.
    """

    date: PartialDate
    boundary: Boundary
    entity: Entity
    relation: Relation | None
    other: Entity | None
    citations: tuple[Citation, ...]

    @property
    def summary(self) -> str:
        """What happened, in one line."""
        if self.relation is None or self.other is None:
            verb = _ENTITY_VERBS.get(self.entity.kind)
            return _capitalized(f"{mention(self.entity)} was {verb}") if verb else self.entity.name
        said = sentence(self.entity, self.relation, self.other)
        return f"Ended: {said}" if self.boundary is Boundary.ENDED else said

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Chronological order (year, month, day), then the entity or relation key and boundary."""
        ident = self.relation.key if self.relation is not None else self.entity.key
        return _sort_key(self.date, ident, self.boundary)


def _sort_key(date: PartialDate, ident: str, boundary: Boundary) -> tuple[int, int, int, str]:
    """The sort key of the entry of ``ident`` (an entity or relation key) at ``date``."""
    year, month, day = date.sort_key
    return (year, month, day, f"{ident}#{boundary._value_}")


_SORT_KEY = attrgetter("sort_key")


def _entity_entry(entity: Entity) -> TimelineEntry | None:
    date = entity.date
    if date is None:
        return None
    return TimelineEntry(date, Boundary.OCCURRED, entity, None, None, entity.citations)


def _relation_entries(store: GraphStore, relation: Relation) -> Iterable[TimelineEntry]:
    subject = store.entity(relation.subject)
    obj = store.entity(relation.object)
    if relation.valid_from is not None:
        yield TimelineEntry(relation.valid_from, Boundary.STARTED, subject, relation, obj, relation.citations)
    if relation.valid_to is not None:
        yield TimelineEntry(relation.valid_to, Boundary.ENDED, subject, relation, obj, relation.citations)


def _all_entries(store: GraphStore) -> list[TimelineEntry]:
    entries = [e for e in map(_entity_entry, store.entities()) if e is not None]
    for relation in store.relations():
        if relation.valid_from is not None or relation.valid_to is not None:
            entries.extend(_relation_entries(store, relation))
    entries.sort(key=_SORT_KEY)
    return entries


def _follow(store: GraphStore, change: Change) -> list[tuple[tuple[int, int, int, str], TimelineEntry | None]]:
    """What ``change`` does to the whole-graph timeline: the entries it removes, adds or replaces.

    An entity's change replaces its own entry and those of its dated
    relations too, which hold the entity.
    """
    before, after = change.before, change.after
    found: list[tuple[tuple[int, int, int, str], TimelineEntry | None]] = []
    if isinstance(change.record, Relation):
        if isinstance(before, Relation):
            key = before.key
            if before.valid_from is not None:
                found.append((_sort_key(before.valid_from, key, Boundary.STARTED), None))
            if before.valid_to is not None:
                found.append((_sort_key(before.valid_to, key, Boundary.ENDED), None))
        if isinstance(after, Relation):
            found += [(e.sort_key, e) for e in _relation_entries(store, after)]
        return found
    if isinstance(before, Entity) and before.date is not None:
        found.append((_sort_key(before.date, before.key, Boundary.OCCURRED), None))
    if isinstance(after, Entity):
        entry = _entity_entry(after)
        if entry is not None:
            found.append((entry.sort_key, entry))
        key = after.key
        for relation in chain(store.out_relations(key), store.in_relations(key)):
            if relation.valid_from is not None or relation.valid_to is not None:
                found += [(e.sort_key, e) for e in _relation_entries(store, relation)]
    return found


def _overlaps(entry: TimelineEntry, start: PartialDate | None, end: PartialDate | None) -> bool:
    if start is not None and entry.date.latest() < start.earliest():
        return False
    return end is None or entry.date.earliest() <= end.latest()


def timeline(
    store: GraphStore,
    key: str | None = None,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    after: tuple[int, int, int, str] | None = None,
    limit: int | None = None,
) -> list[TimelineEntry]:
    """Dated entities and relation starts and ends, in chronological order.

    Parameters
    ----------
    store
        The graph.
    key
        Only this entity's own date and its relations' dates, if given.
    start, end
        Only entries whose date overlaps this range (both ends inclusive).
    after
        Only entries after this :attr:`TimelineEntry.sort_key` (a page's last).
    limit
        At most this many entries.

    The whole-graph timeline is sorted once and kept current as the graph
    changes (see :meth:`graph.store.GraphStore.sorted_items`); a page of it is
    found by binary search, not by reading the entries before it.

    Raises
    ------
    UnknownEntity
        If ``key`` is given and not in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [(str(e.date), e.summary) for e in timeline(sample_store(), start=PartialDate.parse("2026-05"))]
    [('2026-06-02', 'The AI model review order was signed'), ('2026-06-02', 'Donald Trump signed the AI model review order')]
    >>> [str(e.date) for e in timeline(sample_store(), limit=1)]
    ['2026-04']
    """
    if limit is not None and limit <= 0:
        if key is not None:
            store.entity(key)
        return []
    if key is not None:
        entity = store.entity(key)
        entries = [e for e in [_entity_entry(entity)] if e is not None]
        for relation in store.relations_of(key):
            entries.extend(_relation_entries(store, relation))
        entries.sort(key=_SORT_KEY)
    else:
        entries = store.sorted_items("timeline", lambda: _all_entries(store), _SORT_KEY, _follow, ANY_RECORD)
    lo = 0
    if start is not None:
        earliest = start.earliest()
        # A start within a year of 1 January of year 1 has nothing before it to widen into.
        floor = earliest - _WIDEST if earliest > _dt.date.min + _WIDEST else _dt.date.min
        lo = _first_not_before(entries, floor)
    if after is not None:
        lo = max(lo, bisect.bisect_right(entries, after, key=lambda e: e.sort_key))
    result: list[TimelineEntry] = []
    for index in range(lo, len(entries)):
        entry = entries[index]
        if end is not None and entry.date.earliest() > end.latest():
            break
        if _overlaps(entry, start, end):
            result.append(entry)
            if limit is not None and len(result) >= limit:
                break
    return result


def _first_not_before(entries: list[TimelineEntry], day: _dt.date) -> int:
    """Index of the first entry whose earliest day is on or after ``day``."""
    return bisect.bisect_left(entries, day, key=lambda e: e.date.earliest())
