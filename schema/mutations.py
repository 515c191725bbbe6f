"""The root ``Mutation`` type: every change to the graph, as an attributed change set.

Each resolver turns its input into edit requests (:mod:`schema.edit_inputs`)
and hands them to the write path (``Context.writer``, :mod:`journal.writer`),
which checks the token's role, validates them as the loader validates files,
records them durably and applies them. Every mutation takes a ``reason``
(an edit summary) and an optional ``expectedVersion``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from graphql import FieldNode, FragmentDefinitionNode, InlineFragmentNode, OperationDefinitionNode

from oversight_graph.graph import model as gm
from oversight_graph.journal.changes import ChangeSet as JournalChangeSet
from oversight_graph.journal.changes import Role
from oversight_graph.journal.edits import OPERATIONS, EditRequest
from oversight_graph.journal.errors import JournalUnavailable
from oversight_graph.schema.context import Info
from oversight_graph.schema.edit_inputs import (
    ChangeInput,
    CitationInput,
    DocumentInput,
    EntityInput,
    EntityPatchInput,
    RelationInput,
    RelationPatchInput,
    change_request,
    entity_key,
    relation_key_of,
    unset_fields,
    update_entity_request,
)
from oversight_graph.schema.history import ChangeSet
from oversight_graph.schema.ids import key_from_id
from oversight_graph.schema.types import Entity, Relation

__all__ = ["Mutation", "required_role"]

Reason = Annotated[
    str, strawberry.argument(description="Why you make this change, like an edit summary; shown in the history.")
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The graph version your change is based on; if the graph has moved past it, the mutation fails "
        "with VERSION_CONFLICT and changes nothing."
    ),
]


@strawberry.type(
    description="What a mutation did: the new graph version, its change set, and the records as they now stand."
)
class ChangePayload:
    version: int = strawberry.field(description="The graph version the change created.")
    change_set: ChangeSet = strawberry.field(description="The recorded change set (who, when, why, what).")
    entity: Entity | None = strawberry.field(
        description="The entity the mutation is about, as it now stands (null once retracted)."
    )
    relation: Relation | None = strawberry.field(
        description="The relation the mutation is about, as it now stands (null once retracted)."
    )


def _submit(info: Info, reason: str, expected: int | None, requests: Sequence[EditRequest]) -> JournalChangeSet:
    writer = info.context.writer
    if writer is None:
        raise JournalUnavailable("this server has no journal: it serves a fixed graph and accepts no changes")
    return writer.submit(info.context.actor, reason, requests, expected)


def _payload(
    info: Info, change: JournalChangeSet, entity: str | None = None, relation: str | None = None
) -> ChangePayload:
    store = info.context.store
    found_relation: gm.Relation | None = None
    if relation is not None:
        try:
            found_relation = store.relation(relation)
        except KeyError:
            found_relation = None
    return ChangePayload(
        version=change.version,
        change_set=change,  # type: ignore[arg-type]
        entity=store.get(entity) if entity is not None else None,  # type: ignore[arg-type]
        relation=found_relation,  # type: ignore[arg-type]
    )


def _kind(info: Info, key: str) -> Any:
    entity = info.context.store.get(key)
    if entity is None:
        from oversight_graph.graph.errors import UnknownEntity

        raise UnknownEntity(key)
    return entity.kind


def _relation_key(record: dict[str, Any]) -> str:
    from oversight_graph.graph.dates import PartialDate
    from oversight_graph.graph.model import relation_key
    from oversight_graph.graph.vocabulary import RelationType

    start = record.get("valid_from")
    date = None
    if start is not None:
        text = start["date"] if isinstance(start, dict) else start
        date = PartialDate.parse(text)
    return relation_key(record["subject"], RelationType[record["type"]], record["object"], date)


@strawberry.type(
    description="Changes to the graph. Each needs an API token (`Authorization: Bearer ...`) of the editor role, or admin where noted."
)
class Mutation:
    @strawberry.mutation(description="Create an entity of any kind.")
    def create_entity(
        self,
        info: Info,
        input: Annotated[EntityInput, strawberry.argument(description="The new entity.")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        record = input.record()
        change = _submit(info, reason, expected_version, [EditRequest("createEntity", {"record": record})])
        return _payload(info, change, entity=record["key"])

    @strawberry.mutation(description="Change some fields of an entity; its key never changes.")
    def update_entity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entity (id or key).")],
        set: Annotated[EntityPatchInput, strawberry.argument(description="New values for some fields.")],
        reason: Reason,
        unset: Annotated[
            list[str] | None, strawberry.argument(description="Optional fields to clear (e.g. `wikidataId`).")
        ] = None,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = info.context.store.resolve(entity_key(id, "id"))
        request = update_entity_request(_kind(info, key), key, set, unset, "set")
        return _payload(info, _submit(info, reason, expected_version, [request]), entity=key)

    @strawberry.mutation(description="Retract an entity and its relations: gone from current reads, kept in `history`.")
    def retract_entity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entity (id or key).")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = entity_key(id, "id")
        change = _submit(info, reason, expected_version, [EditRequest("retractEntity", {"key": key}, "id")])
        return _payload(info, change, entity=key)

    @strawberry.mutation(description="Add a new cited relation between two entities.")
    def add_relation(
        self,
        info: Info,
        input: Annotated[RelationInput, strawberry.argument(description="The new relation.")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        record = input.record()
        change = _submit(info, reason, expected_version, [EditRequest("addRelation", {"record": record})])
        return _payload(info, change, relation=_relation_key(record))

    @strawberry.mutation(description="Change a relation's qualifiers or end date.")
    def update_relation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The relation (id or key).")],
        set: Annotated[RelationPatchInput, strawberry.argument(description="New qualifiers or end date.")],
        reason: Reason,
        unset: Annotated[
            list[str] | None, strawberry.argument(description="`qualifiers` or `validTo` to clear.")
        ] = None,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = relation_key_of(id, "id")
        args = {"key": key, "set": set.fields(), "unset": unset_fields(unset)}
        change = _submit(info, reason, expected_version, [EditRequest("updateRelation", args, "set")])
        return _payload(info, change, relation=key)

    @strawberry.mutation(description="Retract a relation: gone from current reads, kept in `history`.")
    def retract_relation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The relation (id or key).")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = relation_key_of(id, "id")
        change = _submit(info, reason, expected_version, [EditRequest("retractRelation", {"key": key}, "id")])
        return _payload(info, change, relation=key)

    @strawberry.mutation(description="Add a citation to an entity or a relation.")
    def add_citation(
        self,
        info: Info,
        target: Annotated[strawberry.ID, strawberry.argument(description="The entity or relation (id or key).")],
        citation: Annotated[CitationInput, strawberry.argument(description="The new citation.")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = key_from_id(target, "target")
        args = {"target": key, "citation": citation.record()}
        change = _submit(info, reason, expected_version, [EditRequest("addCitation", args, "citation")])
        return _payload(info, change, **_which(info, key))

    @strawberry.mutation(description="Remove a citation from an entity or a relation (a relation keeps at least one).")
    def remove_citation(
        self,
        info: Info,
        target: Annotated[strawberry.ID, strawberry.argument(description="The entity or relation (id or key).")],
        document: Annotated[strawberry.ID, strawberry.argument(description="The cited document (id or key).")],
        paragraph: Annotated[int, strawberry.argument(description="The cited paragraph.")],
        reason: Reason,
        claim: Annotated[
            str | None, strawberry.argument(description="The claim, when several citations share the paragraph.")
        ] = None,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        key = key_from_id(target, "target")
        args = {"target": key, "document": key_from_id(document, "document"), "paragraph": paragraph, "claim": claim}
        change = _submit(info, reason, expected_version, [EditRequest("removeCitation", args)])
        return _payload(info, change, **_which(info, key))

    @strawberry.mutation(description="Add a source document, so that citations can point into its paragraphs.")
    def add_document(
        self,
        info: Info,
        input: Annotated[DocumentInput, strawberry.argument(description="The new document.")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        record = input.record()
        change = _submit(info, reason, expected_version, [EditRequest("addDocument", {"record": record})])
        return _payload(info, change, entity=record["key"])

    @strawberry.mutation(
        description="Admin only. Merge one entity into another: the merged key becomes an alias and a redirect, its "
        "relations move over and citations merge."
    )
    def merge_entities(
        self,
        info: Info,
        keep: Annotated[strawberry.ID, strawberry.argument(description="The entity that survives (id or key).")],
        merge: Annotated[strawberry.ID, strawberry.argument(description="The entity merged into it (id or key).")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        args = {"keep": entity_key(keep, "keep"), "merge": entity_key(merge, "merge")}
        change = _submit(info, reason, expected_version, [EditRequest("mergeEntities", args)])
        return _payload(info, change, entity=args["keep"])

    @strawberry.mutation(description="Apply several operations as one atomic change set: all of them or none.")
    def apply_changes(
        self,
        info: Info,
        operations: Annotated[list[ChangeInput], strawberry.argument(description="The operations, in order.")],
        reason: Reason,
        expected_version: ExpectedVersion = None,
    ) -> ChangePayload | None:
        store = info.context.store

        def kind_of(key: str) -> Any:
            return _kind(info, store.resolve(key))

        requests = [change_request(op, f"operations[{i}]", kind_of) for i, op in enumerate(operations)]
        return _payload(info, _submit(info, reason, expected_version, requests))


def _which(info: Info, key: str) -> dict[str, str]:
    return {"relation": key} if "|" in key else {"entity": info.context.store.resolve(key)}


_FIELD_OPERATIONS = {
    "createEntity": "createEntity",
    "updateEntity": "updateEntity",
    "retractEntity": "retractEntity",
    "addRelation": "addRelation",
    "updateRelation": "updateRelation",
    "retractRelation": "retractRelation",
    "addCitation": "addCitation",
    "removeCitation": "removeCitation",
    "addDocument": "addDocument",
    "mergeEntities": "mergeEntities",
    "applyChanges": "createEntity",  # its operations are checked one by one by the writer
}


def required_role(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> Role:
    """The least role that may run a mutation's root fields (checked before it runs)."""
    needed = Role.EDITOR
    pending = list(operation.selection_set.selections)
    seen: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode):
            role = OPERATIONS.get(_FIELD_OPERATIONS.get(node.name.value, ""), Role.EDITOR)
            if role.rank > needed.rank:
                needed = role
        elif isinstance(node, InlineFragmentNode):
            pending.extend(node.selection_set.selections)
        else:
            name = node.name.value  # type: ignore[attr-defined]
            if name not in seen and name in fragments:
                seen.add(name)
                pending.extend(fragments[name].selection_set.selections)
    return needed
