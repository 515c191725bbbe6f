from __future__ import annotations

import pytest

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import AgreementStatus, Confidence, Direction, Kind, OrgCategory
from oversight_graph.graph.errors import UnknownEntity
from oversight_graph.graph.listing import EntityFilter, RelationFilter, filter_entities
from oversight_graph.graph.load import build_store
from oversight_graph.graph.queries import (
    companies_without_agreement,
    lacking,
    relations,
    search,
    stats,
)
from oversight_graph.graph.sample import cite, entity_record, relation_record, sample_records, sample_store
from oversight_graph.graph.vocabulary import RelationType


@pytest.fixture()
def store():
    return sample_store()


def keys(entities):
    return [e.key for e in entities]


def test_search_ignores_case_accents_and_punctuation(store):
    assert [h.entity.key for h in search(store, "CENTER FOR A.I. STANDARDS")] == ["org/caisi"]
    assert [h.entity.key for h in search(store, "Lútnick")] == ["person/howard-lutnick"]


def test_search_ranks_and_limits(store):
    hits = search(store, "a", limit=50)
    assert hits == []  # a one-letter word must match a whole word; none is "a"
    hits = search(store, "fable")
    assert [h.entity.key for h in hits] == ["model/fable-5", "incident/fable-5-vulnerability"]
    assert hits[0].score > hits[1].score
    assert [h.entity.key for h in search(store, "fable", limit=1)] == ["model/fable-5"]


def test_search_filters_by_kind(store):
    assert [h.entity.key for h in search(store, "fable", kinds=[Kind.INCIDENT])] == ["incident/fable-5-vulnerability"]


@pytest.mark.parametrize("text", ["", "   ", "\x00", "🙂", "ǅ" * 500, "(((", "a" * 10_000])
def test_search_tolerates_odd_text(store, text):
    assert isinstance(search(store, text), list)


def test_relations_filter_by_type_and_direction(store):
    assert keys_of(relations(store, "model/fable-5", types=[RelationType.DEVELOPED])) == [
        "org/anthropic|DEVELOPED|model/fable-5"
    ]
    assert relations(store, "model/fable-5", direction=Direction.OUTGOING) == []
    assert len(relations(store, "model/fable-5", direction=Direction.INCOMING)) == 2


def keys_of(rels):
    return [r.key for r in rels]


def test_relations_as_of_a_date(store):
    before = PartialDate.parse("2026-05")
    after = PartialDate.parse("2026-06-02")
    assert relations(store, "order/ai-review-order", as_of=before) == []
    assert len(relations(store, "order/ai-review-order", as_of=after)) == 1


def test_relations_valid_to_is_exclusive():
    records = sample_records() + [
        relation_record("org/meta", "NEGOTIATES_WITH", "org/caisi", valid_from="2026-01", valid_to="2026-03-15")
    ]
    store = build_store(records)

    def holding(day):
        return keys_of(relations(store, "org/meta", [RelationType.NEGOTIATES_WITH], as_of=PartialDate.parse(day)))

    assert holding("2026-03-14") and holding("2026-03") and holding("2026-01-01")
    assert not holding("2026-03-15") and not holding("2025-12")


def test_relations_by_minimum_confidence():
    records = sample_records() + [
        relation_record("org/meta", "RIVALS", "org/openai", citation=[cite(1, "rumour", "ANONYMOUS_SOURCES")]),
        relation_record("org/meta", "RIVALS", "org/anthropic", citation=[cite(1, "guess", "INFERRED")]),
    ]
    store = build_store(records)
    found = relations(store, "org/meta", [RelationType.RIVALS], min_confidence=Confidence.ANONYMOUS_SOURCES)
    assert keys_of(found) == ["org/meta|RIVALS|org/openai"]
    assert len(relations(store, "org/meta", [RelationType.RIVALS], min_confidence=Confidence.UNCLEAR)) == 2


def test_relations_of_unknown_entity(store):
    with pytest.raises(UnknownEntity):
        relations(store, "org/none")


def test_lacking_direct_relation(store):
    orgs = store.keys_of_kind(Kind.ORGANIZATION)
    found = keys(lacking(store, "org/commerce-department", [RelationType.HOUSED_IN], orgs))
    assert "org/caisi" not in found and "org/meta" in found and "org/commerce-department" not in found


def test_companies_without_agreement_default_and_other_counterparty(store):
    assert keys(companies_without_agreement(store)) == ["org/meta"]
    # Nobody has an agreement with Commerce itself.
    assert keys(companies_without_agreement(store, "org/commerce-department")) == [
        "org/anthropic",
        "org/meta",
        "org/openai",
    ]


def test_companies_without_agreement_counts_only_the_given_statuses():
    records = sample_records() + [
        entity_record("agreement", "agreement/meta-caisi", "Meta draft", status="NEGOTIATING"),
        relation_record("org/meta", "PARTY_TO", "agreement/meta-caisi"),
        relation_record("org/caisi", "COUNTERPARTY_TO", "agreement/meta-caisi"),
    ]
    store = build_store(records)
    assert keys(companies_without_agreement(store)) == ["org/meta"]
    statuses = [AgreementStatus.SIGNED, AgreementStatus.NEGOTIATING]
    assert keys(companies_without_agreement(store, statuses=statuses)) == []


def test_companies_without_agreement_rejects_non_organizations(store):
    with pytest.raises(UnknownEntity):
        companies_without_agreement(store, "model/fable-5")


def test_filter_entities_by_category_and_relations(store):
    agencies = filter_entities(
        store, Kind.ORGANIZATION, EntityFilter(attributes=(("category", frozenset({OrgCategory.GOVERNMENT_AGENCY})),))
    )
    assert keys(agencies) == ["org/caisi"]
    overseen = EntityFilter(some=(RelationFilter(RelationType.OVERSEES, "person/howard-lutnick", Direction.INCOMING),))
    assert keys(filter_entities(store, Kind.ORGANIZATION, overseen)) == ["org/caisi"]
    no_party = EntityFilter(
        attributes=(("major_ai_developer", frozenset({True})),),
        none=(RelationFilter(RelationType.PARTY_TO, direction=Direction.OUTGOING),),
    )
    assert keys(filter_entities(store, Kind.ORGANIZATION, no_party)) == ["org/meta"]


def test_filter_entities_by_name_and_date(store):
    assert keys(filter_entities(store, Kind.ORGANIZATION, EntityFilter(name_contains="A.I. Standards"))) == [
        "org/caisi"
    ]
    assert keys(filter_entities(store, Kind.ORGANIZATION, EntityFilter(name_contains="ai"))) == [
        "org/caisi",
        "org/openai",
    ]
    spring = EntityFilter(date_from=PartialDate.parse("2026-03"), date_to=PartialDate.parse("2026-05"))
    assert keys(filter_entities(store, Kind.AI_MODEL, spring)) == ["model/muse-spark"]


def test_filter_entities_with_unknown_anchor(store):
    where = EntityFilter(some=(RelationFilter(RelationType.OVERSEES, "person/nobody"),))
    with pytest.raises(UnknownEntity):
        filter_entities(store, Kind.ORGANIZATION, where)


def test_stats_count_every_kind_and_type(store):
    counts = stats(store)
    assert counts.entity_total == len(store) == sum(counts.entities.values())
    assert counts.relation_total == store.relation_count
    assert set(counts.relations) == set(RelationType)
    assert counts.relations[RelationType.PARTY_TO] == 2
    assert counts.version == store.version
