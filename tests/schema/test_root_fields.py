"""Root relationship queries: search, companiesWithoutAgreement, path, neighborhood, timeline, stats."""

from __future__ import annotations

import base64
import dataclasses
from collections import Counter

import pytest

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.sample import entity_record, relation_record
from oversight_graph.graph.vocabulary import RelationType
from oversight_graph.schema.context import Limits


def b64_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


# -- search ------------------------------------------------------------------------------

SEARCH = """
query($text: String!, $kinds: [EntityKind!], $first: Int! = 10) {
  search(text: $text, kinds: $kinds, first: $first) { entity { __typename key } score matched }
}
"""


@pytest.fixture()
def search(ok):
    def search(text: str, **variables):
        return ok(SEARCH, {"text": text, **variables})["search"]

    return search


def test_search_ranks_exact_name_then_prefixes_then_word_matches(search):
    hits = search("fable")
    assert [h["entity"]["key"] for h in hits] == [
        "model/fable-5",  # "Fable 5": the shortest name starting with the word
        "incident/fable-5-access-shutdown",
        "event/amazon-vulnerability-paper",  # "Fable 5 vulnerability paper"
        "incident/fable-5-vulnerability",
        "question/who-approves-fable-5-restoration",  # "fable" is not the first word
    ]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)


def test_search_exact_name_scores_one(search):
    hits = search("Meta")
    assert hits[0] == {"entity": {"__typename": "Organization", "key": "org/meta"}, "score": 1.0, "matched": "Meta"}
    assert all(h["score"] < 1.0 for h in hits[1:])


def test_search_reports_the_alias_that_matched(search):
    assert search("CAISI")[0] == {
        "entity": {"__typename": "Organization", "key": "org/caisi"},
        "score": 0.99,
        "matched": "CAISI",
    }
    assert search("president trump") == [
        {"entity": {"__typename": "Person", "key": "person/donald-trump"}, "score": 0.99, "matched": "President Trump"}
    ]
    assert search("meta review request")[0]["matched"] == "Meta review request"  # an event's alias


def test_search_ignores_punctuation_so_a_i_finds_ai(search):
    dotted = search("Center for A.I.")
    plain = search("center for ai")
    assert dotted == plain
    assert [h["entity"]["key"] for h in dotted] == ["org/caisi"]
    assert dotted[0]["matched"] == "Center for AI Standards and Innovation"


def test_search_ignores_accents(search):
    assert [h["entity"]["key"] for h in search("Lútnick")] == ["person/howard-lutnick"]


def test_search_filters_by_kind(search):
    assert [h["entity"]["key"] for h in search("fable", kinds=["INCIDENT"])] == [
        "incident/fable-5-access-shutdown",
        "incident/fable-5-vulnerability",
    ]
    assert [h["entity"]["key"] for h in search("fable", kinds=["AI_MODEL", "QUESTION"])] == [
        "model/fable-5",
        "question/who-approves-fable-5-restoration",
    ]
    assert search("fable", kinds=["PERSON"]) == []


def test_search_first_limits_the_hits(search):
    assert [h["entity"]["key"] for h in search("fable", first=1)] == ["model/fable-5"]
    assert search("fable", first=0) == []
    assert len(search("caisi")) == 7  # CAISI, its technical staff and its five agreements
    assert len(search("caisi", first=2)) == 2


def test_search_default_first_is_ten(ok):
    # "model" matches thirteen names or aliases.
    assert len(ok('{ search(text: "model", first: 100) { matched } }')["search"]) == 13
    default = ok('{ search(text: "model") { entity { key } } }')["search"]
    assert len(default) == 10
    everything = ok('{ search(text: "model", first: 100) { entity { key } } }')["search"]
    assert default == everything[:10]


def test_optional_sizes_take_their_default_when_null(ok):
    # search's first, path's maxLength and neighborhood's depth are nullable
    # with defaults, so a client may pass an unset nullable variable.
    query = """
    query($n: Int, $len: Int, $depth: Int) {
      search(text: "model", first: $n) { matched }
      path(from: "org/amazon", to: "incident/fable-5-access-shutdown", maxLength: $len) { length }
      neighborhood(id: "org/caisi", depth: $depth) { entities { key } }
    }
    """
    unset = ok(query, {})
    null = ok(query, {"n": None, "len": None, "depth": None})
    explicit = ok(query, {"n": 10, "len": 6, "depth": 1})
    assert unset == null == explicit
    assert len(unset["search"]) == 10
    assert unset["path"]["length"] == 2
    assert ok(query, {"len": 1})["path"] is None


def test_search_with_no_words_finds_nothing(search):
    assert search("!!!") == []
    assert search("") == []


# -- companiesWithoutAgreement ----------------------------------------------------------

WITHOUT = "query($c: ID) { companiesWithoutAgreement(counterparty: $c) { __typename key name majorAiDeveloper } }"


def test_companies_without_agreement_defaults_to_caisi_and_finds_meta(ok):
    assert ok(WITHOUT)["companiesWithoutAgreement"] == [
        {"__typename": "Organization", "key": "org/meta", "name": "Meta", "majorAiDeveloper": True}
    ]


def test_companies_without_agreement_accepts_the_counterparty_by_key_and_by_global_id(ok):
    by_key = ok(WITHOUT, {"c": "org/caisi"})["companiesWithoutAgreement"]
    by_id = ok(WITHOUT, {"c": b64_id("Organization", "org/caisi")})["companiesWithoutAgreement"]
    assert by_key == by_id
    assert [o["key"] for o in by_key] == ["org/meta"]


def test_companies_without_agreement_counts_only_signed_agreements(ok):
    # Commerce is the counterparty of Meta's agreement, but it is only being negotiated.
    found = ok(WITHOUT, {"c": "org/commerce-department"})["companiesWithoutAgreement"]
    assert [o["key"] for o in found] == [
        "org/anthropic",
        "org/google",
        "org/meta",
        "org/microsoft",
        "org/openai",
        "org/xai",
    ]


def test_companies_without_agreement_rejects_a_counterparty_that_is_not_an_organization(execute):
    data, errors = execute(WITHOUT, {"c": "person/ben-kass"})
    assert data is None
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "argument": "counterparty"}]
    assert errors[0]["message"] == "counterparty: 'person/ben-kass' is not an organization"
    assert errors[0]["path"] == ["companiesWithoutAgreement"]


def test_companies_without_agreement_with_an_unknown_counterparty_is_not_found(execute):
    data, errors = execute(WITHOUT, {"c": "org/nope"})
    assert data is None
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    assert errors[0]["message"] == "no entity with key 'org/nope'"


def test_companies_without_agreement_with_a_malformed_counterparty_is_invalid_id(execute):
    _, errors = execute(WITHOUT, {"c": "CAISI"})
    assert [e["extensions"] for e in errors] == [{"code": "INVALID_ID", "argument": "counterparty"}]


# -- path -----------------------------------------------------------------------------------

PATH = """
query($from: ID!, $to: ID!, $max: Int! = 6, $types: [RelationType!], $asOf: PartialDate) {
  path(from: $from, to: $to, maxLength: $max, types: $types, asOf: $asOf) {
    length
    entities { key }
    relations { key subject { key } object { key } citations { paragraph document { key } } }
  }
}
"""


@pytest.fixture()
def path(ok):
    def path(source: str, target: str, **variables):
        return ok(PATH, {"from": source, "to": target, **variables})["path"]

    return path


def entity_keys(found) -> list[str]:
    return [e["key"] for e in found["entities"]]


def test_path_from_amazon_to_the_fable_5_shutdown(path):
    found = path("org/amazon", "incident/fable-5-access-shutdown")
    assert found["length"] == 2
    assert entity_keys(found) == [
        "org/amazon",
        "event/amazon-vulnerability-paper",
        "incident/fable-5-access-shutdown",
    ]
    assert [r["key"] for r in found["relations"]] == [
        "org/amazon|AUTHORED|event/amazon-vulnerability-paper",
        "event/amazon-vulnerability-paper|TRIGGERED|incident/fable-5-access-shutdown",
    ]


def test_path_relations_join_consecutive_entities_and_carry_citations(path):
    found = path("org/amazon", "incident/fable-5-access-shutdown")
    for left, relation, right in zip(found["entities"], found["relations"], found["entities"][1:], strict=False):
        assert {relation["subject"]["key"], relation["object"]["key"]} == {left["key"], right["key"]}
        assert relation["citations"], relation["key"]
        for citation in relation["citations"]:
            assert citation["document"] == {"key": "doc/nyt-meta-ai-reviews"}
            assert 1 <= citation["paragraph"] <= 19
    assert [c["paragraph"] for r in found["relations"] for c in r["citations"]] == [15, 15]


def test_path_accepts_global_ids(path):
    found = path(b64_id("Organization", "org/amazon"), b64_id("Incident", "incident/fable-5-access-shutdown"))
    assert found["length"] == 2


def test_path_with_max_length_too_small_is_null_without_error(execute):
    data, errors = execute(PATH, {"from": "org/amazon", "to": "incident/fable-5-access-shutdown", "max": 1})
    assert errors == []
    assert data == {"path": None}


def test_path_with_max_length_exactly_the_distance_is_found(path):
    assert path("org/amazon", "incident/fable-5-access-shutdown", max=2)["length"] == 2


def test_path_from_an_entity_to_itself_is_empty(path):
    assert path("org/meta", "org/meta", max=0) == {"length": 0, "entities": [{"key": "org/meta"}], "relations": []}


@pytest.mark.parametrize("value", [9, 100, -1])
def test_path_max_length_outside_the_limit_is_bad_user_input(execute, value):
    data, errors = execute(PATH, {"from": "org/amazon", "to": "org/meta", "max": value})
    assert data == {"path": None}
    assert len(errors) == 1
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "maxLength"}
    assert errors[0]["message"] == f"maxLength must be between 0 and 8, got {value}"
    assert errors[0]["path"] == ["path"]


def test_path_max_length_limit_is_a_server_setting(execute):
    _, errors = execute(PATH, {"from": "org/amazon", "to": "org/meta", "max": 3}, limits=Limits(max_path_length=2))
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "argument": "maxLength"}]


def test_path_follows_only_the_given_types(path):
    # Unrestricted, a rival's submission to CAISI is the shortest way.
    assert entity_keys(path("org/meta", "org/caisi")) == ["org/meta", "org/anthropic", "org/caisi"]
    through_agreements = path("org/meta", "org/caisi", types=["RIVALS", "PARTY_TO", "COUNTERPARTY_TO"])
    assert entity_keys(through_agreements) == ["org/meta", "org/anthropic", "agreement/anthropic-caisi", "org/caisi"]
    assert {r["key"].split("|")[1] for r in through_agreements["relations"]} == {
        "RIVALS",
        "PARTY_TO",
        "COUNTERPARTY_TO",
    }
    assert path("org/meta", "org/caisi", types=["RIVALS"]) is None


def test_path_as_of_skips_relations_not_yet_holding(path):
    # Trump signed the order on 2026-06-02: before that, the shortest way round is through the government.
    assert entity_keys(path("person/donald-trump", "order/ai-model-review-order")) == [
        "person/donald-trump",
        "order/ai-model-review-order",
    ]
    assert entity_keys(path("person/donald-trump", "order/ai-model-review-order", asOf="2026-06")) == [
        "person/donald-trump",
        "order/ai-model-review-order",
    ]
    assert entity_keys(path("person/donald-trump", "order/ai-model-review-order", asOf="2026-05")) == [
        "person/donald-trump",
        "org/us-federal-government",
        "order/ai-model-review-order",
    ]


def test_path_as_of_skips_relations_that_had_ended(ok, tiny):
    store = tiny(
        entity_record("person", "person/p", "P"),
        entity_record("organization", "org/a", "A", category="OTHER"),
        relation_record("person/p", "LEADS", "org/a", valid_from="2020", valid_to="2022-06-15"),
    )
    query = 'query($d: PartialDate) { path(from: "person/p", to: "org/a", asOf: $d) { length } }'
    assert ok(query, {"d": "2021"}, store=store) == {"path": {"length": 1}}
    assert ok(query, {"d": "2022-06-14"}, store=store) == {"path": {"length": 1}}
    assert ok(query, {"d": "2022-06-15"}, store=store) == {"path": None}  # validTo is exclusive
    assert ok(query, {"d": "2019"}, store=store) == {"path": None}


def test_path_with_an_unknown_end_is_not_found(execute):
    data, errors = execute(PATH, {"from": "org/amazon", "to": "org/nope"})
    assert data == {"path": None}
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]


def test_path_with_a_malformed_end_is_invalid_id_naming_the_argument(execute):
    _, errors = execute(PATH, {"from": "Amazon", "to": "org/meta"})
    assert [e["extensions"] for e in errors] == [{"code": "INVALID_ID", "argument": "from"}]
    _, errors = execute(PATH, {"from": "org/meta", "to": "Amazon"})
    assert [e["extensions"] for e in errors] == [{"code": "INVALID_ID", "argument": "to"}]


# -- neighborhood ---------------------------------------------------------------------------

NEIGHBORHOOD = """
query($id: ID!, $depth: Int! = 1, $types: [RelationType!], $asOf: PartialDate) {
  neighborhood(id: $id, depth: $depth, types: $types, asOf: $asOf) {
    entities { key }
    relations { key subject { key } object { key } }
    truncated
  }
}
"""


@pytest.fixture()
def neighborhood(ok):
    def neighborhood(id_: str, limits: Limits | None = None, **variables):
        return ok(NEIGHBORHOOD, {"id": id_, **variables}, limits=limits)["neighborhood"]

    return neighborhood


CAISI_RING = [
    "event/commerce-statement",
    "org/anthropic",
    "org/biden-administration",
    "org/caisi-technical-staff",
    "agreement/anthropic-caisi",
    "agreement/google-caisi",
    "agreement/microsoft-caisi",
    "agreement/openai-caisi",
    "agreement/xai-caisi",
    "org/commerce-department",
    "event/federal-ai-model-reviews",
    "org/google",
    "org/microsoft",
    "org/openai",
    "org/xai",
    "person/howard-lutnick",
]


def test_neighborhood_depth_zero_is_the_entity_alone(neighborhood):
    assert neighborhood("org/caisi", depth=0) == {
        "entities": [{"key": "org/caisi"}],
        "relations": [],
        "truncated": False,
    }


def test_neighborhood_depth_one_is_the_centre_then_its_neighbours_in_relation_key_order(neighborhood):
    found = neighborhood("org/caisi")
    assert entity_keys(found) == ["org/caisi", *CAISI_RING]
    assert found["truncated"] is False
    keys = [r["key"] for r in found["relations"]]
    assert keys == sorted(keys)
    # Every relation among the seventeen: CAISI's sixteen, the five developers' parts in their
    # agreements, and Lutnick's post at Commerce.
    assert len(keys) == 22
    assert "person/howard-lutnick|HOLDS_POSITION|org/commerce-department" in keys
    included = set(entity_keys(found))
    for relation in found["relations"]:
        assert {relation["subject"]["key"], relation["object"]["key"]} <= included


def test_neighborhood_depth_two_adds_the_next_ring(neighborhood):
    found = neighborhood("person/howard-lutnick", depth=2)
    keys = entity_keys(found)
    assert keys[:3] == ["person/howard-lutnick", "org/commerce-department", "org/caisi"]
    assert set(keys[3:]) == {
        "agreement/meta-commerce-review",
        "org/meta-policy-team",
        "person/ben-kass",
        *CAISI_RING,
    } - {"org/commerce-department", "person/howard-lutnick"}
    assert len(keys) == len(set(keys)) == 20
    assert found["truncated"] is False
    assert len(found["relations"]) == 26


def test_neighborhood_types_filter(neighborhood):
    found = neighborhood("org/caisi", types=["HOUSED_IN", "OVERSEES"])
    assert entity_keys(found) == ["org/caisi", "org/commerce-department", "person/howard-lutnick"]
    assert [r["key"] for r in found["relations"]] == [
        "org/caisi|HOUSED_IN|org/commerce-department",
        "person/howard-lutnick|OVERSEES|org/caisi",
    ]


def test_neighborhood_as_of_skips_relations_not_yet_holding(neighborhood):
    before = entity_keys(neighborhood("person/donald-trump", asOf="2026-05"))
    after = entity_keys(neighborhood("person/donald-trump", asOf="2026-06-02"))
    assert "order/ai-model-review-order" not in before
    assert "order/ai-model-review-order" in after
    assert set(after) - set(before) == {"order/ai-model-review-order"}


def test_neighborhood_is_truncated_at_the_entity_limit(neighborhood):
    found = neighborhood("org/caisi", depth=3, limits=Limits(max_neighborhood_entities=3))
    assert entity_keys(found) == ["org/caisi", "event/commerce-statement", "org/anthropic"]
    assert found["truncated"] is True
    assert [r["key"] for r in found["relations"]] == [
        "event/commerce-statement|CONCERNS|org/caisi",
        "org/anthropic|SUBMITTED_TO|org/caisi",
    ]


def test_neighborhood_that_exactly_fits_the_limit_is_not_truncated(neighborhood):
    found = neighborhood("org/caisi", depth=1, limits=Limits(max_neighborhood_entities=17))
    assert len(found["entities"]) == 17 and found["truncated"] is False
    found = neighborhood("org/caisi", depth=2, limits=Limits(max_neighborhood_entities=17))
    assert len(found["entities"]) == 17 and found["truncated"] is True


def test_neighborhood_of_a_hub_is_truncated(ok, tiny):
    records = [entity_record("organization", "org/hub", "Hub", category="COMPANY")]
    for i in range(30):
        records.append(entity_record("model", f"model/m{i:02d}", f"M{i:02d}"))
        records.append(relation_record("org/hub", "DEVELOPED", f"model/m{i:02d}"))
    store = tiny(*records)
    found = ok(NEIGHBORHOOD, {"id": "org/hub"}, store=store, limits=Limits(max_neighborhood_entities=5))["neighborhood"]
    assert entity_keys(found) == ["org/hub", "model/m00", "model/m01", "model/m02", "model/m03"]
    assert found["truncated"] is True
    found = ok(NEIGHBORHOOD, {"id": "org/hub"}, store=store)["neighborhood"]
    assert len(found["entities"]) == 31 and found["truncated"] is False


@pytest.mark.parametrize("depth", [4, -1])
def test_neighborhood_depth_outside_the_limit_is_bad_user_input(execute, depth):
    data, errors = execute(NEIGHBORHOOD, {"id": "org/caisi", "depth": depth})
    assert data == {"neighborhood": None}
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "argument": "depth"}]
    assert errors[0]["message"] == f"depth must be between 0 and 3, got {depth}"


def test_neighborhood_depth_limit_is_a_server_setting(execute):
    _, errors = execute(NEIGHBORHOOD, {"id": "org/caisi", "depth": 2}, limits=Limits(max_neighborhood_depth=1))
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "argument": "depth"}]


def test_neighborhood_of_an_unknown_entity_is_not_found(execute):
    data, errors = execute(NEIGHBORHOOD, {"id": "org/nope"})
    assert data == {"neighborhood": None}
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [(["neighborhood"], "NOT_FOUND")]


# -- timeline ---------------------------------------------------------------------------

TIMELINE = """
query($entity: ID, $from: PartialDate, $to: PartialDate, $first: Int, $after: String) {
  timeline(entity: $entity, from: $from, to: $to, first: $first, after: $after) {
    date { iso precision inferredParts }
    boundary
    entity { key }
    relation { key }
    summary
    cursor
    citations { paragraph }
  }
}
"""

SEED_TIMELINE = [
    ("2026", "OCCURRED", "“U.S. Presses Meta to Agree to A.I. Reviews as Security Concerns Rise” was published"),
    ("2026", "OCCURRED", "Trump's statement to Axios about Anthropic"),
    ("2026", "OCCURRED", "Fable 5 access shutdown"),
    ("2026", "STARTED", "Anthropic negotiates with the Trump administration"),
    ("2026", "STARTED", "The White House ordered the Fable 5 access shutdown"),
    ("2026-04", "OCCURRED", "Muse Spark was released"),
    ("2026-04", "STARTED", "Meta released Muse Spark"),
    ("2026-06-02", "OCCURRED", "The June 2 executive order on AI model reviews was signed"),
    ("2026-06-02", "STARTED", "Donald Trump signed the June 2 executive order on AI model reviews"),
]


@pytest.fixture()
def timeline(ok):
    def timeline(store=None, **variables):
        options = {"store": store} if store is not None else {}
        return ok(TIMELINE, variables, **options)["timeline"]

    return timeline


def summarize(entries) -> list[tuple[str, str, str]]:
    return [(e["date"]["iso"], e["boundary"], e["summary"]) for e in entries]


def test_timeline_of_the_whole_graph_is_chronological_with_coarse_dates_first(timeline):
    assert summarize(timeline()) == SEED_TIMELINE


def test_timeline_entries_say_what_they_mark(timeline):
    entries = {e["summary"]: e for e in timeline()}
    signed = entries["Donald Trump signed the June 2 executive order on AI model reviews"]
    assert signed["entity"] == {"key": "person/donald-trump"}  # the relation's subject
    assert signed["relation"] == {"key": "person/donald-trump|SIGNED|order/ai-model-review-order|2026-06-02"}
    assert signed["date"] == {"iso": "2026-06-02", "precision": "DAY", "inferredParts": ["YEAR"]}
    assert signed["citations"] == [{"paragraph": 9}]
    order = entries["The June 2 executive order on AI model reviews was signed"]
    assert order["entity"] == {"key": "order/ai-model-review-order"} and order["relation"] is None
    shutdown = entries["Fable 5 access shutdown"]
    assert shutdown["date"] == {"iso": "2026", "precision": "YEAR", "inferredParts": ["YEAR"]}
    assert [c["paragraph"] for c in shutdown["citations"]] == [2, 14, 14]


def test_timeline_of_one_entity_has_its_own_date_and_its_relations_dates(timeline):
    assert summarize(timeline(entity="order/ai-model-review-order")) == SEED_TIMELINE[7:9]
    assert summarize(timeline(entity="org/meta")) == [("2026-04", "STARTED", "Meta released Muse Spark")]
    assert summarize(timeline(entity=b64_id("AIModel", "model/muse-spark"))) == SEED_TIMELINE[5:7]
    assert timeline(entity="org/caisi") == []


def test_timeline_from_and_to_keep_entries_overlapping_the_range(timeline):
    # Year-only dates overlap every month of their year.
    assert summarize(timeline(**{"from": "2026-05", "to": "2026-06"})) == SEED_TIMELINE[:5] + SEED_TIMELINE[7:]
    assert summarize(timeline(**{"from": "2026-06-03"})) == SEED_TIMELINE[:5]
    assert summarize(timeline(to="2026-04-30")) == SEED_TIMELINE[:7]
    assert timeline(to="2025-12-31") == []
    assert timeline(**{"from": "2027"}) == []
    assert summarize(timeline(entity="model/muse-spark", **{"from": "2026-05"})) == []


def test_timeline_first_and_after_walk_the_whole_timeline(timeline):
    seen = []
    after = None
    pages = 0
    while True:
        page = timeline(first=2, after=after)
        pages += 1
        if not page:
            break
        assert len(page) <= 2
        seen += page
        after = page[-1]["cursor"]
        assert pages < 20
    assert summarize(seen) == SEED_TIMELINE
    assert len({e["cursor"] for e in seen}) == len(SEED_TIMELINE)


def test_timeline_after_combines_with_entity_and_dates(timeline):
    first = timeline(entity="order/ai-model-review-order", first=1)
    assert summarize(first) == SEED_TIMELINE[7:8]
    assert summarize(timeline(entity="order/ai-model-review-order", after=first[0]["cursor"])) == SEED_TIMELINE[8:9]
    first = timeline(**{"from": "2026-04"}, first=6)
    assert summarize(timeline(**{"from": "2026-04"}, after=first[-1]["cursor"])) == SEED_TIMELINE[6:]


def test_timeline_page_size_defaults_to_the_server_limit(ok):
    assert len(ok(TIMELINE, {}, limits=Limits(default_page_size=3))["timeline"]) == 3
    assert ok(TIMELINE, {"first": 0})["timeline"] == []


def test_timeline_shows_relations_ending(timeline, tiny):
    store = tiny(
        entity_record("person", "person/p", "P"),
        entity_record("organization", "org/a", "A", category="OTHER"),
        relation_record("person/p", "LEADS", "org/a", valid_from="2020-01-15", valid_to="2022-06"),
    )
    assert summarize(timeline(store=store)) == [
        ("2020-01-15", "STARTED", "P leads A"),
        ("2022-06", "ENDED", "Ended: P leads A"),
    ]


def test_timeline_of_an_unknown_entity_is_not_found(execute):
    data, errors = execute(TIMELINE, {"entity": "org/nope"})
    assert data is None
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [(["timeline"], "NOT_FOUND")]


# -- stats ----------------------------------------------------------------------------------

STATS = """
{ stats { version entityCount relationCount citationCount documentCount
          entitiesByKind { kind count } relationsByType { type count } } }
"""


def test_stats_counts_match_the_store(ok, seed_store):
    stats = ok(STATS)["stats"]
    relations = list(seed_store.relations())
    entities = list(seed_store.entities())
    assert stats["version"] == seed_store.version
    assert stats["entityCount"] == len(entities) == 50
    assert stats["relationCount"] == len(relations) == 79
    assert stats["documentCount"] == 1
    assert stats["citationCount"] == sum(len(x.citations) for x in [*entities, *relations])
    by_kind = Counter(e.kind.name for e in entities)
    assert {row["kind"]: row["count"] for row in stats["entitiesByKind"]} == {k.name: by_kind[k.name] for k in Kind}
    by_type = Counter(r.type.name for r in relations)
    assert {row["type"]: row["count"] for row in stats["relationsByType"]} == {
        t.name: by_type[t.name] for t in RelationType
    }


def test_stats_lists_every_kind_and_every_relation_type_even_when_zero(ok):
    stats = ok(STATS)["stats"]
    assert [row["kind"] for row in stats["entitiesByKind"]] == [k.name for k in Kind]
    assert [row["type"] for row in stats["relationsByType"]] == [t.name for t in RelationType]
    assert {"type": "REPLACED", "count": 0} in stats["relationsByType"]
    assert {"kind": "ORGANIZATION", "count": 19} in stats["entitiesByKind"]
    assert {"type": "COUNTERPARTY_TO", "count": 6} in stats["relationsByType"]


def test_stats_version_changes_with_the_graph(ok, tiny):
    small = tiny(entity_record("person", "person/p", "P"))
    before = ok(STATS, store=small)["stats"]
    small.add_entity(dataclasses.replace(small.entity("person/p"), key="person/q", name="Q"))
    after = ok(STATS, store=small)["stats"]
    assert after["version"] != before["version"]
    assert after["entityCount"] == before["entityCount"] + 1 == 3
