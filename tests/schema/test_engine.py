"""The engine: limits with their codes, caches, and how outcomes are classified."""

from __future__ import annotations

import gc

import orjson
import pytest

from oversight_graph.graph.load import build_store
from oversight_graph.graph.model import Organization
from oversight_graph.graph.sample import sample_records
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.engine import CacheSizes, Engine, OperationNotAllowed, Outcome
from oversight_graph.schema.limits import LIMIT_CODES

SCHEMA = build_schema()


def run(engine, store, query, variables=None, **kwargs):
    result = engine.run(query, Context(store=store, limits=engine.limits), variables, **kwargs)
    return result, orjson.loads(result.body)


@pytest.fixture()
def engine():
    return Engine(SCHEMA)


def the_error(body):
    assert "data" not in body, "a refused request has no data entry"
    (error,) = body["errors"]
    return error


def test_a_plain_query_runs(engine, seed_store):
    result, body = run(engine, seed_store, "{ companiesWithoutAgreement { key } }")
    assert result.outcome is Outcome.EXECUTED and not result.cached
    assert body == {"data": {"companiesWithoutAgreement": [{"key": "org/meta"}]}}


@pytest.mark.parametrize(
    ("limits", "query", "code", "limit", "actual"),
    [
        (
            Limits(max_document_bytes=40),
            "{ stats { version entityCount relationCount citationCount } }",
            "DOCUMENT_TOO_LARGE",
            40,
            61,
        ),
        (
            Limits(max_tokens=5),
            "{ stats { version entityCount relationCount citationCount } }",
            "TOO_MANY_TOKENS",
            5,
            None,
        ),
        (
            Limits(max_operations=2),
            "query A { stats { version } } query B { stats { version } } query C { stats { version } }",
            "TOO_MANY_OPERATIONS",
            2,
            3,
        ),
        (
            Limits(max_depth=3),
            '{ entity(key: "org/meta") { relations { edges { node { key } } } } }',
            "QUERY_TOO_DEEP",
            3,
            5,
        ),
        (
            Limits(max_aliases=2),
            "{ a: stats { version } b: stats { version } c: stats { version } }",
            "TOO_MANY_ALIASES",
            2,
            3,
        ),
        (
            Limits(max_cost=50),
            "{ organizations(first: 10) { edges { node { models { key } } } } }",
            "QUERY_TOO_COSTLY",
            50,
            111,
        ),
        (Limits(), "{ organizations(first: 101) { totalCount } }", "PAGE_TOO_LARGE", 100, 101),
        (Limits(max_ids=1), '{ nodes(ids: ["org/meta", "org/xai"]) { id } }', "PAGE_TOO_LARGE", 1, 2),
        (Limits(), '{ path(from: "org/meta", to: "org/xai", maxLength: 9) { length } }', "PATH_TOO_LONG", 8, 9),
        (Limits(), '{ neighborhood(id: "org/meta", depth: 4) { truncated } }', "NEIGHBORHOOD_TOO_DEEP", 3, 4),
    ],
)
def test_each_limit_refuses_before_running_with_its_code(seed_store, limits, query, code, limit, actual):
    engine = Engine(SCHEMA, limits)
    result, body = run(engine, seed_store, query)
    assert result.outcome is Outcome.REQUEST_ERROR
    error = the_error(body)
    assert error["extensions"]["code"] == code
    assert error["extensions"]["limit"] == limit
    assert error["extensions"].get("actual") == actual
    assert code in LIMIT_CODES


def test_limits_read_variables(seed_store):
    engine = Engine(SCHEMA)
    query = "query($n: Int) { organizations(first: $n) { totalCount } }"
    assert the_error(run(engine, seed_store, query, {"n": 500})[1])["extensions"]["code"] == "PAGE_TOO_LARGE"
    assert run(engine, seed_store, query, {"n": 5})[0].outcome is Outcome.EXECUTED


def test_introspection_only_operations_are_not_depth_checked(seed_store):
    engine = Engine(SCHEMA, Limits(max_depth=2))
    result, body = run(engine, seed_store, "{ __schema { types { fields { type { ofType { name } } } } } }")
    assert result.outcome is Outcome.EXECUTED and body["data"]["__schema"]["types"]


def test_the_documented_page_fits_the_default_cost_and_a_nested_page_does_not(seed_store):
    engine = Engine(SCHEMA)
    page = "{ organizations(first: 100) { edges { node { name relations(first: 10) { edges { node { type citations { claim } } } } } } } }"
    assert run(engine, seed_store, page)[0].outcome is Outcome.EXECUTED
    nested = page.replace("citations { claim }", "subject { relations(first: 100) { edges { node { key } } } }")
    assert the_error(run(engine, seed_store, nested)[1])["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_responses_are_cached_until_the_graph_changes():
    store = build_store(sample_records())
    engine = Engine(SCHEMA)
    query = "{ organizations { totalCount } }"
    first, body = run(engine, store, query)
    second, _ = run(engine, store, query)  # kept from its second sight (the doorkeeper)
    again, same = run(engine, store, query)
    assert not first.cached and not second.cached and again.cached and body == same
    store.add_entity(
        Organization(key="org/new", name="New", description="d", category=store.entity("org/meta").category)
    )
    fresh, changed = run(engine, store, query)
    assert not fresh.cached and run(engine, store, query)[0].cached
    assert changed["data"]["organizations"]["totalCount"] == body["data"]["organizations"]["totalCount"] + 1


def test_cache_keys_include_variables_and_operation(seed_store, engine):
    query = "query($k: String!) { entity(key: $k) { key } }"
    assert (
        orjson.loads(engine.run(query, Context(store=seed_store), {"k": "org/meta"}).body)["data"]["entity"]["key"]
        == "org/meta"
    )
    assert (
        orjson.loads(engine.run(query, Context(store=seed_store), {"k": "org/xai"}).body)["data"]["entity"]["key"]
        == "org/xai"
    )


def test_internal_errors_are_never_cached(seed_store, monkeypatch):
    engine = Engine(SCHEMA)
    from oversight_graph.graph.store import GraphStore

    monkeypatch.setattr(GraphStore, "relations_of", lambda self, key: 1 / 0)
    query = '{ entity(key: "org/meta") { relations { totalCount } } }'
    _result, body = run(engine, seed_store, query)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert not run(engine, seed_store, query)[0].cached


def test_caches_are_bounded(seed_store):
    engine = Engine(SCHEMA, caches=CacheSizes(documents=3, validations=3, responses=3))
    for n in range(10):
        for _sight in range(2):  # kept from the second sight
            run(engine, seed_store, f'{{ search(text: "x{n}") {{ score }} }}')
    assert len(engine.documents) == len(engine.validations) == len(engine.responses) == 3


def test_one_off_requests_are_not_kept_and_repeated_ones_are(seed_store):
    # A stream of documents each sent once (an attacker's, a generated workload's)
    # must not evict what clients repeat nor pile up for the garbage collector.
    engine = Engine(SCHEMA)
    repeated = "{ stats { version } }"
    run(engine, seed_store, repeated)
    for n in range(50):
        run(engine, seed_store, f'{{ a{n}: search(text: "x{n}") {{ score }} }}')
    assert len(engine.documents) == len(engine.validations) == len(engine.responses) == len(engine.plans) == 0
    assert not run(engine, seed_store, repeated)[0].cached  # seen again: now kept
    assert repeated in engine.documents and len(engine.plans) == len(engine.responses) == 1
    assert run(engine, seed_store, repeated)[0].cached
    # The same document with new variables: the document is kept, each new request's response is not.
    query = "query($t: String!) { search(text: $t) { score } }"
    for text in ("a", "b", "c"):
        run(engine, seed_store, query, {"t": text})
        run(engine, seed_store, query, {"t": text + text})
    assert query in engine.documents and len(engine.prepared) == len(engine.responses) == 1  # the repeated one's
    # Switched off, every entry is kept at once.
    eager = Engine(SCHEMA, caches=CacheSizes(sightings=0))
    run(eager, seed_store, repeated)
    assert run(eager, seed_store, repeated)[0].cached


def test_syntax_validation_and_variable_errors_are_request_errors(engine, seed_store):
    for query, variables, code in [
        ("{ stats {", None, "GRAPHQL_PARSE_FAILED"),
        ("{ stats { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ('query($n: Int!) { search(text: "a", first: $n) { score } }', {"n": "ten"}, "BAD_USER_INPUT"),
        ("query($d: PartialDate) { timeline(to: $d) { summary } }", {"d": "soon"}, "INVALID_DATE"),
        ("query A { stats { version } } query B { stats { version } }", None, "BAD_USER_INPUT"),
    ]:
        result, body = run(engine, seed_store, query, variables)
        assert result.outcome is Outcome.REQUEST_ERROR, query
        assert the_error(body)["extensions"]["code"] == code, query


def test_field_errors_keep_data(engine, seed_store):
    result, body = run(engine, seed_store, '{ entity(key: "org/none") { key } stats { version } }')
    assert result.outcome is Outcome.EXECUTED
    assert body["data"]["entity"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_mutations_are_refused_where_not_allowed(engine, seed_store):
    with pytest.raises(OperationNotAllowed):
        engine.run("mutation { x }", Context(store=seed_store))


def test_timeout_has_its_own_outcome_and_code(seed_store, monkeypatch):
    import oversight_graph.schema.executor as executor
    from oversight_graph.graph import deadline

    ticks = iter(range(0, 1_000_000, 10))
    monkeypatch.setattr(deadline.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(executor, "_CLOCK_EVERY", 1)
    engine = Engine(SCHEMA, Limits(time_limit=5))
    result, body = run(engine, seed_store, "{ organizations { edges { node { name } } } }")
    assert result.outcome is Outcome.TIMEOUT
    error = the_error(body)
    assert error["extensions"] == {"code": "TIMEOUT", "limit": 5}
    assert not run(engine, seed_store, "{ organizations { edges { node { name } } } }")[0].cached


def test_suggestions_can_be_turned_off(seed_store):
    with_hints = the_error(run(Engine(SCHEMA), seed_store, "{ stats { versio } }")[1])["message"]
    without = the_error(run(Engine(SCHEMA, suggestions=False), seed_store, "{ stats { versio } }")[1])["message"]
    assert "Did you mean" in with_hints and "Did you mean" not in without


def test_requests_leave_no_reference_cycles_for_the_collector(seed_store):
    # A cycle per request makes the collector run full collections every few
    # hundred requests, each pausing a large server for tens of milliseconds.
    engine = Engine(SCHEMA, caches=CacheSizes(responses=0))
    query = "query Q($key: String!) { entity(key: $key) { key relations(first: 3) { edges { node { key } } } } }"
    keys = [e.key for e in seed_store.entities()]
    run(engine, seed_store, query, {"key": keys[0]})
    run(engine, seed_store, query, {"key": keys[0]})  # the document is kept from its second sight
    gc.collect()
    gc.disable()
    try:
        for key in keys[1:21]:  # new variables each time: coerced and admitted afresh
            run(engine, seed_store, query, {"key": key})
        assert gc.collect() == 0
    finally:
        gc.enable()
