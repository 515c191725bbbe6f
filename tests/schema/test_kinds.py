"""The relationship fields of each entity kind, checked against the seed facts."""

from __future__ import annotations

import pytest

from oversight_graph.graph.sample import entity_record, relation_record


@pytest.fixture()
def entity(ok):
    """``entity("org/caisi", "... on Organization { models { key } }")``: the entity's data."""

    def entity(key: str, selection: str, **options):
        return ok(f"query($key: String!) {{ entity(key: $key) {{ {selection} }} }}", {"key": key}, **options)["entity"]

    return entity


def keys(items) -> list[str]:
    return [item["key"] for item in items]


# -- Organization ------------------------------------------------------------------------------

ORG = """
... on Organization {
  category country majorAiDeveloper
  models { key }
  agreements { key }
  positions { role person { key } organization { key } relation { key type } }
  partOf { key }
  units { key }
  overseenBy { __typename key }
}
"""


def test_organization_caisi(entity):
    caisi = entity("org/caisi", ORG)
    assert caisi["category"] == "GOVERNMENT_AGENCY"
    assert caisi["country"] == "US"
    assert caisi["majorAiDeveloper"] is False
    assert caisi["models"] == []
    assert keys(caisi["agreements"]) == [
        "agreement/anthropic-caisi",
        "agreement/google-caisi",
        "agreement/microsoft-caisi",
        "agreement/openai-caisi",
        "agreement/xai-caisi",
    ]
    assert caisi["positions"] == []
    assert keys(caisi["partOf"]) == ["org/commerce-department"]  # HOUSED_IN
    assert keys(caisi["units"]) == ["org/caisi-technical-staff"]
    assert caisi["overseenBy"] == [{"__typename": "Person", "key": "person/howard-lutnick"}]


def test_organization_commerce_positions_units_and_agreements(entity):
    commerce = entity("org/commerce-department", ORG)
    assert commerce["positions"] == [
        {
            "role": "spokesman",
            "person": {"key": "person/ben-kass"},
            "organization": {"key": "org/commerce-department"},
            "relation": {"key": "person/ben-kass|HOLDS_POSITION|org/commerce-department", "type": "HOLDS_POSITION"},
        },
        {
            "role": "Commerce Secretary",
            "person": {"key": "person/howard-lutnick"},
            "organization": {"key": "org/commerce-department"},
            "relation": {
                "key": "person/howard-lutnick|HOLDS_POSITION|org/commerce-department",
                "type": "HOLDS_POSITION",
            },
        },
    ]
    assert keys(commerce["units"]) == ["org/caisi"]
    assert commerce["partOf"] == []
    assert keys(commerce["agreements"]) == ["agreement/meta-commerce-review"]  # as counterparty
    assert commerce["category"] == "GOVERNMENT_DEPARTMENT"


def test_organization_developers_models_and_agreements(entity):
    anthropic = entity("org/anthropic", ORG)
    assert keys(anthropic["models"]) == ["model/fable-5"]
    assert keys(anthropic["agreements"]) == ["agreement/anthropic-caisi"]
    assert anthropic["majorAiDeveloper"] is True and anthropic["category"] == "COMPANY"
    meta = entity("org/meta", ORG)
    assert keys(meta["models"]) == ["model/muse-spark"]
    assert keys(meta["agreements"]) == ["agreement/meta-commerce-review"]
    assert keys(meta["units"]) == ["org/meta-policy-team"]


def test_organization_part_of_and_units_follow_part_of_both_ways(entity):
    assert keys(entity("org/us-federal-government", ORG)["units"]) == ["org/intelligence-and-defense-officials"]
    assert keys(entity("org/intelligence-and-defense-officials", ORG)["partOf"]) == ["org/us-federal-government"]
    assert keys(entity("org/caisi-technical-staff", ORG)["partOf"]) == ["org/caisi"]
    # The administrations and the White House are not placed inside one another: nothing states it.
    assert entity("org/trump-administration", ORG)["partOf"] == []
    assert entity("org/white-house", ORG)["partOf"] == []


def test_organization_without_country_has_null_country(entity):
    assert entity("org/tech-companies", ORG)["country"] is None


def test_organization_part_of_an_event_does_not_break_the_organization(execute, tiny):
    """PART_OF may join an organization to an event (graph.vocabulary allows
    organization/event on both ends, and the loader accepts it).

    BUG: ``Organization.partOf`` is typed ``[Organization!]!`` but returns every
    PART_OF object, so an event there fails with "Expected value of type
    'Organization' but got: <Event instance>." and the whole entity is null.
    """
    store = tiny(
        entity_record("organization", "org/task-force", "Task force", category="GOVERNMENT_AGENCY"),
        entity_record("event", "event/summit", "Summit", event_kind="OTHER"),
        relation_record("org/task-force", "PART_OF", "event/summit"),
    )
    data, errors = execute(
        '{ entity(key: "org/task-force") { key ... on Organization { partOf { key } } } }', store=store
    )
    assert errors == []
    assert data["entity"]["key"] == "org/task-force"


def test_organization_with_an_event_as_unit_does_not_break_the_organization(execute, tiny):
    """The mirror case: an event PART_OF an organization.

    BUG: ``Organization.units`` is typed ``[Organization!]!`` but returns every
    PART_OF subject, so the event makes the whole entity null with an error.
    """
    store = tiny(
        entity_record("organization", "org/dept", "Dept", category="GOVERNMENT_DEPARTMENT"),
        entity_record("event", "event/programme", "Programme", event_kind="PROCESS"),
        relation_record("event/programme", "PART_OF", "org/dept"),
    )
    data, errors = execute('{ entity(key: "org/dept") { key ... on Organization { units { key } } } }', store=store)
    assert errors == []
    assert data["entity"]["key"] == "org/dept"


# -- Person ---------------------------------------------------------------------------------------

PERSON = """
... on Person {
  positions { role organization { key } person { key } }
  oversees { key }
  leads { key }
  statements { __typename key }
  signedOrders { __typename key }
}
"""


def test_person_donald_trump(entity):
    trump = entity("person/donald-trump", PERSON)
    assert trump == {
        "positions": [
            {
                "role": "President",
                "organization": {"key": "org/us-federal-government"},
                "person": {"key": "person/donald-trump"},
            }
        ],
        "oversees": [],
        "leads": [{"key": "org/trump-administration"}],
        "statements": [{"__typename": "Event", "key": "event/trump-axios-remarks"}],
        "signedOrders": [{"__typename": "Order", "key": "order/ai-model-review-order"}],
    }


def test_person_howard_lutnick(entity):
    lutnick = entity("person/howard-lutnick", PERSON)
    assert lutnick == {
        "positions": [
            {
                "role": "Commerce Secretary",
                "organization": {"key": "org/commerce-department"},
                "person": {"key": "person/howard-lutnick"},
            }
        ],
        "oversees": [{"key": "org/caisi"}],
        "leads": [],
        "statements": [],
        "signedOrders": [],
    }


def test_person_ben_kass_made_the_commerce_statement(entity):
    assert entity("person/ben-kass", PERSON)["statements"] == [
        {"__typename": "Event", "key": "event/commerce-statement"}
    ]


def test_person_without_any_post(entity):
    assert entity("person/ana-swanson", PERSON) == {
        "positions": [],
        "oversees": [],
        "leads": [],
        "statements": [],
        "signedOrders": [],
    }


def test_position_role_is_null_when_not_given(entity, tiny):
    store = tiny(
        entity_record("person", "person/p", "P"),
        entity_record("organization", "org/a", "A", category="OTHER"),
        relation_record("person/p", "HOLDS_POSITION", "org/a"),
    )
    assert entity("person/p", "... on Person { positions { role organization { key } } }", store=store) == {
        "positions": [{"role": None, "organization": {"key": "org/a"}}]
    }


# -- AIModel --------------------------------------------------------------------------------------

MODEL = """
... on AIModel {
  accessStatus
  releaseDate { iso precision inferredParts isInferred earliest latest }
  developer { __typename key name }
  incidents { key }
  submittedTo { key }
}
"""


def test_model_fable_5(entity):
    fable = entity("model/fable-5", MODEL)
    assert fable == {
        "accessStatus": "SUSPENDED",
        "releaseDate": None,
        "developer": {"__typename": "Organization", "key": "org/anthropic", "name": "Anthropic"},
        "incidents": [{"key": "incident/fable-5-access-shutdown"}, {"key": "incident/fable-5-vulnerability"}],
        "submittedTo": [{"key": "org/trump-administration"}],
    }


def test_model_muse_spark(entity):
    muse = entity("model/muse-spark", MODEL)
    assert muse == {
        "accessStatus": "PUBLIC",
        "releaseDate": {
            "iso": "2026-04",
            "precision": "MONTH",
            "inferredParts": ["YEAR"],
            "isInferred": True,
            "earliest": "2026-04-01",
            "latest": "2026-04-30",
        },
        "developer": {"__typename": "Organization", "key": "org/meta", "name": "Meta"},
        "incidents": [],
        "submittedTo": [],
    }


def test_model_without_developer_has_null_developer(entity, tiny):
    store = tiny(entity_record("model", "model/orphan", "Orphan"))
    assert entity("model/orphan", "... on AIModel { developer { key } accessStatus }", store=store) == {
        "developer": None,
        "accessStatus": "UNKNOWN",
    }


def test_model_with_two_developers_reports_the_first_by_relation_key(entity, tiny):
    store = tiny(
        entity_record("organization", "org/zeta", "Zeta", category="COMPANY"),
        entity_record("organization", "org/alpha", "Alpha", category="COMPANY"),
        entity_record("model", "model/joint", "Joint"),
        relation_record("org/zeta", "DEVELOPED", "model/joint"),
        relation_record("org/alpha", "DEVELOPED", "model/joint"),
    )
    assert entity("model/joint", "... on AIModel { developer { key } }", store=store) == {
        "developer": {"key": "org/alpha"}
    }


# -- Order --------------------------------------------------------------------------------------

ORDER = """
... on Order {
  orderKind
  dateSigned { iso precision inferredParts isInferred earliest latest }
  issuedBy { __typename key }
  provisions { type object { key } qualifiers { daysAllowed note deadline { iso } } citations { paragraph } }
  reviewWindowDays
  deadline { iso precision inferredParts isInferred earliest latest }
}
"""


def test_order_facts(entity):
    order = entity("order/ai-model-review-order", ORDER)
    assert order["orderKind"] == "EXECUTIVE_ORDER"
    assert order["dateSigned"] == {
        "iso": "2026-06-02",
        "precision": "DAY",
        "inferredParts": ["YEAR"],
        "isInferred": True,
        "earliest": "2026-06-02",
        "latest": "2026-06-02",
    }
    assert order["issuedBy"] == [{"__typename": "Person", "key": "person/donald-trump"}]
    assert order["reviewWindowDays"] == 30
    assert order["deadline"] == {
        "iso": "2026-07",
        "precision": "MONTH",
        "inferredParts": ["YEAR"],
        "isInferred": True,
        "earliest": "2026-07-01",
        "latest": "2026-07-31",
    }


def test_order_provisions_are_its_cited_requirements_in_key_order(entity):
    provisions = entity("order/ai-model-review-order", ORDER)["provisions"]
    assert [(p["type"], p["object"]["key"]) for p in provisions] == [
        ("ASKS", "org/tech-companies"),
        ("GIVES_RESPONSIBILITY_TO", "org/us-federal-government"),
        ("SETS_DEADLINE_FOR", "event/federal-ai-model-reviews"),
    ]
    assert all(p["citations"] == [{"paragraph": 9}] for p in provisions)
    window = provisions[0]["qualifiers"]
    assert window["daysAllowed"] == 30
    assert provisions[2]["qualifiers"]["deadline"] == {"iso": "2026-07"}
    assert provisions[1]["qualifiers"]["note"] == "AI model reviews"


def test_order_without_provisions_or_signature(entity, tiny):
    store = tiny(entity_record("order", "order/bare", "Bare order", order_kind="DIRECTIVE"))
    assert entity("order/bare", ORDER, store=store) == {
        "orderKind": "DIRECTIVE",
        "dateSigned": None,
        "issuedBy": [],
        "provisions": [],
        "reviewWindowDays": None,
        "deadline": None,
    }


# -- Incident ------------------------------------------------------------------------------------

INCIDENT = """
... on Incident {
  incidentKind
  occurred { iso precision inferredParts }
  affectedModels { __typename key }
  affected { __typename key }
  causes { key }
  consequences { key }
  orderedBy { key }
  disclosedBy { key }
}
"""


def test_incident_access_shutdown(entity):
    assert entity("incident/fable-5-access-shutdown", INCIDENT) == {
        "incidentKind": "ACCESS_SHUTDOWN",
        "occurred": {"iso": "2026", "precision": "YEAR", "inferredParts": ["YEAR"]},
        "affectedModels": [{"__typename": "AIModel", "key": "model/fable-5"}],
        "affected": [
            {"__typename": "AIModel", "key": "model/fable-5"},
            {"__typename": "Organization", "key": "org/anthropic"},
        ],
        "causes": [{"key": "event/amazon-vulnerability-paper"}],
        "consequences": [],
        "orderedBy": [{"key": "org/white-house"}],
        "disclosedBy": [],
    }


def test_incident_vulnerability(entity):
    assert entity("incident/fable-5-vulnerability", INCIDENT) == {
        "incidentKind": "VULNERABILITY",
        "occurred": None,
        "affectedModels": [{"__typename": "AIModel", "key": "model/fable-5"}],
        "affected": [{"__typename": "AIModel", "key": "model/fable-5"}],
        "causes": [],
        "consequences": [],
        "orderedBy": [],
        "disclosedBy": [{"key": "event/amazon-vulnerability-paper"}],
    }


# -- Agreement ----------------------------------------------------------------------------------

AGREEMENT = "... on Agreement { status dateSigned { iso } parties { __typename key } counterparty { __typename key } }"


@pytest.mark.parametrize("company", ["openai", "anthropic", "google", "xai", "microsoft"])
def test_agreed_caisi_agreements(entity, company):
    assert entity(f"agreement/{company}-caisi", AGREEMENT) == {
        "status": "AGREED",
        "dateSigned": None,
        "parties": [{"__typename": "Organization", "key": f"org/{company}"}],
        "counterparty": {"__typename": "Organization", "key": "org/caisi"},
    }


def test_meta_agreement_is_only_being_negotiated_with_commerce(entity):
    assert entity("agreement/meta-commerce-review", AGREEMENT) == {
        "status": "NEGOTIATING",
        "dateSigned": None,
        "parties": [{"__typename": "Organization", "key": "org/meta"}],
        "counterparty": {"__typename": "Organization", "key": "org/commerce-department"},
    }


def test_agreement_without_counterparty(entity, tiny):
    store = tiny(entity_record("agreement", "agreement/draft", "Draft", status="PROPOSED", date_signed="2025-01"))
    assert entity("agreement/draft", AGREEMENT, store=store) == {
        "status": "PROPOSED",
        "dateSigned": {"iso": "2025-01"},
        "parties": [],
        "counterparty": None,
    }


# -- Event ---------------------------------------------------------------------------------------

EVENT = """
... on Event {
  eventKind
  occurred { iso }
  madeBy { key }
  addressedTo { key }
  concerns { key }
  partOf { key }
}
"""


def test_event_meta_review_request(entity):
    assert entity("event/meta-review-request", EVENT) == {
        "eventKind": "REQUEST",
        "occurred": None,
        "madeBy": [{"key": "org/trump-administration"}],
        "addressedTo": [{"key": "org/meta"}],
        "concerns": [],
        "partOf": [{"key": "event/ai-oversight-push"}],
    }


def test_event_commerce_statement(entity):
    assert entity("event/commerce-statement", EVENT) == {
        "eventKind": "STATEMENT",
        "occurred": None,
        "madeBy": [{"key": "person/ben-kass"}],
        "addressedTo": [],
        "concerns": [{"key": "event/meta-review-request"}, {"key": "org/caisi"}],
        "partOf": [],
    }


def test_event_made_by_includes_initiators(entity):
    # INITIATED counts as making a policy.
    assert entity("event/ai-oversight-push", EVENT)["madeBy"] == [{"key": "org/trump-administration"}]
    trump_remarks = entity("event/trump-axios-remarks", EVENT)
    assert trump_remarks["occurred"] == {"iso": "2026"}
    assert trump_remarks["madeBy"] == [{"key": "person/donald-trump"}]
    assert trump_remarks["addressedTo"] == [{"key": "org/axios"}]
    assert trump_remarks["concerns"] == [{"key": "org/anthropic"}]


# -- Document ------------------------------------------------------------------------------------

DOCUMENT = """
... on Document {
  title url published { iso inferredParts }
  paragraphCount
  publisher { __typename key }
  authors { key }
  contributors { __typename key }
}
"""


def test_document_nyt_article(entity):
    assert entity("doc/nyt-meta-ai-reviews", DOCUMENT) == {
        "title": "U.S. Presses Meta to Agree to A.I. Reviews as Security Concerns Rise",
        "url": None,
        "published": {"iso": "2026", "inferredParts": ["YEAR"]},
        "paragraphCount": 19,
        "publisher": {"__typename": "Organization", "key": "org/nyt"},
        "authors": [],
        "contributors": [{"__typename": "Person", "key": "person/ana-swanson"}],
    }


def test_document_with_authors_and_url(entity, tiny):
    store = tiny(
        entity_record("person", "person/writer", "Writer"),
        entity_record(
            "document",
            "doc/other",
            "Other",
            title="Other article",
            paragraphs=7,
            url="https://example.org/other",
        ),
        relation_record("person/writer", "AUTHORED", "doc/other"),
    )
    assert entity("doc/other", DOCUMENT, store=store) == {
        "title": "Other article",
        "url": "https://example.org/other",
        "published": None,
        "paragraphCount": 7,
        "publisher": None,
        "authors": [{"key": "person/writer"}],
        "contributors": [],
    }


# -- Question -------------------------------------------------------------------------------------


def test_question_concerns(entity):
    assert entity(
        "question/who-approves-fable-5-restoration", "... on Question { status concerns { __typename key } }"
    ) == {
        "status": "OPEN",
        "concerns": [
            {"__typename": "Incident", "key": "incident/fable-5-access-shutdown"},
            {"__typename": "AIModel", "key": "model/fable-5"},
        ],
    }
    assert entity("question/review-standards", "... on Question { concerns { key } }") == {
        "concerns": [{"key": "event/federal-ai-model-reviews"}]
    }
