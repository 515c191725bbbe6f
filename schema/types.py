"""Core object types: Node, Entity, Relation and its citations, dates, pages.

Resolvers receive graph records (:mod:`graph.model`) as their ``root`` and
read them directly: the GraphQL types are views over the records, not
copies of them. ``is_type_of`` tells GraphQL which object type a record is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from oversight_graph.graph import model as gm
from oversight_graph.graph import queries
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Confidence, Direction
from oversight_graph.graph.pages import Page, paginate
from oversight_graph.graph.timeline import describe
from oversight_graph.graph.vocabulary import RelationType
from oversight_graph.schema.context import Info
from oversight_graph.schema.enums import AttributionKind, DatePart, DatePrecision, EntityKind
from oversight_graph.schema.ids import RELATION_TYPE_NAME, TYPE_NAMES, decode_cursor, encode_cursor, global_id
from oversight_graph.schema.pages import page_size

if TYPE_CHECKING:
    from oversight_graph.schema.history import ChangeSet
    from oversight_graph.schema.kinds import Document


def change_set_at(info: Info, record: gm.Entity | gm.Relation, last: bool) -> Any:
    """The change set that created (or last changed) ``record`` (see :mod:`schema.history`)."""
    from oversight_graph.schema.history import change_set_at as find

    return find(info, record, last)


RelationTypesArg = Annotated[
    list[RelationType] | None, strawberry.argument(description="Only relations of these types.")
]
"""The ``types`` argument of relation lists."""
RelationAsOfArg = Annotated[
    PartialDate | None,
    strawberry.argument(
        description="Only relations that may hold on this date (started by its end, not ended before its start)."
    ),
]
"""The ``asOf`` argument of relation lists."""
MinConfidenceArg = Annotated[
    Confidence | None, strawberry.argument(description="Only relations with a citation at least this firm.")
]
"""The ``minConfidence`` argument of relation lists."""
PageFirstArg = Annotated[
    int | None, strawberry.argument(description="Page size (default and maximum are server limits).")
]
"""The ``first`` argument of connections."""
PageAfterArg = Annotated[str | None, strawberry.argument(description="Cursor of the last edge of the previous page.")]
"""The ``after`` argument of connections."""


__all__ = [
    "Attribution",
    "Citation",
    "DateValue",
    "Entity",
    "Node",
    "PageInfo",
    "Qualifiers",
    "Relation",
    "RelationConnection",
    "RelationEdge",
    "relation_connection",
]


@strawberry.interface(description="An object with a globally unique id (the Relay Node interface).")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id, stable across releases; pass it to `node(id:)`.")


@strawberry.type(description="A date as precise as the source allows, saying which parts were inferred.")
class DateValue:
    @strawberry.field(description="The date in ISO 8601 form with its own precision (`2026`, `2026-04`, `2026-06-02`).")
    def iso(root: PartialDate) -> PartialDate:
        return root

    @strawberry.field(description="How much of the date is known.")
    def precision(root: PartialDate) -> DatePrecision:
        return root.precision

    @strawberry.field(description="Parts of the date not stated by the source but inferred by the editors.")
    def inferred_parts(root: PartialDate) -> list[DatePart]:
        return sorted(root.inferred, key=lambda p: p.value)

    @strawberry.field(description="True when any part of the date was inferred rather than stated.")
    def is_inferred(root: PartialDate) -> bool:
        return root.is_inferred

    @strawberry.field(description="The first day the date may stand for (YYYY-MM-DD).")
    def earliest(root: PartialDate) -> str:
        return root.earliest().isoformat()

    @strawberry.field(description="The last day the date may stand for (YYYY-MM-DD).")
    def latest(root: PartialDate) -> str:
        return root.latest().isoformat()


@strawberry.type(description="Who, according to the document, makes a claim.")
class Attribution:
    kind: AttributionKind = strawberry.field(
        description="Named person, named organization, anonymous sources, or the document itself."
    )
    text: str = strawberry.field(
        description="How the document describes the source (e.g. 'two government officials'); may be empty."
    )
    source_count: int | None = strawberry.field(description="How many sources, where the document says.")

    @strawberry.field(description="The speaking person or organization, when it is in the graph.")
    def speaker(root: gm.Attribution, info: Info) -> Entity | None:
        return info.context.store.get(root.speaker) if root.speaker else None


@strawberry.type(description="Where a claim comes from: a paragraph of a source document, and who made the claim.")
class Citation:
    paragraph: int = strawberry.field(description="Paragraph number within the document, from 1.")
    claim: str = strawberry.field(description="What the paragraph supports, in the editors' own words.")
    attribution: Attribution = strawberry.field(description="Who the document says makes the claim.")
    confidence: Confidence = strawberry.field(description="How firmly the paragraph supports the claim.")

    @strawberry.field(
        description="For an entity's citation: which of the entity's fields it supports (e.g. `accessStatus`); "
        "empty when it supports only the entity's existence, name and description, and for relations."
    )
    def supports(root: gm.Citation) -> list[str]:
        return [_camel(name) for name in root.supports]

    @strawberry.field(description="The source document.")
    def document(root: gm.Citation, info: Info) -> Annotated[Document, strawberry.lazy("oversight_graph.schema.kinds")]:
        return info.context.store.entity(root.document)  # type: ignore[return-value]


@strawberry.type(description="Optional details that refine a relation (Wikidata-style qualifiers).")
class Qualifiers:
    role: str | None = strawberry.field(description="The position a person holds (e.g. 'Commerce Secretary').")
    channel: str | None = strawberry.field(description="How something was communicated or made known (e.g. 'email').")
    purpose: str | None = strawberry.field(description="What the subject wanted to achieve.")
    reason: str | None = strawberry.field(description="Why it happened, as the source gives it.")
    days_allowed: int | None = strawberry.field(description="A time limit in days (e.g. a 30-day review window).")
    minutes_allowed: int | None = strawberry.field(
        description="An exact time limit in minutes, where the source gives one."
    )
    minutes_less_than: int | None = strawberry.field(
        description="An upper bound on a time limit: the source says less than this many minutes and gives no "
        "exact figure (so it is not in `minutesAllowed`)."
    )
    deadline: DateValue | None = strawberry.field(description="The date by which something must be done.")
    note: str | None = strawberry.field(description="Any other detail, in the editors' words.")


@strawberry.interface(
    description="Anything in the knowledge graph: an organization, person, model, order, incident, agreement, event, document or question."
)
class Entity(Node):
    key: str = strawberry.field(
        description="Stable, readable key with a kind prefix (`org/meta`); never changes once published."
    )
    name: str = strawberry.field(description="Preferred name.")
    aliases: list[str] = strawberry.field(
        description="Other names the sources use; `search` finds the entity by any of them."
    )
    description: str = strawberry.field(description="What the entity is, in the editors' own words.")
    wikidata_id: str | None = strawberry.field(
        description="Wikidata item id (e.g. `Q380`), given only where the match is certain."
    )
    citations: list[Citation] = strawberry.field(
        description="Sources of the entity's own facts (its date, status, description)."
    )
    # Read straight from the record (the graph's Kind is the schema's EntityKind).
    kind: EntityKind = strawberry.field(description="The kind of entity; it matches the object type.")

    @strawberry.field(description="Global id (base64 of `TypeName:key`).")
    def id(root: gm.Entity) -> strawberry.ID:
        return strawberry.ID(global_id(TYPE_NAMES[root.kind], root.key))

    @strawberry.field(
        description="Names of this entity's fields whose values are not stated by the sources (e.g. `name`)."
    )
    def inferred_fields(root: gm.Entity) -> list[str]:
        return [_camel(name) for name in root.inferred]

    @strawberry.field(description="Link to the Wikidata item, when `wikidataId` is set.")
    def wikidata_url(root: gm.Entity) -> str | None:
        return f"https://www.wikidata.org/wiki/{root.wikidata_id}" if root.wikidata_id else None

    @strawberry.field(
        description="The change set that created this entity: who added it, when and why (null without a journal)."
    )
    def created_in(
        root: gm.Entity, info: Info
    ) -> Annotated[ChangeSet, strawberry.lazy("oversight_graph.schema.history")] | None:
        return change_set_at(info, root, last=False)

    @strawberry.field(description="The change set that last changed this entity (null without a journal).")
    def updated_in(
        root: gm.Entity, info: Info
    ) -> Annotated[ChangeSet, strawberry.lazy("oversight_graph.schema.history")] | None:
        return change_set_at(info, root, last=True)

    @strawberry.field(
        description="This entity's relations, in relation-key order, as a Relay connection whose edges say which way "
        "each relation points and what is at the other end."
    )
    def relations(
        root: gm.Entity,
        info: Info,
        types: RelationTypesArg = None,
        direction: Annotated[
            Direction, strawberry.argument(description="OUTGOING: this entity is the subject; INCOMING: the object.")
        ] = Direction.BOTH,
        as_of: RelationAsOfArg = None,
        min_confidence: MinConfidenceArg = None,
        first: PageFirstArg = None,
        after: PageAfterArg = None,
    ) -> RelationConnection:
        size = page_size(info, first)
        found = queries.relations(info.context.store, root.key, types, direction, as_of, min_confidence)
        cursor = decode_cursor(after, f"rel:{root.key}", (str,)) if after is not None else None
        return relation_connection(paginate(found, size, cursor, key=_relation_sort_key), root.key)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _relation_sort_key(relation: gm.Relation) -> tuple[str]:
    return (relation.key,)


@strawberry.type(description="A directed, typed statement linking two entities, with the citations that support it.")
class Relation(Node):
    key: str = strawberry.field(description="Stable key: `subject|TYPE|object`, plus `|validFrom` when dated.")
    type: RelationType = strawberry.field(description="The relation type; reads as a verb from subject to object.")
    qualifiers: Qualifiers = strawberry.field(
        description="Details such as days allowed, a deadline, a channel or a role."
    )
    valid_from: DateValue | None = strawberry.field(description="When the statement started to be true, if known.")
    valid_to: DateValue | None = strawberry.field(description="When it stopped being true (exclusive), if it has.")
    citations: list[Citation] = strawberry.field(description="The sources; every relation has at least one.")
    confidence: Confidence = strawberry.field(description="The firmest confidence among the citations.")

    @strawberry.field(description="Global id (base64 of `Relation:key`).")
    def id(root: gm.Relation) -> strawberry.ID:
        return strawberry.ID(global_id(RELATION_TYPE_NAME, root.key))

    @strawberry.field(description="The entity the relation starts from.")
    def subject(root: gm.Relation, info: Info) -> Entity:
        return info.context.store.entity(root.subject)  # type: ignore[return-value]

    @strawberry.field(description="The entity the relation points to.")
    def object(root: gm.Relation, info: Info) -> Entity:
        return info.context.store.entity(root.object)  # type: ignore[return-value]

    @strawberry.field(description="The relation as one sentence: subject name, verb phrase, object name.")
    def summary(root: gm.Relation, info: Info) -> str:
        return describe(info.context.store, root)

    @strawberry.field(
        description="The change set that added this relation: who, when and why (null without a journal)."
    )
    def created_in(
        root: gm.Relation, info: Info
    ) -> Annotated[ChangeSet, strawberry.lazy("oversight_graph.schema.history")] | None:
        return change_set_at(info, root, last=False)

    @strawberry.field(description="The change set that last changed this relation (null without a journal).")
    def updated_in(
        root: gm.Relation, info: Info
    ) -> Annotated[ChangeSet, strawberry.lazy("oversight_graph.schema.history")] | None:
        return change_set_at(info, root, last=True)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, gm.Relation)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge, if any.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge, if any; pass it as `after`.")


@strawberry.type(description="A relation seen from one of its ends.")
class RelationEdge:
    node: Relation = strawberry.field(description="The relation.")
    direction: Direction = strawberry.field(
        description="OUTGOING when the entity whose relations these are is the subject, INCOMING when it is the object."
    )
    anchor: strawberry.Private[str]

    @strawberry.field(description="Opaque cursor of this edge; pass it as `after` to continue after it.")
    def cursor(self) -> str:
        return relation_cursor(self.anchor, self.node)  # type: ignore[arg-type]

    @strawberry.field(description="The entity at the other end of the relation.")
    def other(self, info: Info) -> Entity:
        relation: gm.Relation = self.node  # type: ignore[assignment]
        return info.context.store.entity(relation.other(self.anchor))  # type: ignore[return-value]


@strawberry.type(description="A page of relations (a Relay connection).")
class RelationConnection:
    edges: list[RelationEdge] = strawberry.field(description="The relations on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    total_count: int = strawberry.field(description="How many relations match, over all pages.")


def relation_connection(page: Page[gm.Relation], anchor: str) -> RelationConnection:
    """Wrap a page of ``anchor``'s relations as a connection."""
    items = page.items
    edges = [
        RelationEdge(
            node=relation,  # type: ignore[arg-type]
            direction=Direction.OUTGOING if relation.subject == anchor else Direction.INCOMING,
            anchor=anchor,
        )
        for relation in items
    ]
    return RelationConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=relation_cursor(anchor, items[0]) if items else None,
            end_cursor=relation_cursor(anchor, items[-1]) if items else None,
        ),
        total_count=page.total,
    )


def relation_cursor(anchor: str, relation: gm.Relation) -> str:
    """The cursor of ``relation`` in ``anchor``'s relations."""
    return encode_cursor(f"rel:{anchor}", (relation.key,))
