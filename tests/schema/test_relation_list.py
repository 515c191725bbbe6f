"""The root ``relations`` list: filters, keyset paging over the whole graph, cost accounting."""

from __future__ import annotations

import time

import orjson
import pytest

from oversight_graph.graph import deadline
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.edges import list_relations
from oversight_graph.graph.enums import Confidence
from oversight_graph.graph.queries import holds_at
from oversight_graph.schema import build_schema
from oversight_graph.schema.context import Context, Limits
from oversight_graph.schema.engine import Engine, Outcome, Ready

LIST = """
query($types: [RelationType!], $subject: ID, $object: ID, $asOf: PartialDate, $min: Confidence,
      $first: Int, $after: String) {
  relations(types: $types, subject: $subject, object: $object, asOf: $asOf, minConfidence: $min,
            first: $first, after: $after) {
    totalCount
    edges { cursor node { key type subject { key } object { key } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def keys(connection) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]


@pytest.fixture()
def relations(ok):
    def relations(**variables):
        return ok(LIST, variables)["relations"]

    return relations


def test_paging_with_end_cursors_visits_every_relation_once_in_key_order(relations, seed_store):
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = relations(first=10, after=after)
        assert page["totalCount"] == seed_store.relation_count
        seen += keys(page)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert page["edges"][-1]["cursor"] == after
    assert seen == sorted(r.key for r in seed_store.relations())
    assert pages == -(-seed_store.relation_count // 10)


def test_filters_combine(relations, seed_store):
    signed = relations(types=["SIGNED", "PARTY_TO"], first=100)
    assert keys(signed) == sorted(r.key for r in seed_store.relations() if r.type.name in ("SIGNED", "PARTY_TO"))
    assert {e["node"]["type"] for e in signed["edges"]} == {"SIGNED", "PARTY_TO"}

    from_meta = relations(subject="org/meta", first=100)
    assert keys(from_meta) and all(e["node"]["subject"]["key"] == "org/meta" for e in from_meta["edges"])
    to_caisi = relations(object="org/caisi", types=["COUNTERPARTY_TO", "OVERSEES"], first=100)
    assert keys(to_caisi) == ["person/howard-lutnick|OVERSEES|org/caisi"]
    both = relations(subject="org/openai", object="agreement/openai-caisi", first=100)
    assert keys(both) == ["org/openai|PARTY_TO|agreement/openai-caisi"]

    day = PartialDate.parse("2026-06-01")
    dated = relations(asOf="2026-06-01", first=100)
    assert keys(dated) == sorted(r.key for r in seed_store.relations() if holds_at(r, day))
    assert dated["totalCount"] < seed_store.relation_count

    firm = relations(min="ON_THE_RECORD", first=100)
    floor = Confidence.ON_THE_RECORD.rank
    assert keys(firm) == sorted(r.key for r in seed_store.relations() if r.confidence.rank >= floor)
    assert 0 < firm["totalCount"] < seed_store.relation_count


def test_filtered_paging_continues_after_the_cursor(relations):
    first = relations(types=["CONCERNS"], first=2)
    rest = relations(types=["CONCERNS"], first=100, after=first["pageInfo"]["endCursor"])
    everything = relations(types=["CONCERNS"], first=100)
    assert keys(first) + keys(rest) == keys(everything)
    assert rest["pageInfo"]["hasPreviousPage"] and not rest["pageInfo"]["hasNextPage"]


def test_graph_function_agrees_with_the_api(relations, seed_store):
    found = list_relations(seed_store, subject="org/white-house")
    assert keys(relations(subject="org/white-house", first=100)) == [r.key for r in found]


@pytest.mark.parametrize(
    ("variables", "code", "argument"),
    [
        ({"subject": "org/nobody"}, "NOT_FOUND", None),
        ({"object": "not a key"}, "INVALID_ID", "object"),
        ({"after": "bm90IGEgY3Vyc29y"}, "INVALID_CURSOR", None),
        ({"first": 101}, "BAD_USER_INPUT", "first"),
        ({"asOf": "June"}, "INVALID_DATE", None),
    ],
)
def test_bad_arguments_get_coded_errors(execute, variables, code, argument):
    _, errors = execute(LIST, variables)
    assert errors, "expected an error"
    assert errors[0]["extensions"]["code"] == code
    if argument is not None:
        assert errors[0]["extensions"].get("argument") == argument


def test_a_cursor_from_an_entitys_relations_is_refused(ok, execute):
    page = ok('{ entity(key: "org/meta") { relations(first: 1) { pageInfo { endCursor } } } }')
    cursor = page["entity"]["relations"]["pageInfo"]["endCursor"]
    _, errors = execute(LIST, {"after": cursor})
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"


def test_cost_counts_the_page_and_refuses_nested_pages(seed_store):
    engine = Engine(build_schema())

    def run(query: str):
        result = engine.run(query, Context(store=seed_store, limits=engine.limits))
        return result, orjson.loads(result.body)

    def cost(query: str) -> int:
        ready = engine.start(query, Context(store=seed_store, limits=engine.limits))
        assert isinstance(ready, Ready)
        return ready.cost

    page = "{ relations(first: 100) { edges { node { key subject { key } object { key } citations { claim document { title } } } } } }"
    # Each edge holds a relation, two ends and three citations with their documents: 100 * 9 + 1.
    assert cost(page) == 901
    result, body = run(page)
    assert result.outcome is Outcome.EXECUTED, body
    assert len(body["data"]["relations"]["edges"]) == min(100, seed_store.relation_count)
    nested = page.replace("subject { key }", "subject { relations(first: 100) { edges { node { key } } } }")
    result, body = run(nested)
    assert result.outcome is Outcome.REQUEST_ERROR
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_small_limits_apply(execute):
    _, errors = execute(LIST, {"first": 5}, limits=Limits(max_page_size=4))
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_whole_graph_filter_stops_at_the_deadline(seed_store):
    with deadline.within(0.000001):
        time.sleep(0.001)
        with pytest.raises(deadline.DeadlineExceeded):
            list_relations(seed_store, as_of=PartialDate.parse("2026"))
