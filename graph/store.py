"""The graph store: a networkx MultiDiGraph plus lookup indexes.

Nodes are entity keys with the :class:`~graph.model.Entity` under the
``entity`` attribute; edges run from subject to object, keyed by the
relation key, with the :class:`~graph.model.Relation` under ``relation``.
The store adds what the graph alone does not give cheaply: lookups by name
and alias, entities by kind in name order, each entity's relations in key
order (the order pagination walks), and a version number that changes with
every change to the graph so that callers can cache on it.

Derived indexes (the orders, the whole timeline, the relations by key...)
are built on first use and kept: each says which changes can affect it
(entities of some kinds, relations of some types or touching some entity)
and either follows such a change (see :mod:`graph.derived`) or is dropped
by it, so that one change costs only the indexes it touches.

The store only stores. Queries are free functions in :mod:`graph.queries`
that take the store first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from operator import attrgetter
from typing import Any, TypeVar

import networkx as nx

from oversight_graph.graph.derived import DROP, Change, SortedItems, SortedKeys
from oversight_graph.graph.enums import AgreementStatus, Kind
from oversight_graph.graph.errors import OversightError, UnknownEntity, UnknownRelation
from oversight_graph.graph.model import Agreement, Entity, Organization, Relation
from oversight_graph.graph.names import NameIndex
from oversight_graph.graph.text import fold
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["ANY_RECORD", "DuplicateKey", "GraphStore", "Watched"]

_T = TypeVar("_T")
_CACHE_MIN_DEGREE = 64
_relation_key = attrgetter("key")
_MISSING = object()

Watched = Kind | RelationType | str
"""What a derived index may depend on: the entities of a kind, the relations of a type, or (an entity
key) the relations touching that entity."""

ANY_RECORD: tuple[Watched, ...] = (*Kind, *RelationType)
"""Every entity and every relation (a redirect is neither)."""

_EVERY = object()
"""Watched by indexes that name nothing: every change drops them, redirects too."""

_Follow = Callable[[Any, "GraphStore", Change], Any]
"""How a kept value follows a change: ``(value, store, change)`` to the value after it, or ``DROP``."""


def _by_name(entity: Entity) -> tuple[str, str]:
    """The order of entity lists: folded name, then key."""
    return (fold(entity.name), entity.key)


def _is_major(entity: Entity) -> bool:
    return bool(getattr(entity, "major_ai_developer", False))


def _plain(follow: Callable[[Any, Change], Any]) -> _Follow:
    """``follow`` of a value kept by :meth:`GraphStore.cached`, as the store calls it."""

    def followed(value: Any, store: GraphStore, change: Change) -> Any:
        return follow(value, change)

    return followed


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
        # Bumped at the start and at the end of every change (odd while one is being made),
        # unlike the version, which a journal sets once per change set.
        self._generation = 0
        self._derived: dict[Any, Any] = {}
        # Who watches what: topic (a Kind, a RelationType, an entity key or _EVERY) -> name -> how it follows.
        self._watchers: dict[Any, dict[Any, _Follow | None]] = {}
        self._watching: dict[Any, tuple[Any, ...]] = {}
        # One lock per derived value while it is built (see _build_lock), and one for the registry above.
        self._building = threading.RLock()
        self._build_locks: dict[Any, threading.RLock] = {}
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
        self._derived = {}
        self._watchers = {}
        self._watching = {}
        self._building = threading.RLock()
        self._build_locks = {}
        for kind, keys in state.get("orders", {}).items():
            self._keep(("keys", kind, "name"), SortedKeys(kind, _by_name, None, keys), 0, (kind,), SortedKeys.follow)

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
        """Drop every derived index (after changes made without :meth:`_begin`, as loaders make them)."""
        self._begin()
        self._end(None, None)

    def _begin(self) -> None:
        """Mark a change as under way: a value built meanwhile is not kept (see :meth:`_keep`)."""
        self._generation += 1

    def _end(self, change: Change | None, topics: Iterable[Any] | None) -> None:
        """End a change begun with :meth:`_begin`: the derived indexes watching ``topics`` follow ``change``.

        Without a ``change``, ``topics`` ``()`` drops only the indexes that
        watch nothing in particular (after a redirect), and ``None`` drops
        every index (after a bulk change, or a change that failed half-way).
        """
        try:
            if topics is not None:
                try:
                    self._follow(change, topics)
                    return
                except BaseException:
                    # Some indexes may have missed the change: none is kept, then the error goes on.
                    self._drop_all()
                    raise
            self._drop_all()
        finally:
            self._generation += 1

    def _drop_all(self) -> None:
        self._derived.clear()
        self._watchers.clear()
        self._watching.clear()

    def _follow(self, change: Change | None, topics: Iterable[Any]) -> None:
        called: dict[Any, _Follow | None] = {}
        for topic in (_EVERY, *topics):
            watchers = self._watchers.get(topic)
            if watchers:
                # A copy: a warm-up thread may be keeping a value meanwhile.
                for name, follow in tuple(watchers.items()):
                    called.setdefault(name, follow)
        for name, follow in called.items():
            value = self._derived.get(name, _MISSING)
            if follow is None or change is None or value is _MISSING:
                self._drop(name)
                continue
            after = follow(value, self, change)
            if after is DROP:
                self._drop(name)
            elif after is not value:
                self._derived[name] = after

    def _drop(self, name: Any) -> None:
        self._derived.pop(name, None)
        for topic in self._watching.pop(name, ()):
            watchers = self._watchers.get(topic)
            if watchers is not None:
                watchers.pop(name, None)
                if not watchers:
                    self._watchers.pop(topic, None)

    def _keep(self, name: Any, value: Any, generation: int, topics: tuple[Any, ...], follow: _Follow | None) -> None:
        """Keep ``value``, built from the store as it was at ``generation``, unless a change began since.

        A value built while a change was being made, or across one (from a
        writer's thread), may be stale: it is returned to its caller only.
        """
        if generation & 1 or generation != self._generation:
            return
        with self._building:  # values built at once under their own locks are registered one at a time
            self._drop(name)
            self._derived[name] = value
            self._watching[name] = topics
            for topic in topics:
                self._watchers.setdefault(topic, {})[name] = follow
            if generation != self._generation:
                # A change began while this was being kept (in another thread), and may have missed it.
                self._drop(name)

    def _build_lock(self, name: Any) -> threading.RLock:
        """The lock held while the derived value ``name`` is built.

        One per value, so that a request needing one index never waits for
        another one being built (a warm-up thread building the timeline for
        seconds, say), while two threads never build the same one twice.
        """
        lock = self._build_locks.get(name)
        if lock is None:
            lock = self._build_locks.setdefault(name, threading.RLock())  # one wins if two threads race
        return lock

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

    def cached(
        self,
        name: Any,
        build: Callable[[], Any],
        follow: Callable[[Any, Change], Any] | None = None,
        watch: Iterable[Watched] | None = None,
    ) -> Any:
        """Return ``build()``, computed once and kept until a change it depends on.

        Parameters
        ----------
        name
            Any hashable naming the derived value (not a name that
            :meth:`sorted_keys` or :meth:`sorted_items` uses).
        build
            A function of no arguments that computes it.
        follow
            How the value follows a change to what it watches: given the
            value and the :class:`~graph.derived.Change` (made already), the
            value after it, or :data:`~graph.derived.DROP` to have it built
            anew when next asked for. Without it, such a change drops the value.
        watch
            What the value depends on (see :data:`Watched`): only changes to
            these reach it. By default every change drops it, redirects too.

        Raises
        ------
        ValueError
            If ``follow`` is given without ``watch``.
        """
        try:
            return self._derived[name]
        except KeyError:
            pass
        if follow is not None and watch is None:
            raise ValueError("a value that follows changes must say what it watches")
        # Built under a lock, so that a request and a warm-up thread (see
        # graph.warm) do not both spend seconds building the same index.
        with self._build_lock(name):
            try:
                return self._derived[name]
            except KeyError:
                generation = self._generation
                value = build()
                topics = (_EVERY,) if watch is None else tuple(watch)
                self._keep(name, value, generation, topics, None if follow is None else _plain(follow))
                return value

    def sorted_keys(
        self,
        kind: Kind,
        name: Hashable,
        sort_key: Callable[[Entity], Any],
        where: Callable[[Entity], bool] | None = None,
    ) -> list[str]:
        """Keys of the entities of ``kind`` that ``where`` accepts, sorted by ``sort_key``, kept current.

        Built once. A change to an entity of ``kind`` is merged in when the
        list is next asked for, into a new list: a list returned is never
        changed. Changes to other kinds and to relations do not reach it.

        Parameters
        ----------
        kind
            The kind listed.
        name
            Names this order among the orders of ``kind``; always given with
            the same ``sort_key`` and ``where``.
        sort_key
            A function of the entity that tells every two entities apart
            (ending with the key, say).
        where
            Which entities are listed (by default every one of the kind).
        """
        entry = ("keys", kind, name)
        holder: SortedKeys | None = self._derived.get(entry)
        if holder is None or holder.touched:
            with self._build_lock(entry):
                holder = self._derived.get(entry)
                if holder is None or holder.touched:
                    generation = self._generation
                    found = holder.current(self._nodes, len(self._by_kind[kind])) if holder is not None else None
                    if found is None:
                        found = SortedKeys(kind, sort_key, where, []).build(self._nodes, self._by_kind[kind])
                    self._keep(entry, SortedKeys(kind, sort_key, where, found), generation, (kind,), SortedKeys.follow)
                    return found
        keys: list[str] = holder.keys
        return keys

    def sorted_items(
        self,
        name: Hashable,
        build: Callable[[], list[_T]],
        sort_key: Callable[[_T], Any],
        follow: Callable[[GraphStore, Change], Iterable[tuple[Any, _T | None]] | None],
        watch: Iterable[Watched],
    ) -> list[_T]:
        """``build()``, a list sorted by its items' ``sort_key``, kept current: a list returned is never changed.

        Parameters
        ----------
        name
            Names the list (not a name :meth:`cached` uses).
        build
            Makes the list; no two items may have the same sort key.
        sort_key
            An item's sort key.
        follow
            What a change to what the list watches does to it: given the store
            (after the change) and the :class:`~graph.derived.Change`, each sort
            key the change gives an item, or takes one from, with that item
            (``None``: none now); or ``None`` to have the list built anew.
            What it says is merged into the list when the list is next asked for.
        watch
            What the list depends on (see :data:`Watched`).
        """
        holder: SortedItems[_T] | None = self._derived.get(name)
        if holder is None or holder.pending:
            with self._build_lock(name):
                holder = self._derived.get(name)
                if holder is None or holder.pending:
                    generation = self._generation
                    found = holder.current() if holder is not None else None
                    if found is None:
                        found = build()
                    self._keep(name, SortedItems(found, sort_key, follow), generation, tuple(watch), SortedItems.follow)
                    return found
        items: list[_T] = holder.items
        return items

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
        self._begin()
        try:
            for entity in entities:
                self._insert_entity(entity)
        finally:
            self._version += 1
            self._end(None, None)

    def add_relations(self, relations: Iterable[Relation]) -> None:
        """Add many relations at once; the version changes once.

        Raises
        ------
        UnknownEntity
            If an end of a relation is not in the store.
        DuplicateKey
            If a relation key is already in the store.
        """
        self._begin()
        try:
            for relation in relations:
                self._insert_relation(relation)
        finally:
            self._version += 1
            self._end(None, None)

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
        the derived indexes that depend on entities of its kind follow the
        change or are dropped.

        Raises
        ------
        ValueError
            If an entity of another kind has the key.
        """
        key = entity.key
        old = self._nodes.get(key)
        if old is not None and old.kind is not entity.kind:
            raise ValueError(f"{key!r} is {old.kind.section}, not {entity.kind.section}")
        self._begin()
        change = None
        try:
            if old is None:
                self._redirects.pop(key, None)
                self._insert_entity(entity)
            else:
                self._names.remove(key, old.names)
                self._nodes[key] = entity
                self._names.add(key, entity.names)
            change = Change(old, entity)
        finally:
            self._end(change, None if change is None else (entity.kind,))
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
        self._begin()
        change = None
        try:
            self._names.remove(key, entity.names)
            self._by_kind[entity.kind].remove(key)
            self._graph.remove_node(key)
            change = Change(entity, None)
        finally:
            self._end(change, None if change is None else (entity.kind,))
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
        self._begin()
        change = old = None
        try:
            old = self._insert_or_find(relation)
            if old is not None:
                self._replace_relation(relation)
            change = Change(old, relation)
        finally:
            self._end(change, None if change is None else (relation.type, relation.subject, relation.object))
        return old

    def remove_relation(self, key: str) -> Relation:
        """Remove the relation ``key``; return it.

        Raises
        ------
        UnknownRelation
            If there is none.
        """
        relation = self.relation(key)
        self._begin()
        change = None
        try:
            keyed = self._succ[relation.subject][relation.object]
            del keyed[relation.edge_key]
            if not keyed:
                del self._succ[relation.subject][relation.object]
                del self._pred[relation.object][relation.subject]
            self._by_type[relation.type] -= 1
            change = Change(relation, None)
        finally:
            self._end(change, None if change is None else (relation.type, relation.subject, relation.object))
        return relation

    def redirect(self, old: str, new: str) -> None:
        """Make lookups of ``old`` (no longer an entity) find ``new`` (after a merge)."""
        if old in self._nodes:
            raise ValueError(f"{old!r} is still an entity")
        self._begin()
        try:
            for source, target in self._redirects.items():
                if target == old:
                    self._redirects[source] = new
            self._redirects[old] = new
        finally:
            # No derived index that says what it watches reads the redirects.
            self._end(None, ())

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
        """Keys of one kind sorted by folded name, then key (kept current: see :meth:`sorted_keys`)."""
        return self.sorted_keys(kind, "name", _by_name)

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
        """All relations touching ``key``, sorted by relation key (cached until one of them changes).

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
        result: tuple[Relation, ...] = self.cached(("rel", key), build, watch=(key,))
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
        """Keys of organizations flagged as major AI developers, by name (kept current: see :meth:`sorted_keys`)."""
        return self.sorted_keys(Kind.ORGANIZATION, "major", _by_name, _is_major)

    def agreement_parties(self, counterparty: str, statuses: frozenset[AgreementStatus]) -> frozenset[str]:
        """Organizations party to an agreement with ``counterparty`` in one of ``statuses`` (cached until an
        agreement, or a relation of the types read, changes)."""

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

        # Read: the counterparty's COUNTERPARTY_TO relations, their agreements' statuses, and the
        # agreements' PARTY_TO relations; an agreement with no relations is in none of these.
        watch = (Kind.AGREEMENT, RelationType.COUNTERPARTY_TO, RelationType.PARTY_TO)
        result: frozenset[str] = self.cached(("parties", counterparty, statuses), build, watch=watch)
        return result

    def organization(self, key: str) -> Organization:
        """The organization under ``key``; :class:`UnknownEntity` for any other kind."""
        return self.entity_as(key, Organization)
