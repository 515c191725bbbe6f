"""What an export walks: the graph's entities and relations, taken at one moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oversight_graph.graph.edges import sorted_relations
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.model import Entity, Relation
from oversight_graph.graph.store import GraphStore

__all__ = ["Snapshot"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The records an export writes, in a fixed order.

    Records are immutable, so holding references to them is enough for a
    consistent export even while the store changes: taking a snapshot copies
    two lists of references, never the records or a graph.

    Attributes
    ----------
    entities
        Every entity, kind by kind (in :class:`~graph.enums.Kind` order), by name within a kind.
    relations
        Every relation, in relation-key order.
    version
        The store version the snapshot was taken at.
    """

    entities: Sequence[Entity]
    relations: Sequence[Relation]
    version: int

    @classmethod
    def of(cls, store: GraphStore) -> Snapshot:
        """Take a snapshot of ``store``.

        Examples
        --------
        >>> from graph.sample import sample_store
        >>> store = sample_store()
        >>> snapshot = Snapshot.of(store)
        >>> len(snapshot.entities) == len(store), len(snapshot.relations) == store.relation_count
        (True, True)
        """
        keys = [key for kind in Kind for key in store.keys_of_kind(kind)]
        return cls([store.entity(key) for key in keys], sorted_relations(store), store.version)

    def of_kind(self, kind: Kind) -> list[Entity]:
        """The snapshot's entities of one kind."""
        return [e for e in self.entities if e.kind is kind]
