"""Raw seed records → model objects, checking each field.

A raw record is a plain mapping read from a seed file (a TOML table or a
JSON object). :func:`parse_entity` and :func:`parse_relation` turn one into
an :class:`~graph.model.Entity` or :class:`~graph.model.Relation`, or
append a :class:`~graph.errors.Problem` for every field that is missing,
unknown, of the wrong type or out of range. Checks that need the other
records (references, duplicates, paragraph ranges) are in
:mod:`graph.load`.

The field names of each record type are documented in ``seed/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import (
    AccessStatus,
    AgreementStatus,
    AttributionKind,
    Confidence,
    DescribedEnum,
    EventKind,
    IncidentKind,
    Kind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.errors import InvalidDate, Problem
from oversight_graph.graph.model import (
    ENTITY_CLASSES,
    QUALIFIER_FIELDS,
    Attribution,
    Citation,
    Entity,
    Qualifiers,
    Relation,
    kind_of_key,
)
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["ENTITY_FIELDS", "SECTIONS", "EntityDraft", "RelationDraft", "Source", "parse_entity", "parse_relation"]

SECTIONS: dict[str, Kind | None] = {kind.section: kind for kind in Kind} | {"relation": None}
"""Record names allowed in seed files: one per entity kind, plus ``relation``."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a raw record was read: a file and a record locator within it."""

    file: str
    record: str


@dataclass(frozen=True, slots=True)
class EntityDraft:
    """What could be read of an entity record.

    ``entity`` is set only when every field was valid; ``key`` and
    ``citations`` are kept even when some other field was not, so that
    cross-record checks can still report their problems in the same run.
    """

    key: str | None
    citations: tuple[Citation, ...]
    entity: Entity | None


@dataclass(frozen=True, slots=True)
class RelationDraft:
    """What could be read of a relation record; ``relation`` is set only when all of it was valid."""

    subject: str | None
    type: RelationType | None
    object: str | None
    citations: tuple[Citation, ...]
    relation: Relation | None


class _Bad(Exception):
    """A field value is wrong; the message says how."""


# -- value converters -------------------------------------------------------------
def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a string, got {type(value).__name__} {value!r}")
    text = value.strip()
    if not text:
        raise _Bad("must not be empty")
    return text


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad(f"expected a list of strings, got {type(value).__name__}")
    return tuple(_text(item) for item in value)


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected a whole number, got {type(value).__name__} {value!r}")
    if value < 1:
        raise _Bad(f"must be at least 1, got {value}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"expected true or false, got {type(value).__name__} {value!r}")
    return value


def _enum(enum: type[DescribedEnum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise _Bad(f"expected one of {', '.join(m.name for m in enum)}, got {value!r}")
        try:
            return enum.from_name(value)
        except ValueError as error:
            raise _Bad(str(error)) from None

    return convert


def _date(value: Any) -> PartialDate:
    try:
        if isinstance(value, str):
            return PartialDate.parse(value)
        if isinstance(value, Mapping):
            extra = set(value) - {"date", "inferred"}
            if extra:
                raise _Bad(f"unknown date field {sorted(extra)[0]!r}; a date table has 'date' and 'inferred'")
            if "date" not in value:
                raise _Bad("a date table needs a 'date'")
            return PartialDate.parse(value["date"], value.get("inferred", ()))
    except InvalidDate as error:
        raise _Bad(str(error)) from None
    raise _Bad(f'expected a date such as "2026-06-02", got {type(value).__name__} {value!r}')


def _key(value: Any) -> str:
    if not isinstance(value, str) or kind_of_key(value) is None:
        prefixes = ", ".join(f"{k.prefix}/" for k in Kind)
        raise _Bad(f"{value!r} is not an entity key (a prefix {prefixes} and a lowercase slug)")
    return value


_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _wikidata(value: Any) -> str:
    text = _text(value)
    if not _WIKIDATA.match(text):
        raise _Bad(f"{text!r} is not a Wikidata item id such as 'Q380'")
    return text


def _country(value: Any) -> str:
    text = _text(value)
    if not _COUNTRY.match(text):
        raise _Bad(f"{text!r} is not a two-letter ISO 3166 country code such as 'US'")
    return text


# -- field reader -----------------------------------------------------------------
class _Fields:
    """Reads fields from one mapping, recording a problem for each bad one."""

    def __init__(self, data: Mapping[str, Any], src: Source, problems: list[Problem], path: str = "") -> None:
        self.data = data
        self.src = src
        self.problems = problems
        self.path = path
        self.used: set[str] = set()
        self.ok = True

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.src.file, self.src.record, self.where(name), message))
        self.ok = False

    def get(self, name: str, convert: Callable[[Any], Any], *, required: bool = False, default: Any = None) -> Any:
        self.used.add(name)
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "is required")
            return default
        try:
            return convert(value)
        except _Bad as error:
            self.problem(name, str(error))
            return default

    def table(self, name: str) -> _Fields | None:
        self.used.add(name)
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.problem(name, f"expected a table, got {type(value).__name__}")
            return None
        return _Fields(value, self.src, self.problems, self.where(name))

    def finish(self, allowed: set[str] | None = None) -> bool:
        """Report fields nobody asked for; return whether the record is sound."""
        names = allowed if allowed is not None else self.used
        for name in self.data:
            if name not in names:
                expected = ", ".join(sorted(names))
                self.problem(name, f"unknown field; expected one of {expected}")
        return self.ok


# -- citations --------------------------------------------------------------------
def _citations(fields: _Fields, *, required: bool, facts: frozenset[str] | None = None) -> tuple[Citation, ...]:
    """The citations of a record; ``facts`` are the field names an entity's citation may list in ``supports``."""
    fields.used.add("citation")
    raw = fields.data.get("citation")
    if raw is None:
        if required:
            fields.problem("citation", "at least one citation is required")
        return ()
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        fields.problem("citation", "expected a non-empty list of citation tables")
        return ()
    citations = []
    for index, item in enumerate(raw):
        path = fields.where(f"citation[{index}]")
        if not isinstance(item, Mapping):
            fields.problems.append(Problem(fields.src.file, fields.src.record, path, "expected a citation table"))
            fields.ok = False
            continue
        cite = _Fields(item, fields.src, fields.problems, path)
        document = cite.get("document", _key, required=True)
        paragraph = cite.get("paragraph", _positive, required=True)
        claim = cite.get("claim", _text, required=True)
        confidence = cite.get("confidence", _enum(Confidence), required=True)
        supports = cite.get("supports", _texts, default=())
        if supports and facts is None:
            cite.problem("supports", "only an entity's citations name the fields they support")
        elif supports and facts is not None:
            for name in supports:
                if name not in facts:
                    allowed = ", ".join(sorted(facts)) or "none"
                    cite.problem("supports", f"{name!r} is not a field this record has; expected one of {allowed}")
        attribution = None
        who = cite.table("attribution")
        if who is None:
            if "attribution" not in item:
                cite.problem("attribution", "is required")
        else:
            kind = who.get("kind", _enum(AttributionKind), required=True)
            text = who.get("text", _text, default="")
            count = who.get("count", _positive)
            speaker = who.get("speaker", _key)
            if who.finish() and kind is not None:
                attribution = Attribution(kind, text, count, speaker)
        if cite.finish() and attribution is not None:
            citations.append(Citation(document, paragraph, claim, attribution, confidence, supports))
        else:
            fields.ok = False
    return tuple(citations)


# -- entities ---------------------------------------------------------------------
_Spec = tuple[Callable[[Any], Any], bool]

ENTITY_FIELDS: dict[Kind, dict[str, _Spec]] = {
    Kind.ORGANIZATION: {
        "category": (_enum(OrgCategory), True),
        "country": (_country, False),
        "major_ai_developer": (_bool, False),
        "ended": (_date, False),
    },
    Kind.PERSON: {},
    Kind.AI_MODEL: {"access_status": (_enum(AccessStatus), False), "release_date": (_date, False)},
    Kind.ORDER: {"order_kind": (_enum(OrderKind), False), "date_signed": (_date, False)},
    Kind.INCIDENT: {"incident_kind": (_enum(IncidentKind), True), "occurred": (_date, False)},
    Kind.AGREEMENT: {"status": (_enum(AgreementStatus), True), "date_signed": (_date, False)},
    Kind.EVENT: {"event_kind": (_enum(EventKind), True), "occurred": (_date, False)},
    Kind.DOCUMENT: {
        "title": (_text, True),
        "paragraphs": (_positive, True),
        "published": (_date, False),
        "url": (_text, False),
    },
    Kind.QUESTION: {"status": (_enum(QuestionStatus), False)},
}
"""Kind-specific seed fields: name → (converter, required)."""

_COMMON = ("key", "name", "description", "aliases", "wikidata", "inferred", "citation")


def parse_entity(kind: Kind, data: Mapping[str, Any], src: Source, problems: list[Problem]) -> EntityDraft:
    """Build an entity of ``kind`` from a raw record, or report why not.

    Every problem found is appended to ``problems``; the draft's
    ``entity`` is ``None`` when there was at least one.
    """
    fields = _Fields(data, src, problems)
    key = fields.get("key", _key, required=True)
    if key is not None and kind_of_key(key) is not kind:
        fields.problem("key", f"{key!r} does not start with {kind.prefix}/ as every {kind.section} key must")
    values: dict[str, Any] = {
        "key": key,
        "name": fields.get("name", _text, required=True),
        "description": fields.get("description", _text, required=True),
        "aliases": fields.get("aliases", _texts, default=()),
        "wikidata_id": fields.get("wikidata", _wikidata),
    }
    specific = ENTITY_FIELDS[kind]
    for name, (convert, required) in specific.items():
        value = fields.get(name, convert, required=required)
        if value is not None:
            values[name] = value
    inferred = fields.get("inferred", _texts, default=())
    known = set(_COMMON) | set(specific)
    for name in inferred:
        if name not in known:
            fields.problem("inferred", f"{name!r} is not a field of a {kind.section}")
    values["inferred"] = inferred
    # Documents are the sources themselves; everything else says where it comes from.
    citations = values["citations"] = _citations(fields, required=kind is not Kind.DOCUMENT, facts=frozenset(specific))
    if not fields.finish():
        return EntityDraft(key, citations, None)
    return EntityDraft(key, citations, ENTITY_CLASSES[kind](**values))


# -- relations --------------------------------------------------------------------
def _qualifiers(fields: _Fields) -> Qualifiers:
    table = fields.table("qualifiers")
    if table is None:
        return Qualifiers()
    values: dict[str, Any] = {}
    converters: dict[type, Callable[[Any], Any]] = {str: _text, int: _positive, PartialDate: _date}
    for name, (type_, _meaning) in QUALIFIER_FIELDS.items():
        value = table.get(name, converters[type_])
        if value is not None:
            values[name] = value
    table.finish(set(QUALIFIER_FIELDS))
    return Qualifiers(**values)


def parse_relation(data: Mapping[str, Any], src: Source, problems: list[Problem]) -> RelationDraft:
    """Build a relation from a raw record, or report why not.

    Checks the fields one by one; whether the subject and object exist and
    have kinds the type allows is checked by the loader, which sees all
    entities.
    """
    fields = _Fields(data, src, problems)
    subject = fields.get("subject", _key, required=True)
    type_ = fields.get("type", _enum(RelationType), required=True)
    obj = fields.get("object", _key, required=True)
    qualifiers = _qualifiers(fields)
    valid_from = fields.get("valid_from", _date)
    valid_to = fields.get("valid_to", _date)
    if valid_from is not None and valid_to is not None and valid_to.latest() < valid_from.earliest():
        fields.problem("valid_to", f"{valid_to} is before valid_from {valid_from}")
    if qualifiers.minutes_allowed is not None and qualifiers.minutes_less_than is not None:
        fields.problem("qualifiers", "give minutes_allowed (exact) or minutes_less_than (an upper bound), not both")
    citations = _citations(fields, required=True)
    if not fields.finish():
        return RelationDraft(subject, type_, obj, citations, None)
    relation = Relation(
        type=type_,
        subject=subject,
        object=obj,
        citations=citations,
        qualifiers=qualifiers,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return RelationDraft(subject, type_, obj, citations, relation)
