"""The graph store: a networkx MultiDiGraph plus lookup indexes.

Nodes are entity keys with the :class:`~graph.model.Entity` under the
``entity`` attribute; edges run from subject to object, keyed by the
relation key, with the :class:`~graph.model.Relation` under ``relation``.
The store adds what the graph alone does not give cheaply: lookups by name
and alias, entities by kind in name order, each entity's relations in key
order (the order pagination walks), and a version number that changes with
every change to the graph so that callers can cache on it.

The store only stores. Queries are free functions in :mod:`graph.queries`
that take the store first.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Hashable, Iterable, Iterator
from operator import attrgetter
from typing import Any, TypeVar

import networkx as nx

from oversight_graph.graph.enums import AgreementStatus, Kind
from oversight_graph.graph.errors import OversightError, UnknownEntity, UnknownRelation
from oversight_graph.graph.model import Agreement, Entity, Organization, Relation
from oversight_graph.graph.names import NameIndex
from oversight_graph.graph.text import fold
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["DuplicateKey", "GraphStore"]

_T = TypeVar("_T")
_CACHE_MIN_DEGREE = 64
_relation_key = attrgetter("key")


class DuplicateKey(OversightError, ValueError):
    """An entity or relation with the same key is already in the store."""


class GraphStore:
    """Entities and relations in a MultiDiGraph, with indexes and a version.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> store.entity("org/meta").name
    'Meta'
    >>> [r.type.name for r in store.relations_of("model/fable-5")]
    ['AFFECTED', 'DEVELOPED']
    """

    def __init__(self) -> None:
        self._graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        # The graph's own adjacency dicts, read directly on hot paths: the
        # public views build a wrapper object on every access.
        self._nodes: dict[str, Entity] = self._graph._node  # type: ignore[attr-defined]
        self._succ: dict[str, dict[str, dict[Hashable, Relation]]] = self._graph._succ  # type: ignore[attr-defined]
        self._pred: dict[str, dict[str, dict[Hashable, Relation]]] = self._graph._pred  # type: ignore[attr-defined]
        self._names = NameIndex(lambda key: self._nodes[key].names)
        self._by_kind: dict[Kind, list[str]] = {kind: [] for kind in Kind}
        self._by_type: dict[RelationType, int] = dict.fromkeys(RelationType, 0)
        self._version = 0
        # Bumped by every change, unlike the version, which a journal sets once per change set.
        self._generation = 0
        self._derived: dict[Any, Any] = {}
        self._building = threading.RLock()
        # Keys merged into another entity: lookups of the old key find the survivor.
        self._redirects: dict[str, str] = {}

    # -- pickling (snapshots) -------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        # The lock and the derived indexes are rebuilt, not saved, except the
        # orders by name: sorting a large graph's names takes seconds.
        return {
            "graph": self._graph,
            "names": self._names,
            "by_kind": self._by_kind,
            "by_type": self._by_type,
            "version": self._version,
            "redirects": self._redirects,
            "orders": {kind: self.keys_of_kind(kind) for kind in Kind},
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._graph = state["graph"]
        self._nodes = self._graph._node  # type: ignore[attr-defined]
        self._succ = self._graph._succ  # type: ignore[attr-defined]
        self._pred = self._graph._pred  # type: ignore[attr-defined]
        self._names = state["names"]
        self._names.bind(lambda key: self._nodes[key].names)
        self._by_kind = state["by_kind"]
        self._by_type = state["by_type"]
        self._version = state["version"]
        self._redirects = state["redirects"]
        self._generation = 0
        self._derived = {("kind", kind): keys for kind, keys in state.get("orders", {}).items()}
        self._building = threading.RLock()

    # -- state -------------------------------------------------------------
    @property
    def version(self) -> int:
        """A number that changes whenever an entity or relation is added."""
        return self._version

    @property
    def graph(self) -> nx.MultiDiGraph[str]:
        """A read-only view of the underlying MultiDiGraph."""
        view: nx.MultiDiGraph[str] = nx.freeze(self._graph.copy(as_view=True))
        return view

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, key: object) -> bool:
        return key in self._graph

    @property
    def relation_count(self) -> int:
        """How many relations the store holds."""
        # Counted by type as relations are added: networkx's number_of_edges
        # walks every node, which takes seconds on a large graph.
        return sum(self._by_type.values())

    def _changed(self) -> None:
        self._version += 1
        self._invalidate()

    def _invalidate(self) -> None:
        self._generation += 1
        if self._derived:
            self._derived.clear()

    def set_version(self, version: int) -> None:
        """Set the version to a change journal's (see :mod:`journal`), after applying its change set.

        Raises
        ------
        ValueError
            If ``version`` is lower than the current one: versions only grow.
        """
        if version < self._version:
            raise ValueError(f"version {version} is older than the store's {self._version}")
        self._version = version

    def cached(self, name: Any, build: Any) -> Any:
        """Return ``build()``, computed once per version of the store.

        Parameters
        ----------
        name
            Any hashable naming the derived value.
        build
            A function of no arguments that computes it.
        """
        try:
            return self._derived[name]
        except KeyError:
            pass
        # Built under a lock, so that a request and a warm-up thread (see
        # graph.warm) do not both spend seconds building the same index.
        with self._building:
            try:
                return self._derived[name]
            except KeyError:
                generation = self._generation
                value = build()
                # A change applied while building (from a writer's thread)
                # makes the value stale: return it to this caller only.
                if generation == self._generation:
                    self._derived[name] = value
                return value

    # -- changes -----------------------------------------------------------
    def add_entity(self, entity: Entity) -> None:
        """Add an entity.

        Raises
        ------
        DuplicateKey
            If an entity with the same key exists.
        """
        self.add_entities([entity])

    def add_relation(self, relation: Relation) -> None:
        """Add a relation between two entities already in the store.

        Raises
        ------
        UnknownEntity
            If the subject or object is not in the store.
        DuplicateKey
            If a relation with the same key exists.
        """
        self.add_relations([relation])

    def add_entities(self, entities: Iterable[Entity]) -> None:
        """Add many entities at once; the version changes once.

        Raises
        ------
        DuplicateKey
            If a key is already in the store (entities before it stay added).
        """
        try:
            for entity in entities:
                self._insert_entity(entity)
        finally:
            self._changed()

    def add_relations(self, relations: Iterable[Relation]) -> None:
        """Add many relations at once; the version changes once.

        Raises
        ------
        UnknownEntity
            If an end of a relation is not in the store.
        DuplicateKey
            If a relation key is already in the store.
        """
        try:
            for relation in relations:
                self._insert_relation(relation)
        finally:
            self._changed()

    def _insert_entity(self, entity: Entity) -> None:
        """Add an entity without changing the version (for loaders; see :meth:`add_entities`)."""
        key = entity.key
        if key in self._nodes:
            raise DuplicateKey(f"entity {key!r} is already in the store")
        # What networkx's add_node does, without its per-call checks.
        self._succ[key] = {}
        self._pred[key] = {}
        self._nodes[key] = entity  # the entity is its own attribute mapping
        self._by_kind[entity.kind].append(key)
        self._names.add(key, entity.names)

    def _insert_relation(self, relation: Relation) -> None:
        """Add a relation without changing the version (for loaders; see :meth:`add_relations`)."""
        for end in (relation.subject, relation.object):
            if end not in self._succ:
                raise UnknownEntity(end)
        if self._insert_or_find(relation) is not None:
            raise DuplicateKey(f"relation {relation.key!r} is already in the store")

    def _insert_or_find(self, relation: Relation) -> Relation | None:
        """Add ``relation``, or return the stored relation with its key and add nothing (for loaders).

        The ends must be in the store; the version does not change.
        """
        subject, obj = relation.subject, relation.object
        key = relation.type if relation.valid_from is None else relation.edge_key
        # What networkx's add_edge does for a MultiDiGraph: one key dict per
        # (subject, object) pair, shared by both directions.
        targets = self._succ[subject]
        keyed = targets.get(obj)
        if keyed is None:
            keyed = targets[obj] = {}
            self._pred[obj][subject] = keyed
        else:
            first = keyed.get(key)
            if first is not None:
                return first
        keyed[key] = relation  # the relation is its own attribute mapping
        self._by_type[relation.type] += 1
        return None

    def _replace_relation(self, relation: Relation) -> None:
        """Put ``relation`` in place of the stored relation with the same key (a loader merging citations)."""
        self._succ[relation.subject][relation.object][relation.edge_key] = relation

    def finish_loading(self) -> None:
        """End a load done through the ``_insert`` methods: one version change, then :meth:`prepare`."""
        self._changed()
        self.prepare()

    def prepare(self) -> None:
        """Build lazily built indexes now (after a bulk load, before serving)."""
        self._names.prepare()
        for kind in Kind:
            self.keys_of_kind(kind)

    # -- edits (applied by a change journal; see journal.apply) ------------------
    def put_entity(self, entity: Entity) -> Entity | None:
        """Add ``entity``, or replace the entity with its key; return the replaced one.

        The version does not change (the journal sets it per change set);
        derived indexes are dropped.

        Raises
        ------
        ValueError
            If an entity of another kind has the key.
        """
        key = entity.key
        old = self._nodes.get(key)
        if old is None:
            self._redirects.pop(key, None)
            self._insert_entity(entity)
        else:
            if old.kind is not entity.kind:
                raise ValueError(f"{key!r} is {old.kind.section}, not {entity.kind.section}")
            self._names.remove(key, old.names)
            self._nodes[key] = entity
            self._names.add(key, entity.names)
        self._invalidate()
        return old

    def remove_entity(self, key: str) -> Entity:
        """Remove the entity ``key``, which must have no relations left; return it.

        Raises
        ------
        UnknownEntity
            If there is no such entity.
        ValueError
            If relations still touch it.
        """
        entity = self.entity(key)
        if self._succ[key] or self._pred[key]:
            raise ValueError(f"{key!r} still has relations")
        self._names.remove(key, entity.names)
        self._by_kind[entity.kind].remove(key)
        self._graph.remove_node(key)
        self._invalidate()
        return entity

    def put_relation(self, relation: Relation) -> Relation | None:
        """Add ``relation``, or replace the relation with its key; return the replaced one.

        Raises
        ------
        UnknownEntity
            If an end is not in the store.
        """
        for end in (relation.subject, relation.object):
            if end not in self._succ:
                raise UnknownEntity(end)
        old = self._insert_or_find(relation)
        if old is not None:
            self._replace_relation(relation)
        self._invalidate()
        return old

    def remove_relation(self, key: str) -> Relation:
        """Remove the relation ``key``; return it.

        Raises
        ------
        UnknownRelation
            If there is none.
        """
        relation = self.relation(key)
        keyed = self._succ[relation.subject][relation.object]
        del keyed[relation.edge_key]
        if not keyed:
            del self._succ[relation.subject][relation.object]
            del self._pred[relation.object][relation.subject]
        self._by_type[relation.type] -= 1
        self._invalidate()
        return relation

    def redirect(self, old: str, new: str) -> None:
        """Make lookups of ``old`` (no longer an entity) find ``new`` (after a merge)."""
        if old in self._nodes:
            raise ValueError(f"{old!r} is still an entity")
        for source, target in self._redirects.items():
            if target == old:
                self._redirects[source] = new
        self._redirects[old] = new
        self._invalidate()

    @property
    def redirects(self) -> dict[str, str]:
        """Merged keys and the keys they now lead to (read-only use)."""
        return self._redirects

    def resolve(self, key: str) -> str:
        """``key``, or the key it was merged into."""
        return key if key in self._nodes else self._redirects.get(key, key)

    # -- lookups -----------------------------------------------------------
    def get(self, key: str) -> Entity | None:
        """The entity under ``key`` (or the key it was merged into), or ``None``."""
        entity = self._nodes.get(key)
        if entity is None and self._redirects:
            entity = self._nodes.get(self._redirects.get(key, ""))
        return entity

    def entity(self, key: str) -> Entity:
        """The entity under ``key``.

        Raises
        ------
        UnknownEntity
            If there is none.
        """
        entity = self._nodes.get(key)
        if entity is None:
            if self._redirects and key in self._redirects:
                return self._nodes[self._redirects[key]]
            raise UnknownEntity(key)
        return entity

    def entity_as(self, key: str, cls: type[_T]) -> _T:
        """The entity under ``key`` if it is a ``cls``; else :class:`UnknownEntity`."""
        entity = self.entity(key)
        if not isinstance(entity, cls):
            raise UnknownEntity(key)
        return entity

    def relation(self, key: str) -> Relation:
        """The relation under ``key`` (``subject|TYPE|object`` or ``...|valid_from``).

        Raises
        ------
        UnknownRelation
            If there is none.
        """
        parts = key.split("|") if isinstance(key, str) else []
        if len(parts) in (3, 4):
            type_ = RelationType._value2member_map_.get(parts[1])
            edge_key = type_ if len(parts) == 3 else (type_, parts[3])
            found = self._succ.get(parts[0], {}).get(parts[2], {}).get(edge_key)
            if found is not None:
                return found
        raise UnknownRelation(key)

    def entities(self, kind: Kind | None = None) -> Iterator[Entity]:
        """Every entity, or every entity of one kind, in insertion order."""
        nodes = self._nodes
        keys = self._by_kind[kind] if kind is not None else nodes
        for key in keys:
            yield nodes[key]

    def relations(self) -> Iterator[Relation]:
        """Every relation, in no particular order."""
        for targets in self._succ.values():
            for keyed in targets.values():
                yield from keyed.values()

    def keys_of_kind(self, kind: Kind) -> list[str]:
        """Keys of one kind sorted by folded name, then key (cached per version)."""

        def build() -> list[str]:
            nodes = self._nodes
            return sorted(self._by_kind[kind], key=lambda k: (fold(nodes[k].name), k))

        result: list[str] = self.cached(("kind", kind), build)
        return result

    def count(self, kind: Kind) -> int:
        """How many entities of ``kind`` there are."""
        return len(self._by_kind[kind])

    def count_type(self, type_: RelationType) -> int:
        """How many relations of ``type_`` there are."""
        return self._by_type[type_]

    @property
    def names(self) -> NameIndex:
        """The name and alias index."""
        return self._names

    # -- adjacency ---------------------------------------------------------
    def out_relations(self, key: str) -> Iterator[Relation]:
        """Relations whose subject is ``key``, in no particular order."""
        for keyed in self._succ[key].values():
            yield from keyed.values()

    def in_relations(self, key: str) -> Iterator[Relation]:
        """Relations whose object is ``key``, in no particular order."""
        for keyed in self._pred[key].values():
            yield from keyed.values()

    def relations_of(self, key: str) -> tuple[Relation, ...]:
        """All relations touching ``key``, sorted by relation key (cached per version).

        Raises
        ------
        UnknownEntity
            If ``key`` is not in the store.
        """
        if key not in self._graph:
            raise UnknownEntity(key)

        def build() -> tuple[Relation, ...]:
            found = [r for keyed in self._succ[key].values() for r in keyed.values()]
            # A relation from the entity to itself is in both adjacency dicts: take it once.
            found += [r for other, keyed in self._pred[key].items() if other != key for r in keyed.values()]
            found.sort(key=_relation_key)
            return tuple(found)

        # Sorting a few relations is cheaper than caching them; hubs are cached.
        # Neighbours, not relations: a cheap lower bound of the degree
        # (networkx's degree sums over every neighbour's relations).
        if len(self._succ[key]) + len(self._pred[key]) < _CACHE_MIN_DEGREE:
            return build()
        result: tuple[Relation, ...] = self.cached(("rel", key), build)
        return result

    def relations_among(self, keys: Collection[str]) -> Iterator[Relation]:
        """Every relation whose subject and object are both in ``keys``, each once, in no particular order.

        Each relation is found from its subject, looking at that subject's
        neighbours or at ``keys``, whichever is fewer, so a hub among
        ``keys`` costs no more than ``keys`` itself.

        Examples
        --------
        >>> from graph.sample import sample_store
        >>> sorted(r.key for r in sample_store().relations_among({"org/anthropic", "model/fable-5"}))
        ['org/anthropic|DEVELOPED|model/fable-5']
        """
        succ = self._succ
        for subject in keys:
            targets = succ.get(subject)
            if not targets:
                continue
            if len(targets) <= len(keys):
                for obj, keyed in targets.items():
                    if obj in keys:
                        yield from keyed.values()
            else:
                for obj in keys:
                    between = targets.get(obj)
                    if between:
                        yield from between.values()

    def degree(self, key: str) -> int:
        """How many relations touch ``key``."""
        return sum(map(len, self._succ[key].values())) + sum(map(len, self._pred[key].values()))

    # -- derived indexes ---------------------------------------------------
    def major_ai_developers(self) -> list[str]:
        """Keys of organizations flagged as major AI developers, by name (cached)."""

        def build() -> list[str]:
            return [
                key
                for key in self.keys_of_kind(Kind.ORGANIZATION)
                if getattr(self.entity(key), "major_ai_developer", False)
            ]

        result: list[str] = self.cached("major", build)
        return result

    def agreement_parties(self, counterparty: str, statuses: frozenset[AgreementStatus]) -> frozenset[str]:
        """Organizations party to an agreement with ``counterparty`` in one of ``statuses`` (cached per version)."""

        def build() -> frozenset[str]:
            parties: set[str] = set()
            for rel in self.out_relations(counterparty):
                if rel.type is not RelationType.COUNTERPARTY_TO:
                    continue
                agreement = self.entity(rel.object)
                if isinstance(agreement, Agreement) and agreement.status in statuses:
                    parties.update(
                        r.subject for r in self.in_relations(agreement.key) if r.type is RelationType.PARTY_TO
                    )
            return frozenset(parties)

        result: frozenset[str] = self.cached(("parties", counterparty, statuses), build)
        return result

    def organization(self, key: str) -> Organization:
        """The organization under ``key``; :class:`UnknownEntity` for any other kind."""
        return self.entity_as(key, Organization)
