"""Graph records → seed-format records: the inverse of :mod:`graph.records`.

:func:`entity_record` and :func:`relation_record` give the plain mappings a
seed file holds (the fields of ``seed/README.md``), so that writing them as
TOML or JSON Lines and loading the result gives back equal entities and
relations: the same fields, citations, qualifiers, validity and inferred
date parts. Every exporter that needs flat values (CSV, GraphML) uses the
helpers here too, so a date or an attribution is written one way only.
"""

from __future__ import annotations

from typing import Any

from graph.dates import DatePart, PartialDate
from graph.enums import DescribedEnum
from graph.model import QUALIFIER_FIELDS, Citation, Entity, Relation
from graph.records import ENTITY_FIELDS

__all__ = ["citation_record", "date_value", "entity_record", "inferred_parts", "relation_record", "scalar"]

_PART_ORDER = (DatePart.YEAR, DatePart.MONTH, DatePart.DAY)


def inferred_parts(date: PartialDate) -> list[str]:
    """The inferred parts of ``date`` in calendar order (``["year"]``).

    Examples
    --------
    >>> inferred_parts(PartialDate.parse("2026-06-02", ["day", "year"]))
    ['year', 'day']
    """
    return [part.value for part in _PART_ORDER if part in date.inferred]


def date_value(date: PartialDate) -> str | dict[str, Any]:
    """A date as the seed format writes it: the ISO text, or a table when parts are inferred.

    Examples
    --------
    >>> date_value(PartialDate.parse("2026-04"))
    '2026-04'
    >>> date_value(PartialDate.parse("2026-06-02", ["year"]))
    {'date': '2026-06-02', 'inferred': ['year']}
    """
    if not date.inferred:
        return date.isoformat()
    return {"date": date.isoformat(), "inferred": inferred_parts(date)}


def scalar(value: Any) -> Any:
    """A field value as the seed format writes it (enum members by name, dates as :func:`date_value`)."""
    if isinstance(value, DescribedEnum):
        return value.name
    if isinstance(value, PartialDate):
        return date_value(value)
    return value


def citation_record(citation: Citation) -> dict[str, Any]:
    """A citation as a seed ``citation`` table."""
    who = citation.attribution
    attribution: dict[str, Any] = {"kind": who.kind.name}
    if who.text:
        attribution["text"] = who.text
    if who.source_count is not None:
        attribution["count"] = who.source_count
    if who.speaker is not None:
        attribution["speaker"] = who.speaker
    return {
        "document": citation.document,
        "paragraph": citation.paragraph,
        "claim": citation.claim,
        "confidence": citation.confidence.name,
        "attribution": attribution,
    }


def entity_record(entity: Entity) -> dict[str, Any]:
    """An entity as a seed record of its kind (without the record name).

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> record = entity_record(sample_store().entity("org/meta"))
    >>> record["key"], record["category"], record["major_ai_developer"]
    ('org/meta', 'COMPANY', True)
    """
    record: dict[str, Any] = {"key": entity.key, "name": entity.name, "description": entity.description}
    if entity.aliases:
        record["aliases"] = list(entity.aliases)
    if entity.wikidata_id is not None:
        record["wikidata"] = entity.wikidata_id
    for name in ENTITY_FIELDS[entity.kind]:
        value = getattr(entity, name)
        if value is not None:
            record[name] = scalar(value)
    if entity.inferred:
        record["inferred"] = list(entity.inferred)
    if entity.citations:
        record["citation"] = [citation_record(c) for c in entity.citations]
    return record


def relation_record(relation: Relation) -> dict[str, Any]:
    """A relation as a seed ``relation`` record.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> signed = sample_store().relation("person/donald-trump|SIGNED|order/ai-review-order|2026-06-02")
    >>> record = relation_record(signed)
    >>> record["type"], record["valid_from"]
    ('SIGNED', '2026-06-02')
    """
    record: dict[str, Any] = {"subject": relation.subject, "type": relation.type.name, "object": relation.object}
    qualifiers = {
        name: scalar(value) for name in QUALIFIER_FIELDS if (value := getattr(relation.qualifiers, name)) is not None
    }
    if qualifiers:
        record["qualifiers"] = qualifiers
    if relation.valid_from is not None:
        record["valid_from"] = date_value(relation.valid_from)
    if relation.valid_to is not None:
        record["valid_to"] = date_value(relation.valid_to)
    record["citation"] = [citation_record(c) for c in relation.citations]
    return record
