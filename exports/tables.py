"""CSV: three tables, ``entities.csv``, ``relations.csv`` and ``citations.csv``.

One row per entity, per relation and per citation; a citation row names
what it supports (``about``: an entity or relation key, ``about_type``) and
its place among that record's citations (``number``, from 1). Dates are ISO
text with reduced precision (``2026-06``) and a ``<column>_inferred``
column listing the inferred parts (``year``, or ``year month``); lists
(aliases, inferred fields) are JSON arrays, so any text survives. As a
directory the tables are three files; as one stream (over HTTP) they are a
zip archive written as it goes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from oversight_graph.exports.dates import inferred_parts
from oversight_graph.exports.snapshot import Snapshot
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import DescribedEnum
from oversight_graph.graph.model import QUALIFIER_FIELDS, Citation, Entity, Relation
from oversight_graph.graph.records import ENTITY_FIELDS

__all__ = ["CITATION_COLUMNS", "ENTITY_COLUMNS", "RELATION_COLUMNS", "csv_files", "csv_zip"]

_DATE_FIELDS = ("release_date", "date_signed", "occurred", "published", "deadline", "valid_from", "valid_to")


def _with_inferred(names: Iterable[str]) -> list[str]:
    columns: list[str] = []
    for name in names:
        if name in columns:
            continue
        columns.append(name)
        if name in _DATE_FIELDS:
            columns.append(f"{name}_inferred")
    return columns


_KIND_FIELDS = [name for fields in ENTITY_FIELDS.values() for name in fields]

ENTITY_COLUMNS = [
    "key",
    "kind",
    "name",
    "description",
    "aliases",
    "wikidata_id",
    *_with_inferred(_KIND_FIELDS),
    "inferred",
    "citation_count",
]
"""Columns of ``entities.csv``; kind-specific columns are empty for other kinds."""

RELATION_COLUMNS = [
    "key",
    "subject",
    "type",
    "object",
    *_with_inferred(("valid_from", "valid_to", *QUALIFIER_FIELDS)),
    "confidence",
    "citation_count",
]
"""Columns of ``relations.csv``: the qualifiers each have a column."""

CITATION_COLUMNS = [
    "about",
    "about_type",
    "number",
    "document",
    "paragraph",
    "claim",
    "confidence",
    "attribution_kind",
    "attribution_text",
    "source_count",
    "speaker",
    "supports",
]
"""Columns of ``citations.csv``; ``supports`` lists (as JSON) the entity fields a citation of an entity supports."""

_ROWS_PER_CHUNK = 500


def _cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, DescribedEnum):
        return value.name
    if isinstance(value, PartialDate):
        return value.isoformat()
    if isinstance(value, (int, str)):
        return value
    return str(value)


def _put(row: dict[str, Any], name: str, value: Any) -> None:
    row[name] = _cell(value)
    if name in _DATE_FIELDS:
        row[f"{name}_inferred"] = " ".join(inferred_parts(value)) if isinstance(value, PartialDate) else ""


def entity_row(entity: Entity) -> dict[str, Any]:
    """The ``entities.csv`` row of an entity."""
    row: dict[str, Any] = {
        "key": entity.key,
        "kind": entity.kind.name,
        "name": entity.name,
        "description": entity.description,
        "aliases": json.dumps(list(entity.aliases), ensure_ascii=False) if entity.aliases else "",
        "wikidata_id": entity.wikidata_id or "",
        "inferred": json.dumps(list(entity.inferred)) if entity.inferred else "",
        "citation_count": len(entity.citations),
    }
    for name in ENTITY_FIELDS[entity.kind]:
        _put(row, name, getattr(entity, name))
    return row


def relation_row(relation: Relation) -> dict[str, Any]:
    """The ``relations.csv`` row of a relation."""
    row: dict[str, Any] = {
        "key": relation.key,
        "subject": relation.subject,
        "type": relation.type.name,
        "object": relation.object,
        "confidence": relation.confidence.name,
        "citation_count": len(relation.citations),
    }
    _put(row, "valid_from", relation.valid_from)
    _put(row, "valid_to", relation.valid_to)
    for name in QUALIFIER_FIELDS:
        _put(row, name, getattr(relation.qualifiers, name))
    return row


def citation_rows(about: str, about_type: str, citations: Sequence[Citation]) -> Iterator[dict[str, Any]]:
    """The ``citations.csv`` rows of one entity's or relation's citations."""
    for number, citation in enumerate(citations, 1):
        who = citation.attribution
        yield {
            "about": about,
            "about_type": about_type,
            "number": number,
            "document": citation.document,
            "paragraph": citation.paragraph,
            "claim": citation.claim,
            "confidence": citation.confidence.name,
            "attribution_kind": who.kind.name,
            "attribution_text": who.text,
            "source_count": _cell(who.source_count),
            "speaker": who.speaker or "",
            "supports": json.dumps(list(citation.supports)) if citation.supports else "",
        }


def _table(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _citations(snapshot: Snapshot) -> Iterator[dict[str, Any]]:
    for entity in snapshot.entities:
        yield from citation_rows(entity.key, "entity", entity.citations)
    for relation in snapshot.relations:
        yield from citation_rows(relation.key, "relation", relation.citations)


def csv_files(snapshot: Snapshot) -> Iterator[tuple[str, Iterator[bytes]]]:
    """The three tables: ``(file name, contents)``."""
    yield "entities.csv", _table(ENTITY_COLUMNS, map(entity_row, snapshot.entities))
    yield "relations.csv", _table(RELATION_COLUMNS, map(relation_row, snapshot.relations))
    yield "citations.csv", _table(CITATION_COLUMNS, _citations(snapshot))


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream that hands out what was written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def csv_zip(snapshot: Snapshot) -> Iterator[bytes]:
    """The three tables as one zip archive, produced piece by piece.

    The archive is written to an unseekable sink, so :mod:`zipfile` puts
    each member's sizes after its data and nothing has to be held back.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in csv_files(snapshot):
            with archive.open(name, "w") as member:
                for chunk in chunks:
                    member.write(chunk)
                    data = sink.take()
                    if data:
                        yield data
    yield sink.take()
