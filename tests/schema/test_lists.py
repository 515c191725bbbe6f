"""The root entity lists: totals, ``where`` filters, ``orderBy`` and cursor pagination."""

from __future__ import annotations

import base64

import pytest

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.sample import entity_record
from oversight_graph.schema.context import Limits

# field, object type, where input type, kind
LISTS = [
    ("organizations", "Organization", "OrganizationWhereInput", Kind.ORGANIZATION),
    ("people", "Person", "EntityWhereInput", Kind.PERSON),
    ("models", "AIModel", "AIModelWhereInput", Kind.AI_MODEL),
    ("orders", "Order", "OrderWhereInput", Kind.ORDER),
    ("incidents", "Incident", "IncidentWhereInput", Kind.INCIDENT),
    ("agreements", "Agreement", "AgreementWhereInput", Kind.AGREEMENT),
    ("events", "Event", "EventWhereInput", Kind.EVENT),
    ("documents", "Document", "EntityWhereInput", Kind.DOCUMENT),
    ("questions", "Question", "QuestionWhereInput", Kind.QUESTION),
]
WHERE_TYPE = {field: where for field, _, where, _ in LISTS}


def list_query(field: str) -> str:
    return f"""
    query($where: {WHERE_TYPE[field]}, $orderBy: EntityOrderInput, $first: Int, $after: String) {{
      {field}(where: $where, orderBy: $orderBy, first: $first, after: $after) {{
        totalCount
        edges {{ cursor node {{ __typename key name }} }}
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
      }}
    }}
    """


def keys_of(connection) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]


@pytest.fixture()
def listing(ok):
    """``listing("organizations", where=..., orderBy=..., first=...)``: the connection."""

    def listing(field: str, **variables):
        variables.setdefault("first", 100)
        return ok(list_query(field), variables)[field]

    return listing


@pytest.fixture()
def filtered(listing):
    """``filtered("organizations", {...})``: the keys meeting a where input, in name order."""

    def filtered(field: str, where: dict, **variables) -> list[str]:
        connection = listing(field, where=where, **variables)
        assert connection["totalCount"] == len(connection["edges"])
        return keys_of(connection)

    return filtered


# -- totals and shape ---------------------------------------------------------------


SEED_TOTALS = {
    "organizations": 19,
    "people": 4,
    "models": 2,
    "orders": 1,
    "incidents": 2,
    "agreements": 6,
    "events": 10,
    "documents": 1,
    "questions": 5,
}


@pytest.mark.parametrize(("field", "type_name", "where", "kind"), LISTS)
def test_each_kind_list_returns_every_entity_of_that_kind_once(listing, seed_store, field, type_name, where, kind):
    connection = listing(field)
    assert connection["totalCount"] == SEED_TOTALS[field] == seed_store.count(kind)
    assert sorted(keys_of(connection)) == sorted(e.key for e in seed_store.entities(kind))
    assert {edge["node"]["__typename"] for edge in connection["edges"]} == {type_name}
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["pageInfo"]["hasPreviousPage"] is False
    assert connection["pageInfo"]["startCursor"] == connection["edges"][0]["cursor"]
    assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]


def test_default_order_is_by_name_ignoring_case_and_punctuation(listing):
    assert keys_of(listing("organizations")) == [
        "org/amazon",
        "org/anthropic",
        "org/axios",
        "org/biden-administration",
        "org/caisi-technical-staff",  # CAISI technical staff
        "org/caisi",  # Center for AI Standards and Innovation
        "org/commerce-department",
        "org/google",
        "org/intelligence-and-defense-officials",
        "org/meta",
        "org/meta-policy-team",
        "org/microsoft",
        "org/openai",
        "org/tech-companies",
        "org/nyt",  # The New York Times
        "org/trump-administration",
        "org/us-federal-government",  # U.S. federal government
        "org/white-house",
        "org/xai",  # xAI, lowercase initial, still last
    ]
    assert keys_of(listing("people")) == [
        "person/ana-swanson",
        "person/ben-kass",
        "person/donald-trump",
        "person/howard-lutnick",
    ]


def test_first_limits_the_page_and_total_count_still_counts_everything(listing):
    connection = listing("organizations", first=3)
    assert connection["totalCount"] == 19
    assert keys_of(connection) == ["org/amazon", "org/anthropic", "org/axios"]
    assert connection["pageInfo"]["hasNextPage"] is True
    assert connection["pageInfo"]["hasPreviousPage"] is False


def test_first_zero_gives_only_the_total(listing):
    connection = listing("agreements", first=0)
    assert connection == {
        "totalCount": 6,
        "edges": [],
        "pageInfo": {"hasNextPage": True, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


def test_without_first_the_page_size_is_the_default_limit(ok):
    data = ok(list_query("organizations"), {}, limits=Limits(default_page_size=4))
    assert keys_of(data["organizations"]) == [
        "org/amazon",
        "org/anthropic",
        "org/axios",
        "org/biden-administration",
    ]
    data = ok(list_query("organizations"), {})
    assert len(data["organizations"]["edges"]) == 19  # default page (20) holds all 19


def test_first_equal_to_max_page_size_is_accepted(ok):
    data = ok(list_query("events"), {"first": 3}, limits=Limits(max_page_size=3))
    assert len(data["events"]["edges"]) == 3


# -- where filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta", ["org/meta", "org/meta-policy-team"]),
        ("META", ["org/meta", "org/meta-policy-team"]),
        ("department of", ["org/commerce-department"]),  # an alias, not the name
        ("NYT", ["org/nyt"]),  # alias
        ("Center for A.I.", ["org/caisi"]),  # punctuation folded: matches "Center for AI ..."
        ("white house", ["org/white-house"]),
        ("nothing like this", []),
    ],
)
def test_where_name_contains_matches_names_and_aliases(filtered, text, expected):
    assert filtered("organizations", {"nameContains": text}) == expected


def test_where_name_contains_works_on_every_kind(filtered):
    assert filtered("people", {"nameContains": "trump"}) == ["person/donald-trump"]
    assert filtered("models", {"nameContains": "spark"}) == ["model/muse-spark"]
    assert filtered("incidents", {"nameContains": "Anthropic shutdown"}) == ["incident/fable-5-access-shutdown"]
    assert filtered("questions", {"nameContains": "standard"}) == [
        "question/review-standards",
        "question/same-standard-for-others",
    ]


def test_where_category_in(filtered):
    assert filtered("organizations", {"categoryIn": ["NEWS_OUTLET", "RESEARCH_GROUP"]}) == [
        "org/axios",
        "org/nyt",
    ]
    assert filtered("organizations", {"categoryIn": ["GOVERNMENT_AGENCY"]}) == ["org/caisi"]


def test_where_category_in_an_empty_list_matches_nothing(filtered):
    assert filtered("organizations", {"categoryIn": []}) == []


def test_where_major_ai_developer(filtered):
    majors = ["org/anthropic", "org/google", "org/meta", "org/microsoft", "org/openai", "org/xai"]
    assert filtered("organizations", {"majorAiDeveloper": True}) == majors
    others = filtered("organizations", {"majorAiDeveloper": False})
    assert len(others) == 13 and not set(others) & set(majors)
    assert filtered("organizations", {"majorAiDeveloper": False, "categoryIn": ["COMPANY"]}) == ["org/amazon"]


def test_where_country_in(filtered):
    # Every organization but CAISI's staff, Meta's policy team and tech companies in general has a country.
    assert "org/tech-companies" not in filtered("organizations", {"countryIn": ["US"]})
    assert len(filtered("organizations", {"countryIn": ["US"]})) == 16
    assert filtered("organizations", {"countryIn": ["FR"]}) == []


def test_where_status_in_for_agreements_and_questions(filtered):
    assert filtered("agreements", {"statusIn": ["NEGOTIATING"]}) == ["agreement/meta-commerce-review"]
    assert filtered("agreements", {"statusIn": ["SIGNED"]}) == []
    assert filtered("agreements", {"statusIn": ["AGREED"]}) == [
        "agreement/anthropic-caisi",
        "agreement/google-caisi",
        "agreement/microsoft-caisi",
        "agreement/openai-caisi",
        "agreement/xai-caisi",
    ]
    assert filtered("agreements", {"statusIn": ["PROPOSED", "TERMINATED"]}) == []
    assert len(filtered("questions", {"statusIn": ["OPEN"]})) == 5
    assert filtered("questions", {"statusIn": ["ANSWERED"]}) == []


def test_where_kind_specific_enums(filtered):
    assert filtered("models", {"accessStatusIn": ["SUSPENDED"]}) == ["model/fable-5"]
    assert filtered("models", {"accessStatusIn": ["PUBLIC"]}) == ["model/muse-spark"]
    assert filtered("orders", {"orderKindIn": ["EXECUTIVE_ORDER"]}) == ["order/ai-model-review-order"]
    assert filtered("orders", {"orderKindIn": ["DIRECTIVE"]}) == []
    assert filtered("incidents", {"incidentKindIn": ["VULNERABILITY"]}) == ["incident/fable-5-vulnerability"]
    assert filtered("events", {"eventKindIn": ["STATEMENT"]}) == [
        "event/commerce-statement",
        "event/trump-axios-remarks",
    ]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"dateFrom": "2026-06"}, ["order/ai-model-review-order"]),
        ({"dateFrom": "2026-06-02", "dateTo": "2026-06-02"}, ["order/ai-model-review-order"]),
        ({"dateFrom": "2026-06-03"}, []),  # signed June 2: ends before the range
        ({"dateTo": "2026-06-01"}, []),  # starts after the range
        ({"dateTo": "2026"}, ["order/ai-model-review-order"]),
        ({"dateFrom": "2025", "dateTo": "2025"}, []),
    ],
)
def test_where_date_range_on_an_order(filtered, where, expected):
    assert filtered("orders", where) == expected


def test_where_date_range_uses_each_kinds_own_date_and_skips_undated(filtered):
    # Muse Spark was released in 2026-04; Fable 5 has no release date.
    assert filtered("models", {"dateFrom": "2026-04-30"}) == ["model/muse-spark"]
    assert filtered("models", {"dateTo": "2026-03"}) == []
    # The shutdown is dated only by year; the vulnerability is undated.
    assert filtered("incidents", {"dateFrom": "2026-12-31"}) == ["incident/fable-5-access-shutdown"]
    assert filtered("events", {"dateFrom": "2026"}) == ["event/trump-axios-remarks"]
    assert filtered("documents", {"dateTo": "2026-01"}) == ["doc/nyt-meta-ai-reviews"]
    assert filtered("agreements", {"dateFrom": "2000"}) == []  # no agreement is dated


def test_where_some_with_other_matches_either_end_by_default(filtered):
    submitted = ["org/anthropic", "org/google", "org/microsoft", "org/openai", "org/xai"]
    assert filtered("organizations", {"some": [{"type": "SUBMITTED_TO", "other": "org/caisi"}]}) == submitted
    # The listed entity as subject (the officials are part of the government) ...
    assert filtered("organizations", {"some": [{"type": "PART_OF", "other": "org/us-federal-government"}]}) == [
        "org/intelligence-and-defense-officials"
    ]
    # ... and as object (the technical staff is part of CAISI).
    assert filtered("organizations", {"some": [{"type": "PART_OF", "other": "org/caisi-technical-staff"}]}) == [
        "org/caisi"
    ]


def test_where_some_accepts_a_global_id_for_other(filtered):
    meta = base64.b64encode(b"Organization:org/meta").decode()
    assert filtered("organizations", {"some": [{"type": "RIVALS", "other": meta}]}) == [
        "org/anthropic",
        "org/google",
        "org/openai",
    ]


def test_where_some_without_other_and_with_direction(filtered):
    # RIVALS goes from Meta to three rivals: Meta is the only subject.
    assert filtered("organizations", {"some": [{"type": "RIVALS"}]}) == [
        "org/anthropic",
        "org/google",
        "org/meta",
        "org/openai",
    ]
    assert filtered("organizations", {"some": [{"type": "RIVALS", "direction": "OUTGOING"}]}) == ["org/meta"]
    assert filtered("organizations", {"some": [{"type": "RIVALS", "direction": "INCOMING"}]}) == [
        "org/anthropic",
        "org/google",
        "org/openai",
    ]


def test_where_some_direction_applies_with_other(filtered):
    holds = {"type": "HOLDS_POSITION", "other": "org/commerce-department"}
    assert filtered("people", {"some": [{**holds, "direction": "OUTGOING"}]}) == [
        "person/ben-kass",
        "person/howard-lutnick",
    ]
    assert filtered("people", {"some": [{**holds, "direction": "INCOMING"}]}) == []


def test_where_some_requires_every_condition(filtered):
    both = [
        {"type": "SUBMITTED_TO", "other": "org/caisi"},
        {"type": "RIVALS", "other": "org/meta"},
    ]
    assert filtered("organizations", {"some": both}) == ["org/anthropic", "org/google", "org/openai"]


def test_where_none_without_other(filtered):
    # The major developers not party to any agreement at all: none (Meta is party to the negotiating one).
    assert filtered("organizations", {"majorAiDeveloper": True, "none": [{"type": "PARTY_TO"}]}) == []
    # The major developers that did not submit models to anyone.
    assert filtered("organizations", {"majorAiDeveloper": True, "none": [{"type": "SUBMITTED_TO"}]}) == ["org/meta"]


def test_where_none_with_other_and_direction(filtered):
    condition = {"type": "SUBMITTED_TO", "other": "org/caisi", "direction": "OUTGOING"}
    assert filtered("organizations", {"majorAiDeveloper": True, "none": [condition]}) == ["org/meta"]
    # Seen from the other side, no major developer is the object of SUBMITTED_TO.
    condition["direction"] = "INCOMING"
    assert len(filtered("organizations", {"majorAiDeveloper": True, "none": [condition]})) == 6


def test_where_some_and_none_combine(filtered):
    where = {
        "some": [{"type": "RIVALS", "other": "org/meta"}],
        "none": [{"type": "PARTY_TO", "other": "agreement/google-caisi"}],
    }
    assert filtered("organizations", where) == ["org/anthropic", "org/openai"]


def test_where_conditions_and_order_by_combine(filtered):
    where = {"majorAiDeveloper": True, "nameContains": "o"}  # Anthropic, Google, Microsoft, OpenAI
    assert filtered("organizations", where) == ["org/anthropic", "org/google", "org/microsoft", "org/openai"]
    assert filtered("organizations", where, orderBy={"field": "NAME", "direction": "DESC"}) == [
        "org/openai",
        "org/microsoft",
        "org/google",
        "org/anthropic",
    ]


# -- orderBy -----------------------------------------------------------------------------


def test_order_by_key_ascending_and_descending(listing):
    asc = keys_of(listing("organizations", orderBy={"field": "KEY"}))
    assert asc == sorted(asc)
    assert asc.index("org/nyt") < asc.index("org/openai")  # by key "nyt" < "openai", unlike by name
    desc = keys_of(listing("organizations", orderBy={"field": "KEY", "direction": "DESC"}))
    assert desc == asc[::-1]


def test_order_by_name_descending_reverses_name_order(listing):
    asc = keys_of(listing("questions"))
    assert asc == [
        "question/review-standards",  # What standards ...
        "question/who-approves-fable-5-restoration",  # Who will approve ...
        "question/who-leads-model-reviews",  # Who will lead ...
        "question/meta-agreement-outcome",  # Will Meta ...
        "question/same-standard-for-others",  # Will other ...
    ]
    assert keys_of(listing("questions", orderBy={"field": "NAME", "direction": "DESC"})) == asc[::-1]
    assert keys_of(listing("questions", orderBy={"direction": "DESC"})) == asc[::-1]  # field defaults to NAME


def test_order_by_date_ascending_puts_undated_last_then_by_key(listing):
    assert keys_of(listing("models", orderBy={"field": "DATE"})) == ["model/muse-spark", "model/fable-5"]
    assert keys_of(listing("events", orderBy={"field": "DATE"})) == [
        "event/trump-axios-remarks",  # the only dated event
        "event/ai-cybersecurity-concerns",
        "event/ai-oversight-push",
        "event/amazon-vulnerability-paper",
        "event/commerce-statement",
        "event/federal-ai-model-reviews",
        "event/hands-off-ai-approach",
        "event/industry-insiders-view",
        "event/meta-review-request",
        "event/voluntary-model-reviews",
    ]


def test_order_by_date_ranks_coarse_dates_before_finer_ones_in_the_same_period(ok, tiny):
    store = tiny(
        entity_record("model", "model/a-day", "A day", release_date="2026-04-15"),
        entity_record("model", "model/b-month", "B month", release_date="2026-04"),
        entity_record("model", "model/c-year", "C year", release_date="2026"),
        entity_record("model", "model/d-earlier", "D earlier", release_date="2025-12-31"),
        entity_record("model", "model/e-none", "E none"),
    )
    data = ok(list_query("models"), {"orderBy": {"field": "DATE"}, "first": 10}, store=store)
    assert keys_of(data["models"]) == [
        "model/d-earlier",
        "model/c-year",
        "model/b-month",
        "model/a-day",
        "model/e-none",
    ]


def test_order_by_date_descending_is_newest_first_with_undated_entities_last(ok, tiny):
    """The DATE order is documented as "undated entities last", and DESC as "newest first".

    BUG: with ``direction: DESC`` the undated entities come *first*, because the
    list is the ascending order (undated sorted as year 10000) walked backwards.
    """
    store = tiny(
        entity_record("model", "model/old", "Old", release_date="2020"),
        entity_record("model", "model/new", "New", release_date="2026-04"),
        entity_record("model", "model/undated", "Undated"),
    )
    data = ok(list_query("models"), {"orderBy": {"field": "DATE", "direction": "DESC"}, "first": 10}, store=store)
    assert keys_of(data["models"]) == ["model/new", "model/old", "model/undated"]


# -- cursor pagination -------------------------------------------------------------------

ORDERS = [
    ("NAME", "ASC"),
    ("NAME", "DESC"),
    ("DATE", "ASC"),
    ("DATE", "DESC"),
    ("KEY", "ASC"),
    ("KEY", "DESC"),
]


@pytest.mark.parametrize(("field", "direction"), ORDERS)
@pytest.mark.parametrize("list_field", [row[0] for row in LISTS])
def test_walking_pages_of_two_visits_every_item_once_in_order(ok, list_field, field, direction):
    query = list_query(list_field)
    order = {"field": field, "direction": direction}
    whole = ok(query, {"orderBy": order, "first": 100})[list_field]
    expected = keys_of(whole)

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = ok(query, {"orderBy": order, "first": 2, "after": after})[list_field]
        pages += 1
        info = page["pageInfo"]
        assert page["totalCount"] == whole["totalCount"]
        assert info["hasPreviousPage"] is (pages > 1)
        assert len(page["edges"]) == 2 or not info["hasNextPage"]
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        seen += keys_of(page)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
        assert pages < 50, "pagination does not end"

    assert seen == expected
    assert len(set(seen)) == len(seen) == whole["totalCount"]
    assert pages == (len(expected) + 1) // 2


@pytest.mark.parametrize(("field", "direction"), [("NAME", "ASC"), ("KEY", "DESC")])
def test_pagination_respects_a_where_filter(ok, field, direction):
    query = list_query("organizations")
    where = {"majorAiDeveloper": True}
    order = {"field": field, "direction": direction}
    first = ok(query, {"where": where, "orderBy": order, "first": 4})["organizations"]
    rest = ok(query, {"where": where, "orderBy": order, "first": 4, "after": first["pageInfo"]["endCursor"]})[
        "organizations"
    ]
    everything = keys_of(first) + keys_of(rest)
    assert sorted(everything) == ["org/anthropic", "org/google", "org/meta", "org/microsoft", "org/openai", "org/xai"]
    assert len(keys_of(rest)) == 2 and rest["pageInfo"]["hasNextPage"] is False
    if direction == "DESC":
        assert everything == sorted(everything, reverse=True)


def test_each_edge_cursor_resumes_right_after_its_item(listing):
    whole = listing("people")
    for index, edge in enumerate(whole["edges"]):
        after = listing("people", after=edge["cursor"])
        assert keys_of(after) == keys_of(whole)[index + 1 :]


def test_a_cursor_past_the_end_gives_an_empty_last_page(listing):
    whole = listing("models")
    after = listing("models", after=whole["pageInfo"]["endCursor"])
    assert after["edges"] == []
    assert after["totalCount"] == 2
    assert after["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
