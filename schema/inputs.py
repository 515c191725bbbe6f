"""Input types: ``where`` filters and ``orderBy`` for the root entity lists."""

from __future__ import annotations

from typing import Any

import strawberry

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Direction
from oversight_graph.graph.listing import EntityFilter, EntityOrder, RelationFilter
from oversight_graph.graph.vocabulary import RelationType
from oversight_graph.schema.enums import (
    AccessStatus,
    AgreementStatus,
    EventKind,
    IncidentKind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
    SortDirection,
)
from oversight_graph.schema.ids import key_from_id

__all__ = [
    "AIModelWhereInput",
    "AgreementWhereInput",
    "EntityOrderInput",
    "EntityWhereInput",
    "EventWhereInput",
    "IncidentWhereInput",
    "OrderWhereInput",
    "OrganizationWhereInput",
    "QuestionWhereInput",
    "RelationConditionInput",
    "to_filter",
]


@strawberry.input(
    description="A condition on an entity's relations: a type, optionally a direction and the entity at the other end."
)
class RelationConditionInput:
    type: RelationType = strawberry.field(description="The relation type.")
    other: strawberry.ID | None = strawberry.field(
        default=None, description="The entity at the other end (global id or key); any entity when omitted."
    )
    direction: Direction = strawberry.field(
        default=Direction.BOTH, description="OUTGOING: the filtered entity is the subject; INCOMING: the object."
    )


@strawberry.input(description="Conditions every listed entity must meet; all given conditions must hold.")
class EntityWhereInput:
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the name or an alias, ignoring case, accents and punctuation."
    )
    date_from: PartialDate | None = strawberry.field(
        default=None, description="The entity's own date (signing, release, occurrence) must not end before this."
    )
    date_to: PartialDate | None = strawberry.field(
        default=None, description="The entity's own date must not start after this."
    )
    some: list[RelationConditionInput] | None = strawberry.field(
        default=None, description="The entity must have a relation matching each of these."
    )
    none: list[RelationConditionInput] | None = strawberry.field(
        default=None, description="The entity must have no relation matching any of these."
    )


@strawberry.input(description="Conditions on organizations.")
class OrganizationWhereInput(EntityWhereInput):
    category_in: list[OrgCategory] | None = strawberry.field(default=None, description="One of these categories.")
    country_in: list[str] | None = strawberry.field(
        default=None, description="One of these ISO 3166 alpha-2 country codes."
    )
    major_ai_developer: bool | None = strawberry.field(default=None, description="Whether it is a major AI developer.")


@strawberry.input(description="Conditions on AI models.")
class AIModelWhereInput(EntityWhereInput):
    access_status_in: list[AccessStatus] | None = strawberry.field(
        default=None, description="One of these access statuses."
    )


@strawberry.input(description="Conditions on orders.")
class OrderWhereInput(EntityWhereInput):
    order_kind_in: list[OrderKind] | None = strawberry.field(default=None, description="One of these legal forms.")


@strawberry.input(description="Conditions on incidents.")
class IncidentWhereInput(EntityWhereInput):
    incident_kind_in: list[IncidentKind] | None = strawberry.field(
        default=None, description="One of these incident kinds."
    )


@strawberry.input(description="Conditions on agreements.")
class AgreementWhereInput(EntityWhereInput):
    status_in: list[AgreementStatus] | None = strawberry.field(default=None, description="One of these statuses.")


@strawberry.input(description="Conditions on events.")
class EventWhereInput(EntityWhereInput):
    event_kind_in: list[EventKind] | None = strawberry.field(default=None, description="One of these event kinds.")


@strawberry.input(description="Conditions on open questions.")
class QuestionWhereInput(EntityWhereInput):
    status_in: list[QuestionStatus] | None = strawberry.field(default=None, description="One of these statuses.")


@strawberry.input(description="How to sort an entity list; ties are broken by key.")
class EntityOrderInput:
    field: EntityOrder = strawberry.field(default=EntityOrder.NAME, description="What to sort by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Ascending or descending.")


# Input field → entity attribute it constrains.
_ATTRIBUTES = {
    "category_in": "category",
    "country_in": "country",
    "access_status_in": "access_status",
    "order_kind_in": "order_kind",
    "incident_kind_in": "incident_kind",
    "status_in": "status",
    "event_kind_in": "event_kind",
}


def _conditions(items: list[RelationConditionInput] | None, argument: str) -> tuple[RelationFilter, ...]:
    return tuple(
        RelationFilter(
            item.type,
            key_from_id(item.other, f"{argument}[{index}].other") if item.other is not None else None,
            item.direction,
        )
        for index, item in enumerate(items or ())
    )


def to_filter(where: EntityWhereInput | None) -> EntityFilter | None:
    """The graph filter a ``where`` input describes, or ``None`` for no condition.

    Raises
    ------
    InvalidId
        If a relation condition names an ``other`` that is not an id.
    """
    if where is None:
        return None
    attributes: list[tuple[str, frozenset[Any]]] = []
    for field_name, attribute in _ATTRIBUTES.items():
        values = getattr(where, field_name, None)
        if values is not None:
            attributes.append((attribute, frozenset(values)))
    major = getattr(where, "major_ai_developer", None)
    if major is not None:
        attributes.append(("major_ai_developer", frozenset({major})))
    return EntityFilter(
        name_contains=where.name_contains,
        attributes=tuple(attributes),
        date_from=where.date_from,
        date_to=where.date_to,
        some=_conditions(where.some, "where.some"),
        none=_conditions(where.none, "where.none"),
    )
