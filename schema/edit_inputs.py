"""Input types of the mutations, and their translation into seed-format records.

The write path validates records exactly as the loader validates seed
files (:mod:`journal.edits`), so every input here becomes the record a
researcher would have written in TOML (``seed/README.md``). Problems come
back with the seed's field names; :func:`input_path` turns them into the
input's own (``citation[0].attribution.count`` →
``citations[0].attribution.sourceCount``).
"""

from __future__ import annotations

import re
from typing import Any

import strawberry

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import Kind
from oversight_graph.journal.edits import EditRequest
from oversight_graph.schema.enums import (
    AccessStatus,
    AgreementStatus,
    AttributionKind,
    Confidence,
    DatePart,
    EntityKind,
    EventKind,
    IncidentKind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
    RelationType,
)
from oversight_graph.schema.errors import bad_input
from oversight_graph.schema.ids import key_from_id

__all__ = [
    "AttributionInput",
    "ChangeInput",
    "CitationInput",
    "DateInput",
    "DocumentInput",
    "EntityInput",
    "EntityPatchInput",
    "QualifiersInput",
    "RelationInput",
    "RelationPatchInput",
    "input_path",
]


@strawberry.input(description="A date as precise as the source allows, with the parts the editors inferred.")
class DateInput:
    date: PartialDate = strawberry.field(description="`YYYY`, `YYYY-MM` or `YYYY-MM-DD`.")
    inferred_parts: list[DatePart] | None = strawberry.field(
        default=None, description="Parts not stated by the source but inferred (e.g. the year of 'June 2')."
    )

    def record(self) -> Any:
        if not self.inferred_parts:
            return self.date.isoformat()
        return {"date": self.date.isoformat(), "inferred": sorted(p.value for p in self.inferred_parts)}


@strawberry.input(description="Who, according to the document, makes the claim.")
class AttributionInput:
    kind: AttributionKind = strawberry.field(
        description="Named person or organization, anonymous sources, or the document."
    )
    text: str | None = strawberry.field(
        default=None, description="How the document describes the source ('two government officials')."
    )
    source_count: int | None = strawberry.field(default=None, description="How many sources, where the document says.")
    speaker: strawberry.ID | None = strawberry.field(
        default=None, description="The speaking person or organization (id or key), when it is in the graph."
    )

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.name}
        if self.text is not None:
            out["text"] = self.text
        if self.source_count is not None:
            out["count"] = self.source_count
        if self.speaker is not None:
            out["speaker"] = key_from_id(self.speaker, "speaker")
        return out


@strawberry.input(description="A citation: a paragraph of a source document, the claim it supports, and who makes it.")
class CitationInput:
    document: strawberry.ID = strawberry.field(
        description="The source document (id or key, e.g. `doc/nyt-meta-ai-reviews`)."
    )
    paragraph: int = strawberry.field(description="Paragraph number within the document, from 1.")
    claim: str = strawberry.field(
        description="What the paragraph supports, in your own words (never a copied sentence)."
    )
    confidence: Confidence = strawberry.field(description="How firmly the paragraph supports the claim.")
    attribution: AttributionInput = strawberry.field(description="Who the document says makes the claim.")

    def record(self) -> dict[str, Any]:
        return {
            "document": key_from_id(self.document, "document"),
            "paragraph": self.paragraph,
            "claim": self.claim,
            "confidence": self.confidence.name,
            "attribution": self.attribution.record(),
        }


def _common(item: Any, out: dict[str, Any]) -> dict[str, Any]:
    """The fields every entity input shares, as seed fields."""
    for name, field in (("name", "name"), ("description", "description"), ("aliases", "aliases")):
        value = getattr(item, name)
        if value is not None:
            out[field] = list(value) if isinstance(value, list) else value
    if item.wikidata_id is not None:
        out["wikidata"] = item.wikidata_id
    if item.inferred_fields is not None:
        out["inferred"] = [_snake(n) for n in item.inferred_fields]
    if item.citations is not None:
        out["citation"] = [c.record() for c in item.citations]
    return out


_KIND_FIELDS: dict[Kind, tuple[tuple[str, str], ...]] = {
    Kind.ORGANIZATION: (("category", "category"), ("country", "country"), ("major_ai_developer", "major_ai_developer")),
    Kind.PERSON: (),
    Kind.AI_MODEL: (("access_status", "access_status"), ("release_date", "release_date")),
    Kind.ORDER: (("order_kind", "order_kind"), ("date_signed", "date_signed")),
    Kind.INCIDENT: (("incident_kind", "incident_kind"), ("occurred", "occurred")),
    Kind.AGREEMENT: (("agreement_status", "status"), ("date_signed", "date_signed")),
    Kind.EVENT: (("event_kind", "event_kind"), ("occurred", "occurred")),
    Kind.DOCUMENT: (("title", "title"), ("paragraphs", "paragraphs"), ("published", "published"), ("url", "url")),
    Kind.QUESTION: (("question_status", "status"),),
}
"""Per kind: input attribute → seed field."""

_ALL_KIND_FIELDS = {attr for pairs in _KIND_FIELDS.values() for attr, _ in pairs}


def _value(value: Any) -> Any:
    if isinstance(value, DateInput):
        return value.record()
    name = getattr(value, "_name_", None)
    return name if name is not None else value


def _specific(item: Any, kind: Kind, out: dict[str, Any], argument: str) -> dict[str, Any]:
    own = dict(_KIND_FIELDS[kind])
    for attr in sorted(_ALL_KIND_FIELDS):
        value = getattr(item, attr, None)
        if value is None:
            continue
        if attr not in own:
            raise bad_input(f"{_camel(attr)} is not a field of {kind.section} entities", f"{argument}.{_camel(attr)}")
        out[own[attr]] = _value(value)
    return out


@strawberry.input(description="The fields an entity may have; which apply depends on its kind.")
class _EntityFields:
    name: str | None = strawberry.field(default=None, description="Preferred name.")
    description: str | None = strawberry.field(default=None, description="What it is, in your own words.")
    aliases: list[str] | None = strawberry.field(default=None, description="Other names the sources use.")
    wikidata_id: str | None = strawberry.field(
        default=None, description="Wikidata item id (`Q380`), only where certain."
    )
    inferred_fields: list[str] | None = strawberry.field(
        default=None, description="Fields whose values the sources do not state (e.g. `name`)."
    )
    citations: list[CitationInput] | None = strawberry.field(
        default=None, description="Sources of the entity's own facts; every entity but a document needs one."
    )
    category: OrgCategory | None = strawberry.field(default=None, description="Organizations: what sort it is.")
    country: str | None = strawberry.field(default=None, description="Organizations: ISO 3166 alpha-2 code.")
    major_ai_developer: bool | None = strawberry.field(
        default=None, description="Organizations: whether the sources count it as a major AI developer."
    )
    access_status: AccessStatus | None = strawberry.field(
        default=None, description="Models: whether the public can use it."
    )
    release_date: DateInput | None = strawberry.field(default=None, description="Models: when it was released.")
    order_kind: OrderKind | None = strawberry.field(default=None, description="Orders: the legal form.")
    date_signed: DateInput | None = strawberry.field(default=None, description="Orders and agreements: when signed.")
    incident_kind: IncidentKind | None = strawberry.field(default=None, description="Incidents: what sort.")
    occurred: DateInput | None = strawberry.field(default=None, description="Incidents and events: when.")
    agreement_status: AgreementStatus | None = strawberry.field(default=None, description="Agreements: their status.")
    event_kind: EventKind | None = strawberry.field(default=None, description="Events: what sort.")
    title: str | None = strawberry.field(default=None, description="Documents: the title.")
    paragraphs: int | None = strawberry.field(
        default=None, description="Documents: how many paragraphs citations may use."
    )
    published: DateInput | None = strawberry.field(default=None, description="Documents: when published.")
    url: str | None = strawberry.field(default=None, description="Documents: where to read it.")
    question_status: QuestionStatus | None = strawberry.field(default=None, description="Questions: open or answered.")


@strawberry.input(description="A new entity: its kind, key and fields (the fields of other kinds must stay unset).")
class EntityInput(_EntityFields):
    kind: EntityKind = strawberry.field(
        description="The kind; the key's prefix must match it (`org/` for ORGANIZATION)."
    )
    key: str = strawberry.field(description="A new, readable, permanent key (`org/example-lab`).")

    def record(self) -> dict[str, Any]:
        return _specific(self, self.kind, _common(self, {"key": self.key}), "input")


@strawberry.input(description="A new source document whose paragraphs citations may point into.")
class DocumentInput:
    key: str = strawberry.field(description="A new key with the `doc/` prefix.")
    name: str = strawberry.field(description="A short name for the document.")
    description: str = strawberry.field(description="What the document is.")
    title: str = strawberry.field(description="Its title.")
    paragraphs: int = strawberry.field(description="How many paragraphs it has; citations may use 1 to this.")
    published: DateInput | None = strawberry.field(default=None, description="When it was published.")
    url: str | None = strawberry.field(default=None, description="Where to read it.")
    aliases: list[str] | None = strawberry.field(default=None, description="Other names.")

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "title": self.title,
            "paragraphs": self.paragraphs,
        }
        if self.published is not None:
            out["published"] = self.published.record()
        if self.url is not None:
            out["url"] = self.url
        if self.aliases is not None:
            out["aliases"] = list(self.aliases)
        return out


@strawberry.input(description="New values for some of an entity's fields; fields left out keep their values.")
class EntityPatchInput(_EntityFields):
    def fields(self, kind: Kind) -> dict[str, Any]:
        return _specific(self, kind, _common(self, {}), "set")


@strawberry.input(description="Details that refine a relation; the set replaces all of its qualifiers.")
class QualifiersInput:
    role: str | None = strawberry.field(default=None, description="The position a person holds.")
    channel: str | None = strawberry.field(default=None, description="How something was communicated.")
    purpose: str | None = strawberry.field(default=None, description="What the subject wanted to achieve.")
    reason: str | None = strawberry.field(default=None, description="Why it happened, as the source gives it.")
    days_allowed: int | None = strawberry.field(default=None, description="A time limit in days.")
    minutes_allowed: int | None = strawberry.field(default=None, description="A time limit in minutes.")
    deadline: DateInput | None = strawberry.field(default=None, description="The date by which something must be done.")
    note: str | None = strawberry.field(default=None, description="Any other detail, in your own words.")

    def record(self) -> dict[str, Any]:
        names = ("role", "channel", "purpose", "reason", "days_allowed", "minutes_allowed", "deadline", "note")
        return {n: _value(getattr(self, n)) for n in names if getattr(self, n) is not None}


@strawberry.input(description="A new relation: subject, type, object and at least one citation.")
class RelationInput:
    subject: strawberry.ID = strawberry.field(description="The entity it starts from (id or key).")
    type: RelationType = strawberry.field(description="The relation type; reads as a verb from subject to object.")
    object: strawberry.ID = strawberry.field(description="The entity it points to (id or key).")
    citations: list[CitationInput] = strawberry.field(description="Its sources; at least one.")
    qualifiers: QualifiersInput | None = strawberry.field(default=None, description="Optional details.")
    valid_from: DateInput | None = strawberry.field(default=None, description="When it started to be true, if known.")
    valid_to: DateInput | None = strawberry.field(default=None, description="When it stopped being true (exclusive).")

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subject": key_from_id(self.subject, "subject"),
            "type": self.type.name,
            "object": key_from_id(self.object, "object"),
            "citation": [c.record() for c in self.citations],
        }
        if self.qualifiers is not None:
            out["qualifiers"] = self.qualifiers.record()
        if self.valid_from is not None:
            out["valid_from"] = self.valid_from.record()
        if self.valid_to is not None:
            out["valid_to"] = self.valid_to.record()
        return out


@strawberry.input(description="New qualifiers or end date for a relation (its ends, type and start are its key).")
class RelationPatchInput:
    qualifiers: QualifiersInput | None = strawberry.field(default=None, description="Replaces all qualifiers.")
    valid_to: DateInput | None = strawberry.field(default=None, description="When it stopped being true.")

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.qualifiers is not None:
            out["qualifiers"] = self.qualifiers.record()
        if self.valid_to is not None:
            out["valid_to"] = self.valid_to.record()
        return out


@strawberry.input(description="`updateEntity` as one operation of `applyChanges`.")
class UpdateEntityInput:
    id: strawberry.ID = strawberry.field(description="The entity (id or key).")
    set: EntityPatchInput = strawberry.field(description="New field values.")
    unset: list[str] | None = strawberry.field(default=None, description="Optional fields to clear (`wikidataId`...).")


@strawberry.input(description="`updateRelation` as one operation of `applyChanges`.")
class UpdateRelationInput:
    id: strawberry.ID = strawberry.field(description="The relation (id or key).")
    set: RelationPatchInput = strawberry.field(description="New qualifiers or end date.")
    unset: list[str] | None = strawberry.field(default=None, description="`qualifiers` or `validTo` to clear.")


@strawberry.input(description="An entity or relation to retract, as one operation of `applyChanges`.")
class RetractInput:
    id: strawberry.ID = strawberry.field(description="Its id or key.")


@strawberry.input(description="`addCitation` as one operation of `applyChanges`.")
class AddCitationInput:
    target: strawberry.ID = strawberry.field(description="The entity or relation to cite (id or key).")
    citation: CitationInput = strawberry.field(description="The new citation.")


@strawberry.input(description="`removeCitation` as one operation of `applyChanges`.")
class RemoveCitationInput:
    target: strawberry.ID = strawberry.field(description="The entity or relation (id or key).")
    document: strawberry.ID = strawberry.field(description="The cited document (id or key).")
    paragraph: int = strawberry.field(description="The cited paragraph.")
    claim: str | None = strawberry.field(default=None, description="The claim, when several cite that paragraph.")


@strawberry.input(description="`mergeEntities` as one operation of `applyChanges`.")
class MergeInput:
    keep: strawberry.ID = strawberry.field(description="The entity that survives (id or key).")
    merge: strawberry.ID = strawberry.field(description="The entity merged into it (id or key).")


@strawberry.input(one_of=True, description="One operation of `applyChanges`: set exactly one field.")
class ChangeInput:
    create_entity: EntityInput | None = strawberry.field(
        default=strawberry.UNSET, description="Create an entity (as `createEntity`)."
    )
    update_entity: UpdateEntityInput | None = strawberry.field(
        default=strawberry.UNSET, description="Change an entity's fields (as `updateEntity`)."
    )
    retract_entity: RetractInput | None = strawberry.field(
        default=strawberry.UNSET, description="Retract an entity and its relations (as `retractEntity`)."
    )
    add_relation: RelationInput | None = strawberry.field(
        default=strawberry.UNSET, description="Add a relation (as `addRelation`)."
    )
    update_relation: UpdateRelationInput | None = strawberry.field(
        default=strawberry.UNSET, description="Change a relation's qualifiers or end (as `updateRelation`)."
    )
    retract_relation: RetractInput | None = strawberry.field(
        default=strawberry.UNSET, description="Retract a relation (as `retractRelation`)."
    )
    add_citation: AddCitationInput | None = strawberry.field(
        default=strawberry.UNSET, description="Cite an entity or relation (as `addCitation`)."
    )
    remove_citation: RemoveCitationInput | None = strawberry.field(
        default=strawberry.UNSET, description="Remove a citation (as `removeCitation`)."
    )
    add_document: DocumentInput | None = strawberry.field(
        default=strawberry.UNSET, description="Add a source document (as `addDocument`)."
    )
    merge_entities: MergeInput | None = strawberry.field(
        default=strawberry.UNSET, description="Admin only: merge two entities (as `mergeEntities`)."
    )


# -- requests ---------------------------------------------------------------------------
def entity_key(value: str, argument: str) -> str:
    """An entity key from an id argument; :class:`~schema.errors.ApiError` for a relation id."""
    key = key_from_id(value, argument)
    if "|" in key:
        raise bad_input(f"{argument} must name an entity, not a relation", argument)
    return key


def relation_key_of(value: str, argument: str) -> str:
    """A relation key from an id argument."""
    key = key_from_id(value, argument)
    if "|" not in key:
        raise bad_input(f"{argument} must name a relation, not an entity", argument)
    return key


def unset_fields(names: list[str] | None) -> list[str]:
    """Input field names (camelCase) to clear, as seed field names."""
    renamed = {"wikidataId": "wikidata", "inferredFields": "inferred", "citations": "citation"}
    return [renamed.get(n, _snake(n)) for n in names or []]


def update_entity_request(
    kind: Kind, key: str, patch: EntityPatchInput, unset: list[str] | None, path: str
) -> EditRequest:
    """The ``updateEntity`` request of a patch."""
    return EditRequest("updateEntity", {"key": key, "set": patch.fields(kind), "unset": unset_fields(unset)}, path)


def change_request(change: ChangeInput, path: str, kind_of: Any) -> EditRequest:
    """The request of one ``applyChanges`` operation; ``kind_of(key)`` gives an entity's kind."""
    if change.create_entity:
        return EditRequest("createEntity", {"record": change.create_entity.record()}, f"{path}.createEntity")
    if change.add_document:
        return EditRequest("addDocument", {"record": change.add_document.record()}, f"{path}.addDocument")
    if change.update_entity:
        item = change.update_entity
        key = entity_key(item.id, f"{path}.updateEntity.id")
        return update_entity_request(kind_of(key), key, item.set, item.unset, f"{path}.updateEntity")
    if change.retract_entity:
        key = entity_key(change.retract_entity.id, f"{path}.retractEntity.id")
        return EditRequest("retractEntity", {"key": key}, f"{path}.retractEntity")
    if change.add_relation:
        return EditRequest("addRelation", {"record": change.add_relation.record()}, f"{path}.addRelation")
    if change.update_relation:
        item2 = change.update_relation
        key = relation_key_of(item2.id, f"{path}.updateRelation.id")
        args = {"key": key, "set": item2.set.fields(), "unset": unset_fields(item2.unset)}
        return EditRequest("updateRelation", args, f"{path}.updateRelation")
    if change.retract_relation:
        key = relation_key_of(change.retract_relation.id, f"{path}.retractRelation.id")
        return EditRequest("retractRelation", {"key": key}, f"{path}.retractRelation")
    if change.add_citation:
        item3 = change.add_citation
        args = {"target": key_from_id(item3.target, "target"), "citation": item3.citation.record()}
        return EditRequest("addCitation", args, f"{path}.addCitation")
    if change.remove_citation:
        item4 = change.remove_citation
        args = {
            "target": key_from_id(item4.target, "target"),
            "document": key_from_id(item4.document, "document"),
            "paragraph": item4.paragraph,
            "claim": item4.claim,
        }
        return EditRequest("removeCitation", args, f"{path}.removeCitation")
    if change.merge_entities:
        item5 = change.merge_entities
        args = {"keep": entity_key(item5.keep, "keep"), "merge": entity_key(item5.merge, "merge")}
        return EditRequest("mergeEntities", args, f"{path}.mergeEntities")
    raise bad_input("set exactly one operation", path)


# -- problem paths ----------------------------------------------------------------------
_SEED_TO_INPUT = {
    "citation": "citations",
    "wikidata": "wikidataId",
    "inferred": "inferredFields",
    "count": "sourceCount",
    "record": "",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def input_path(path: str, field: str) -> str:
    """Where in the input a problem with seed field ``field`` of request ``path`` lies.

    Examples
    --------
    >>> input_path("input", "citation[0].attribution.count")
    'input.citations[0].attribution.sourceCount'
    >>> input_path("operations[1].createEntity", "")
    'operations[1].createEntity'
    """
    parts = []
    for segment in field.split(".") if field else []:
        name, bracket, rest = segment.partition("[")
        name = _SEED_TO_INPUT.get(name, _camel(name))
        parts.append(name + (bracket + rest if bracket else ""))
    return ".".join([path, *[p for p in parts if p]])
