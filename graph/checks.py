"""Editorial rules: mistakes in what a record claims that a rule can catch.

The record parser (:mod:`graph.records`) checks each field's form and the
loader (:mod:`graph.load`) checks references. The rules here check that a
record does not claim more than its citations support:

``unsupported-field``
    An entity's fact field (a status, a date, a country...) that no citation
    names in ``supports`` and that is not listed under ``inferred``; or one
    that only ``INFERRED`` citations support, yet is not listed there.
``inferred-only``
    A relation whose every citation is ``INFERRED`` while none is the
    editors' ``BACKGROUND_KNOWLEDGE``: an inference the cited paragraphs do
    not state, presented as if they did.
``background-confidence``
    A ``BACKGROUND_KNOWLEDGE`` citation whose confidence is not ``INFERRED``:
    the editors' own knowledge is never the source's statement.
``inferred-without-value``
    A field listed under ``inferred`` that the entity does not have.
``ended-without-valid-to``
    A lasting relation (a post, a membership: see
    :attr:`~graph.vocabulary.RelationType.lasting`) with an organization
    that has ceased to exist (``ended``) but no ``valid_to``, so it reads as
    still true; or a ``valid_to`` after that end.

Each rule is a plain function of the record (and, for relations, a lookup
of the entities at its ends), so the same rules apply to a whole loaded
directory and to a single write. They return ``(field, message)`` pairs;
the caller adds the file and record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields

from oversight_graph.graph.enums import AttributionKind, Confidence, Kind
from oversight_graph.graph.model import ENTITY_CLASSES, Citation, Entity, Relation
from oversight_graph.graph.vocabulary import LASTING as _LASTING

__all__ = ["FACT_FIELDS", "RULES", "entity_problems", "relation_problems"]

FACT_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.ORGANIZATION: ("country", "major_ai_developer", "ended"),
    Kind.PERSON: (),
    Kind.AI_MODEL: ("access_status", "release_date"),
    Kind.ORDER: ("date_signed",),
    Kind.INCIDENT: ("occurred",),
    Kind.AGREEMENT: ("status", "date_signed"),
    Kind.EVENT: ("occurred",),
    Kind.DOCUMENT: (),  # the sources themselves
    Kind.QUESTION: (),  # whether a question is open is the graph's own bookkeeping
}
"""Fields that state a fact about the world, by kind: each needs a supporting citation or an ``inferred`` mark.

Classifications (``category``, ``event_kind``...) are the editors' filing,
not claims of the source, and are not listed.
"""

RULES: dict[str, str] = {
    "unsupported-field": "An entity fact field needs a citation naming it in `supports`, or a place under `inferred`.",
    "inferred-only": "A relation cited only by INFERRED citations must cite the editors' BACKGROUND_KNOWLEDGE.",
    "background-confidence": "A BACKGROUND_KNOWLEDGE citation must have confidence INFERRED.",
    "inferred-without-value": "A field listed under `inferred` must have a value.",
    "ended-without-valid-to": "A lasting relation with an organization that has ended needs a valid_to, not after the end.",
}
"""Every rule's name and what it asks for."""

Found = list[tuple[str, str]]

_DEFAULTS = {
    kind: {f.name: (None if f.default is MISSING else f.default) for f in fields(cls)}
    for kind, cls in ENTITY_CLASSES.items()
}
# Each kind's fact fields with the default that states nothing (loads call this per entity).
_FACTS = {kind: tuple((name, _DEFAULTS[kind][name]) for name in names) for kind, names in FACT_FIELDS.items()}
_INFERRED = Confidence.INFERRED
_BACKGROUND = AttributionKind.BACKGROUND_KNOWLEDGE


def _background(citations: tuple[Citation, ...], found: Found) -> None:
    for index, citation in enumerate(citations):
        if (
            citation.attribution.kind is AttributionKind.BACKGROUND_KNOWLEDGE
            and citation.confidence is not Confidence.INFERRED
        ):
            found.append(
                (
                    f"citation[{index}].confidence",
                    f"background-confidence: a BACKGROUND_KNOWLEDGE citation is the editors' knowledge, "
                    f"not the source's statement; its confidence must be INFERRED, not {citation.confidence.name}",
                )
            )


def entity_problems(entity: Entity) -> Found:
    """The editorial rules an entity breaks, as ``(field, message)`` pairs.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> from dataclasses import replace
    >>> meta = sample_store().entity("org/meta")
    >>> entity_problems(meta)
    []
    >>> entity_problems(replace(meta, citations=()))
    [('major_ai_developer', "unsupported-field: True is not supported by any citation; name 'major_ai_developer' in a citation's `supports`, or list it under `inferred`")]
    """
    found: Found = []
    for name, default in _FACTS[entity.kind]:
        value = getattr(entity, name)
        if value is None or value == default or name in entity.inferred:
            continue
        shown = getattr(value, "_name_", value)
        backing = [c for c in entity.citations if name in c.supports]
        if not backing:
            found.append(
                (
                    name,
                    f"unsupported-field: {shown} is not supported by any citation; "
                    f"name {name!r} in a citation's `supports`, or list it under `inferred`",
                )
            )
        elif all(c.confidence is Confidence.INFERRED for c in backing):
            found.append(
                (
                    name,
                    f"unsupported-field: {shown} is supported only by INFERRED citations; list {name!r} under `inferred`",
                )
            )
    for name in entity.inferred:
        if name != "name" and getattr(entity, name, None) in (None, ()):
            found.append(("inferred", f"inferred-without-value: {name!r} is listed but the entity has no {name}"))
    for citation in entity.citations:
        if citation.attribution.kind is _BACKGROUND:
            _background(entity.citations, found)
            break
    return found


def relation_problems(relation: Relation, entity: Callable[[str], Entity | None]) -> Found:
    """The editorial rules a relation breaks, as ``(field, message)`` pairs.

    ``entity`` looks up the entities at its ends (``store.get``); an end it
    does not find is not checked.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> relation_problems(store.relation("org/anthropic|DEVELOPED|model/fable-5"), store.get)
    []
    """
    found: Found = []
    citations = relation.citations
    inferred_only = bool(citations)
    background = False
    for citation in citations:  # one pass: this runs for every relation a load reads
        if citation.confidence is not _INFERRED:
            inferred_only = False
        if citation.attribution.kind is _BACKGROUND:
            background = True
    if inferred_only and not background:
        found.append(
            (
                "citation",
                "inferred-only: every citation is INFERRED and none is the editors' BACKGROUND_KNOWLEDGE; "
                "cite a paragraph that states it, or say that it is the editors' knowledge",
            )
        )
    if background:
        _background(citations, found)
    if relation.type in _LASTING:
        for key in (relation.subject, relation.object):
            end = entity(key)
            ended = getattr(end, "ended", None)
            if ended is None:
                continue
            if relation.valid_to is None:
                found.append(
                    (
                        "valid_to",
                        f"ended-without-valid-to: {key!r} ceased to exist ({ended}), but this {relation.type.name} "
                        "has no valid_to and so reads as still true",
                    )
                )
            elif relation.valid_to.earliest() > ended.latest():
                found.append(
                    (
                        "valid_to",
                        f"ended-without-valid-to: {relation.valid_to} is after {key!r} ceased to exist ({ended})",
                    )
                )
    return found
