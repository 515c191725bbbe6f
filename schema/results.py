"""Result types of the root relationship queries, and entity connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from oversight_graph.graph import paths, queries, timeline
from oversight_graph.graph.pages import Page
from oversight_graph.schema.enums import Boundary, EntityKind, RelationType
from oversight_graph.schema.ids import encode_cursor
from oversight_graph.schema.types import Citation, DateValue, Entity, PageInfo, Relation

__all__ = [
    "RELATION_LIST",
    "Connection",
    "Edge",
    "GraphStats",
    "KindCount",
    "Path",
    "RelationListConnection",
    "RelationListEdge",
    "RelationTypeCount",
    "SearchHit",
    "Subgraph",
    "TimelineEntry",
    "entity_connection",
    "relation_list_connection",
]

T = TypeVar("T")


@strawberry.type(description="A search result.")
class SearchHit:
    entity: Entity = strawberry.field(description="The entity found.")
    score: float = strawberry.field(
        description="How well it matched, in (0, 1]: 1 is an exact name match; exact aliases, then prefixes, then word matches follow."
    )
    matched: str = strawberry.field(description="The name or alias that matched.")
    fuzzy: bool = strawberry.field(
        description="Found through a close spelling: a word of the query is in no name, and the nearest word in a name (at least 80% alike) stood in for it. Fuzzy hits come after every exact hit."
    )

    @classmethod
    def from_graph(cls, hit: queries.SearchHit) -> SearchHit:
        return cls(entity=hit.entity, score=hit.score, matched=hit.matched, fuzzy=hit.fuzzy)  # type: ignore[arg-type]


@strawberry.type(
    description="A chain of relations joining two entities; `relations[i]` joins `entities[i]` and `entities[i+1]`."
)
class Path:
    entities: list[Entity] = strawberry.field(description="The entities along the path, from `from` to `to`.")
    relations: list[Relation] = strawberry.field(
        description="The relations along the path, each with its citations; a relation may point either way."
    )

    @strawberry.field(description="The number of relations on the path.")
    def length(root: paths.Path) -> int:
        return root.length

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, paths.Path)


@strawberry.type(description="Entities and the relations among them.")
class Subgraph:
    entities: list[Entity] = strawberry.field(description="The entities, nearest first.")
    relations: list[Relation] = strawberry.field(
        description="Every relation between two of the entities, in key order."
    )
    truncated: bool = strawberry.field(description="True when the entity cap cut the result short.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, paths.Subgraph)


@strawberry.type(description="A dated happening: an entity's own date, or a relation starting or ending.")
class TimelineEntry:
    date: DateValue = strawberry.field(description="When, as precisely as known, with inferred parts marked.")
    boundary: Boundary = strawberry.field(
        description="Whether this is an entity's own date or a relation starting or ending."
    )
    entity: Entity = strawberry.field(description="The dated entity, or the subject of the relation.")
    relation: Relation | None = strawberry.field(description="The relation, for STARTED and ENDED entries.")
    summary: str = strawberry.field(description="What happened, in one line.")
    citations: list[Citation] = strawberry.field(description="The sources of the entry.")

    @strawberry.field(description="Cursor of this entry; pass it as `after` to continue the timeline.")
    def cursor(root: timeline.TimelineEntry) -> str:
        return timeline_cursor(root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, timeline.TimelineEntry)


def timeline_cursor(entry: timeline.TimelineEntry) -> str:
    """The cursor of a timeline entry: its sort key."""
    return encode_cursor("time", entry.sort_key)


@strawberry.type(description="How many entities of one kind.")
class KindCount:
    kind: EntityKind = strawberry.field(description="The kind.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="How many relations of one type.")
class RelationTypeCount:
    type: RelationType = strawberry.field(description="The relation type.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Counts over the whole graph, and the version they describe.")
class GraphStats:
    version: int = strawberry.field(description="Changes whenever the graph changes; clients may cache on it.")
    entity_count: int = strawberry.field(description="All entities.")
    relation_count: int = strawberry.field(description="All relations.")
    citation_count: int = strawberry.field(description="All citations, on relations and entities.")
    document_count: int = strawberry.field(description="Source documents.")
    entities_by_kind: list[KindCount] = strawberry.field(description="Entities per kind, every kind listed.")
    relations_by_type: list[RelationTypeCount] = strawberry.field(description="Relations per type, every type listed.")

    @classmethod
    def from_graph(cls, stats: queries.GraphStats) -> GraphStats:
        return cls(
            version=stats.version,
            entity_count=stats.entity_total,
            relation_count=stats.relation_total,
            citation_count=stats.citations,
            document_count=stats.documents,
            entities_by_kind=[KindCount(kind=k, count=n) for k, n in stats.entities.items()],
            relations_by_type=[RelationTypeCount(type=t, count=n) for t, n in stats.relations.items()],
        )


@strawberry.type(description="An entity in a list, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The entity.")
    order: strawberry.Private[str]
    sort_key: strawberry.Private[Callable[[Any], tuple[Any, ...]]]

    @strawberry.field(description="Opaque cursor of this edge; pass it as `after` to continue after it.")
    def cursor(self) -> str:
        return encode_cursor(self.order, self.sort_key(self.node))


@strawberry.type(description="A page of entities (a Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The entities on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    total_count: int = strawberry.field(description="How many entities match, over all pages.")


def entity_connection(page: Page[Any], order: str, sort_key: Callable[[Any], tuple[Any, ...]]) -> Connection[Any]:
    """Wrap a page of entities sorted by ``sort_key`` (list order ``order``) as a connection."""
    items = page.items
    edges = [Edge(node=e, order=order, sort_key=sort_key) for e in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=encode_cursor(order, sort_key(items[0])) if items else None,
            end_cursor=encode_cursor(order, sort_key(items[-1])) if items else None,
        ),
        total_count=page.total,
    )


RELATION_LIST = "rels"
"""The cursor tag of the root relation list (its cursors carry a relation key)."""


@strawberry.type(description="A relation in the root relation list, with its cursor.")
class RelationListEdge:
    node: Relation = strawberry.field(description="The relation.")

    @strawberry.field(description="Opaque cursor of this edge; pass it as `after` to continue after it.")
    def cursor(self) -> str:
        return encode_cursor(RELATION_LIST, (self.node.key,))


@strawberry.type(description="A page of the whole graph's relations, in relation-key order (a Relay connection).")
class RelationListConnection:
    edges: list[RelationListEdge] = strawberry.field(description="The relations on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    total_count: int = strawberry.field(description="How many relations match, over all pages.")


def relation_list_connection(page: Page[Any]) -> RelationListConnection:
    """Wrap a page of the root relation list as a connection."""
    items = page.items
    return RelationListConnection(
        edges=[RelationListEdge(node=r) for r in items],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=encode_cursor(RELATION_LIST, (items[0].key,)) if items else None,
            end_cursor=encode_cursor(RELATION_LIST, (items[-1].key,)) if items else None,
        ),
        total_count=page.total,
    )
