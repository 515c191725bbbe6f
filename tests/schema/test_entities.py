"""Fields every entity has: id, kind, names, Wikidata, inferred fields and citations."""

from __future__ import annotations

import base64

import pytest

from oversight_graph.graph.sample import cite, entity_record

COMMON = """
query($key: String!) {
  entity(key: $key) {
    __typename id key name aliases description kind wikidataId wikidataUrl inferredFields
  }
}
"""

CITATIONS = """
query($key: String!) {
  entity(key: $key) {
    citations {
      document { __typename key title paragraphCount }
      paragraph
      claim
      confidence
      attribution { kind text sourceCount speaker { __typename key name } }
    }
  }
}
"""


@pytest.fixture()
def common(ok):
    def common(key: str, **options):
        return ok(COMMON, {"key": key}, **options)["entity"]

    return common


@pytest.mark.parametrize(
    ("key", "type_name", "kind"),
    [
        ("org/xai", "Organization", "ORGANIZATION"),
        ("person/ana-swanson", "Person", "PERSON"),
        ("model/muse-spark", "AIModel", "AI_MODEL"),
        ("order/ai-model-review-order", "Order", "ORDER"),
        ("incident/fable-5-vulnerability", "Incident", "INCIDENT"),
        ("agreement/xai-caisi", "Agreement", "AGREEMENT"),
        ("event/ai-cybersecurity-concerns", "Event", "EVENT"),
        ("doc/nyt-meta-ai-reviews", "Document", "DOCUMENT"),
        ("question/review-standards", "Question", "QUESTION"),
    ],
)
def test_kind_matches_the_object_type_and_the_id_round_trips(ok, common, key, type_name, kind):
    found = common(key)
    assert found["__typename"] == type_name
    assert found["kind"] == kind
    assert found["key"] == key
    assert base64.b64decode(found["id"]).decode() == f"{type_name}:{key}"
    again = ok("query($id: ID!) { node(id: $id) { id ... on Entity { key } } }", {"id": found["id"]})["node"]
    assert again == {"id": found["id"], "key": key}


def test_donald_trump_common_fields(common):
    assert common("person/donald-trump") == {
        "__typename": "Person",
        "id": base64.b64encode(b"Person:person/donald-trump").decode(),
        "key": "person/donald-trump",
        "name": "Donald Trump",
        "aliases": ["President Trump", "Mr. Trump", "Trump"],
        "description": (
            "President of the United States who signed the June 2 order on AI model reviews and later "
            "told Axios he no longer considered Anthropic a security concern."
        ),
        "kind": "PERSON",
        "wikidataId": "Q22686",
        "wikidataUrl": "https://www.wikidata.org/wiki/Q22686",
        "inferredFields": ["name"],
    }


def test_entity_without_wikidata_or_aliases(common):
    found = common("org/xai")
    assert found["wikidataId"] is None
    assert found["wikidataUrl"] is None
    assert found["aliases"] == []
    assert found["inferredFields"] == ["country", "majorAiDeveloper"]


def test_wikidata_url_is_built_from_the_id(common):
    meta = common("org/meta")
    assert (meta["wikidataId"], meta["wikidataUrl"]) == ("Q380", "https://www.wikidata.org/wiki/Q380")


def test_inferred_fields_are_given_in_api_names(common, tiny):
    assert common("incident/fable-5-access-shutdown")["inferredFields"] == ["occurred"]
    assert common("doc/nyt-meta-ai-reviews")["inferredFields"] == ["published"]
    store = tiny(
        entity_record("model", "model/guess", "Guess", release_date="2025", inferred=["release_date"]),
        entity_record(
            "organization", "org/guess", "Guess Inc", category="COMPANY", inferred=["major_ai_developer", "name"]
        ),
    )
    assert common("model/guess", store=store)["inferredFields"] == ["releaseDate"]
    assert common("org/guess", store=store)["inferredFields"] == ["majorAiDeveloper", "name"]


# -- citations ------------------------------------------------------------------------------------

NYT = {
    "__typename": "Document",
    "key": "doc/nyt-meta-ai-reviews",
    "title": "U.S. Presses Meta to Agree to A.I. Reviews as Security Concerns Rise",
    "paragraphCount": 19,
}


def test_citation_of_a_named_speaker_resolves_the_speaker(ok):
    citations = ok(CITATIONS, {"key": "event/commerce-statement"})["entity"]["citations"]
    assert citations == [
        {
            "document": NYT,
            "paragraph": 5,
            "claim": "Kass said CAISI routinely engages companies about voluntary agreements.",
            "confidence": "ON_THE_RECORD",
            "attribution": {
                "kind": "NAMED_PERSON",
                "text": "Ben Kass, Commerce Department spokesman",
                "sourceCount": None,
                "speaker": {"__typename": "Person", "key": "person/ben-kass", "name": "Ben Kass"},
            },
        },
        {
            "document": NYT,
            "paragraph": 6,
            "claim": "Kass called the matter routine and squarely the kind of work CAISI exists for.",
            "confidence": "ON_THE_RECORD",
            "attribution": {
                "kind": "NAMED_PERSON",
                "text": "Ben Kass, Commerce Department spokesman",
                "sourceCount": None,
                "speaker": {"__typename": "Person", "key": "person/ben-kass", "name": "Ben Kass"},
            },
        },
    ]


def test_citations_of_anonymous_sources_and_of_reporting(ok):
    citations = ok(CITATIONS, {"key": "event/meta-review-request"})["entity"]["citations"]
    assert [(c["paragraph"], c["confidence"], c["attribution"]) for c in citations] == [
        (
            1,
            "ANONYMOUS_SOURCES",
            {
                "kind": "ANONYMOUS_SOURCES",
                "text": "four unnamed people aware of the confidential request",
                "sourceCount": 4,
                "speaker": None,
            },
        ),
        (2, "REPORTED", {"kind": "REPORTING", "text": "", "sourceCount": None, "speaker": None}),
    ]
    assert citations[1]["claim"] == "The request was conveyed to Meta in emails."


def test_documents_have_no_citations_of_their_own(ok):
    assert ok(CITATIONS, {"key": "doc/nyt-meta-ai-reviews"})["entity"]["citations"] == []


def test_citation_confidence_is_per_citation(ok, tiny):
    store = tiny(
        entity_record(
            "organization",
            "org/rumoured",
            "Rumoured",
            category="OTHER",
            citation=[cite(1, "Maybe exists.", "UNCLEAR"), cite(3, "Editors think so.", "INFERRED")],
        )
    )
    citations = ok(CITATIONS, {"key": "org/rumoured"}, store=store)["entity"]["citations"]
    assert [(c["paragraph"], c["confidence"], c["claim"]) for c in citations] == [
        (1, "UNCLEAR", "Maybe exists."),
        (3, "INFERRED", "Editors think so."),
    ]
    assert citations[0]["document"]["key"] == "doc/sample"
