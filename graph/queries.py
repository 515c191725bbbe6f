"""Queries over the store: lookup, search, relations, filters, gaps, counts.

Free functions that take the store first, in the manner of networkx
algorithms. Paths and neighbourhoods are in :mod:`graph.paths`; timelines
in :mod:`graph.timeline`.

Every example below runs as a doctest against :func:`graph.sample.sample_store`,
a small hand-made graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.derived import Change
from oversight_graph.graph.enums import AgreementStatus, Confidence, Direction, Kind
from oversight_graph.graph.fuzzy import fuzzy_matches
from oversight_graph.graph.model import Entity, Organization, Relation
from oversight_graph.graph.store import ANY_RECORD, GraphStore
from oversight_graph.graph.text import fold
from oversight_graph.graph.vocabulary import RelationType

__all__ = [
    "GraphStats",
    "SearchHit",
    "companies_without_agreement",
    "get_entity",
    "holds_at",
    "lacking",
    "related",
    "relations",
    "search",
    "stats",
]

DEFAULT_COUNTERPARTY = "org/caisi"
"""The review body ``companies_without_agreement`` asks about by default."""


def get_entity(store: GraphStore, key: str) -> Entity:
    """The entity under ``key``.

    Raises
    ------
    UnknownEntity
        If no entity has that key.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> get_entity(sample_store(), "person/howard-lutnick").name
    'Howard Lutnick'
    """
    return store.entity(key)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A search result: the entity, its score in (0, 1], the name that matched, and whether through close spellings."""

    entity: Entity
    score: float
    matched: str
    fuzzy: bool = False


def search(store: GraphStore, text: str, kinds: Iterable[Kind] | None = None, limit: int = 10) -> list[SearchHit]:
    """Find entities by name or alias, best match first.

    Case, accents and punctuation are ignored ("a.i." finds "AI"); every
    word of the query must start a word of the name. An exact name ranks
    above a name that starts with the query, which ranks above one that
    merely contains its words; ties go by key.

    When a query word is in no name (a typo: "antropic"), the closest
    spellings found in names are tried instead (:mod:`graph.fuzzy`); such
    hits have ``fuzzy`` set and always come after exact ones.

    Parameters
    ----------
    store
        The graph.
    text
        Any text; text without letters or digits finds nothing.
    kinds
        Only entities of these kinds, if given (an empty list finds nothing).
    limit
        At most this many hits.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [(h.entity.key, h.matched) for h in search(sample_store(), "center for a.i.")]
    [('org/caisi', 'Center for AI Standards and Innovation')]
    >>> [(h.entity.key, h.matched, h.score) for h in search(sample_store(), "caisi")]
    [('org/caisi', 'CAISI', 0.99)]
    >>> search(sample_store(), "!!!")
    []
    >>> [(h.entity.key, h.fuzzy) for h in search(sample_store(), "standrds innovaton")]
    [('org/caisi', True)]
    """
    if limit <= 0:
        return []
    wanted = frozenset(kinds) if kinds is not None else None
    query = fold(text)
    index = store.names
    matches = []
    for key in index.candidates(query):
        if wanted is not None and store.entity(key).kind not in wanted:
            continue
        match = index.match(key, query)
        if match is not None:
            matches.append(match)
    best = heapq.nsmallest(limit, matches, key=lambda m: (-m.score, m.key))
    hits = [SearchHit(store.entity(m.key), m.score, m.matched) for m in best]
    if len(hits) < limit:
        found = {hit.entity.key for hit in hits}
        for near in fuzzy_matches(index, query):
            if len(hits) >= limit:
                break
            key = near.match.key
            if key in found or (wanted is not None and store.entity(key).kind not in wanted):
                continue
            score = round(near.match.score * near.similarity / 100, 4)
            hits.append(SearchHit(store.entity(key), score, near.match.matched, fuzzy=True))
    return hits


def holds_at(relation: Relation, date: PartialDate) -> bool:
    """Whether ``relation`` may hold at ``date``.

    A relation holds when it had started by the end of ``date`` and had
    not ended before its start: with partial dates, "may hold" is the
    honest answer. ``valid_to`` is exclusive: a relation that ended on a
    day no longer holds on that day.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> signed = sample_store().relation("person/donald-trump|SIGNED|order/ai-review-order|2026-06-02")
    >>> holds_at(signed, PartialDate.parse("2026-06-01")), holds_at(signed, PartialDate.parse("2026-06"))
    (False, True)
    """
    if relation.valid_from is not None and relation.valid_from.earliest() > date.latest():
        return False
    if relation.valid_to is not None and relation.valid_to.latest() <= date.earliest():
        return False
    return True


def relations(
    store: GraphStore,
    key: str,
    types: Iterable[RelationType] | None = None,
    direction: Direction = Direction.BOTH,
    as_of: PartialDate | None = None,
    min_confidence: Confidence | None = None,
) -> Sequence[Relation]:
    """The relations of one entity, filtered, in relation-key order.

    Parameters
    ----------
    store
        The graph.
    key
        The entity.
    types
        Only relations of these types, if given (an empty list gives nothing).
    direction
        ``OUTGOING`` (the entity is the subject), ``INCOMING`` or ``BOTH``.
    as_of
        Only relations that may hold at this date (see :func:`holds_at`).
    min_confidence
        Only relations with a citation at least this firm.

    Raises
    ------
    UnknownEntity
        If ``key`` is not in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [r.key for r in relations(sample_store(), "org/caisi", direction=Direction.INCOMING)]
    ['person/howard-lutnick|OVERSEES|org/caisi']
    """
    wanted = frozenset(types) if types is not None else None
    floor = min_confidence.rank if min_confidence is not None else None
    if wanted is None and direction is Direction.BOTH and as_of is None and floor is None:
        return store.relations_of(key)
    result = []
    for rel in store.relations_of(key):
        if wanted is not None and rel.type not in wanted:
            continue
        if direction is Direction.OUTGOING and rel.subject != key:
            continue
        if direction is Direction.INCOMING and rel.object != key:
            continue
        if as_of is not None and not holds_at(rel, as_of):
            continue
        if floor is not None and rel.confidence.rank < floor:
            continue
        result.append(rel)
    return result


def related(
    store: GraphStore, key: str, types: Iterable[RelationType], direction: Direction = Direction.OUTGOING
) -> list[Entity]:
    """The entities at the other end of ``key``'s relations of ``types``.

    In relation-key order, each entity once. ``direction`` is ``key``'s side:
    ``OUTGOING`` follows relations where ``key`` is the subject.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [e.name for e in related(sample_store(), "model/fable-5", [RelationType.DEVELOPED], Direction.INCOMING)]
    ['Anthropic']
    """
    seen: dict[str, Entity] = {}
    for rel in relations(store, key, types, direction):
        other = rel.other(key)
        if other not in seen:
            seen[other] = store.entity(other)
    return list(seen.values())


def _linked(store: GraphStore, key: str, types: frozenset[RelationType], direction: Direction) -> set[str]:
    """Entities joined to ``key`` by a relation of ``types``, seen from the *other* end.

    ``direction`` is that of the other entity: ``OUTGOING`` means the other
    entity is the subject and ``key`` the object.
    """
    linked: set[str] = set()
    if direction in (Direction.OUTGOING, Direction.BOTH):
        linked.update(r.subject for r in store.in_relations(key) if r.type in types)
    if direction in (Direction.INCOMING, Direction.BOTH):
        linked.update(r.object for r in store.out_relations(key) if r.type in types)
    return linked


def lacking(
    store: GraphStore,
    target: str,
    types: Iterable[RelationType],
    candidates: Iterable[str],
    direction: Direction = Direction.OUTGOING,
) -> list[Entity]:
    """The candidates with no relation of ``types`` to ``target``.

    Only ``target``'s own relations are read, so the cost does not grow
    with the size of the graph.

    Parameters
    ----------
    store
        The graph.
    target
        The entity the candidates should be related to.
    types
        The relation types that count.
    candidates
        Keys to test, e.g. the organizations of some category.
    direction
        ``OUTGOING``: the candidate is the subject (``candidate -TYPE-> target``);
        ``INCOMING``: the candidate is the object; ``BOTH``: either.

    Raises
    ------
    UnknownEntity
        If ``target`` is not in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> orgs = store.keys_of_kind(Kind.ORGANIZATION)
    >>> [e.key for e in lacking(store, "org/caisi", [RelationType.OVERSEES], ["person/howard-lutnick"])]
    []
    """
    store.entity(target)
    linked = _linked(store, target, frozenset(types), direction)
    return [store.entity(k) for k in candidates if k not in linked and k != target]


def companies_without_agreement(
    store: GraphStore,
    counterparty: str = DEFAULT_COUNTERPARTY,
    statuses: Iterable[AgreementStatus] = (AgreementStatus.AGREED, AgreementStatus.SIGNED),
) -> list[Organization]:
    """Major AI developers with no agreement in ``statuses`` (by default: reached) with ``counterparty``.

    A company has an agreement with the counterparty when it is
    ``PARTY_TO`` an agreement the counterparty is ``COUNTERPARTY_TO``.
    Only the counterparty's agreements and the flagged developers are
    read; the rest of the graph is not scanned.

    Raises
    ------
    UnknownEntity
        If ``counterparty`` is not an organization in the store.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> [o.name for o in companies_without_agreement(sample_store())]
    ['Meta']
    """
    store.organization(counterparty)
    covered = store.agreement_parties(counterparty, frozenset(statuses))
    return [store.organization(k) for k in store.major_ai_developers() if k not in covered]


@dataclass(frozen=True, slots=True)
class GraphStats:
    """Counts over the whole graph at one version."""

    version: int
    entities: dict[Kind, int]
    relations: dict[RelationType, int]
    documents: int
    citations: int

    @property
    def entity_total(self) -> int:
        """How many entities in all."""
        return sum(self.entities.values())

    @property
    def relation_total(self) -> int:
        """How many relations in all."""
        return sum(self.relations.values())


def stats(store: GraphStore) -> GraphStats:
    """Entity counts by kind, relation counts by type, and the version.

    Types and kinds with no members are included with a count of zero.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> s = stats(sample_store())
    >>> s.entities[Kind.AI_MODEL], s.relations[RelationType.DEVELOPED]
    (2, 2)
    """

    def build() -> int:
        return sum(len(e.citations) for e in store.entities()) + sum(len(r.citations) for r in store.relations())

    # The counts are kept by the store; the citations are counted once, then followed change by change.
    citations: int = store.cached("citations", build, _count_citations, ANY_RECORD)
    return GraphStats(
        version=store.version,
        entities={kind: store.count(kind) for kind in Kind},
        relations={type_: store.count_type(type_) for type_ in RelationType},
        documents=store.count(Kind.DOCUMENT),
        citations=citations,
    )


def _count_citations(count: int, change: Change) -> int:
    """The number of citations in the graph after ``change``, from the number before it."""
    before, after = change.before, change.after
    return (
        count
        - (len(before.citations) if before is not None else 0)
        + (len(after.citations) if after is not None else 0)
    )
