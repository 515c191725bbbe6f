"""Plan a change set: edit requests → validated effects, against the current graph.

Every edit goes through the loader's own checks: records are parsed by
:mod:`graph.records` (fields, enums, dates, keys) and their references are
checked by the loader's checker (:class:`graph.load.ReferenceChecker`:
relation ends and kinds, cited documents and paragraph ranges, speakers).
The requests of one change set are planned in order over a working view of
the graph (what the earlier requests did is visible to the later ones), and
every problem of every request is collected; if there is any, the change
set is rejected whole (:class:`~journal.errors.EditRejected`) and nothing is
planned. Nothing here changes the store: :mod:`journal.apply` does, once
the journal has recorded the effects.

The operations (``op`` of :class:`EditRequest`) and their arguments:

==================  ===============================================================
``createEntity``    ``record``: a seed record (its key's prefix gives the kind)
``addDocument``     ``record``: a document's seed record
``updateEntity``    ``key``, ``set`` (fields → new values), ``unset`` (field names)
``retractEntity``   ``key``; its relations are retracted with it
``addRelation``     ``record``: a relation's seed record
``updateRelation``  ``key``, ``set`` (``qualifiers``, ``valid_to``), ``unset``
``retractRelation`` ``key``
``addCitation``     ``target`` (entity or relation key), ``citation`` (a citation table)
``removeCitation``  ``target``, ``document``, ``paragraph``, optional ``claim``
``mergeEntities``   ``keep``, ``merge``: ``merge`` becomes an alias and a redirect of ``keep``
``putEntity``       ``record``: create or replace (file imports)
``putRelation``     ``record``: create, or add its citations to the same relation (file imports)
==================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from oversight_graph.graph.checks import entity_problems, relation_problems
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.errors import Problem, UnknownRelation
from oversight_graph.graph.load import ReferenceChecker
from oversight_graph.graph.model import Document, Entity, Relation, kind_of_key, relation_key
from oversight_graph.graph.records import ENTITY_FIELDS, RelationDraft, Source, parse_entity, parse_relation
from oversight_graph.graph.serialize import citation_record, entity_record, relation_record
from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.changes import Effect, Role, Target
from oversight_graph.journal.errors import EditRejected

__all__ = ["OPERATIONS", "EditRequest", "plan"]

OPERATIONS: dict[str, Role] = {
    "createEntity": Role.EDITOR,
    "addDocument": Role.EDITOR,
    "updateEntity": Role.EDITOR,
    "retractEntity": Role.EDITOR,
    "addRelation": Role.EDITOR,
    "updateRelation": Role.EDITOR,
    "retractRelation": Role.EDITOR,
    "addCitation": Role.EDITOR,
    "removeCitation": Role.EDITOR,
    "mergeEntities": Role.ADMIN,
    "putEntity": Role.EDITOR,
    "putRelation": Role.EDITOR,
}
"""Every operation and the least role that may request it."""

_REQUIRED_ENTITY_FIELDS = {"key", "name", "description"}
_RELATION_SETTABLE = {"qualifiers", "valid_to"}


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One requested operation.

    Attributes
    ----------
    op
        One of :data:`OPERATIONS`.
    args
        Its arguments (see the module docstring).
    path
        Where the request came from, for problem reports (``input``,
        ``operations[2]``, or a file and record for imports).
    record
        A record locator for problem reports (a file import's ``organization #3``).
    """

    op: str
    args: Mapping[str, Any]
    path: str = "input"
    record: str = ""


class _Working(Mapping[str, Entity]):
    """The graph as the change set leaves it so far: the store under an overlay of planned changes."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.entities: dict[str, Entity | None] = {}
        self.relations: dict[str, Relation | None] = {}
        self.redirects: dict[str, str | None] = {}

    # Mapping of entity keys → entities, as the reference checker reads it.
    def __getitem__(self, key: str) -> Entity:
        found = self.entity(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:  # pragma: no cover - the checker only looks keys up
        raise TypeError("the working graph is not iterated")

    def __len__(self) -> int:  # pragma: no cover
        raise TypeError("the working graph is not counted")

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.entity(key) is not None

    def entity(self, key: str) -> Entity | None:
        if key in self.entities:
            return self.entities[key]
        return self.store._nodes.get(key)

    def resolve(self, key: str) -> str:
        """The key, or the surviving key of a merged one."""
        if self.entity(key) is not None:
            return key
        if key in self.redirects:
            return self.redirects[key] or key
        return self.store.redirects.get(key, key)

    def relation(self, key: str) -> Relation | None:
        if key in self.relations:
            return self.relations[key]
        try:
            return self.store.relation(key)
        except UnknownRelation:
            return None

    def relations_of(self, key: str) -> list[Relation]:
        found: dict[str, Relation] = {}
        if key in self.store._succ:
            for relation in self.store.relations_of(key):
                found[relation.key] = relation
        for rkey, changed in self.relations.items():
            if changed is None:
                found.pop(rkey, None)
            elif key in (changed.subject, changed.object):
                found[rkey] = changed
        return [found[k] for k in sorted(found)]

    def citing(self, key: str) -> Iterator[tuple[str, str]]:
        """Records whose citations name ``key`` as document or speaker: (kind of record, its key).

        Walks the whole graph: used only by retractions and merges.
        """

        def names(citations: Any) -> bool:
            return any(c.document == key or c.attribution.speaker == key for c in citations)

        seen: set[str] = set()
        for ekey, entity in self.entities.items():
            seen.add(ekey)
            if entity is not None and names(entity.citations):
                yield "entity", ekey
        for entity in self.store.entities():
            if entity.key not in seen and names(entity.citations):
                yield "entity", entity.key
        seen.clear()
        for rkey, relation in self.relations.items():
            seen.add(rkey)
            if relation is not None and names(relation.citations):
                yield "relation", rkey
        for relation in self.store.relations():
            if names(relation.citations):
                rkey = relation.key
                if rkey not in seen:
                    yield "relation", rkey


class _Paragraphs(Mapping[str, int]):
    """Document key → paragraph count, over the working graph (for the reference checker)."""

    def __init__(self, working: _Working) -> None:
        self.working = working

    def __getitem__(self, key: str) -> int:
        entity = self.working.entity(key)
        if not isinstance(entity, Document):
            raise KeyError(key)
        return entity.paragraphs

    def __iter__(self) -> Iterator[str]:  # pragma: no cover
        raise TypeError("not iterated")

    def __len__(self) -> int:  # pragma: no cover
        raise TypeError("not counted")


@dataclass(slots=True)
class _Planner:
    working: _Working
    problems: list[Problem]
    effects: list[Effect] = field(default_factory=list)

    # -- helpers ---------------------------------------------------------------------
    def problem(self, request: EditRequest, name: str, message: str) -> None:
        self.problems.append(Problem(request.path, request.record, name, message))

    def checker(self) -> ReferenceChecker:
        return ReferenceChecker(self.working, _Paragraphs(self.working), self.problems)

    def source(self, request: EditRequest) -> Source:
        return Source(request.path, request.record)

    def arg(self, request: EditRequest, name: str, kind: type) -> Any:
        value = request.args.get(name)
        if not isinstance(value, kind):
            self.problem(request, name, f"is required ({'a key' if kind is str else kind.__name__})")
            return None
        return value

    def existing_entity(self, request: EditRequest, name: str) -> Entity | None:
        key = self.arg(request, name, str)
        if key is None:
            return None
        entity = self.working.entity(self.working.resolve(key))
        if entity is None:
            self.problem(request, name, f"{key!r} names no entity in the graph")
        return entity

    def existing_relation(self, request: EditRequest, name: str) -> Relation | None:
        key = self.arg(request, name, str)
        if key is None:
            return None
        relation = self.working.relation(key)
        if relation is None:
            self.problem(request, name, f"{key!r} names no relation in the graph")
        return relation

    def parse_entity(self, request: EditRequest, record: Mapping[str, Any]) -> Entity | None:
        key = record.get("key")
        kind = kind_of_key(key) if isinstance(key, str) else None
        if kind is None:
            prefixes = ", ".join(f"{k.prefix}/" for k in Kind)
            self.problem(request, "key", f"{key!r} is not an entity key (a prefix {prefixes} and a lowercase slug)")
            return None
        before = len(self.problems)
        draft = parse_entity(kind, record, self.source(request), self.problems)
        if draft.citations:
            self.checker().check_citations(draft.citations, self.source(request))
        if draft.entity is not None:  # the editorial rules, as the loader applies them
            for field, message in entity_problems(draft.entity):
                self.problem(request, field, message)
        return draft.entity if len(self.problems) == before else None

    def parse_relation(self, request: EditRequest, record: Mapping[str, Any]) -> Relation | None:
        record = dict(record)
        for end in ("subject", "object"):
            if isinstance(record.get(end), str):
                record[end] = self.working.resolve(record[end])
        before = len(self.problems)
        draft = parse_relation(record, self.source(request), self.problems)
        checked = RelationDraft(draft.subject, draft.type, draft.object, draft.citations, draft.relation)
        self.checker().check_relation(checked, self.source(request))
        if draft.relation is not None and len(self.problems) == before:
            for field, message in relation_problems(draft.relation, self.working.entity):
                self.problem(request, field, message)
        return draft.relation if len(self.problems) == before else None

    def recheck_relations(self, request: EditRequest, entity: Entity) -> None:
        """Apply the relation rules again to ``entity``'s relations (its end may have changed)."""
        for relation in self.working.relations_of(entity.key):
            for _field, message in relation_problems(relation, self.working.entity):
                self.problem(request, "", f"relation {relation.key!r}: {message}")

    def put_entity(self, op: str, entity: Entity) -> None:
        old = self.working.entity(entity.key)
        before = entity_record(old) if old is not None else None
        after = entity_record(entity)
        if before != after:
            self.working.entities[entity.key] = entity
            self.effects.append(Effect(op, Target.ENTITY, entity.key, before, after))

    def drop_entity(self, op: str, entity: Entity) -> None:
        self.working.entities[entity.key] = None
        self.effects.append(Effect(op, Target.ENTITY, entity.key, entity_record(entity), None))

    def put_relation(self, op: str, relation: Relation) -> None:
        key = relation.key
        old = self.working.relation(key)
        before = relation_record(old) if old is not None else None
        after = relation_record(relation)
        if before != after:
            self.working.relations[key] = relation
            self.effects.append(Effect(op, Target.RELATION, key, before, after))

    def drop_relation(self, op: str, relation: Relation) -> None:
        self.working.relations[relation.key] = None
        self.effects.append(Effect(op, Target.RELATION, relation.key, relation_record(relation), None))

    # -- operations ------------------------------------------------------------------
    def run(self, request: EditRequest) -> None:
        handler = getattr(self, f"op_{request.op}", None)
        if handler is None or request.op not in OPERATIONS:
            self.problem(request, "op", f"{request.op!r} is not an operation; expected one of {', '.join(OPERATIONS)}")
            return
        handler(request)

    def op_createEntity(self, request: EditRequest, *, kinds: tuple[Kind, ...] | None = None) -> None:
        record = self.arg(request, "record", Mapping)
        if record is None:
            return
        entity = self.parse_entity(request, record)
        if entity is None:
            return
        if kinds is not None and entity.kind not in kinds:
            self.problem(request, "key", f"{entity.key!r} is not a document key (doc/...)")
            return
        if self.working.entity(entity.key) is not None or entity.key in self.working.store.redirects:
            self.problem(request, "key", f"{entity.key!r} exists already: update it instead")
            return
        self.put_entity(request.op, entity)

    def op_addDocument(self, request: EditRequest) -> None:
        self.op_createEntity(request, kinds=(Kind.DOCUMENT,))

    def op_putEntity(self, request: EditRequest) -> None:
        record = self.arg(request, "record", Mapping)
        entity = self.parse_entity(request, record) if record is not None else None
        if entity is None:
            return
        old = self.working.entity(entity.key)
        if old is not None and old.kind is not entity.kind:
            self.problem(request, "key", f"{entity.key!r} is {old.kind.section} in the graph")
            return
        if isinstance(old, Document) and isinstance(entity, Document):
            self.check_paragraphs(request, old, entity)
        self.put_entity(request.op, entity)
        if old is not None and getattr(old, "ended", None) != getattr(entity, "ended", None):
            self.recheck_relations(request, entity)

    def op_updateEntity(self, request: EditRequest) -> None:
        entity = self.existing_entity(request, "key")
        if entity is None:
            return
        changes = request.args.get("set") or {}
        unset = request.args.get("unset") or []
        record = entity_record(entity)
        for name in unset:
            if name in _REQUIRED_ENTITY_FIELDS or name not in _fields_of(entity.kind):
                self.problem(request, f"unset.{name}", "cannot be removed: it is required or not a field of this kind")
                continue
            record.pop(name, None)
        for name, value in changes.items():
            if name == "key":
                if value != entity.key:
                    self.problem(request, "set.key", "keys never change; merge entities to rename one")
                continue
            record[name] = value
        updated = self.parse_entity(request, record)
        if updated is None:
            return
        if isinstance(entity, Document) and isinstance(updated, Document):
            self.check_paragraphs(request, entity, updated)
        self.put_entity(request.op, updated)
        if getattr(entity, "ended", None) != getattr(updated, "ended", None):
            self.recheck_relations(request, updated)

    def check_paragraphs(self, request: EditRequest, old: Document, new: Document) -> None:
        if new.paragraphs >= old.paragraphs:
            return
        for what, key in self.working.citing(old.key):
            record = self.working.entity(key) if what == "entity" else self.working.relation(key)
            if record is None:
                continue
            if any(c.document == old.key and c.paragraph > new.paragraphs for c in record.citations):
                self.problem(
                    request,
                    "paragraphs",
                    f"{what} {key!r} cites a paragraph above {new.paragraphs}; change that citation first",
                )
                return

    def op_retractEntity(self, request: EditRequest) -> None:
        entity = self.existing_entity(request, "key")
        if entity is None:
            return
        relations = self.working.relations_of(entity.key)
        retracted = {r.key for r in relations}
        # Only documents (cited) and people or organizations (speakers) can be named by a
        # citation; the walk over every citation is skipped for the other kinds.
        citable = entity.kind in (Kind.DOCUMENT, Kind.PERSON, Kind.ORGANIZATION)
        blockers = [
            (what, key)
            for what, key in (self.working.citing(entity.key) if citable else ())
            if not (what == "relation" and key in retracted) and key != entity.key
        ]
        if blockers:
            shown = ", ".join(f"{what} {key!r}" for what, key in blockers[:5])
            more = f" and {len(blockers) - 5} more" if len(blockers) > 5 else ""
            self.problem(request, "key", f"{entity.key!r} is cited by {shown}{more}; change those citations first")
            return
        for relation in relations:
            self.drop_relation(request.op, relation)
        self.drop_entity(request.op, entity)

    def op_addRelation(self, request: EditRequest) -> None:
        record = self.arg(request, "record", Mapping)
        relation = self.parse_relation(request, record) if record is not None else None
        if relation is None:
            return
        if self.working.relation(relation.key) is not None:
            self.problem(
                request, "", f"relation {relation.key!r} exists already: add a citation to it or update it instead"
            )
            return
        self.put_relation(request.op, relation)

    def op_putRelation(self, request: EditRequest) -> None:
        record = self.arg(request, "record", Mapping)
        relation = self.parse_relation(request, record) if record is not None else None
        if relation is None:
            return
        old = self.working.relation(relation.key)
        if old is not None:
            if old.qualifiers != relation.qualifiers or old.valid_to != relation.valid_to:
                self.problem(
                    request,
                    "",
                    f"conflicts with relation {relation.key!r} in the graph: their qualifiers or valid_to differ",
                )
                return
            extra = tuple(c for c in relation.citations if c not in old.citations)
            relation = replace(old, citations=old.citations + extra)
        self.put_relation(request.op, relation)

    def op_updateRelation(self, request: EditRequest) -> None:
        relation = self.existing_relation(request, "key")
        if relation is None:
            return
        record = relation_record(relation)
        for name in request.args.get("unset") or []:
            if name not in _RELATION_SETTABLE:
                self.problem(request, f"unset.{name}", f"only {', '.join(sorted(_RELATION_SETTABLE))} can be removed")
                continue
            record.pop(name, None)
        for name, value in (request.args.get("set") or {}).items():
            if name not in _RELATION_SETTABLE:
                self.problem(
                    request,
                    f"set.{name}",
                    "is part of the relation's key or its citations: retract and add a relation, or add a citation",
                )
                continue
            record[name] = value
        updated = self.parse_relation(request, record)
        if updated is not None:
            self.put_relation(request.op, updated)

    def op_retractRelation(self, request: EditRequest) -> None:
        relation = self.existing_relation(request, "key")
        if relation is not None:
            self.drop_relation(request.op, relation)

    def _target(self, request: EditRequest) -> Entity | Relation | None:
        key = self.arg(request, "target", str)
        if key is None:
            return None
        found: Entity | Relation | None
        found = self.working.relation(key) if "|" in key else self.working.entity(self.working.resolve(key))
        if found is None:
            self.problem(request, "target", f"{key!r} names no entity or relation in the graph")
        return found

    def _with_citations(self, request: EditRequest, target: Entity | Relation, citations: list[Any]) -> None:
        if isinstance(target, Relation):
            record = relation_record(target)
            record["citation"] = citations
            relation = self.parse_relation(request, record)
            if relation is not None:
                self.put_relation(request.op, relation)
        else:
            record = entity_record(target)
            if citations:
                record["citation"] = citations
            else:
                record.pop("citation", None)
            entity = self.parse_entity(request, record)
            if entity is not None:
                self.put_entity(request.op, entity)

    def op_addCitation(self, request: EditRequest) -> None:
        target = self._target(request)
        citation = self.arg(request, "citation", Mapping)
        if target is None or citation is None:
            return
        citations = [citation_record(c) for c in target.citations]
        if dict(citation) in citations:
            self.problem(request, "citation", "the same citation is there already")
            return
        self._with_citations(request, target, [*citations, dict(citation)])

    def op_removeCitation(self, request: EditRequest) -> None:
        target = self._target(request)
        document = self.arg(request, "document", str)
        paragraph = self.arg(request, "paragraph", int)
        claim = request.args.get("claim")
        if target is None or document is None or paragraph is None:
            return
        matches = [
            i
            for i, c in enumerate(target.citations)
            if c.document == document and c.paragraph == paragraph and (claim is None or c.claim == claim)
        ]
        if not matches:
            self.problem(request, "", f"no citation of {document!r} paragraph {paragraph} matches")
            return
        if len(matches) > 1:
            self.problem(request, "claim", f"{len(matches)} citations of that paragraph match: give the claim too")
            return
        if isinstance(target, Relation) and len(target.citations) == 1:
            self.problem(request, "", "a relation needs at least one citation: retract the relation instead")
            return
        kept = [citation_record(c) for i, c in enumerate(target.citations) if i != matches[0]]
        self._with_citations(request, target, kept)

    def op_mergeEntities(self, request: EditRequest) -> None:
        keep = self.existing_entity(request, "keep")
        gone = self.existing_entity(request, "merge")
        if keep is None or gone is None:
            return
        if keep.key == gone.key:
            self.problem(request, "merge", "an entity cannot be merged into itself")
            return
        if keep.kind is not gone.kind:
            self.problem(request, "merge", f"{gone.key!r} is {gone.kind.section} and {keep.key!r} {keep.kind.section}")
            return
        op = request.op
        # Citations that name the merged entity (as speaker) name the survivor instead.
        citable = gone.kind in (Kind.DOCUMENT, Kind.PERSON, Kind.ORGANIZATION)
        for what, key in list(self.working.citing(gone.key)) if citable else []:
            record: Entity | Relation | None = (
                self.working.entity(key) if what == "entity" else self.working.relation(key)
            )
            if record is None or key == gone.key:
                continue
            citations = [_renamed(citation_record(c), gone.key, keep.key) for c in record.citations]
            self._with_citations(request, record, citations)
        moved: dict[str, Relation] = {}
        for relation in self.working.relations_of(gone.key):
            self.drop_relation(op, relation)
            subject = keep.key if relation.subject == gone.key else relation.subject
            obj = keep.key if relation.object == gone.key else relation.object
            if subject == obj:
                continue  # a relation between the two merged entities says nothing about one
            moved_key = relation_key(subject, relation.type, obj, relation.valid_from)
            again = replace(relation, subject=subject, object=obj)
            earlier = moved.get(moved_key) or self.working.relation(moved_key)
            if earlier is not None:
                extra = tuple(c for c in again.citations if c not in earlier.citations)
                again = replace(earlier, citations=earlier.citations + extra)
            moved[moved_key] = again
        for relation in moved.values():
            self.put_relation(op, relation)
        survivor = self.working.entity(keep.key) or keep
        names = [n for n in (*survivor.aliases, gone.name, *gone.aliases) if n != survivor.name]
        aliases = tuple(dict.fromkeys(names))
        extra = tuple(c for c in gone.citations if c not in survivor.citations)
        merged = replace(
            survivor,
            aliases=aliases,
            citations=survivor.citations + extra,
            wikidata_id=survivor.wikidata_id or gone.wikidata_id,
        )
        self.put_entity(op, merged)
        self.drop_entity(op, self.working.entity(gone.key) or gone)
        self.working.redirects[gone.key] = keep.key
        old_target = self.working.store.redirects.get(gone.key)
        self.effects.append(
            Effect(op, Target.REDIRECT, gone.key, {"to": old_target} if old_target else None, {"to": keep.key})
        )


def _renamed(citation: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    who = citation.get("attribution", {})
    if who.get("speaker") == old:
        citation = {**citation, "attribution": {**who, "speaker": new}}
    return citation


def _fields_of(kind: Kind) -> set[str]:
    return {"aliases", "wikidata", "inferred", "citation", *ENTITY_FIELDS[kind]}


def plan(store: GraphStore, requests: Sequence[EditRequest]) -> list[Effect]:
    """The effects of ``requests`` on ``store``, validated as the loader validates files.

    Raises
    ------
    EditRejected
        With every problem found, if any request is invalid or the whole
        change set would change nothing.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> effects = plan(sample_store(), [EditRequest("retractRelation", {"key": "org/anthropic|DEVELOPED|model/fable-5"})])
    >>> [(e.action, e.key) for e in effects]
    [('RETRACTED', 'org/anthropic|DEVELOPED|model/fable-5')]
    >>> plan(sample_store(), [EditRequest("retractEntity", {"key": "org/nobody"})])
    Traceback (most recent call last):
    ...
    oversight_graph.journal.errors.EditRejected: 1 problem in the change set; nothing was changed:
      input: : key: 'org/nobody' names no entity in the graph
    """
    planner = _Planner(_Working(store), [])
    if not requests:
        planner.problems.append(Problem("input", "", "", "the change set has no operations"))
    for request in requests:
        planner.run(request)
    if not planner.problems and not planner.effects:
        planner.problems.append(Problem("input", "", "", "the change set changes nothing: the graph already says this"))
    if planner.problems:
        raise EditRejected(planner.problems)
    return planner.effects
