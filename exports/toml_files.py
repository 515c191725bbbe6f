"""Seed-format TOML: the graph written back as files that ``oversight check`` accepts.

Loading what this writes (:func:`graph.load.load_directory`) gives back the
same entities and relations, citations, qualifiers, validity and inferred
date parts included. As a directory, entities go to one file per kind
(named like the bundled seed's) and relations to ``relations.toml``; as one
stream (over HTTP), every record is in one file, which loads on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import tomli_w

from oversight_graph.exports.snapshot import Snapshot
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.serialize import entity_record, relation_record

__all__ = ["FILE_NAMES", "toml_files", "toml_stream"]

FILE_NAMES: dict[Kind, str] = {
    Kind.ORGANIZATION: "organizations.toml",
    Kind.PERSON: "people.toml",
    Kind.AI_MODEL: "models.toml",
    Kind.ORDER: "orders.toml",
    Kind.INCIDENT: "incidents.toml",
    Kind.AGREEMENT: "agreements.toml",
    Kind.EVENT: "events.toml",
    Kind.DOCUMENT: "documents.toml",
    Kind.QUESTION: "questions.toml",
}
"""The file each kind's entities are written to."""

RELATIONS_FILE = "relations.toml"

_HEADER = (
    "# Oversight Graph export (graph version {version}): seed-format records, see seed/README.md.\n"
    "# Check with `oversight check DIR`; load by putting the file(s) in a data directory.\n\n"
)


def _records(section: str, records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    # One document per record: `[[section]]` entries may follow each other in
    # any number of documents, so concatenating them is one valid file.
    for record in records:
        yield tomli_w.dumps({section: [record]}).encode("utf-8") + b"\n"


def _entities(snapshot: Snapshot, kind: Kind) -> Iterator[bytes]:
    return _records(kind.section, (entity_record(e) for e in snapshot.of_kind(kind)))


def _relations(snapshot: Snapshot) -> Iterator[bytes]:
    return _records("relation", (relation_record(r) for r in snapshot.relations))


def toml_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The whole graph as one seed-format TOML file."""
    yield _HEADER.format(version=snapshot.version).encode("utf-8")
    for kind in Kind:
        yield from _entities(snapshot, kind)
    yield from _relations(snapshot)


def toml_files(snapshot: Snapshot) -> Iterator[tuple[str, Iterator[bytes]]]:
    """The graph as a seed directory: ``(file name, contents)`` for each non-empty file."""
    header = _HEADER.format(version=snapshot.version).encode("utf-8")
    for kind in Kind:
        if any(e.kind is kind for e in snapshot.entities):
            yield FILE_NAMES[kind], _prefixed(header, _entities(snapshot, kind))
    if snapshot.relations:
        yield RELATIONS_FILE, _prefixed(header, _relations(snapshot))


def _prefixed(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
