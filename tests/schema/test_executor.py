"""The lean executor gives exactly graphql-core's results.

Queries are generated from the schema itself: every root field, with every
field of its result type that takes no required argument, through
interfaces (one inline fragment per implementation), down a few levels.
Both executors run each query on the seed and on hand-made error cases;
data and errors (message, path, locations) must be identical.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    execute,
    get_named_type,
    parse,
)

from oversight_graph.graph.store import GraphStore
from oversight_graph.schema import Context, schema
from oversight_graph.schema.executor import DeadlineExceeded, LeanExecutor

GRAPHQL_SCHEMA = schema._schema
LEAN = LeanExecutor(schema)

ROOT_CALLS = {
    "node": '(id: "org/caisi")',
    "nodes": '(ids: ["org/meta", "model/fable-5", "org/missing", "org/anthropic|DEVELOPED|model/fable-5"])',
    "entity": '(key: "order/ai-model-review-order")',
    "organizations": "(first: 5)",
    "people": "",
    "models": "(orderBy: {field: DATE, direction: DESC})",
    "orders": "",
    "incidents": "",
    "agreements": "(where: {statusIn: [SIGNED]}, first: 3)",
    "events": "(first: 4)",
    "documents": "",
    "questions": "",
    "search": '(text: "fable")',
    "companiesWithoutAgreement": "",
    "path": '(from: "org/amazon", to: "org/anthropic")',
    "neighborhood": '(id: "incident/fable-5-access-shutdown")',
    "timeline": "(first: 5)",
    "stats": "",
    "rateLimit": "",
    "relations": '(types: [PARTY_TO, SIGNED], first: 3, after: "WyJyZWxzIiwib3JnL2FudGhyb3BpY3xQQVJUWV9UT3xhZ3JlZW1lbnQvYW50aHJvcGljLWNhaXNpIl0=")',
    "changes": "(first: 3)",
    "history": '(id: "org/meta")',
}


def _selection(type_, depth: int) -> str:
    named = get_named_type(type_)
    if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
        return ""
    if depth == 0:
        return "{ __typename }"
    parts = ["__typename"]
    for name, field in named.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) and arg.default_value is None for arg in field.args.values()):
            continue
        arguments = "(first: 2)" if "first" in field.args else ""
        parts.append(f"{name}{arguments} {_selection(field.type, depth - 1)}".strip())
    if isinstance(named, GraphQLInterfaceType):
        for implementation in GRAPHQL_SCHEMA.get_possible_types(named):
            own = [n for n in implementation.fields if n not in named.fields]
            inner = " ".join(
                f"{n} {_selection(implementation.fields[n].type, depth - 1)}".strip()
                for n in own
                if not any(
                    isinstance(a.type, GraphQLNonNull) and a.default_value is None
                    for a in implementation.fields[n].args.values()
                )
            )
            if inner:
                parts.append(f"... on {implementation.name} {{ {inner} }}")
    return "{ " + " ".join(parts) + " }"


def _query(root_field: str, depth: int) -> str:
    field = GRAPHQL_SCHEMA.query_type.fields[root_field]
    return f"{{ {root_field}{ROOT_CALLS[root_field]} {_selection(field.type, depth)} }}"


def _both(query: str, store: GraphStore, variables=None):
    document = parse(query)
    expected = execute(GRAPHQL_SCHEMA, document, context_value=Context(store=store), variable_values=variables)
    actual = LEAN.execute(document, variables=variables, context=Context(store=store))
    return expected, actual


def _same(expected, actual) -> None:
    assert actual.data == expected.data
    assert [e.formatted for e in actual.errors or []] == [e.formatted for e in expected.errors or []]


@pytest.mark.parametrize("root_field", sorted(ROOT_CALLS))
@pytest.mark.parametrize("depth", [1, 3])
def test_every_root_field_matches_graphql_core(seed_store, root_field, depth):
    expected, actual = _both(_query(root_field, depth), seed_store)
    assert expected.data is not None
    _same(expected, actual)


def test_generated_corpus_covers_every_root_field():
    assert set(ROOT_CALLS) == set(GRAPHQL_SCHEMA.query_type.fields)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ a: entity(key: "org/meta") { name } b: entity(key: "org/none") { name } }', None),
        ('{ node(id: "!!") { id } }', None),
        ('{ search(text: "x", first: -1) { score } }', None),
        (
            "query($k: String!, $skip: Boolean!) { entity(key: $k) { name @skip(if: $skip) key @include(if: $skip) } }",
            {"k": "org/xai", "skip": True},
        ),
        (
            "query($k: String!) { entity(key: $k) { ...F } } fragment F on Organization { name category models { name } }",
            {"k": "org/meta"},
        ),
        ('{ entity(key: "org/meta") { ... on Person { positions { role } } ... on Organization { category } } }', None),
        ('{ organizations(after: "bogus") { totalCount } }', None),
        ("query A { stats { version } } query B { stats { entityCount } }", None),
    ],
)
def test_special_cases_match_graphql_core(seed_store, query, variables):
    document = parse(query)
    operation_name = "B" if "query B" in query else None
    expected = execute(
        GRAPHQL_SCHEMA,
        document,
        context_value=Context(store=seed_store),
        variable_values=variables,
        operation_name=operation_name,
    )
    actual = LEAN.execute(
        document, variables=variables, operation_name=operation_name, context=Context(store=seed_store)
    )
    _same(expected, actual)


def test_null_in_a_non_null_position_propagates_like_graphql_core(seed_store, monkeypatch):
    # A store that loses Anthropic: `Incident.affected` is [Entity!]!, so the null
    # must bubble up to the nearest nullable field, as graphql-core does it.
    real = GraphStore.entity
    monkeypatch.setattr(GraphStore, "entity", lambda self, key: None if key == "org/anthropic" else real(self, key))
    query = '{ entity(key: "model/fable-5") { name ... on AIModel { incidents { name affected { name } } } } }'
    expected, actual = _both(query, seed_store)
    assert expected.errors and expected.data == {"entity": None}
    _same(expected, actual)


def test_introspection_is_handed_to_graphql_core(seed_store):
    expected, actual = _both("{ __schema { queryType { name } } __typename }", seed_store)
    _same(expected, actual)
    assert actual.data["__schema"]["queryType"]["name"] == "Query"


def test_time_limit_stops_execution(seed_store, monkeypatch):
    import oversight_graph.schema.executor as executor
    from oversight_graph.graph import deadline

    ticks = iter(range(0, 10_000, 10))
    monkeypatch.setattr(deadline.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(executor, "_CLOCK_EVERY", 1)
    with pytest.raises(DeadlineExceeded, match="time limit of 5 s"):
        LEAN.execute(parse(_query("organizations", 3)), context=Context(store=seed_store), time_limit=5)
