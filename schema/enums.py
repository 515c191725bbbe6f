"""The graph's enums, exposed to GraphQL with their descriptions.

The graph package defines every enum with a description per member
(:mod:`graph.enums`); here they become GraphQL enums under API names, so
resolvers can return graph values unchanged.
"""

from __future__ import annotations

import strawberry

from oversight_graph.graph import enums as ge
from oversight_graph.graph.dates import DatePart, DatePrecision
from oversight_graph.graph.listing import EntityOrder
from oversight_graph.graph.timeline import Boundary
from oversight_graph.graph.vocabulary import RelationType

__all__ = [
    "AccessStatus",
    "AgreementStatus",
    "AttributionKind",
    "Boundary",
    "Confidence",
    "DatePart",
    "DatePrecision",
    "Direction",
    "EntityKind",
    "EntityOrderField",
    "EventKind",
    "IncidentKind",
    "OrderKind",
    "OrgCategory",
    "QuestionStatus",
    "RelationType",
    "SortDirection",
]


def _expose(cls: type, name: str, description: str) -> type:
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = cls[value.name].description  # type: ignore[index]
    return cls


EntityKind = _expose(ge.Kind, "EntityKind", "The kind of an entity; each kind has its own object type.")
OrgCategory = _expose(ge.OrgCategory, "OrgCategory", "What sort of organization an Organization is.")
AccessStatus = _expose(ge.AccessStatus, "AccessStatus", "Whether the public can use an AI model.")
OrderKind = _expose(ge.OrderKind, "OrderKind", "The legal form of an Order.")
IncidentKind = _expose(ge.IncidentKind, "IncidentKind", "What sort of incident an Incident is.")
AgreementStatus = _expose(ge.AgreementStatus, "AgreementStatus", "Where an Agreement stands.")
EventKind = _expose(ge.EventKind, "EventKind", "What sort of happening an Event is.")
QuestionStatus = _expose(ge.QuestionStatus, "QuestionStatus", "Whether an open question has been answered.")
Confidence = _expose(
    ge.Confidence,
    "Confidence",
    "How firmly a source supports a claim. Values are listed weakest first; `minConfidence` filters use this order.",
)
AttributionKind = _expose(ge.AttributionKind, "AttributionKind", "Who a citation says the claim comes from.")
Direction = _expose(ge.Direction, "Direction", "Which relations of an entity to follow, relative to that entity.")
RelationType = _expose(
    RelationType,
    "RelationType",
    "The closed vocabulary of relation types. Each reads as a verb from subject to object; "
    "the description says which kinds of entity each end may be.",
)
DatePrecision = _expose(DatePrecision, "DatePrecision", "How much of a date is known.")
DatePart = _expose(DatePart, "DatePart", "A component of a date.")
Boundary = _expose(Boundary, "TimelineBoundary", "What a timeline entry marks.")
EntityOrderField = _expose(EntityOrder, "EntityOrderField", "What entity lists can be sorted by.")


class SortDirection(ge.DescribedEnum):
    """Ascending or descending."""

    ASC = ("asc", "Smallest first (A to Z, oldest first).")
    DESC = ("desc", "Largest first (Z to A, newest first).")


_expose(SortDirection, "SortDirection", "Sort direction.")


def _kinds_text(kinds: frozenset[ge.Kind]) -> str:
    if kinds == frozenset(ge.Kind):
        return "any entity"
    return " or ".join(sorted(k.section for k in kinds))


for _value in RelationType.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _member = RelationType[_value.name]  # type: ignore[index]
    _value.description = f"{_member.description} ({_kinds_text(_member.subjects)} → {_kinds_text(_member.objects)})"
