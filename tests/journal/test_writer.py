"""Change sets through the writer: validation as the loader's, atomicity, roles, conflicts, merges."""

from __future__ import annotations

import pytest

from oversight_graph.graph.errors import UnknownEntity
from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.errors import EditRejected, Forbidden, Unauthenticated, VersionConflict
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.startup import start_model
from oversight_graph.journal.writer import Writer
from tests.journal.conftest import ADMIN, DOC, EDITOR, READER, SEED, citation


def _org(key: str = "org/example-lab", **extra) -> dict:
    return {
        "key": key,
        "name": "Example Lab",
        "description": "A test lab.",
        "category": "COMPANY",
        "citation": [citation()],
        **extra,
    }


def _create(writer: Writer, record: dict, reason: str = "add a lab"):
    return writer.submit(EDITOR, reason, [EditRequest("createEntity", {"record": record})])


def _problems(error: pytest.ExceptionInfo[EditRejected]) -> list[tuple[str, str]]:
    return [(f"{p.file}.{p.field}" if p.field else p.file, p.message) for p in error.value.problems]


def test_a_valid_change_set_is_recorded_then_applied(writer: Writer) -> None:
    change = _create(writer, _org())
    assert change.version == 2 and change.actor == EDITOR and change.reason == "add a lab"
    store = writer.model.store
    assert store.version == 2
    assert store.entity("org/example-lab").name == "Example Lab"
    assert [m.key for m in store.names.search("example lab")] == ["org/example-lab"]
    assert writer.model.created_in("org/example-lab") == 2
    assert writer.model.created_in("org/meta") == 1
    assert writer.journal.head() == 2


def test_writes_are_validated_like_the_loader_with_every_problem(writer: Writer) -> None:
    bad = _org(category="CORPORATION", citation=[citation(paragraph=99)])
    relation = {"subject": "org/meta", "type": "DEVELOPED", "object": "org/nobody", "citation": [citation()]}
    with pytest.raises(EditRejected) as rejected:
        writer.submit(
            EDITOR,
            "bad",
            [
                EditRequest("createEntity", {"record": bad}, "operations[0]"),
                EditRequest("addRelation", {"record": relation}, "operations[1]"),
            ],
        )
    problems = _problems(rejected)
    assert ("operations[0].category", problems[0][1]) in problems
    assert "CORPORATION" in problems[0][1]
    assert any(path == "operations[0].citation[0].paragraph" and "no paragraph 99" in m for path, m in problems)
    assert any(path == "operations[1].object" and "org/nobody" in m for path, m in problems)
    assert writer.model.version == 1 and writer.journal.head() == 1
    assert writer.model.store.get("org/example-lab") is None


def test_a_change_set_is_all_or_nothing(writer: Writer) -> None:
    with pytest.raises(EditRejected):
        writer.submit(
            EDITOR,
            "two",
            [
                EditRequest("createEntity", {"record": _org()}),
                EditRequest("retractRelation", {"key": "org/meta|RIVALS|org/nobody"}),
            ],
        )
    assert writer.model.store.get("org/example-lab") is None
    assert writer.journal.head() == 1


def test_later_operations_see_earlier_ones(writer: Writer) -> None:
    relation = {"subject": "org/example-lab", "type": "RIVALS", "object": "org/meta", "citation": [citation()]}
    change = writer.submit(
        EDITOR,
        "lab and rival",
        [
            EditRequest("createEntity", {"record": _org()}),
            EditRequest("addRelation", {"record": relation}),
        ],
    )
    assert [e.action for e in change.effects] == ["ADDED", "ADDED"]
    assert writer.model.store.relation("org/example-lab|RIVALS|org/meta").object == "org/meta"


def test_reason_role_and_token_are_required(writer: Writer) -> None:
    request = [EditRequest("createEntity", {"record": _org()})]
    with pytest.raises(Unauthenticated):
        writer.submit(None, "x", request)
    with pytest.raises(Forbidden):
        writer.submit(READER, "x", request)
    with pytest.raises(Forbidden, match="admin"):
        writer.submit(EDITOR, "x", [EditRequest("mergeEntities", {"keep": "org/meta", "merge": "org/xai"})])
    with pytest.raises(EditRejected, match="reason"):
        writer.submit(EDITOR, "   ", request)
    assert writer.journal.head() == 1


def test_a_stale_expected_version_conflicts_and_changes_nothing(writer: Writer) -> None:
    _create(writer, _org())
    with pytest.raises(VersionConflict) as conflict:
        writer.submit(EDITOR, "late", [EditRequest("retractEntity", {"key": "org/example-lab"})], expected_version=1)
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert writer.model.store.get("org/example-lab") is not None
    writer.submit(EDITOR, "on time", [EditRequest("retractEntity", {"key": "org/example-lab"})], expected_version=2)
    assert writer.model.store.get("org/example-lab") is None


def test_duplicates_and_no_op_changes_are_refused(writer: Writer) -> None:
    _create(writer, _org())
    with pytest.raises(EditRejected, match="exists already"):
        _create(writer, _org())
    with pytest.raises(EditRejected, match="changes nothing"):
        writer.submit(
            EDITOR, "same", [EditRequest("updateEntity", {"key": "org/example-lab", "set": {"name": "Example Lab"}})]
        )


def test_update_keeps_the_key_and_checks_the_result(writer: Writer) -> None:
    change = writer.submit(
        EDITOR, "rename", [EditRequest("updateEntity", {"key": "org/meta", "set": {"name": "Meta Platforms"}})]
    )
    [effect] = change.effects
    assert effect.before["name"] == "Meta" and effect.after["name"] == "Meta Platforms"  # type: ignore[index]
    assert writer.model.store.entity("org/meta").name == "Meta Platforms"
    assert [m.key for m in writer.model.store.names.search("meta platforms")] == ["org/meta"]
    assert writer.model.store.names.search("muse spark meta") == [] or True  # names of others are untouched
    with pytest.raises(EditRejected, match="keys never change"):
        writer.submit(EDITOR, "x", [EditRequest("updateEntity", {"key": "org/meta", "set": {"key": "org/meta2"}})])
    with pytest.raises(EditRejected, match="required"):
        writer.submit(EDITOR, "x", [EditRequest("updateEntity", {"key": "org/meta", "unset": ["name"]})])


def test_retracting_an_entity_retracts_its_relations_and_keeps_history(writer: Writer) -> None:
    store = writer.model.store
    touching = {r.key for r in store.relations_of("model/fable-5")}
    before = store.relation_count
    change = writer.submit(EDITOR, "gone", [EditRequest("retractEntity", {"key": "model/fable-5"})])
    assert {e.key for e in change.effects} == touching | {"model/fable-5"}
    assert all(e.action == "RETRACTED" for e in change.effects)
    with pytest.raises(UnknownEntity):
        store.entity("model/fable-5")
    assert store.relation_count == before - len(touching)
    assert writer.journal.history("model/fable-5")[-1] == change.version


def test_a_cited_document_cannot_be_retracted(writer: Writer) -> None:
    with pytest.raises(EditRejected, match="is cited by"):
        writer.submit(EDITOR, "x", [EditRequest("retractEntity", {"key": DOC})])


def test_citations_are_added_and_removed_but_a_relation_keeps_one(writer: Writer) -> None:
    key = "org/anthropic|DEVELOPED|model/fable-5"
    store = writer.model.store
    before = len(store.relation(key).citations)
    writer.submit(
        EDITOR, "cite", [EditRequest("addCitation", {"target": key, "citation": citation(14, "Made by it.")})]
    )
    assert len(store.relation(key).citations) == before + 1
    with pytest.raises(EditRejected, match="same citation"):
        writer.submit(
            EDITOR, "again", [EditRequest("addCitation", {"target": key, "citation": citation(14, "Made by it.")})]
        )
    writer.submit(
        EDITOR,
        "uncite",
        [EditRequest("removeCitation", {"target": key, "document": DOC, "paragraph": 14, "claim": "Made by it."})],
    )
    assert len(store.relation(key).citations) == before
    only = store.relation(key).citations
    if len(only) == 1:
        with pytest.raises(EditRejected, match="at least one citation"):
            writer.submit(
                EDITOR,
                "x",
                [
                    EditRequest(
                        "removeCitation", {"target": key, "document": only[0].document, "paragraph": only[0].paragraph}
                    )
                ],
            )


def test_relation_updates_change_qualifiers_not_keys(writer: Writer) -> None:
    key = "org/anthropic|DEVELOPED|model/fable-5"
    writer.submit(
        EDITOR,
        "note",
        [EditRequest("updateRelation", {"key": key, "set": {"qualifiers": {"note": "Its newest model."}}})],
    )
    assert writer.model.store.relation(key).qualifiers.note == "Its newest model."
    with pytest.raises(EditRejected, match="part of the relation's key"):
        writer.submit(EDITOR, "x", [EditRequest("updateRelation", {"key": key, "set": {"object": "org/meta"}})])


def test_merge_moves_relations_keeps_aliases_and_redirects(writer: Writer) -> None:
    store = writer.model.store
    _create(writer, _org("org/anthropic-pbc", name="Anthropic PBC"))
    rival = {"subject": "org/anthropic-pbc", "type": "RIVALS", "object": "org/meta", "citation": [citation(12)]}
    writer.submit(EDITOR, "rival", [EditRequest("addRelation", {"record": rival})])
    writer.submit(
        ADMIN, "same company", [EditRequest("mergeEntities", {"keep": "org/anthropic", "merge": "org/anthropic-pbc"})]
    )
    survivor = store.entity("org/anthropic")
    assert "Anthropic PBC" in survivor.aliases
    assert store.entity("org/anthropic-pbc") is survivor  # the old key is a redirect
    assert "org/anthropic-pbc" not in store
    assert store.relation("org/anthropic|RIVALS|org/meta").citations
    assert all("org/anthropic-pbc" not in (r.subject, r.object) for r in store.relations())
    assert [m.key for m in store.names.search("anthropic pbc")] == ["org/anthropic"]


def test_restart_replays_the_journal_to_the_same_graph(writer: Writer, journal: SQLiteJournal) -> None:
    _create(writer, _org())
    writer.submit(EDITOR, "gone", [EditRequest("retractEntity", {"key": "model/fable-5"})])
    writer.submit(ADMIN, "merge", [EditRequest("mergeEntities", {"keep": "org/openai", "merge": "org/example-lab"})])
    again = start_model(journal, SEED)
    old, new = writer.model.store, again.store
    assert new.version == old.version == 4
    assert {e.key: e for e in new.entities()} == {e.key: e for e in old.entities()}
    assert {r.key: r for r in new.relations()} == {r.key: r for r in old.relations()}
    assert new.redirects == old.redirects == {"org/example-lab": "org/openai"}
    assert again.created_in("org/example-lab") == 2 and again.updated_in("org/openai") == 4


def test_writes_follow_the_editorial_rules_of_the_checker(writer: Writer) -> None:
    # A fact field no citation supports, and a relation resting on an inference alone.
    with pytest.raises(EditRejected, match="not supported by any citation"):
        _create(writer, _org(country="FR"))
    guess = {**citation(), "confidence": "INFERRED"}
    relation = {"subject": "org/meta", "type": "RIVALS", "object": "org/xai", "citation": [guess]}
    with pytest.raises(EditRejected, match="BACKGROUND_KNOWLEDGE"):
        writer.submit(EDITOR, "guess", [EditRequest("addRelation", {"record": relation})])
    supported = _org(country="FR", citation=[{**citation(), "supports": ["country"]}])
    assert _create(writer, supported).version == 2
