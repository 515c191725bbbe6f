"""``Entity.relations`` (filters, edges, pagination) and the fields of ``Relation``."""

from __future__ import annotations

import base64

import pytest

from oversight_graph.graph.sample import cite, entity_record, relation_record
from oversight_graph.schema.context import Limits

RELATIONS = """
query($key: String!, $types: [RelationType!], $direction: Direction! = BOTH, $asOf: PartialDate,
      $min: Confidence, $first: Int, $after: String) {
  entity(key: $key) {
    relations(types: $types, direction: $direction, asOf: $asOf, minConfidence: $min, first: $first, after: $after) {
      totalCount
      edges { cursor direction other { __typename key } node { key type } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


@pytest.fixture()
def relations(ok):
    def relations(key: str, store=None, limits=None, **variables):
        options = {"store": store, "limits": limits}
        return ok(RELATIONS, {"key": key, **variables}, **options)["entity"]["relations"]

    return relations


def rel_keys(connection) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]


META_RELATIONS = [
    "event/meta-review-request|ADDRESSED_TO|org/meta",
    "org/meta-policy-team|PART_OF|org/meta",
    "org/meta|DEVELOPED|model/muse-spark",
    "org/meta|DID_NOT_COMMENT_ON|event/meta-review-request",
    "org/meta|PARTY_TO|agreement/meta-commerce-review",
    "org/meta|RELEASED|model/muse-spark|2026-04",
    "org/meta|RIVALS|org/anthropic",
    "org/meta|RIVALS|org/google",
    "org/meta|RIVALS|org/openai",
    "org/trump-administration|PRESSED|org/meta",
]


# -- Entity.relations -----------------------------------------------------------------------------


def test_relations_are_every_relation_in_key_order(relations):
    found = relations("org/meta")
    assert found["totalCount"] == 10
    assert rel_keys(found) == META_RELATIONS
    assert found["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": found["edges"][0]["cursor"],
        "endCursor": found["edges"][-1]["cursor"],
    }


def test_relation_edges_say_direction_and_other_end(relations):
    edges = {edge["node"]["key"]: edge for edge in relations("org/meta")["edges"]}
    pressed = edges["org/trump-administration|PRESSED|org/meta"]
    assert pressed["direction"] == "INCOMING"
    assert pressed["other"] == {"__typename": "Organization", "key": "org/trump-administration"}
    developed = edges["org/meta|DEVELOPED|model/muse-spark"]
    assert developed["direction"] == "OUTGOING"
    assert developed["other"] == {"__typename": "AIModel", "key": "model/muse-spark"}


def test_relations_filtered_by_direction(relations):
    incoming = relations("org/meta", direction="INCOMING")
    assert rel_keys(incoming) == [
        "event/meta-review-request|ADDRESSED_TO|org/meta",
        "org/meta-policy-team|PART_OF|org/meta",
        "org/trump-administration|PRESSED|org/meta",
    ]
    assert {edge["direction"] for edge in incoming["edges"]} == {"INCOMING"}
    outgoing = relations("org/meta", direction="OUTGOING")
    assert outgoing["totalCount"] == 7
    assert {edge["direction"] for edge in outgoing["edges"]} == {"OUTGOING"}
    assert sorted(rel_keys(incoming) + rel_keys(outgoing)) == META_RELATIONS


def test_relations_filtered_by_types(relations):
    found = relations("org/meta", types=["RIVALS", "DEVELOPED"])
    assert rel_keys(found) == [
        "org/meta|DEVELOPED|model/muse-spark",
        "org/meta|RIVALS|org/anthropic",
        "org/meta|RIVALS|org/google",
        "org/meta|RIVALS|org/openai",
    ]
    assert relations("org/meta", types=["RIVALS"], direction="INCOMING")["totalCount"] == 0
    assert relations("org/google", types=["RIVALS"], direction="INCOMING")["totalCount"] == 1


def test_relations_as_of_keeps_those_that_may_hold(relations):
    # RELEASED started in 2026-04; every other relation of Meta is undated.
    assert "org/meta|RELEASED|model/muse-spark|2026-04" not in rel_keys(relations("org/meta", asOf="2026-03"))
    assert relations("org/meta", asOf="2026-03")["totalCount"] == 9
    assert relations("org/meta", asOf="2026-04-30")["totalCount"] == 10
    assert relations("org/meta", asOf="2026")["totalCount"] == 10  # the year may include April


def test_relations_min_confidence(relations):
    # Two of Meta's relations rest on anonymous sources only.
    assert relations("org/meta", min="REPORTED")["totalCount"] == 8
    assert relations("org/meta", min="ANONYMOUS_SOURCES")["totalCount"] == 10
    assert relations("org/meta", min="UNCLEAR")["totalCount"] == 10
    anonymous_only = set(META_RELATIONS) - set(rel_keys(relations("org/meta", min="REPORTED")))
    assert anonymous_only == {
        "org/meta-policy-team|PART_OF|org/meta",
        "org/meta|PARTY_TO|agreement/meta-commerce-review",
    }


def test_relations_first_and_after(relations):
    first = relations("org/meta", first=3)
    assert rel_keys(first) == META_RELATIONS[:3]
    assert first["totalCount"] == 10
    assert first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    second = relations("org/meta", first=3, after=first["pageInfo"]["endCursor"])
    assert rel_keys(second) == META_RELATIONS[3:6]
    assert second["pageInfo"]["hasNextPage"] is True and second["pageInfo"]["hasPreviousPage"] is True
    last = relations("org/meta", first=10, after=second["pageInfo"]["endCursor"])
    assert rel_keys(last) == META_RELATIONS[6:]
    assert last["pageInfo"]["hasNextPage"] is False


def test_relations_after_combines_with_filters(relations):
    rivals = relations("org/meta", types=["RIVALS"], first=1)
    rest = relations("org/meta", types=["RIVALS"], after=rivals["edges"][0]["cursor"])
    assert rel_keys(rest) == ["org/meta|RIVALS|org/google", "org/meta|RIVALS|org/openai"]
    assert rest["totalCount"] == 3


def test_relations_default_page_size_is_a_server_limit(relations):
    assert len(relations("org/meta", limits=Limits(default_page_size=4))["edges"]) == 4


@pytest.fixture()
def hub(tiny):
    """An organization with 70 relations (more than the store's per-entity cache threshold)."""
    records = [entity_record("organization", "org/hub", "Hub", category="COMPANY")]
    for i in range(70):
        records.append(entity_record("model", f"model/m{i:02d}", f"M{i:02d}"))
        records.append(relation_record("org/hub", "DEVELOPED", f"model/m{i:02d}"))
    return tiny(*records)


def test_relations_of_a_hub_walk_in_pages_visiting_each_once(relations, hub):
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = relations("org/hub", store=hub, first=8, after=after)
        pages += 1
        assert page["totalCount"] == 70
        assert page["pageInfo"]["hasPreviousPage"] is (pages > 1)
        seen += rel_keys(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert pages < 20
    assert pages == 9
    assert seen == sorted(seen)
    assert len(set(seen)) == 70
    assert seen[0] == "org/hub|DEVELOPED|model/m00" and seen[-1] == "org/hub|DEVELOPED|model/m69"


def test_hub_relations_with_first_zero_only_count(relations, hub):
    page = relations("org/hub", store=hub, first=0)
    assert page["totalCount"] == 70 and page["edges"] == []
    assert page["pageInfo"]["hasNextPage"] is True


# -- Relation fields --------------------------------------------------------------------------

RELATION = """
query($id: ID!) {
  node(id: $id) {
    ... on Relation {
      id key type summary confidence
      subject { __typename key }
      object { __typename key }
      qualifiers { role channel purpose reason daysAllowed minutesAllowed minutesLessThan deadline { iso } note }
      validFrom { iso precision inferredParts isInferred earliest latest }
      validTo { iso precision inferredParts isInferred earliest latest }
      citations { paragraph confidence document { key } }
    }
  }
}
"""


@pytest.fixture()
def relation(ok):
    def relation(key: str, store=None):
        return ok(RELATION, {"id": key}, store=store)["node"]

    return relation


def test_relation_white_house_ordered_the_shutdown(relation):
    key = "org/white-house|ORDERED|incident/fable-5-access-shutdown|2026"
    assert relation(key) == {
        "id": base64.b64encode(f"Relation:{key}".encode()).decode(),
        "key": key,
        "type": "ORDERED",
        "summary": "The White House ordered the Fable 5 access shutdown",
        "confidence": "REPORTED",
        "subject": {"__typename": "Organization", "key": "org/white-house"},
        "object": {"__typename": "Incident", "key": "incident/fable-5-access-shutdown"},
        "qualifiers": {
            "role": None,
            "channel": None,
            "purpose": None,
            "reason": "national security concerns",
            "daysAllowed": None,
            # [14] says less than 90 minutes: a bound, not an exact figure.
            "minutesAllowed": None,
            "minutesLessThan": 90,
            "deadline": None,
            "note": "the order surprised Anthropic",
        },
        "validFrom": {
            "iso": "2026",
            "precision": "YEAR",
            "inferredParts": ["YEAR"],
            "isInferred": True,
            "earliest": "2026-01-01",
            "latest": "2026-12-31",
        },
        "validTo": None,
        "citations": [
            {"paragraph": 14, "confidence": "REPORTED", "document": {"key": "doc/nyt-meta-ai-reviews"}},
            {"paragraph": 2, "confidence": "REPORTED", "document": {"key": "doc/nyt-meta-ai-reviews"}},
        ],
    }


def test_relation_qualifiers_role_channel_purpose(relation):
    assert relation("person/howard-lutnick|HOLDS_POSITION|org/commerce-department")["qualifiers"]["role"] == (
        "Commerce Secretary"
    )
    pressed = relation("org/trump-administration|PRESSED|org/meta")
    assert pressed["qualifiers"]["channel"] == "email"
    assert pressed["qualifiers"]["purpose"] == "get Meta to submit its AI models for a voluntary government review"
    assert pressed["summary"] == "The Trump administration pressed Meta"
    assert [c["paragraph"] for c in pressed["citations"]] == [1, 2]


def test_relation_qualifiers_are_all_null_when_none_are_given(relation):
    assert relation("org/meta|RIVALS|org/google")["qualifiers"] == {
        "role": None,
        "channel": None,
        "purpose": None,
        "reason": None,
        "daysAllowed": None,
        "minutesAllowed": None,
        "minutesLessThan": None,
        "deadline": None,
        "note": None,
    }


def test_relation_deadline_qualifier_is_a_date_value(relation):
    provision = relation("order/ai-model-review-order|SETS_DEADLINE_FOR|event/federal-ai-model-reviews")
    assert provision["qualifiers"]["deadline"] == {"iso": "2026-07"}
    assert provision["qualifiers"]["note"] == "develop the review process by the end of July"


def test_relation_with_day_precision_valid_from(relation):
    signed = relation("person/donald-trump|SIGNED|order/ai-model-review-order|2026-06-02")
    assert signed["validFrom"] == {
        "iso": "2026-06-02",
        "precision": "DAY",
        "inferredParts": ["YEAR"],
        "isInferred": True,
        "earliest": "2026-06-02",
        "latest": "2026-06-02",
    }
    assert signed["summary"] == "Donald Trump signed the June 2 executive order on AI model reviews"


def test_relation_confidence_is_the_firmest_citation(relation):
    # Anthropic's submission has a reported citation and an inferred one.
    submitted = relation("org/anthropic|SUBMITTED_TO|org/caisi")
    assert sorted(c["confidence"] for c in submitted["citations"]) == ["INFERRED", "REPORTED"]
    assert submitted["confidence"] == "REPORTED"
    assert relation("person/donald-trump|LEADS|org/trump-administration")["confidence"] == "INFERRED"


@pytest.fixture()
def dated(tiny):
    return tiny(
        entity_record("person", "person/p", "P"),
        entity_record("organization", "org/gov", "Gov", category="GOVERNMENT"),
        relation_record(
            "person/p",
            "HOLDS_POSITION",
            "org/gov",
            qualifiers={"role": "chief"},
            valid_from="2020-01-15",
            valid_to={"date": "2022-06", "inferred": ["year"]},
            citation=[cite(3, "P was chief.", "UNCLEAR"), cite(4, "P was chief, says a source.", "ANONYMOUS_SOURCES")],
        ),
        relation_record("person/p", "LEADS", "org/gov", citation=[cite(5, "P leads Gov.", "INFERRED")]),
    )


def test_relation_valid_from_and_valid_to_with_their_precision(relation, dated):
    found = relation("person/p|HOLDS_POSITION|org/gov|2020-01-15", store=dated)
    assert found["validFrom"] == {
        "iso": "2020-01-15",
        "precision": "DAY",
        "inferredParts": [],
        "isInferred": False,
        "earliest": "2020-01-15",
        "latest": "2020-01-15",
    }
    assert found["validTo"] == {
        "iso": "2022-06",
        "precision": "MONTH",
        "inferredParts": ["YEAR"],
        "isInferred": True,
        "earliest": "2022-06-01",
        "latest": "2022-06-30",
    }
    assert found["confidence"] == "ANONYMOUS_SOURCES"  # firmer than UNCLEAR
    assert found["summary"] == "P holds a position at the Gov"
    assert found["qualifiers"]["role"] == "chief"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2019", ["LEADS"]),
        ("2020-01-14", ["LEADS"]),
        ("2020-01", ["HOLDS_POSITION", "LEADS"]),  # may have started by the end of January
        ("2021", ["HOLDS_POSITION", "LEADS"]),
        ("2022-06", ["HOLDS_POSITION", "LEADS"]),  # may still hold early in June
        ("2022-06-30", ["LEADS"]),  # validTo is exclusive: ended by the last day it may stand for
        ("2022-07", ["LEADS"]),
    ],
)
def test_relations_as_of_respects_valid_from_and_exclusive_valid_to(relations, dated, as_of, expected):
    found = relations("person/p", store=dated, asOf=as_of)
    assert [edge["node"]["type"] for edge in found["edges"]] == expected


@pytest.mark.parametrize(
    ("floor", "expected"),
    [
        (None, ["HOLDS_POSITION", "LEADS"]),
        ("UNCLEAR", ["HOLDS_POSITION", "LEADS"]),
        ("INFERRED", ["HOLDS_POSITION", "LEADS"]),
        ("ANONYMOUS_SOURCES", ["HOLDS_POSITION"]),
        ("ON_THE_RECORD", []),
        ("REPORTED", []),
    ],
)
def test_relations_min_confidence_uses_the_firmest_citation(relations, dated, floor, expected):
    found = relations("person/p", store=dated, min=floor)
    assert [edge["node"]["type"] for edge in found["edges"]] == expected
    assert found["totalCount"] == len(expected)
