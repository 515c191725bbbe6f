"""The root ``Query`` type: lookups, entity lists and relationship queries.

Each resolver unpacks its arguments, calls one :mod:`graph` function and
wraps the result; errors from the graph (unknown keys, bad dates) become
coded GraphQL errors in :mod:`schema.errors`.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from oversight_graph.graph import edges, listing, paths, queries, timeline
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.model import Entity as GraphEntity
from oversight_graph.graph.model import Organization as GraphOrganization
from oversight_graph.graph.model import Relation as GraphRelation
from oversight_graph.graph.pages import paginate
from oversight_graph.graph.vocabulary import RelationType
from oversight_graph.schema.context import Info
from oversight_graph.schema.enums import EntityKind, SortDirection
from oversight_graph.schema.errors import bad_input
from oversight_graph.schema.history import ChangeSetConnection, change_feed, key_history
from oversight_graph.schema.ids import decode_cursor, key_from_id
from oversight_graph.schema.inputs import (
    AgreementWhereInput,
    AIModelWhereInput,
    EntityOrderInput,
    EntityWhereInput,
    EventWhereInput,
    IncidentWhereInput,
    OrderWhereInput,
    OrganizationWhereInput,
    QuestionWhereInput,
    to_filter,
)
from oversight_graph.schema.kinds import (
    Agreement,
    AIModel,
    Document,
    Event,
    Incident,
    Order,
    Organization,
    Person,
    Question,
)
from oversight_graph.schema.pages import page_size
from oversight_graph.schema.ratelimit import RateLimit
from oversight_graph.schema.results import (
    RELATION_LIST,
    Connection,
    GraphStats,
    Path,
    RelationListConnection,
    SearchHit,
    Subgraph,
    TimelineEntry,
    entity_connection,
    relation_list_connection,
)
from oversight_graph.schema.types import (
    Entity,
    MinConfidenceArg,
    Node,
    PageAfterArg,
    PageFirstArg,
    RelationAsOfArg,
    RelationTypesArg,
)

__all__ = ["Query"]


def _lookup(info: Info, value: str, argument: str) -> GraphEntity | GraphRelation:
    key = key_from_id(value, argument)
    store = info.context.store
    return store.relation(key) if "|" in key else store.entity(key)


def _relation_key(relation: GraphRelation) -> tuple[str]:
    return (relation.key,)


def _entity_key(info: Info, value: str, argument: str) -> str:
    key = key_from_id(value, argument)
    info.context.store.entity(key)
    return key


FollowedTypes = Annotated[
    list[RelationType] | None, strawberry.argument(description="Only follow relations of these types.")
]
"""The ``types`` argument of the fields that walk the graph (path, neighborhood)."""
FollowedAsOf = Annotated[
    PartialDate | None, strawberry.argument(description="Only follow relations that may hold on this date.")
]
"""The ``asOf`` argument of the fields that walk the graph."""

SEARCH_PAGE = 10
"""Hits ``search`` returns when ``first`` is not given."""
PATH_LENGTH = 6
"""``maxLength`` of ``path`` when not given."""
NEIGHBORHOOD_DEPTH = 1
"""``depth`` of ``neighborhood`` when not given."""


def _check_range(value: int, low: int, high: int, argument: str) -> int:
    if not low <= value <= high:
        raise bad_input(f"{argument} must be between {low} and {high}, got {value}", argument)
    return value


def _entity_list(kind: Kind, node_type: type, where_type: type, description: str) -> Any:
    """A root list field of one kind: filtered, ordered, paginated."""

    def resolve(
        info: Info,
        where: Any = None,
        order_by: EntityOrderInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        size = page_size(info, first)
        order = order_by.field if order_by is not None else listing.EntityOrder.NAME
        descending = order_by is not None and order_by.direction is SortDirection.DESC
        found = listing.list_entities(info.context.store, kind, to_filter(where), order, descending)
        key = order.walk_key(descending)
        tag = f"{kind.prefix}:{order.value}:{'desc' if descending else 'asc'}"
        cursor = decode_cursor(after, tag, order.key_shape(descending)) if after is not None else None
        page = paginate(found, size, cursor, key=key, descending=order.walks_backwards(descending))
        return entity_connection(page, tag, key)

    # Built per kind, so the annotations are set here rather than written out.
    resolve.__annotations__ = {
        "info": Info,
        "where": Annotated[
            where_type | None, strawberry.argument(description="Only entities meeting these conditions.")
        ],
        "order_by": Annotated[
            EntityOrderInput | None, strawberry.argument(description="Sort order (default: by name, ascending).")
        ],
        "first": PageFirstArg,
        "after": PageAfterArg,
        "return": Connection[node_type],  # type: ignore[valid-type]
    }
    resolve.__name__ = f"resolve_{kind.section}"
    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="Read the AI oversight knowledge graph.")
class Query:
    @strawberry.field(
        description="Fetch any entity or relation by global id (or by key). Null, with a NOT_FOUND error, when nothing has that id."
    )
    def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global id or a key.")]
    ) -> Node | None:
        return _lookup(info, id, "id")  # type: ignore[return-value]

    @strawberry.field(
        description="Fetch several entities or relations by id, in the order given; unknown ids give null with a NOT_FOUND error at their index."
    )
    def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids or keys.")]
    ) -> list[Node | None]:
        limit = info.context.limits.max_ids
        if len(ids) > limit:
            raise bad_input(f"ids may list at most {limit} ids, got {len(ids)}", "ids")
        found: list[Any] = []
        for index, value in enumerate(ids):
            try:
                found.append(_lookup(info, value, f"ids[{index}]"))
            except Exception as error:  # returned, not raised: GraphQL reports it at this index
                found.append(error)
        return found

    @strawberry.field(
        description="Fetch an entity by its stable key (e.g. `org/meta`). Null, with a NOT_FOUND error, when there is none."
    )
    def entity(
        self, info: Info, key: Annotated[str, strawberry.argument(description="The entity key, e.g. `org/caisi`.")]
    ) -> Entity | None:
        return info.context.store.entity(key_from_id(key, "key"))  # type: ignore[return-value]

    organizations = _entity_list(
        Kind.ORGANIZATION, Organization, OrganizationWhereInput, "Organizations, filtered and sorted."
    )
    people = _entity_list(Kind.PERSON, Person, EntityWhereInput, "People, filtered and sorted.")
    models = _entity_list(Kind.AI_MODEL, AIModel, AIModelWhereInput, "AI models, filtered and sorted.")
    orders = _entity_list(Kind.ORDER, Order, OrderWhereInput, "Executive orders and directives, filtered and sorted.")
    incidents = _entity_list(Kind.INCIDENT, Incident, IncidentWhereInput, "Incidents, filtered and sorted.")
    agreements = _entity_list(Kind.AGREEMENT, Agreement, AgreementWhereInput, "Review agreements, filtered and sorted.")
    events = _entity_list(Kind.EVENT, Event, EventWhereInput, "Events, filtered and sorted.")
    documents = _entity_list(Kind.DOCUMENT, Document, EntityWhereInput, "Source documents, filtered and sorted.")
    questions = _entity_list(Kind.QUESTION, Question, QuestionWhereInput, "Open questions, filtered and sorted.")

    @strawberry.field(
        description='Find entities by name or alias, ignoring case, accents and punctuation ("A.I." finds "AI"); best match first. '
        "When a word of the text is in no name, the closest spellings in names stand in for it "
        '("antropic" finds Anthropic); such hits have `fuzzy: true` and come after every exact hit.'
    )
    def search(
        self,
        info: Info,
        text: Annotated[
            str, strawberry.argument(description="What to look for; every word must start a word of the name.")
        ],
        kinds: Annotated[
            list[EntityKind] | None, strawberry.argument(description="Only entities of these kinds.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many hits (null means the default, 10).")
        ] = SEARCH_PAGE,
    ) -> list[SearchHit]:
        size = page_size(info, SEARCH_PAGE if first is None else first)
        hits = queries.search(info.context.store, text, kinds, size)
        return [SearchHit.from_graph(hit) for hit in hits]

    @strawberry.field(
        description="The major AI developers with no reached (AGREED or SIGNED) review agreement with the counterparty "
        "(default: CAISI). "
        "For other relations, use a list's `where: {none: [...]}`."
    )
    def companies_without_agreement(
        self,
        info: Info,
        counterparty: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The government body (global id or key); defaults to CAISI (`org/caisi`)."),
        ] = None,
    ) -> list[Organization]:
        key = key_from_id(counterparty, "counterparty") if counterparty is not None else queries.DEFAULT_COUNTERPARTY
        store = info.context.store
        if not isinstance(store.entity(key), GraphOrganization):
            raise bad_input(f"counterparty: {key!r} is not an organization", "counterparty")
        return queries.companies_without_agreement(store, key)  # type: ignore[return-value]

    @strawberry.field(
        description="A shortest chain of relations between two entities, following relations either way, each with its citations; null when there is none within maxLength."
    )
    def path(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description="Start entity (global id or key).")
        ],
        to: Annotated[strawberry.ID, strawberry.argument(description="End entity (global id or key).")],
        max_length: Annotated[
            int | None,
            strawberry.argument(
                description="Longest path to look for, in relations (at most the server limit, 8 by default; "
                "null means the default, 6)."
            ),
        ] = PATH_LENGTH,
        types: FollowedTypes = None,
        as_of: FollowedAsOf = None,
    ) -> Path | None:
        if max_length is None:
            max_length = PATH_LENGTH
        _check_range(max_length, 0, info.context.limits.max_path_length, "maxLength")
        source, target = _entity_key(info, from_, "from"), _entity_key(info, to, "to")
        return paths.shortest_path(info.context.store, source, target, max_length, types, as_of)  # type: ignore[return-value]

    @strawberry.field(
        description="The entities within `depth` relations of an entity and the relations among them. Depth is capped "
        "(3 by default) and so is the number of entities (500 by default; `truncated` says when the cap was hit)."
    )
    def neighborhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The centre entity (global id or key).")],
        depth: Annotated[
            int | None, strawberry.argument(description="How many relations out to go (null means the default, 1).")
        ] = NEIGHBORHOOD_DEPTH,
        types: FollowedTypes = None,
        as_of: FollowedAsOf = None,
    ) -> Subgraph | None:
        limits = info.context.limits
        if depth is None:
            depth = NEIGHBORHOOD_DEPTH
        _check_range(depth, 0, limits.max_neighborhood_depth, "depth")
        key = _entity_key(info, id, "id")
        return paths.neighborhood(info.context.store, key, depth, types, as_of, limits.max_neighborhood_entities)  # type: ignore[return-value]

    @strawberry.field(
        description="Dated entities and relation starts and ends in chronological order (coarse dates before finer "
        "ones within the same period), for one entity or the whole graph."
    )
    def timeline(
        self,
        info: Info,
        entity: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this entity's dates (global id or key).")
        ] = None,
        from_: Annotated[
            PartialDate | None,
            strawberry.argument(name="from", description="Only entries overlapping this date or later."),
        ] = None,
        to: Annotated[
            PartialDate | None, strawberry.argument(description="Only entries overlapping this date or earlier.")
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many entries (default and maximum are server limits)."),
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The `cursor` of the last entry already seen.")
        ] = None,
    ) -> list[TimelineEntry]:
        size = page_size(info, first)
        key = _entity_key(info, entity, "entity") if entity is not None else None
        cursor = decode_cursor(after, "time", (int, int, int, str)) if after is not None else None
        return timeline.timeline(info.context.store, key, from_, to, after=cursor, limit=size)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="Every relation in the graph, in relation-key order, filtered: for integrations that page through "
        "all edges. Cursors are keyset cursors (a relation key), so they stay valid when the graph grows."
    )
    def relations(
        self,
        info: Info,
        types: RelationTypesArg = None,
        subject: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only relations from this entity (global id or key)."),
        ] = None,
        object: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only relations to this entity (global id or key)."),
        ] = None,
        as_of: RelationAsOfArg = None,
        min_confidence: MinConfidenceArg = None,
        first: PageFirstArg = None,
        after: PageAfterArg = None,
    ) -> RelationListConnection:
        size = page_size(info, first)
        source = _entity_key(info, subject, "subject") if subject is not None else None
        target = _entity_key(info, object, "object") if object is not None else None
        found = edges.list_relations(info.context.store, types, source, target, as_of, min_confidence)
        cursor = decode_cursor(after, RELATION_LIST, (str,)) if after is not None else None
        return relation_list_connection(paginate(found, size, cursor, key=_relation_key))

    @strawberry.field(description="Counts by kind and by relation type, and the graph version.")
    def stats(self, info: Info) -> GraphStats:
        return GraphStats.from_graph(queries.stats(info.context.store))

    @strawberry.field(
        description="This request's estimated cost and what is left of the client's cost budget; null when the server sets no budgets."
    )
    def rate_limit(self, info: Info) -> RateLimit | None:
        return RateLimit.from_budget(info.context.rate_limit)

    @strawberry.field(
        description="The change feed: change sets after a version, oldest first, each with who made it, when, why and "
        "what it changed. Poll it with the last version you saw to stay in sync."
    )
    def changes(
        self,
        info: Info,
        since: Annotated[
            int | None, strawberry.argument(description="Only change sets after this graph version (default: all).")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: PageAfterArg = None,
    ) -> ChangeSetConnection:
        return change_feed(info, since, first, after)

    @strawberry.field(
        description="The change sets that touched one entity (including its relations) or one relation, oldest first."
    )
    def history(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="An entity or relation: global id or key.")],
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: PageAfterArg = None,
    ) -> ChangeSetConnection:
        key = key_from_id(id, "id")
        return key_history(info, info.context.store.resolve(key), first, after)
