"""Relation summaries read as English for every relation type, singular and plural."""

from __future__ import annotations

import pytest

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.load import build_store, load_directory
from oversight_graph.graph.phrasing import mention, names_several, sentence
from oversight_graph.graph.sample import SAMPLE_DOCUMENT, entity_record, relation_record
from oversight_graph.graph.vocabulary import RelationType
from tests.test_seed import SEED

# Every type with one subject (the agency) and with a subject that names several (officials).
EXPECTED = {
    "PART_OF": ("the agency is part of Y", "officials are part of Y"),
    "HOUSED_IN": ("the agency is housed in Y", "officials are housed in Y"),
    "OVERSEES": ("the agency oversees Y", "officials oversee Y"),
    "HOLDS_POSITION": ("the agency holds a position at Y", "officials hold positions at Y"),
    "LEADS": ("the agency leads Y", "officials lead Y"),
    "CREATED": ("the agency created Y", "officials created Y"),
    "RIVALS": ("the agency is a rival of Y", "officials are rivals of Y"),
    "TAKES_PART_IN": ("the agency takes part in Y", "officials take part in Y"),
    "DEVELOPED": ("the agency developed Y", "officials developed Y"),
    "RELEASED": ("the agency released Y", "officials released Y"),
    "SUBMITTED_TO": ("the agency was submitted for review to Y", "officials were submitted for review to Y"),
    "NEARLY_MATCHES": ("the agency nearly matches the performance of Y", "officials nearly match the performance of Y"),
    "NEARLY_MATCHES_MODELS_OF": (
        "the agency nearly matches the performance of models from Y",
        "officials nearly match the performance of models from Y",
    ),
    "PARTY_TO": ("the agency is a party to Y", "officials are parties to Y"),
    "COUNTERPARTY_TO": ("the agency is the counterparty to Y", "officials are counterparties to Y"),
    "NEGOTIATES_WITH": ("the agency negotiates with Y", "officials negotiate with Y"),
    "PRESSED": ("the agency pressed Y", "officials pressed Y"),
    "MADE": ("the agency made Y", "officials made Y"),
    "ADDRESSED_TO": ("the agency was addressed to Y", "officials were addressed to Y"),
    "CONCERNS": ("the agency concerns Y", "officials concern Y"),
    "DID_NOT_COMMENT_ON": ("the agency did not comment on Y", "officials did not comment on Y"),
    "INITIATED": ("the agency initiated Y", "officials initiated Y"),
    "PROMOTED": ("the agency promoted Y", "officials promoted Y"),
    "FOLLOWED": ("the agency came after Y", "officials came after Y"),
    "REPLACED": ("the agency replaced Y", "officials replaced Y"),
    "DISPUTES": ("the agency disputes Y", "officials dispute Y"),
    "NO_LONGER_SEES_AS_CONCERN": (
        "the agency no longer sees Y as a security concern",
        "officials no longer see Y as a security concern",
    ),
    "SIGNED": ("the agency signed Y", "officials signed Y"),
    "GIVES_RESPONSIBILITY_TO": ("the agency gives responsibility to Y", "officials give responsibility to Y"),
    "GRANTS_REVIEW_WINDOW_TO": ("the agency grants a review window to Y", "officials grant a review window to Y"),
    "SETS_DEADLINE_FOR": ("the agency sets a deadline for Y", "officials set a deadline for Y"),
    "ESTABLISHES": ("the agency establishes Y", "officials establish Y"),
    "ASKS": ("the agency asks Y", "officials ask Y"),
    "ORDERED": ("the agency ordered Y", "officials ordered Y"),
    "AFFECTED": ("the agency affected Y", "officials affected Y"),
    "DISCLOSED": ("the agency disclosed Y", "officials disclosed Y"),
    "TRIGGERED": ("the agency triggered Y", "officials triggered Y"),
    "CAME_AMID": ("the agency came amid Y", "officials came amid Y"),
    "SHOWED": ("the agency showed Y", "officials showed Y"),
    "SEEKS_ROLE_IN": ("the agency seeks a role in Y", "officials seek a role in Y"),
    "PUBLISHED": ("the agency published Y", "officials published Y"),
    "AUTHORED": ("the agency wrote Y", "officials wrote Y"),
    "CONTRIBUTED_TO": ("the agency contributed reporting to Y", "officials contributed reporting to Y"),
}


def test_every_relation_type_has_its_sentences_pinned():
    assert set(EXPECTED) == {t.name for t in RelationType}


@pytest.mark.parametrize("type_", list(RelationType), ids=lambda t: t.name)
def test_the_verb_agrees_with_one_subject_and_with_several(type_):
    one, several = EXPECTED[type_.name]
    assert type_.sentence("the agency", "Y") == one
    assert type_.sentence("officials", "Y", plural=True) == several


def test_an_organization_submits_its_models_while_a_model_was_submitted():
    submitted = RelationType.SUBMITTED_TO
    assert submitted.sentence("OpenAI", "CAISI", subject_kind=Kind.ORGANIZATION) == (
        "OpenAI submits its models for review to CAISI"
    )
    assert submitted.sentence("tech companies", "CAISI", plural=True, subject_kind=Kind.ORGANIZATION) == (
        "tech companies submit their models for review to CAISI"
    )
    assert (
        submitted.sentence("Fable 5", "CAISI", subject_kind=Kind.AI_MODEL)
        == "Fable 5 was submitted for review to CAISI"
    )


def _store():
    gov = {"category": "GOVERNMENT_AGENCY"}
    return build_store(
        [
            entity_record("document", SAMPLE_DOCUMENT, "Sample", title="Sample", paragraphs=5),
            entity_record("organization", "org/agency", "Review Office", **gov),
            entity_record("organization", "org/officials", "defense officials", category="OFFICIALS"),
            entity_record("organization", "org/firms", "tech companies", category="INDUSTRY"),
            entity_record("organization", "org/lab", "Lab", category="COMPANY"),
            entity_record("event", "event/paper", "Lab paper", event_kind="PAPER"),
            entity_record("order", "order/o", "review order"),
            entity_record("question", "question/q", "Who decides?"),
            relation_record("org/officials", "PART_OF", "org/agency"),
            relation_record("org/agency", "PART_OF", "org/lab"),
            relation_record("org/lab", "AUTHORED", "event/paper", qualifiers={"role": "researchers"}),
            relation_record("org/firms", "SUBMITTED_TO", "org/agency"),
            relation_record("order/o", "ASKS", "org/firms", qualifiers={"purpose": "wait 30 days", "days_allowed": 30}),
            relation_record("question/q", "CONCERNS", "order/o"),
            relation_record("org/lab", "PUBLISHED", SAMPLE_DOCUMENT),
        ]
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("org/officials|PART_OF|org/agency", "Defense officials are part of the Review Office"),
        ("org/agency|PART_OF|org/lab", "The Review Office is part of Lab"),
        ("org/lab|AUTHORED|event/paper", "Researchers at Lab wrote the Lab paper"),
        ("org/firms|SUBMITTED_TO|org/agency", "Tech companies submit their models for review to the Review Office"),
        ("order/o|ASKS|org/firms", "The review order asks tech companies to wait 30 days"),
        ("question/q|CONCERNS|order/o", "The question “Who decides?” concerns the review order"),
        (f"org/lab|PUBLISHED|{SAMPLE_DOCUMENT}", "Lab published “Sample”"),
    ],
)
def test_sentences_name_entities_as_english_does(key, expected):
    store = _store()
    relation = store.relation(key)
    assert sentence(store.entity(relation.subject), relation, store.entity(relation.object)) == expected


def test_only_groups_of_people_or_companies_take_a_plural_verb():
    store = _store()
    assert [e.key for e in store.entities() if names_several(e)] == ["org/officials", "org/firms"]
    assert mention(store.entity("org/lab")) == "Lab"


def test_a_name_starting_with_a_capital_inside_the_word_is_left_as_it_is():
    store = load_directory(SEED)
    relation = store.relation("org/xai|PARTY_TO|agreement/xai-caisi")
    assert sentence(store.entity("org/xai"), relation, store.entity(relation.object)) == (
        "xAI is a party to the xAI–CAISI model review agreement"
    )


def test_no_seed_summary_says_is_or_was_after_a_plural_subject():
    store = load_directory(SEED)
    for relation in store.relations():
        subject = store.entity(relation.subject)
        said = sentence(subject, relation, store.entity(relation.object))
        if names_several(subject):
            assert " is " not in said and " was " not in said, said
