"""Change sets in the API: the change feed, histories and who made a fact.

The types are views over :mod:`journal.changes` records; the resolvers read
the journal through the request context's writer (``Context.writer``). A
server without a journal (a store passed in by a test or tool) has no
history: the feed is empty and ``createdIn`` is null.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from oversight_graph.graph import model as gm
from oversight_graph.journal.changes import ChangeSet as JournalChangeSet
from oversight_graph.journal.changes import Effect, Role
from oversight_graph.schema.context import Info
from oversight_graph.schema.enums import _expose
from oversight_graph.schema.errors import bad_input
from oversight_graph.schema.ids import decode_cursor, encode_cursor
from oversight_graph.schema.pages import page_size
from oversight_graph.schema.types import Entity, PageInfo, Relation

__all__ = [
    "Actor",
    "Change",
    "ChangeAction",
    "ChangeSet",
    "ChangeSetConnection",
    "ChangeTarget",
    "change_feed",
    "change_set_at",
    "key_history",
]

RoleEnum = _expose(Role, "Role", "What an API token may do.")


@strawberry.enum(description="What a change did to its record.")
class ChangeAction(enum.Enum):
    ADDED = strawberry.enum_value("ADDED", description="The record did not exist before.")
    CHANGED = strawberry.enum_value("CHANGED", description="The record existed and was changed.")
    RETRACTED = strawberry.enum_value(
        "RETRACTED", description="The record was retracted: gone from current reads, kept in history."
    )


@strawberry.enum(description="What kind of record a change touched.")
class ChangeTarget(enum.Enum):
    ENTITY = strawberry.enum_value("entity", description="An entity.")
    RELATION = strawberry.enum_value("relation", description="A relation.")
    REDIRECT = strawberry.enum_value(
        "redirect", description="A merged entity's key, which now leads to the entity it was merged into."
    )


@strawberry.type(description="Who made a change: an API token's name and role (never the token).")
class Actor:
    name: str = strawberry.field(description="The token's name.")
    role: Role = strawberry.field(description="The token's role when the change was made.")


@strawberry.type(description="One record's change within a change set, with its state before and after.")
class Change:
    @strawberry.field(description="The operation that made it (`createEntity`, `mergeEntities`, `import`...).")
    def operation(root: Effect) -> str:
        return root.op

    @strawberry.field(description="Whether an entity, a relation or a merged key's redirect changed.")
    def target(root: Effect) -> ChangeTarget:
        return ChangeTarget(root.target.value)

    @strawberry.field(description="The key of the entity or relation (or the merged key).")
    def key(root: Effect) -> str:
        return root.key

    @strawberry.field(description="Whether the record was added, changed or retracted.")
    def action(root: Effect) -> ChangeAction:
        return ChangeAction(root.action)

    @strawberry.field(
        description="The record before the change, in the seed format (`seed/README.md`); null when it was added."
    )
    def before(root: Effect) -> JSON | None:
        return root.before

    @strawberry.field(
        description="The record after the change, in the seed format; null when it was retracted. "
        'A redirect\'s record is `{"to": key}`.'
    )
    def after(root: Effect) -> JSON | None:
        return root.after

    @strawberry.field(description="The entity as it stands now, if this change is about one that still exists.")
    def entity(root: Effect, info: Info) -> Entity | None:
        if root.target.value != "entity":
            return None
        return info.context.store.get(root.key)  # type: ignore[return-value]

    @strawberry.field(description="The relation as it stands now, if this change is about one that still exists.")
    def relation(root: Effect, info: Info) -> Relation | None:
        if root.target.value != "relation":
            return None
        try:
            return info.context.store.relation(root.key)  # type: ignore[return-value]
        except KeyError:
            return None


@strawberry.type(description="An atomic, attributed set of changes; its version is the graph version it created.")
class ChangeSet:
    @strawberry.field(description="The graph version this change set created; versions only grow, without gaps.")
    def version(root: JournalChangeSet) -> int:
        return root.version

    @strawberry.field(description="When it was recorded (ISO 8601, UTC).")
    def at(root: JournalChangeSet) -> str:
        return root.at.isoformat()

    @strawberry.field(description="Who made it.")
    def actor(root: JournalChangeSet) -> Actor:
        return Actor(name=root.actor.name, role=root.actor.role)

    @strawberry.field(description="Why, in the author's words (an edit summary).")
    def reason(root: JournalChangeSet) -> str:
        return root.reason

    @strawberry.field(description="How many records it changed.")
    def change_count(root: JournalChangeSet) -> int:
        return root.count

    @strawberry.field(description="What it changed, record by record, in the order applied.")
    def changes(
        root: JournalChangeSet,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="How many (default and maximum are server limits).")
        ] = None,
        skip: Annotated[int, strawberry.argument(description="How many to skip from the start.")] = 0,
    ) -> list[Change]:
        size = page_size(info, first)
        if skip < 0:
            raise bad_input("skip must be 0 or more", "skip")
        if root.complete:
            return list(root.effects[skip : skip + size])  # type: ignore[arg-type]
        writer = info.context.writer
        return writer.journal.effects(root.version, skip, size) if writer is not None else []  # type: ignore[return-value]


@strawberry.type(description="A change set in a list.")
class ChangeSetEdge:
    node: ChangeSet = strawberry.field(description="The change set.")

    @strawberry.field(description="Opaque cursor of this edge; pass it as `after` to continue after it.")
    def cursor(self) -> str:
        return encode_cursor("changes", (self.node.version,))  # type: ignore[attr-defined]


@strawberry.type(description="A page of change sets, oldest first (a Relay connection).")
class ChangeSetConnection:
    edges: list[ChangeSetEdge] = strawberry.field(description="The change sets on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")


def _connection(found: list[JournalChangeSet], size: int, since: int) -> ChangeSetConnection:
    page, more = found[:size], len(found) > size
    return ChangeSetConnection(
        edges=[ChangeSetEdge(node=c) for c in page],  # type: ignore[arg-type]
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=since > 0,
            start_cursor=encode_cursor("changes", (page[0].version,)) if page else None,
            end_cursor=encode_cursor("changes", (page[-1].version,)) if page else None,
        ),
    )


def _after(since: int | None, after: str | None) -> int:
    start = since or 0
    if after is not None:
        (version,) = decode_cursor(after, "changes", (int,))
        start = max(start, version)
    return start


def change_feed(info: Info, since: int | None, first: int | None, after: str | None) -> ChangeSetConnection:
    """The change sets after ``since`` (or the ``after`` cursor), up to the version the graph is at."""
    size = page_size(info, first)
    start = _after(since, after)
    writer = info.context.writer
    if writer is None:
        return _connection([], size, start)
    current = info.context.store.version
    found = [c for c in writer.journal.read(start, size + 1, effects=False) if c.version <= current]
    return _connection(found, size, start)


def key_history(info: Info, key: str, first: int | None, after: str | None) -> ChangeSetConnection:
    """The change sets that touched ``key``, oldest first."""
    size = page_size(info, first)
    start = _after(None, after)
    writer = info.context.writer
    if writer is None:
        return _connection([], size, start)
    current = info.context.store.version
    versions = [v for v in writer.journal.history(key, start, size + 1) if v <= current]
    found = [c for v in versions if (c := writer.journal.get(v, effects=False)) is not None]
    return _connection(found, size, start)


def change_set_at(info: Info, record: gm.Entity | gm.Relation, last: bool) -> Any:
    """The change set that created (or last changed) ``record``, or ``None`` without a journal."""
    writer = info.context.writer
    if writer is None:
        return None
    key = record.key
    version = writer.model.updated_in(key) if last else writer.model.created_in(key)
    return writer.journal.get(version, effects=False)
