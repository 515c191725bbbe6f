"""One object type per entity kind, with relationship fields that read naturally.

Each relationship field is a named shortcut over ``Entity.relations``:
``AIModel.developer`` follows ``DEVELOPED`` backwards, ``Order.issuedBy``
follows ``SIGNED`` backwards, and so on. Lists are in relation-key order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry

from oversight_graph.graph import model as gm
from oversight_graph.graph import queries
from oversight_graph.graph.enums import Direction
from oversight_graph.graph.vocabulary import RelationType as RT
from oversight_graph.schema.context import Info
from oversight_graph.schema.enums import (
    AccessStatus,
    AgreementStatus,
    EventKind,
    IncidentKind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.schema.types import DateValue, Entity, Relation

__all__ = [
    "KIND_TYPES",
    "AIModel",
    "Agreement",
    "Document",
    "Event",
    "Incident",
    "Order",
    "Organization",
    "Person",
    "Position",
    "Question",
]

_OUT = Direction.OUTGOING
_IN = Direction.INCOMING


def _related(info: Info, root: gm.Entity, types: Iterable[RT], direction: Direction) -> list[Any]:
    return queries.related(info.context.store, root.key, types, direction)


def _first(info: Info, root: gm.Entity, types: Iterable[RT], direction: Direction) -> Any:
    found = _related(info, root, types, direction)
    return found[0] if found else None


def _only(record_class: type, entities: list[Any]) -> list[Any]:
    """The entities of one record class (a relation type may also reach other kinds)."""
    return [e for e in entities if isinstance(e, record_class)]


def _is(record_class: type) -> Any:
    def is_type_of(cls: type, obj: Any, info: Any) -> bool:
        return isinstance(obj, record_class)

    return classmethod(is_type_of)


@strawberry.type(description="A post a person holds at an organization (a `HOLDS_POSITION` relation).")
class Position:
    relation: Relation = strawberry.field(description="The underlying relation, with its citations.")

    @strawberry.field(description="The person holding the post.")
    def person(self, info: Info) -> Person:
        return info.context.store.entity(self.relation.subject)  # type: ignore[attr-defined, return-value]

    @strawberry.field(description="The organization the post is at.")
    def organization(self, info: Info) -> Organization:
        return info.context.store.entity(self.relation.object)  # type: ignore[attr-defined, return-value]

    @strawberry.field(description="The post's title as the source gives it (e.g. 'spokesman').")
    def role(self) -> str | None:
        return self.relation.qualifiers.role  # type: ignore[attr-defined, no-any-return]


def _positions(info: Info, root: gm.Entity, direction: Direction) -> list[Position]:
    found = queries.relations(info.context.store, root.key, [RT.HOLDS_POSITION], direction)
    return [Position(relation=r) for r in found]  # type: ignore[arg-type]


@strawberry.type(description="A company, government body, news outlet, team or unnamed group.")
class Organization(Entity):
    category: OrgCategory = strawberry.field(description="What sort of organization it is.")
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code, where known.")
    major_ai_developer: bool = strawberry.field(description="Whether the sources count it as a major AI developer.")
    ended: DateValue | None = strawberry.field(
        description="When it stopped existing (a past administration's last day), where known; its lasting relations end by then."
    )
    is_type_of = _is(gm.Organization)

    @strawberry.field(description="Models it developed (`DEVELOPED`).")
    def models(root: gm.Organization, info: Info) -> list[AIModel]:
        return _related(info, root, [RT.DEVELOPED], _OUT)

    @strawberry.field(description="Review agreements it is a party or counterparty to.")
    def agreements(root: gm.Organization, info: Info) -> list[Agreement]:
        return _related(info, root, [RT.PARTY_TO, RT.COUNTERPARTY_TO], _OUT)

    @strawberry.field(description="Posts people hold here (`HOLDS_POSITION`).")
    def positions(root: gm.Organization, info: Info) -> list[Position]:
        return _positions(info, root, _IN)

    @strawberry.field(description="Larger organizations it belongs to or is housed in (`PART_OF`, `HOUSED_IN`).")
    def part_of(root: gm.Organization, info: Info) -> list[Organization]:
        return _only(gm.Organization, _related(info, root, [RT.PART_OF, RT.HOUSED_IN], _OUT))

    @strawberry.field(description="Organizations that belong to it or are housed in it (`PART_OF`, `HOUSED_IN`).")
    def units(root: gm.Organization, info: Info) -> list[Organization]:
        return _only(gm.Organization, _related(info, root, [RT.PART_OF, RT.HOUSED_IN], _IN))

    @strawberry.field(description="Who oversees it (`OVERSEES`).")
    def overseen_by(root: gm.Organization, info: Info) -> list[Entity]:
        return _related(info, root, [RT.OVERSEES], _IN)


@strawberry.type(description="A named person: an official, spokesperson or reporter.")
class Person(Entity):
    is_type_of = _is(gm.Person)

    @strawberry.field(description="Posts the person holds (`HOLDS_POSITION`), with roles.")
    def positions(root: gm.Person, info: Info) -> list[Position]:
        return _positions(info, root, _OUT)

    @strawberry.field(description="What the person oversees (`OVERSEES`).")
    def oversees(root: gm.Person, info: Info) -> list[Entity]:
        return _related(info, root, [RT.OVERSEES], _OUT)

    @strawberry.field(description="What the person leads (`LEADS`).")
    def leads(root: gm.Person, info: Info) -> list[Entity]:
        return _related(info, root, [RT.LEADS], _OUT)

    @strawberry.field(description="Statements and requests the person made (`MADE`).")
    def statements(root: gm.Person, info: Info) -> list[Event]:
        return _related(info, root, [RT.MADE], _OUT)

    @strawberry.field(description="Orders the person signed (`SIGNED`).")
    def signed_orders(root: gm.Person, info: Info) -> list[Order]:
        return _related(info, root, [RT.SIGNED], _OUT)


@strawberry.type(description="An AI model, with its developer, access status and incidents.")
class AIModel(Entity):
    access_status: AccessStatus = strawberry.field(description="Whether the public can use it.")
    release_date: DateValue | None = strawberry.field(description="When it was released, if known.")
    is_type_of = _is(gm.AIModel)

    @strawberry.field(
        description="The organization that developed it (`DEVELOPED`); the first by relation key if several."
    )
    def developer(root: gm.AIModel, info: Info) -> Organization | None:
        return _first(info, root, [RT.DEVELOPED], _IN)  # type: ignore[no-any-return]

    @strawberry.field(description="Incidents that affected it (`AFFECTED`).")
    def incidents(root: gm.AIModel, info: Info) -> list[Incident]:
        return _related(info, root, [RT.AFFECTED], _IN)

    @strawberry.field(description="Bodies it was submitted to for review (`SUBMITTED_TO`).")
    def submitted_to(root: gm.AIModel, info: Info) -> list[Organization]:
        return _related(info, root, [RT.SUBMITTED_TO], _OUT)


_PROVISIONS = (RT.GIVES_RESPONSIBILITY_TO, RT.GRANTS_REVIEW_WINDOW_TO, RT.ASKS, RT.SETS_DEADLINE_FOR, RT.ESTABLISHES)


@strawberry.type(description="An executive order or directive: who issued it, when, and what it requires.")
class Order(Entity):
    order_kind: OrderKind = strawberry.field(description="Its legal form.")
    date_signed: DateValue | None = strawberry.field(description="When it was signed, if known.")
    is_type_of = _is(gm.Order)

    @strawberry.field(description="Who signed it (`SIGNED`).")
    def issued_by(root: gm.Order, info: Info) -> list[Entity]:
        return _related(info, root, [RT.SIGNED], _IN)

    @strawberry.field(
        description="What it requires, one cited relation per provision "
        "(`GIVES_RESPONSIBILITY_TO`, `GRANTS_REVIEW_WINDOW_TO`, `ASKS`, `SETS_DEADLINE_FOR`, `ESTABLISHES`)."
    )
    def provisions(root: gm.Order, info: Info) -> list[Relation]:
        return queries.relations(info.context.store, root.key, _PROVISIONS, _OUT)  # type: ignore[return-value]

    @strawberry.field(
        description="The review window it grants, or asks companies to allow, in days, if any "
        "(`daysAllowed` of `GRANTS_REVIEW_WINDOW_TO` or `ASKS`)."
    )
    def review_window_days(root: gm.Order, info: Info) -> int | None:
        found = queries.relations(info.context.store, root.key, [RT.GRANTS_REVIEW_WINDOW_TO, RT.ASKS], _OUT)
        return next((r.qualifiers.days_allowed for r in found if r.qualifiers.days_allowed is not None), None)

    @strawberry.field(description="The deadline it sets, if any (`SETS_DEADLINE_FOR`).")
    def deadline(root: gm.Order, info: Info) -> DateValue | None:
        found = queries.relations(info.context.store, root.key, [RT.SETS_DEADLINE_FOR], _OUT)
        return next((r.qualifiers.deadline for r in found if r.qualifiers.deadline is not None), None)  # type: ignore[return-value]


@strawberry.type(description="A disclosed vulnerability, an access shutdown or a similar incident.")
class Incident(Entity):
    incident_kind: IncidentKind = strawberry.field(description="What sort of incident it is.")
    occurred: DateValue | None = strawberry.field(description="When it happened, if known.")
    is_type_of = _is(gm.Incident)

    @strawberry.field(description="Models it affected (`AFFECTED`).")
    def affected_models(root: gm.Incident, info: Info) -> list[AIModel]:
        return _only(gm.AIModel, _related(info, root, [RT.AFFECTED], _OUT))

    @strawberry.field(description="Everything it affected, models and organizations (`AFFECTED`).")
    def affected(root: gm.Incident, info: Info) -> list[Entity]:
        return _related(info, root, [RT.AFFECTED], _OUT)

    @strawberry.field(description="What caused it (`TRIGGERED`, backwards).")
    def causes(root: gm.Incident, info: Info) -> list[Entity]:
        return _related(info, root, [RT.TRIGGERED], _IN)

    @strawberry.field(description="What it caused (`TRIGGERED`).")
    def consequences(root: gm.Incident, info: Info) -> list[Entity]:
        return _related(info, root, [RT.TRIGGERED], _OUT)

    @strawberry.field(description="Who ordered it (`ORDERED`).")
    def ordered_by(root: gm.Incident, info: Info) -> list[Entity]:
        return _related(info, root, [RT.ORDERED], _IN)

    @strawberry.field(description="Who or what made it known (`DISCLOSED`, or a paper that `SHOWED` it).")
    def disclosed_by(root: gm.Incident, info: Info) -> list[Entity]:
        return _related(info, root, [RT.DISCLOSED, RT.SHOWED], _IN)


@strawberry.type(description="A voluntary model-review agreement between a company and a government body.")
class Agreement(Entity):
    status: AgreementStatus = strawberry.field(
        description="Where it stands: proposed, negotiating, signed or terminated."
    )
    date_signed: DateValue | None = strawberry.field(description="When it was signed, if known.")
    is_type_of = _is(gm.Agreement)

    @strawberry.field(description="The company side (`PARTY_TO`).")
    def parties(root: gm.Agreement, info: Info) -> list[Organization]:
        return _related(info, root, [RT.PARTY_TO], _IN)

    @strawberry.field(description="The government side (`COUNTERPARTY_TO`); the first by relation key if several.")
    def counterparty(root: gm.Agreement, info: Info) -> Organization | None:
        return _first(info, root, [RT.COUNTERPARTY_TO], _IN)  # type: ignore[no-any-return]


@strawberry.type(description="A request, statement, negotiation, policy or process.")
class Event(Entity):
    event_kind: EventKind = strawberry.field(description="What sort of happening it is.")
    occurred: DateValue | None = strawberry.field(description="When it happened, if known.")
    is_type_of = _is(gm.Event)

    @strawberry.field(description="Who made or started it (`MADE`, `INITIATED`).")
    def made_by(root: gm.Event, info: Info) -> list[Entity]:
        return _related(info, root, [RT.MADE, RT.INITIATED], _IN)

    @strawberry.field(description="Who it was directed at (`ADDRESSED_TO`).")
    def addressed_to(root: gm.Event, info: Info) -> list[Entity]:
        return _related(info, root, [RT.ADDRESSED_TO], _OUT)

    @strawberry.field(description="What it is about (`CONCERNS`).")
    def concerns(root: gm.Event, info: Info) -> list[Entity]:
        return _related(info, root, [RT.CONCERNS], _OUT)

    @strawberry.field(description="Larger efforts it is part of (`PART_OF`).")
    def part_of(root: gm.Event, info: Info) -> list[Entity]:
        return _related(info, root, [RT.PART_OF], _OUT)


@strawberry.type(description="A source document that citations point into, paragraph by paragraph.")
class Document(Entity):
    title: str = strawberry.field(description="The document's title.")
    url: str | None = strawberry.field(description="Where the document can be read, if known.")
    published: DateValue | None = strawberry.field(description="When it was published, if known.")
    is_type_of = _is(gm.Document)

    @strawberry.field(description="How many numbered paragraphs it has; citations use 1 to this number.")
    def paragraph_count(root: gm.Document) -> int:
        return root.paragraphs

    @strawberry.field(description="The outlet that published it (`PUBLISHED`).")
    def publisher(root: gm.Document, info: Info) -> Organization | None:
        return _first(info, root, [RT.PUBLISHED], _IN)  # type: ignore[no-any-return]

    @strawberry.field(description="Its bylined authors (`AUTHORED`).")
    def authors(root: gm.Document, info: Info) -> list[Person]:
        return _related(info, root, [RT.AUTHORED], _IN)

    @strawberry.field(description="People credited with contributing reporting (`CONTRIBUTED_TO`).")
    def contributors(root: gm.Document, info: Info) -> list[Person]:
        return _related(info, root, [RT.CONTRIBUTED_TO], _IN)


@strawberry.type(description="An open question the sources raise: something they call unclear or undecided.")
class Question(Entity):
    status: QuestionStatus = strawberry.field(description="Open, or answered by a later source.")
    is_type_of = _is(gm.Question)

    @strawberry.field(description="What the question is about (`CONCERNS`).")
    def concerns(root: gm.Question, info: Info) -> list[Entity]:
        return _related(info, root, [RT.CONCERNS], _OUT)


KIND_TYPES: tuple[type, ...] = (Organization, Person, AIModel, Order, Incident, Agreement, Event, Document, Question)
"""Every entity object type, for registering with the schema."""
