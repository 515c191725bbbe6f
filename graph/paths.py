"""How entities connect: shortest paths and neighbourhoods.

Both walk relations in either direction (a path from Amazon to Anthropic's
shutdown may go against an arrow), optionally only relations of some
types or only those that may hold at a date, and visit neighbours in
relation-key order so that the answer is the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from oversight_graph.graph import deadline
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.errors import InvalidArgument
from oversight_graph.graph.model import Entity, Relation
from oversight_graph.graph.queries import holds_at
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["NEIGHBORHOOD_LIMIT", "Path", "Subgraph", "neighborhood", "shortest_path"]

NEIGHBORHOOD_LIMIT = 500
"""Default cap on the entities of a neighbourhood; past it the result is truncated."""


@dataclass(frozen=True, slots=True)
class Path:
    """A chain of relations: ``relations[i]`` joins ``entities[i]`` and ``entities[i + 1]``."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]

    @property
    def length(self) -> int:
        """The number of relations on the path."""
        return len(self.relations)


@dataclass(frozen=True, slots=True)
class Subgraph:
    """Entities and the relations among them; ``truncated`` when a cap cut it short."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    truncated: bool = False


def _steps(
    store: GraphStore, key: str, types: frozenset[RelationType] | None, as_of: PartialDate | None
) -> Iterator[tuple[Relation, str]]:
    """The usable relations of ``key`` with the entity at their other end."""
    for rel in store.relations_of(key):
        if types is not None and rel.type not in types:
            continue
        if as_of is not None and not holds_at(rel, as_of):
            continue
        yield rel, rel.other(key)


def shortest_path(
    store: GraphStore,
    source: str,
    target: str,
    max_length: int = 6,
    types: Iterable[RelationType] | None = None,
    as_of: PartialDate | None = None,
) -> Path | None:
    """A shortest chain of relations from ``source`` to ``target``, or ``None``.

    The search runs from both ends at once and always grows the smaller
    frontier, so it touches far fewer entities than a one-sided search.

    Parameters
    ----------
    store
        The graph.
    source, target
        Entity keys.
    max_length
        Paths longer than this many relations are not looked for.
    types
        Only follow relations of these types, if given.
    as_of
        Only follow relations that may hold at this date.

    Raises
    ------
    UnknownEntity
        If either end is not in the store.
    InvalidArgument
        If ``max_length`` is negative.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> path = shortest_path(sample_store(), "org/amazon", "org/anthropic")
    >>> [e.key for e in path.entities]
    ['org/amazon', 'incident/fable-5-vulnerability', 'model/fable-5', 'org/anthropic']
    >>> shortest_path(sample_store(), "org/amazon", "org/anthropic", max_length=2) is None
    True
    """
    if max_length < 0:
        raise InvalidArgument(f"max_length must not be negative, got {max_length}")
    start = store.entity(source)
    store.entity(target)
    if source == target:
        return Path((start,), ())
    wanted = frozenset(types) if types is not None else None
    # Each side maps an entity to the (previous entity, relation) that reached it.
    forward: dict[str, tuple[str, Relation] | None] = {source: None}
    backward: dict[str, tuple[str, Relation] | None] = {target: None}
    front, back = [source], [target]
    length = 0
    while front and back and length < max_length:
        grow_forward = len(front) <= len(back)
        frontier, seen, other = (front, forward, backward) if grow_forward else (back, backward, forward)
        following: list[str] = []
        for key in frontier:
            for rel, nxt in _steps(store, key, wanted, as_of):
                if nxt in seen:
                    continue
                seen[nxt] = (key, rel)
                if nxt in other:
                    return _join(store, nxt, forward, backward)
                following.append(nxt)
        if grow_forward:
            front = following
        else:
            back = following
        length += 1
    return None


def _join(
    store: GraphStore,
    meet: str,
    forward: dict[str, tuple[str, Relation] | None],
    backward: dict[str, tuple[str, Relation] | None],
) -> Path:
    """Stitch the two half-paths that meet at ``meet``."""
    keys: list[str] = [meet]
    rels: list[Relation] = []
    step = forward[meet]
    while step is not None:
        keys.insert(0, step[0])
        rels.insert(0, step[1])
        step = forward[step[0]]
    step = backward[meet]
    while step is not None:
        keys.append(step[0])
        rels.append(step[1])
        step = backward[step[0]]
    return Path(tuple(store.entity(k) for k in keys), tuple(rels))


def neighborhood(
    store: GraphStore,
    key: str,
    depth: int = 1,
    types: Iterable[RelationType] | None = None,
    as_of: PartialDate | None = None,
    limit: int = NEIGHBORHOOD_LIMIT,
) -> Subgraph:
    """The entities within ``depth`` relations of ``key`` and the relations among them.

    Entities are taken in breadth-first order, nearest first and by
    relation key within a ring, until ``limit`` is reached; the result then
    says ``truncated``. Relations are every usable relation between two
    included entities.

    Raises
    ------
    UnknownEntity
        If ``key`` is not in the store.
    InvalidArgument
        If ``depth`` is negative or ``limit`` below 1 (the centre always counts).

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> sub = neighborhood(sample_store(), "org/caisi")
    >>> sorted(e.key for e in sub.entities)
    ['agreement/anthropic-caisi', 'agreement/openai-caisi', 'org/caisi', 'org/commerce-department',
     'person/howard-lutnick']
    """
    if depth < 0 or limit < 1:
        raise InvalidArgument(f"depth must not be negative and limit must be at least 1, got {depth} and {limit}")
    wanted = frozenset(types) if types is not None else None
    entity = store.entity
    included = {key: entity(key)}
    truncated = False
    ring = [key]
    for _ in range(depth):
        following = []
        for current in ring:
            deadline.check()
            # The walk proper, inlined (no generator, no method call per relation):
            # it runs over every relation of every entity of a ring.
            for rel in store.relations_of(current):
                nxt = rel.subject
                if nxt == current:
                    nxt = rel.object
                if nxt in included:
                    continue
                if wanted is not None and rel.type not in wanted:
                    continue
                if as_of is not None and not holds_at(rel, as_of):
                    continue
                if len(included) >= limit:
                    truncated = True
                    break
                included[nxt] = entity(nxt)
                following.append(nxt)
            if truncated:
                break
        ring = following
        if truncated or not ring:
            break
    # The relations among the included entities, each found once from its
    # subject: never a walk over all the relations of a hub that happens to
    # be included.
    deadline.check()
    found = []
    for rel in store.relations_among(included):
        if wanted is not None and rel.type not in wanted:
            continue
        if as_of is not None and not holds_at(rel, as_of):
            continue
        found.append((rel.key, rel))
    found.sort(key=_first)
    return Subgraph(tuple(included.values()), tuple(rel for _key, rel in found), truncated)


def _first(pair: tuple[str, Relation]) -> str:
    return pair[0]
