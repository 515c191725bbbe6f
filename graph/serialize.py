"""Model objects → raw records in the seed format (the inverse of :mod:`graph.records`).

A record built here is a plain mapping of JSON- and TOML-friendly values
(strings, numbers, booleans, lists and tables) that :func:`graph.records.parse_entity`
or :func:`graph.records.parse_relation` turns back into an equal object.
The change journal stores entities and relations in this form (their
before and after images), and exports write it to files, so the seed
format is the one written representation of the graph.

Examples
--------
>>> from graph.sample import sample_store
>>> from graph.records import Source, parse_entity
>>> meta = sample_store().entity("org/meta")
>>> record = entity_record(meta)
>>> record["key"], record["category"]
('org/meta', 'COMPANY')
>>> parse_entity(meta.kind, record, Source("x", "y"), []).entity == meta
True
"""

from __future__ import annotations

from typing import Any

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.model import EMPTY_QUALIFIERS, QUALIFIER_FIELDS, Citation, Entity, Relation
from oversight_graph.graph.records import ENTITY_FIELDS

__all__ = ["citation_record", "date_value", "entity_record", "relation_record"]


def date_value(date: PartialDate) -> str | dict[str, Any]:
    """A date as the seed writes it: ``"2026-04"``, or a table when parts are inferred.

    Examples
    --------
    >>> date_value(PartialDate.parse("2026-06-02", ["year"]))
    {'date': '2026-06-02', 'inferred': ['year']}
    """
    if not date.inferred:
        return date.isoformat()
    return {"date": date.isoformat(), "inferred": sorted(part.value for part in date.inferred)}


def _value(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return date_value(value)
    name = getattr(value, "_name_", None)
    if name is not None:  # an enum member: the seed names it
        return name
    return value


def citation_record(citation: Citation) -> dict[str, Any]:
    """One citation as a seed citation table."""
    who = citation.attribution
    attribution: dict[str, Any] = {"kind": who.kind.name}
    if who.text:
        attribution["text"] = who.text
    if who.source_count is not None:
        attribution["count"] = who.source_count
    if who.speaker is not None:
        attribution["speaker"] = who.speaker
    record: dict[str, Any] = {
        "document": citation.document,
        "paragraph": citation.paragraph,
        "claim": citation.claim,
        "confidence": citation.confidence.name,
        "attribution": attribution,
    }
    if citation.supports:
        record["supports"] = list(citation.supports)
    return record


def entity_record(entity: Entity) -> dict[str, Any]:
    """An entity as a seed record (without its section name, which is ``entity.kind.section``)."""
    record: dict[str, Any] = {"key": entity.key, "name": entity.name, "description": entity.description}
    if entity.aliases:
        record["aliases"] = list(entity.aliases)
    if entity.wikidata_id is not None:
        record["wikidata"] = entity.wikidata_id
    for name in ENTITY_FIELDS[entity.kind]:
        value = getattr(entity, name)
        if value is not None and not (name == "major_ai_developer" and value is False):
            record[name] = _value(value)
    if entity.inferred:
        record["inferred"] = list(entity.inferred)
    if entity.citations:
        record["citation"] = [citation_record(c) for c in entity.citations]
    return record


def relation_record(relation: Relation) -> dict[str, Any]:
    """A relation as a seed ``[[relation]]`` record."""
    record: dict[str, Any] = {"subject": relation.subject, "type": relation.type.name, "object": relation.object}
    if relation.qualifiers is not EMPTY_QUALIFIERS and not relation.qualifiers.is_empty():
        record["qualifiers"] = {
            name: _value(getattr(relation.qualifiers, name))
            for name in QUALIFIER_FIELDS
            if getattr(relation.qualifiers, name) is not None
        }
    if relation.valid_from is not None:
        record["valid_from"] = date_value(relation.valid_from)
    if relation.valid_to is not None:
        record["valid_to"] = date_value(relation.valid_to)
    record["citation"] = [citation_record(c) for c in relation.citations]
    return record
