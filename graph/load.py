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
from graph.model import Citation, Document, Entity, Relation, kind_of_key
from graph.records import SECTIONS, EntityDraft, RelationDraft, Source, parse_entity, parse_relation
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
            problems.append(
                Problem(name, f"[{section}]", "", f"write each record as [[{section}]], an array of tables")
            )
            continue
        for position, item in enumerate(items, 1):
            yield RawRecord(section, item, Source(name, _label(section, item, f"#{position}")))


def _label(section: str, item: Mapping[str, Any], position: str) -> str:
    """How a problem report names a record: its key, or its position and what it links."""
    key = item.get("key")
    if isinstance(key, str):
        return f"{section} {position} {key!r}"
    ends = [item.get(k) for k in ("subject", "type", "object")]
    if section == "relation" and all(isinstance(e, str) for e in ends):
        return f"{section} {position} ({' '.join(str(e) for e in ends)})"
    return f"{section} {position}"


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
            problems.append(
                Problem(name, label, "record", f"{section!r} is not a record type; expected one of {allowed}")
            )
            continue
        yield RawRecord(section, item, Source(name, _label(section, item, f"at {label}")))


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


def _a(noun: str) -> str:
    """The noun with its indefinite article ("an organization", "a model")."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class _Checker:
    """Cross-record checks: keys, references, kinds and paragraph ranges."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        # Every key seen (even of records with other problems), so that
        # references to them are not reported as dangling as well.
        self.sources: dict[str, Source] = {}
        self.kinds: dict[str, Kind | None] = {}
        self.entities: dict[str, tuple[Entity, Source]] = {}

    def add_entity(self, draft: EntityDraft, src: Source) -> None:
        if draft.key is None:
            return
        first = self.sources.get(draft.key)
        if first is not None:
            self.report(src, "key", f"duplicate key {draft.key!r}; first defined in {first.file}: {first.record}")
            return
        self.sources[draft.key] = src
        self.kinds[draft.key] = kind_of_key(draft.key)
        if draft.entity is not None:
            self.entities[draft.key] = (draft.entity, src)

    def report(self, src: Source, field: str, message: str) -> None:
        self.problems.append(Problem(src.file, src.record, field, message))

    def reference(self, key: str, src: Source, field: str, kinds: Iterable[Kind] | None = None) -> Entity | None:
        """The valid entity under ``key``, reporting a dangling or wrongly kinded reference."""
        if key not in self.sources:
            self.report(src, field, f"refers to {key!r}, which is not defined in the data")
            return None
        kind = self.kinds[key]
        allowed = tuple(kinds) if kinds is not None else None
        if allowed is not None and kind not in allowed:
            names = " or ".join(k.section for k in allowed)
            self.report(src, field, f"{key!r} is {_a(kind.section if kind else 'record')}; expected {_a(names)}")
            return None
        found = self.entities.get(key)
        return found[0] if found is not None else None

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

    def relation(self, draft: RelationDraft, src: Source) -> bool:
        """Check a relation's references; return whether it is sound."""
        before = len(self.problems)
        type_ = draft.type
        for field, key in (("subject", draft.subject), ("object", draft.object)):
            if key is None:
                continue
            self.reference(key, src, field)
            kind = self.kinds.get(key)
            if type_ is None or kind is None:
                continue
            allowed = type_.subjects if field == "subject" else type_.objects
            if kind not in allowed:
                names = ", ".join(sorted(k.section for k in allowed))
                self.report(
                    src, field, f"{type_.name} needs {_a(field)} of kind {names}; {key!r} is {_a(kind.section)}"
                )
        if draft.subject is not None and draft.subject == draft.object:
            self.report(src, "object", "a relation cannot join an entity to itself")
        self.citations(draft.citations, src)
        return len(self.problems) == before and draft.relation is not None


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
    drafts: list[tuple[RelationDraft, Source]] = []
    entity_drafts: list[tuple[EntityDraft, Source]] = []
    for record in records:
        kind = SECTIONS[record.section]
        if kind is None:
            drafts.append((parse_relation(record.data, record.source, problems), record.source))
        else:
            entity_draft = parse_entity(kind, record.data, record.source, problems)
            entity_drafts.append((entity_draft, record.source))
            checker.add_entity(entity_draft, record.source)
    for parsed, src in entity_drafts:
        checker.citations(parsed.citations, src)
    relations: dict[str, tuple[Relation, Source]] = {}
    for draft, src in drafts:
        if not checker.relation(draft, src):
            continue
        relation = draft.relation
        assert relation is not None
        first = relations.get(relation.key)
        if first is None:
            relations[relation.key] = (relation, src)
            continue
        merged = _merge(first[0], relation)
        if merged is None:
            checker.report(
                src,
                "",
                f"conflicts with the same relation in {first[1].file}: {first[1].record} (qualifiers or valid_to differ)",
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
