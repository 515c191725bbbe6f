"""Fast construction of valid records, for loading large datasets.

:mod:`graph.records` checks a record field by field and reports every
problem precisely; that costs tens of microseconds per record, which adds
up to minutes for millions of relations. The functions here build the same
objects from records that are *plainly* valid, in a fraction of the time,
and give up (return ``None``) at the first thing they do not expect. The
loader then runs the detailed checks on that record, which either accept it
after all (e.g. a name with surrounding spaces, which they trim) or report
exactly what is wrong. So the fast path never accepts a record the detailed
checks would reject, and never reports anything itself.

An :class:`Interner` shares equal values between records — attributions,
dates, qualifiers and entity keys — so that a million records citing the
same kind of source do not each hold a copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import (
    AccessStatus,
    AgreementStatus,
    AttributionKind,
    Confidence,
    EventKind,
    IncidentKind,
    Kind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.errors import InvalidDate
from oversight_graph.graph.model import (
    EMPTY_QUALIFIERS,
    ENTITY_CLASSES,
    QUALIFIER_FIELDS,
    Attribution,
    Citation,
    Document,
    Entity,
    Qualifiers,
    Relation,
    kind_of_key,
)
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["Interner", "fast_entity", "fast_relation"]


class _GiveUp(Exception):
    """The record is not plainly valid; the detailed checks must look at it."""


def _names(enum: Any) -> dict[str, Any]:
    return {member.name: member for member in enum}


_TYPES = _names(RelationType)
_CONFIDENCES = _names(Confidence)
_ATTRIBUTIONS = _names(AttributionKind)
_ENUM_FIELDS: dict[str, dict[str, Any]] = {
    "category": _names(OrgCategory),
    "access_status": _names(AccessStatus),
    "order_kind": _names(OrderKind),
    "incident_kind": _names(IncidentKind),
    "status": {},  # depends on the kind, see _STATUS
    "event_kind": _names(EventKind),
}
_STATUS = {Kind.AGREEMENT: _names(AgreementStatus), Kind.QUESTION: _names(QuestionStatus)}
_DATE_FIELDS = frozenset({"release_date", "date_signed", "occurred", "published", "ended"})
_REQUIRED = {
    Kind.ORGANIZATION: ("category",),
    Kind.INCIDENT: ("incident_kind",),
    Kind.AGREEMENT: ("status",),
    Kind.EVENT: ("event_kind",),
    Kind.DOCUMENT: ("title", "paragraphs"),
}
_SPECIFIC = {
    Kind.ORGANIZATION: frozenset({"category", "country", "major_ai_developer", "ended"}),
    Kind.PERSON: frozenset(),
    Kind.AI_MODEL: frozenset({"access_status", "release_date"}),
    Kind.ORDER: frozenset({"order_kind", "date_signed"}),
    Kind.INCIDENT: frozenset({"incident_kind", "occurred"}),
    Kind.AGREEMENT: frozenset({"status", "date_signed"}),
    Kind.EVENT: frozenset({"event_kind", "occurred"}),
    Kind.DOCUMENT: frozenset({"title", "paragraphs", "published", "url"}),
    Kind.QUESTION: frozenset({"status"}),
}
_COMMON = frozenset({"key", "name", "description", "aliases", "wikidata", "inferred", "citation"})
_RELATION_FIELDS = frozenset({"subject", "type", "object", "qualifiers", "valid_from", "valid_to", "citation"})
_ATTRIBUTION_FIELDS = frozenset({"kind", "text", "count", "speaker"})


class Interner:
    """Shares equal values between records while a dataset loads.

    Parameters
    ----------
    entities
        The entities loaded so far by key; a relation or citation naming one
        of them refers to that entity's own key string rather than a copy.
    """

    def __init__(self, entities: Mapping[str, Entity] | None = None) -> None:
        self._entities: Mapping[str, Entity] = entities if entities is not None else {}
        # The loaded documents apart (the loader adds them): citations look
        # them up, and a small table is quicker than the whole graph's.
        self.documents: dict[str, Document] = {}
        self._attributions: dict[tuple[Any, ...], Attribution] = {}
        self._raw_attributions: dict[tuple[Any, ...], Attribution] = {}
        self._raw_qualifiers: dict[tuple[Any, ...], Qualifiers] = {}
        self._dates: dict[Any, PartialDate] = {}
        self._qualifiers: dict[tuple[Any, ...], Qualifiers] = {}
        self._supports: dict[tuple[str, ...], tuple[str, ...]] = {}

    def entity(self, value: Any) -> Entity | None:
        """The loaded entity with key ``value``, if any."""
        return self._entities.get(value) if type(value) is str else None

    def key(self, value: Any, kind: Kind | None = None) -> str:
        """The shared string for an entity key, checking its form (and kind) if it is new."""
        if type(value) is not str:
            raise _GiveUp
        entity = self._entities.get(value)
        if entity is not None:
            if kind is not None and entity.kind is not kind:
                raise _GiveUp
            return entity.key
        found = kind_of_key(value)
        if found is None or (kind is not None and found is not kind):
            raise _GiveUp
        return value

    def attribution(self, raw: Any) -> Attribution:
        if type(raw) is not dict or not raw.keys() <= _ATTRIBUTION_FIELDS:
            raise _GiveUp
        # The raw values identify the attribution: equal raw values were
        # checked when first seen, so a repeat needs no checks.
        # (The type of the count is part of it: 1, 1.0 and true are equal in Python.)
        count = raw.get("count")
        seen = (raw.get("kind"), raw.get("text"), count, type(count), raw.get("speaker"))
        try:
            found = self._raw_attributions.get(seen)
        except TypeError:  # an unhashable value: let the checks below report it
            found = None
        if found is not None:
            return found
        kind = _ATTRIBUTIONS[raw["kind"]]
        text = _text(raw["text"]) if "text" in raw else ""
        count = raw.get("count")
        speaker = raw.get("speaker")
        if count is not None and (type(count) is not int or count < 1):
            raise _GiveUp
        if speaker is not None:
            speaker = self.key(speaker)
        signature = (kind, text, count, speaker)
        found = self._attributions.get(signature)
        if found is None:
            found = self._attributions[signature] = Attribution(kind, text, count, speaker)
        self._raw_attributions[seen] = found
        return found

    def date(self, raw: Any) -> PartialDate:
        if type(raw) is str:
            signature: Any = raw
        elif type(raw) is dict and raw.keys() <= {"date", "inferred"} and type(raw.get("inferred", [])) is list:
            if not all(type(part) is str for part in raw.get("inferred", ())):
                raise _GiveUp
            signature = (raw.get("date"), tuple(raw.get("inferred", ())))
        else:
            raise _GiveUp
        found = self._dates.get(signature)
        if found is None:
            try:
                if type(raw) is str:
                    found = PartialDate.parse(raw)
                else:
                    found = PartialDate.parse(raw["date"], raw.get("inferred", ()))
            except (InvalidDate, TypeError, KeyError):
                raise _GiveUp from None
            self._dates[signature] = found
        return found

    def supports(self, raw: Any, facts: frozenset[str]) -> tuple[str, ...]:
        """The field names a citation supports, one shared tuple per distinct list."""
        if type(raw) is not list or not all(type(name) is str and name in facts for name in raw):
            raise _GiveUp
        names = tuple(raw)
        return self._supports.setdefault(names, names)

    def qualifiers(self, raw: Any) -> Qualifiers:
        if raw is None:
            return EMPTY_QUALIFIERS
        if type(raw) is not dict or not raw:
            raise _GiveUp
        try:
            seen: Any = tuple((name, value, type(value)) for name, value in raw.items())
            found = self._raw_qualifiers.get(seen)
        except TypeError:  # a date table: not hashable, checked below
            seen, found = None, None
        if found is not None:
            return found
        values: dict[str, Any] = {}
        for name, value in raw.items():
            spec = QUALIFIER_FIELDS.get(name)
            if spec is None:
                raise _GiveUp
            kind = spec[0]
            if kind is str:
                _text(value)
            elif kind is int:
                if type(value) is not int or value < 1:
                    raise _GiveUp
            else:
                value = self.date(value)
            values[name] = value
        signature = tuple(sorted(values.items(), key=lambda item: item[0]))
        found = self._qualifiers.get(signature)
        if found is None:
            found = self._qualifiers[signature] = Qualifiers(**values)
        if seen is not None:
            self._raw_qualifiers[seen] = found
        return found


def _text(value: Any) -> str:
    if type(value) is not str or not value or value[0].isspace() or value[-1].isspace():
        raise _GiveUp
    return value


_SPEAKER_KINDS = {
    AttributionKind.NAMED_PERSON: frozenset({Kind.PERSON}),
    AttributionKind.NAMED_ORGANIZATION: frozenset({Kind.ORGANIZATION}),
}
_ANY_SPEAKER = frozenset({Kind.PERSON, Kind.ORGANIZATION})


def _citations(
    raw: Any, interner: Interner, required: bool, facts: frozenset[str] = frozenset()
) -> tuple[tuple[Citation, ...], bool]:
    """The citations, and whether every document and speaker they name is already loaded (and fits).

    ``facts`` are the fields an entity's citation may name in ``supports``.
    """
    if raw is None:
        if required:
            raise _GiveUp
        return (), True
    if type(raw) is not list or not raw:
        raise _GiveUp
    result = []
    resolved = True
    claim_seen: str | None = None
    entity = interner.entity
    documents = interner.documents
    for item in raw:
        # Exactly the five fields (and `supports`): with five entries, reading all five checks that.
        if type(item) is not dict:
            raise _GiveUp
        supports: tuple[str, ...] = ()
        if len(item) != 5:
            if len(item) != 6 or "supports" not in item:
                raise _GiveUp
            supports = interner.supports(item["supports"], facts)
        paragraph = item["paragraph"]
        claim = item["claim"]
        confidence = _CONFIDENCES[item["confidence"]]
        if type(paragraph) is not int or paragraph < 1:
            raise _GiveUp
        if type(claim) is not str or not claim or claim[0].isspace() or claim[-1].isspace():
            raise _GiveUp
        if claim == claim_seen:
            claim = claim_seen  # one string for a claim repeated across citations
        claim_seen = claim
        raw_document = item["document"]
        document = documents.get(raw_document) if type(raw_document) is str else None
        if document is None:
            if entity(raw_document) is not None:
                raise _GiveUp  # an entity, but not a document: the detailed checks say so
            key = interner.key(raw_document, Kind.DOCUMENT)
            resolved = False
        elif paragraph > document.paragraphs:
            raise _GiveUp  # the detailed checks say what is wrong
        else:
            key = document.key
        attribution = interner.attribution(item["attribution"])
        if attribution.speaker is not None:
            speaker = entity(attribution.speaker)
            if speaker is None:
                resolved = False
            elif speaker.kind not in _SPEAKER_KINDS.get(attribution.kind, _ANY_SPEAKER):
                raise _GiveUp
        result.append(Citation(key, paragraph, claim, attribution, confidence, supports))
    return tuple(result), resolved


# A frozen dataclass's __init__ sets every field through object.__setattr__,
# which costs more than the rest of building a relation; the slot
# descriptors set the same fields directly.
_FIELDS = ("type", "subject", "object", "citations", "qualifiers", "valid_from", "valid_to")
if tuple(f.name for f in fields(Relation)) != _FIELDS:  # pragma: no cover - a guard for whoever edits Relation
    raise ImportError("graph.bulk builds Relation field by field: update _new_relation to its fields")
_TYPE, _SUBJECT, _OBJECT, _CITATIONS, _QUALIFIERS, _FROM, _TO = (Relation.__dict__[name].__set__ for name in _FIELDS)


def _new_relation(
    type_: RelationType,
    subject: str,
    obj: str,
    citations: tuple[Citation, ...],
    qualifiers: Qualifiers,
    valid_from: PartialDate | None,
    valid_to: PartialDate | None,
) -> Relation:
    """A :class:`Relation` from its field values, without running ``__init__``."""
    relation: Relation = object.__new__(Relation)
    _TYPE(relation, type_)
    _SUBJECT(relation, subject)
    _OBJECT(relation, obj)
    _CITATIONS(relation, citations)
    _QUALIFIERS(relation, qualifiers)
    _FROM(relation, valid_from)
    _TO(relation, valid_to)
    return relation


def fast_relation(data: Mapping[str, Any], interner: Interner) -> tuple[Relation, bool] | None:
    """The relation a plainly valid record describes, or ``None`` to check it in detail.

    With it comes whether every entity it names (ends, documents, speakers)
    is already loaded; when so, all its references have been checked here
    too. When not, the loader checks them once everything is loaded.
    """
    try:
        if not data.keys() <= _RELATION_FIELDS:
            return None
        type_ = _TYPES[data["type"]]
        subject_entity = interner.entity(data["subject"])
        object_entity = interner.entity(data["object"])
        resolved = subject_entity is not None and object_entity is not None
        if subject_entity is not None:
            if subject_entity.kind not in type_.subjects:
                return None
            subject = subject_entity.key
        else:
            subject = interner.key(data["subject"])
        if object_entity is not None:
            if object_entity.kind not in type_.objects:
                return None
            obj = object_entity.key
        else:
            obj = interner.key(data["object"])
        if subject == obj:
            return None
        valid_from = interner.date(data["valid_from"]) if "valid_from" in data else None
        valid_to = interner.date(data["valid_to"]) if "valid_to" in data else None
        if valid_from is not None and valid_to is not None and valid_to.latest() < valid_from.earliest():
            return None
        citations, cited = _citations(data.get("citation"), interner, True)
        relation = _new_relation(
            type_, subject, obj, citations, interner.qualifiers(data.get("qualifiers")), valid_from, valid_to
        )
    except (_GiveUp, KeyError, TypeError):
        return None
    return relation, resolved and cited


def fast_entity(kind: Kind, data: Mapping[str, Any], interner: Interner) -> tuple[Entity, bool] | None:
    """The entity a plainly valid record describes, or ``None`` to check it in detail.

    With it comes whether the documents and speakers its citations name are
    already loaded, in which case they have been checked here.
    """
    try:
        specific = _SPECIFIC[kind]
        if not data.keys() <= _COMMON | specific:
            return None
        key = data["key"]
        if type(key) is not str or kind_of_key(key) is not kind:
            return None
        values: dict[str, Any] = {"key": key, "name": _text(data["name"]), "description": _text(data["description"])}
        aliases = data.get("aliases")
        if aliases is not None:
            if type(aliases) is not list:
                return None
            values["aliases"] = tuple(_text(a) for a in aliases)
        inferred = data.get("inferred")
        if inferred is not None:
            if type(inferred) is not list or not all(type(n) is str and n in _COMMON | specific for n in inferred):
                return None
            values["inferred"] = tuple(inferred)
        if "wikidata" in data:
            return None  # rare: let the detailed checks validate the id
        for name in _REQUIRED.get(kind, ()):
            if name not in data:
                return None
        for name in specific:
            if name not in data:
                continue
            value = data[name]
            if name in _DATE_FIELDS:
                values[name] = interner.date(value)
            elif name == "status":
                values[name] = _STATUS[kind][value]
            elif name in _ENUM_FIELDS:
                values[name] = _ENUM_FIELDS[name][value]
            elif name == "major_ai_developer":
                if type(value) is not bool:
                    return None
                values[name] = value
            elif name == "paragraphs":
                if type(value) is not int or value < 1:
                    return None
                values[name] = value
            else:  # country, title, url
                values[name] = _text(value)
                if name == "country" and not (
                    len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()
                ):
                    return None
        values["citations"], resolved = _citations(data.get("citation"), interner, kind is not Kind.DOCUMENT, specific)
        entity = ENTITY_CLASSES[kind](**values)
    except (_GiveUp, KeyError, TypeError):
        return None
    return entity, resolved
