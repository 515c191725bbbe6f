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

import gc
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from oversight_graph.graph.bulk import Interner, fast_entity, fast_relation
from oversight_graph.graph.checks import entity_problems, relation_problems
from oversight_graph.graph.enums import AttributionKind, Kind
from oversight_graph.graph.errors import Problem, ValidationFailed
from oversight_graph.graph.files import data_files
from oversight_graph.graph.model import Citation, Document, Entity, Relation, kind_of_key
from oversight_graph.graph.records import SECTIONS, RelationDraft, Source, parse_entity, parse_relation
from oversight_graph.graph.store import GraphStore

__all__ = ["RawRecord", "ReferenceChecker", "build_store", "iter_directory", "load_directory"]


class RawRecord(NamedTuple):
    """One record as read from a file, before validation.

    A named tuple, because a large load makes millions of them.

    ``position`` is ``#n`` for the n-th record of its type in a TOML file,
    or the line number in a JSON Lines file; :attr:`source` turns it into a
    readable location only when a problem has to be reported.
    """

    section: str
    data: Mapping[str, Any]
    file: str
    position: str | int

    @property
    def source(self) -> Source:
        """Where the record was read, for problem reports."""
        return Source(self.file, _label(self.section, self.data, self.position))


def _label(section: str, item: Mapping[str, Any], position: str | int) -> str:
    """How a problem report names a record: its key, or its position and what it links."""
    where = f"at line {position}" if isinstance(position, int) else position
    key = item.get("key")
    if isinstance(key, str):
        return f"{section} {where} {key!r}"
    ends = [item.get(k) for k in ("subject", "type", "object")]
    if section == "relation" and all(isinstance(e, str) for e in ends):
        return f"{section} {where} ({' '.join(str(e) for e in ends)})"
    return f"{section} {where}"


@dataclass(frozen=True, slots=True)
class _Unread(Problem):
    """A file (or JSON line) that could not be parsed, with the keys it seems to define.

    The keys are found by a plain text search of the unparsed text. References
    to them are follow-on problems of this one: they are counted, not listed,
    so that one typo is reported as one problem (see :meth:`_Builder.finish`).
    """

    keys: frozenset[str] = frozenset()


# A key assignment as written in TOML or JSON; the value may lack its closing
# quote, since the text around a typo is what is being searched.
_TOML_KEY = re.compile(r"""^\s*key\s*=\s*["']([^"'\n]+)""", re.MULTILINE)
_JSON_KEY = re.compile(rb'"key"\s*:\s*"([^"\n]+)')


def _toml_records(path: Path, name: str, problems: list[Problem]) -> Iterator[RawRecord]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, "file", "", f"cannot be read as UTF-8 text: {error}"))
        return
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        keys = frozenset(match.strip() for match in _TOML_KEY.findall(text))
        problems.append(_Unread(name, "file", "", f"not valid TOML: {error}", keys))
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
            yield RawRecord(section, item, name, f"#{position}")


def _jsonl_records(path: Path, name: str, problems: list[Problem]) -> Iterator[RawRecord]:
    try:
        with path.open("rb") as lines:
            for number, line in enumerate(lines, 1):
                if line.isspace():
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    keys = frozenset(k.decode("utf-8", "replace") for k in _JSON_KEY.findall(line))
                    problems.append(_Unread(name, f"line {number}", "", f"not valid JSON: {error}", keys))
                    continue
                if type(item) is not dict:
                    problems.append(Problem(name, f"line {number}", "", "expected a JSON object"))
                    continue
                section = item.pop("record", None)
                if section not in SECTIONS:
                    allowed = ", ".join(SECTIONS)
                    problems.append(
                        Problem(
                            name,
                            f"line {number}",
                            "record",
                            f"{section!r} is not a record type; expected one of {allowed}",
                        )
                    )
                    continue
                yield RawRecord(section, item, name, number)
    except OSError as error:
        problems.append(Problem(name, "file", "", f"cannot be read: {error}"))


def iter_directory(path: str | os.PathLike[str], problems: list[Problem]) -> Iterator[RawRecord]:
    """Yield the records of every data file under ``path``, one at a time.

    Symbolic links are followed (see :mod:`graph.files`). Problems met while
    reading (links that cannot be followed, unreadable files, syntax errors,
    unknown record types) are appended to ``problems``.

    Raises
    ------
    DataError
        If ``path`` is not a directory or holds no data files.
    """
    for name, file in data_files(path, problems):
        reader = _toml_records if file.suffix == ".toml" else _jsonl_records
        yield from reader(file, name, problems)


def _a(noun: str) -> str:
    """The noun with its indefinite article ("an organization", "a model")."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


_SPEAKER_KINDS = {
    AttributionKind.NAMED_PERSON: (Kind.PERSON,),
    AttributionKind.NAMED_ORGANIZATION: (Kind.ORGANIZATION,),
}


class ReferenceChecker:
    """The loader's checks of references: relation ends and their kinds, cited documents and paragraphs, speakers.

    The loader checks records against what it has read so far; the write
    path (:mod:`journal.edits`) checks edits against the graph with the same
    rules and messages, by passing its own view of the entities.

    Parameters
    ----------
    nodes
        Entity key → entity, for every entity a reference may point to.
    paragraphs
        Document key → its number of paragraphs.
    problems
        Where problems are appended.
    """

    def __init__(self, nodes: Mapping[str, Entity], paragraphs: Mapping[str, int], problems: list[Problem]) -> None:
        self.nodes = nodes
        self.paragraphs = paragraphs
        self.problems = problems
        # Keys of records that had other problems, so that references to
        # them are not reported as dangling as well.
        self.broken: dict[str, Kind | None] = {}

    def kind(self, key: str) -> Kind | None:
        """The kind of a defined key, or ``None`` if nothing has that key."""
        entity = self.nodes.get(key)
        if entity is not None:
            return entity.kind
        return self.broken.get(key)

    def known(self, key: str) -> bool:
        return key in self.nodes or key in self.broken

    # -- checks with messages ------------------------------------------------------
    def report(self, src: Source, field: str, message: str) -> None:
        self.problems.append(Problem(src.file, src.record, field, message))

    def reference(self, key: str, src: Source, field: str, kinds: Iterable[Kind] | None = None) -> bool:
        """Report a dangling or wrongly kinded reference; return whether it is sound."""
        if not self.known(key):
            self.missing(key, src, field)
            return False
        kind = self.kind(key)
        allowed = tuple(kinds) if kinds is not None else None
        if allowed is not None and kind not in allowed:
            names = " or ".join(k.section for k in allowed)
            self.report(src, field, f"{key!r} is {_a(kind.section if kind else 'record')}; expected {_a(names)}")
            return False
        return True

    def missing(self, key: str, src: Source, field: str) -> None:
        """Report a reference to ``key``, which nothing defines."""
        self.report(src, field, f"refers to {key!r}, which is not defined in the data")

    def check_citations(self, citations: tuple[Citation, ...], src: Source) -> bool:
        before = len(self.problems)
        for index, cite in enumerate(citations):
            where = f"citation[{index}]"
            if self.reference(cite.document, src, f"{where}.document", [Kind.DOCUMENT]):
                paragraphs = self.paragraphs.get(cite.document)
                if paragraphs is not None and cite.paragraph > paragraphs:
                    self.report(
                        src,
                        f"{where}.paragraph",
                        f"{cite.document!r} has paragraphs 1-{paragraphs}; there is no paragraph {cite.paragraph}",
                    )
            speaker = cite.attribution.speaker
            if speaker is not None:
                kinds = _SPEAKER_KINDS.get(cite.attribution.kind, (Kind.PERSON, Kind.ORGANIZATION))
                self.reference(speaker, src, f"{where}.attribution.speaker", kinds)
        return len(self.problems) == before

    def check_relation(self, draft: RelationDraft, src: Source) -> bool:
        """Check a relation's references; return whether it is sound."""
        before = len(self.problems)
        type_ = draft.type
        for field, key in (("subject", draft.subject), ("object", draft.object)):
            if key is None:
                continue
            self.reference(key, src, field)
            kind = self.kind(key)
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
        self.check_citations(draft.citations, src)
        return len(self.problems) == before and draft.relation is not None


class _Builder(ReferenceChecker):
    """Turns a stream of raw records into a store, collecting every problem.

    Records are validated as they arrive and their raw form is dropped at
    once; valid ones go straight into a new, private store, which is only
    returned if no problem at all was found — so nothing is ever half
    loaded. References (relation ends, cited documents, speakers) are
    checked as soon as what they point to is known; the few that point
    ahead in the stream wait until the end.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.store = GraphStore()
        super().__init__(self.store._nodes, {}, problems)
        self.nodes: dict[str, Entity] = self.store._nodes
        self.paragraphs: dict[str, int] = {}
        self.interner = Interner(self.nodes)
        # Where each key was first defined: a file index, and the position
        # for the (small, hand-edited) TOML files.
        self.files: list[str] = []
        self.defined_at: dict[str, int | tuple[int, str, str]] = {}
        self.waiting_entities: list[tuple[tuple[Citation, ...], Source]] = []
        self.waiting_relations: list[tuple[RelationDraft, Source]] = []
        # Keys that files which could not be parsed seem to define, with the
        # index in ``problems`` of that file's problem and how many follow-on
        # problems (references to those keys) it hides.
        self.unread: dict[str, int] = {}
        self.unread_scanned = 0
        self.hidden: dict[int, int] = {}

    # -- records ---------------------------------------------------------------
    def add(self, record: RawRecord) -> None:
        kind = SECTIONS[record.section]
        if kind is None:
            self._add_relation(record)
        else:
            self._add_entity(kind, record)

    def _where(self, record: RawRecord) -> int | tuple[int, str, str]:
        if not self.files or self.files[-1] != record.file:
            self.files.append(record.file)
        index = len(self.files) - 1
        return (index, record.position, record.section) if isinstance(record.position, str) else index

    def _first_definition(self, key: str) -> str:
        where = self.defined_at[key]
        if isinstance(where, tuple):
            index, position, section = where
            return f"{self.files[index]}: {_label(section, {'key': key}, position)}"
        return self.files[where]

    def _add_entity(self, kind: Kind, record: RawRecord) -> None:
        fast = fast_entity(kind, record.data, self.interner)
        key: str | None
        source: Source | None
        entity: Entity | None
        checked = False
        if fast is not None:
            entity, checked = fast
            key, citations, source = entity.key, entity.citations, None
        else:
            source = record.source
            draft = parse_entity(kind, record.data, source, self.problems)
            key, citations, entity = draft.key, draft.citations, draft.entity
        if key is None:
            return
        if key in self.defined_at:
            first = self._first_definition(key)
            self.report(source or record.source, "key", f"duplicate key {key!r}; first defined in {first}")
            return
        self.defined_at[key] = self._where(record)
        if entity is None:
            self.broken[key] = kind_of_key(key)
            return
        self.store._insert_entity(entity)
        for field, message in entity_problems(entity):
            self.report(source or record.source, field, message)
        if isinstance(entity, Document):
            self.paragraphs[key] = entity.paragraphs
            self.interner.documents[key] = entity
        if citations and not checked:
            if self._citations_known(citations):
                if not self._citations_sound(citations):
                    self.check_citations(citations, source or record.source)
            else:
                self.waiting_entities.append((citations, source or record.source))

    def _add_relation(self, record: RawRecord) -> None:
        fast = fast_relation(record.data, self.interner)
        if fast is not None:
            relation, checked = fast
            if checked:
                self._keep(relation, record)
                return
            draft = RelationDraft(relation.subject, relation.type, relation.object, relation.citations, relation)
        else:
            draft = parse_relation(record.data, record.source, self.problems)
        if self._resolvable(draft.subject, draft.object, draft.citations):
            if self.check_relation(draft, record.source) and draft.relation is not None:
                self._keep(draft.relation, record)
        else:
            self.waiting_relations.append((draft, record.source))

    def _citations_known(self, citations: tuple[Citation, ...]) -> bool:
        paragraphs = self.paragraphs
        return all(
            c.document in paragraphs and (c.attribution.speaker is None or self.known(c.attribution.speaker))
            for c in citations
        )

    def _citations_sound(self, citations: tuple[Citation, ...]) -> bool:
        """Whether every citation is fine, checked without building any message."""
        paragraphs = self.paragraphs
        for citation in citations:
            count = paragraphs.get(citation.document)
            if count is None or citation.paragraph > count:
                return False
            speaker = citation.attribution.speaker
            if speaker is not None:
                allowed = _SPEAKER_KINDS.get(citation.attribution.kind, (Kind.PERSON, Kind.ORGANIZATION))
                if self.kind(speaker) not in allowed:
                    return False
        return True

    def _resolvable(self, subject: str | None, obj: str | None, citations: tuple[Citation, ...]) -> bool:
        return (
            (subject is None or self.known(subject))
            and (obj is None or self.known(obj))
            and self._citations_known(citations)
        )

    def _keep(self, relation: Relation, record: RawRecord | None, source: Source | None = None) -> None:
        """Apply the editorial rules to a checked relation, then add it to the store (merging restatements)."""
        found = relation_problems(relation, self.nodes.get)
        for field, message in found:
            self.report(source or (record.source if record is not None else Source("", "")), field, message)
        if self.problems:
            return  # the store will be thrown away; spare the work
        first = self.store._insert_or_find(relation)
        if first is None:
            return
        merged = _merge(first, relation)
        if merged is None:
            where = source or (record.source if record is not None else Source("", ""))
            self.report(
                where,
                "",
                f"conflicts with an earlier statement of relation {relation.key!r}: their qualifiers or valid_to differ",
            )
        else:
            self.store._replace_relation(merged)

    # -- checks with messages ------------------------------------------------------
    def missing(self, key: str, src: Source, field: str) -> None:
        cause = self._unread_cause(key)
        if cause is None:
            super().missing(key, src, field)
        else:  # counted against the file that could not be read, not reported again
            self.hidden[cause] = self.hidden.get(cause, 0) + 1

    def _unread_cause(self, key: str) -> int | None:
        """The index of the unparsable file's problem whose text seems to define ``key``, if any."""
        problems = self.problems
        for index in range(self.unread_scanned, len(problems)):
            problem = problems[index]
            if isinstance(problem, _Unread):
                for unread in problem.keys:
                    self.unread.setdefault(unread, index)
        self.unread_scanned = len(problems)
        return self.unread.get(key)

    # -- the end -------------------------------------------------------------------
    def finish(self) -> GraphStore:
        for citations, src in self.waiting_entities:
            if not self._citations_sound(citations):
                self.check_citations(citations, src)
        for draft, src in self.waiting_relations:
            if self.check_relation(draft, src) and draft.relation is not None:
                self._keep(draft.relation, None, src)
        for index, count in self.hidden.items():
            cause = self.problems[index]
            follow = f"{count} follow-on problem{'s' if count != 1 else ''}"
            self.problems[index] = Problem(
                cause.file,
                cause.record,
                cause.field,
                f"{cause.message}; this hides {follow} (references to keys defined here), not listed: fix it first",
            )
        if self.problems:
            raise ValidationFailed(self.problems)
        self.store.finish_loading()
        return self.store


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
        Raw records, e.g. from :func:`iter_directory`; consumed once.
    problems
        A list that already holds (or will hold, for a lazy ``records``)
        the problems met while reading; they are reported together with
        the ones found here.

    Raises
    ------
    ValidationFailed
        If there is any problem; the store is then not built at all.

    Examples
    --------
    >>> build_store([RawRecord("organization", {"key": "org/x"}, "inline", "#1")])
    Traceback (most recent call last):
    ...
    oversight_graph.graph.errors.ValidationFailed: 4 problems in the data:
      inline: organization #1 'org/x': name: is required
      inline: organization #1 'org/x': description: is required
      inline: organization #1 'org/x': category: is required
      inline: organization #1 'org/x': citation: at least one citation is required
    """
    builder = _Builder(problems if problems is not None else [])
    # Loading allocates millions of objects and frees nothing cyclic; the
    # cycle collector would only rescan the growing graph again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for record in records:
            builder.add(record)
        return builder.finish()
    finally:
        if collecting:
            gc.enable()


def load_directory(path: str | os.PathLike[str]) -> GraphStore:
    """Load and validate every data file under ``path``.

    Records are streamed: each is validated as it is read, so memory holds
    the graph being built rather than the files.

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
    problems: list[Problem] = []
    return build_store(iter_directory(path, problems), problems)
