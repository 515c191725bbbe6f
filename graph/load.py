"""Load a seed directory into a validated :class:`~graph.store.GraphStore`.

Loading reads every ``*.toml`` and ``*.jsonl`` file under the directory
(sorted by path, so the result does not depend on the file system), turns
each record into a model object (:mod:`graph.records`), then checks what
needs all records at once: duplicate keys, references to unknown entities,
relation ends of kinds the relation type does not allow, citations to
unknown documents or to paragraphs a document does not have.

Either every record is valid and a new store is returned, or
:class:`~graph.errors.ValidationFailed` is raised listing every problem
with its file, record and field. Nothing is ever half-loaded: the store is
built only after all checks pass.

TOML files hold arrays of tables named after the record type
(``[[organization]]``, ``[[relation]]``); JSON Lines files hold one object
per line with a ``"record"`` member naming the type, for bulk data.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from graph.enums import AttributionKind, Kind
from graph.errors import DataError, Problem, ValidationFailed
from graph.model import Citation, Document, Entity, Relation
from graph.records import SECTIONS, Source, parse_entity, parse_relation
from graph.store import GraphStore

__all__ = ["RawRecord", "build_store", "load_directory", "read_directory"]

DATA_SUFFIXES = (".toml", ".jsonl")
"""File endings the loader reads; other files (a README) are ignored."""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read from a file, before validation."""

    section: str
    data: Mapping[str, Any]
    source: Source


def _toml_records(text: str, name: str, problems: list[Problem]) -> Iterator[RawRecord]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(name, "file", "", f"not valid TOML: {error}"))
        return
    for section, items in document.items():
        if section not in SECTIONS:
            allowed = ", ".join(f"[[{s}]]" for s in SECTIONS)
            problems.append(Problem(name, f"[{section}]", "", f"unknown record type; expected one of {allowed}"))
            continue
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            problems.append(Problem(name, f"[{section}]", "", f"write each record as [[{section}]], an array of tables"))
            continue
        for position, item in enumerate(items, 1):
            key = item.get("key")
            label = f"{section} {key!r}" if isinstance(key, str) else f"{section} #{position}"
            yield RawRecord(section, item, Source(name, label))


def _jsonl_records(text: str, name: str, problems: list[Problem]) -> Iterator[RawRecord]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label = f"line {number}"
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            problems.append(Problem(name, label, "", f"not valid JSON: {error}"))
            continue
        if not isinstance(item, dict):
            problems.append(Problem(name, label, "", "expected a JSON object"))
            continue
        section = item.pop("record", None)
        if section not in SECTIONS:
            allowed = ", ".join(SECTIONS)
            problems.append(Problem(name, label, "record", f"{section!r} is not a record type; expected one of {allowed}"))
            continue
        yield RawRecord(section, item, Source(name, label))


def read_directory(path: str | os.PathLike[str]) -> tuple[list[RawRecord], list[Problem]]:
    """Read every data file under ``path`` into raw records.

    Returns the records and the problems met while reading (unreadable
    files, syntax errors, unknown record types).

    Raises
    ------
    DataError
        If ``path`` is not a directory.
    """
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root} is not a directory")
    records: list[RawRecord] = []
    problems: list[Problem] = []
    files = sorted(p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file())
    if not files:
        raise DataError(f"{root} holds no data files (*.toml or *.jsonl)")
    for file in files:
        name = file.relative_to(root).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(name, "file", "", f"cannot be read as UTF-8 text: {error}"))
            continue
        reader = _toml_records if file.suffix == ".toml" else _jsonl_records
        records.extend(reader(text, name, problems))
    return records, problems


class _Checker:
    """Cross-record checks: keys, references, kinds and paragraph ranges."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.entities: dict[str, tuple[Entity, Source]] = {}

    def add_entity(self, entity: Entity, src: Source) -> None:
        first = self.entities.get(entity.key)
        if first is not None:
            self.report(src, "key", f"duplicate key {entity.key!r}; first defined in {first[1].file}: {first[1].record}")
            return
        self.entities[entity.key] = (entity, src)

    def report(self, src: Source, field: str, message: str) -> None:
        self.problems.append(Problem(src.file, src.record, field, message))

    def reference(self, key: str, src: Source, field: str, kinds: Iterable[Kind] | None = None) -> Entity | None:
        found = self.entities.get(key)
        if found is None:
            self.report(src, field, f"refers to {key!r}, which is not defined in the data")
            return None
        entity = found[0]
        kinds = tuple(kinds) if kinds is not None else None
        if kinds is not None and entity.kind not in kinds:
            names = " or ".join(k.section for k in kinds)
            self.report(src, field, f"{key!r} is a {entity.kind.section}; expected a {names}")
            return None
        return entity

    def citations(self, citations: tuple[Citation, ...], src: Source, prefix: str = "") -> None:
        for index, cite in enumerate(citations):
            where = f"{prefix}citation[{index}]"
            document = self.reference(cite.document, src, f"{where}.document", [Kind.DOCUMENT])
            if isinstance(document, Document) and cite.paragraph > document.paragraphs:
                self.report(
                    src,
                    f"{where}.paragraph",
                    f"{cite.document!r} has paragraphs 1-{document.paragraphs}; there is no paragraph {cite.paragraph}",
                )
            speaker = cite.attribution.speaker
            if speaker is not None:
                kinds = {
                    AttributionKind.NAMED_PERSON: [Kind.PERSON],
                    AttributionKind.NAMED_ORGANIZATION: [Kind.ORGANIZATION],
                }.get(cite.attribution.kind, [Kind.PERSON, Kind.ORGANIZATION])
                self.reference(speaker, src, f"{where}.attribution.speaker", kinds)

    def relation(self, relation: Relation, src: Source) -> bool:
        before = len(self.problems)
        subject = self.reference(relation.subject, src, "subject")
        obj = self.reference(relation.object, src, "object")
        type_ = relation.type
        if subject is not None and subject.kind not in type_.subjects:
            allowed = ", ".join(sorted(k.section for k in type_.subjects))
            self.report(src, "subject", f"{type_.name} needs a subject of kind {allowed}; {relation.subject!r} is a {subject.kind.section}")
        if obj is not None and obj.kind not in type_.objects:
            allowed = ", ".join(sorted(k.section for k in type_.objects))
            self.report(src, "object", f"{type_.name} needs an object of kind {allowed}; {relation.object!r} is a {obj.kind.section}")
        if relation.subject == relation.object:
            self.report(src, "object", "a relation cannot join an entity to itself")
        self.citations(relation.citations, src)
        return len(self.problems) == before


def _merge(first: Relation, again: Relation) -> Relation | None:
    """The two statements of one relation as one, or ``None`` if they conflict."""
    if first.qualifiers != again.qualifiers or first.valid_to != again.valid_to:
        return None
    extra = tuple(c for c in again.citations if c not in first.citations)
    return replace(first, citations=first.citations + extra)


def build_store(records: Iterable[RawRecord], problems: list[Problem] | None = None) -> GraphStore:
    """Validate raw records and build a store from them.

    Parameters
    ----------
    records
        Raw records, e.g. from :func:`read_directory`.
    problems
        Problems already found while reading; they are reported together
        with the ones found here.

    Raises
    ------
    ValidationFailed
        If there is any problem; the store is then not built at all.

    Examples
    --------
    >>> from graph.records import Source
    >>> src = Source("inline", "organization #1")
    >>> build_store([RawRecord("organization", {"key": "org/x"}, src)])
    Traceback (most recent call last):
    ...
    graph.errors.ValidationFailed: 4 problems in the data:
      inline: organization #1: name: is required
      inline: organization #1: description: is required
      inline: organization #1: category: is required
      inline: organization #1: citation: at least one citation is required
    """
    problems = list(problems or [])
    checker = _Checker(problems)
    drafts: list[tuple[Relation, Source]] = []
    for record in records:
        kind = SECTIONS[record.section]
        if kind is None:
            relation = parse_relation(record.data, record.source, problems)
            if relation is not None:
                drafts.append((relation, record.source))
        else:
            entity = parse_entity(kind, record.data, record.source, problems)
            if entity is not None:
                checker.add_entity(entity, record.source)
    for entity, src in checker.entities.values():
        checker.citations(entity.citations, src)
    relations: dict[str, tuple[Relation, Source]] = {}
    for relation, src in drafts:
        if not checker.relation(relation, src):
            continue
        first = relations.get(relation.key)
        if first is None:
            relations[relation.key] = (relation, src)
            continue
        merged = _merge(first[0], relation)
        if merged is None:
            checker.report(
                src, "", f"conflicts with the same relation in {first[1].file}: {first[1].record} (qualifiers or valid_to differ)"
            )
        else:
            relations[relation.key] = (merged, first[1])
    if problems:
        raise ValidationFailed(problems)
    store = GraphStore()
    for entity, _src in checker.entities.values():
        store.add_entity(entity)
    for relation, _src in relations.values():
        store.add_relation(relation)
    store.prepare()
    return store


def load_directory(path: str | os.PathLike[str]) -> GraphStore:
    """Load and validate every data file under ``path``.

    Raises
    ------
    DataError
        If ``path`` is not a directory or holds no data files.
    ValidationFailed
        If any record is invalid; lists every problem found.

    Examples
    --------
    >>> from pathlib import Path
    >>> store = load_directory(Path(__file__).parent.parent / "seed")
    >>> store.entity("org/caisi").name
    'Center for AI Standards and Innovation'
    """
    records, problems = read_directory(path)
    return build_store(records, problems)

