"""Typo-tolerant search: close spellings stand in for words no name contains."""

from __future__ import annotations

from oversight_graph.graph.fuzzy import fuzzy_matches
from oversight_graph.graph.names import NameIndex
from oversight_graph.graph.queries import search


def test_a_misspelt_name_finds_the_entity_flagged_as_fuzzy(seed_store):
    hits = search(seed_store, "antropic")
    assert hits[0].entity.key == "org/anthropic"
    assert hits[0].matched == "Anthropic"
    assert all(hit.fuzzy for hit in hits)


def test_exact_matches_are_not_fuzzy_and_not_widened(seed_store):
    hits = search(seed_store, "anthropic")
    assert hits[0].entity.key == "org/anthropic"
    assert not any(hit.fuzzy for hit in hits)


def test_fuzzy_hits_score_below_the_same_exact_hit(seed_store):
    exact = {hit.entity.key: hit.score for hit in search(seed_store, "commerce department")}
    fuzzy = {hit.entity.key: hit.score for hit in search(seed_store, "commerse department")}
    assert "org/commerce-department" in fuzzy
    assert fuzzy["org/commerce-department"] < exact["org/commerce-department"]


def test_a_word_some_name_contains_is_never_respelt():
    index = NameIndex()
    index.add("org/antropic-labs", ["Antropic Labs"])
    index.add("org/anthropic", ["Anthropic"])
    assert fuzzy_matches(index, "antropic") == []
    found = fuzzy_matches(index, "anthropik")
    assert [m.match.key for m in found] == ["org/anthropic", "org/antropic-labs"]
    assert found[0].corrected == "anthropic"


def test_short_words_and_far_spellings_find_nothing(seed_store):
    assert search(seed_store, "xyzzy") == []
    assert search(seed_store, "mta") == []


def test_kinds_filter_applies_to_fuzzy_hits(seed_store):
    from oversight_graph.graph.enums import Kind

    hits = search(seed_store, "antropic", kinds=[Kind.AGREEMENT])
    assert hits and all(hit.entity.kind is Kind.AGREEMENT and hit.fuzzy for hit in hits)


def test_limit_applies_to_fuzzy_hits(seed_store):
    assert len(search(seed_store, "antropic", limit=2)) == 2
