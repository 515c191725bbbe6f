"""Regressions found while auditing the endpoint for GraphQL over HTTP (``.ci/compliance``)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store)) as c:
        yield c


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_get_405_with_the_common_error_shape(client, method):
    # Starlette's router used to answer these itself: a text/plain "Method Not
    # Allowed" whose Allow header offered HEAD, which the endpoint then refused.
    response = client.request(method, "/graphql", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert method in error["message"]


def test_head_gets_the_headers_of_the_same_get_without_a_body(client):
    get = client.get("/graphql", params={"query": "{ stats { entityCount } }"})
    head = client.head("/graphql", params={"query": "{ stats { entityCount } }"})
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_cors_preflight_still_answered_by_the_middleware(seed_store):
    settings = Settings(cors_origins=("https://app.example",))
    with TestClient(create_app(seed_store, settings)) as c:
        preflight = c.options(
            "/graphql",
            headers={"origin": "https://app.example", "access-control-request-method": "POST"},
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), ("application/json", 200)])
def test_a_subscription_over_post_is_a_validation_error_not_a_method_error(client, accept, status):
    # It used to be refused with 405 "subscription operations are not allowed
    # over GET; use POST" (and Allow: POST) although the request was a POST.
    response = client.post(
        "/graphql",
        content=json.dumps({"query": "subscription { stats { entityCount } }"}),
        headers={"content-type": "application/json", "accept": accept},
    )
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "subscription" in error["message"].lower()


@pytest.mark.parametrize("operation", ["mutation", "subscription"])
def test_get_still_refuses_every_operation_but_a_query(client, operation):
    response = client.get("/graphql", params={"query": f"{operation} {{ stats {{ entityCount }} }}"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_cached_post_response_does_not_answer_a_get_of_the_same_mutation(seed_store):
    # The engine's response cache was keyed on the document but not on the
    # operation types allowed, so once a mutation had been POSTed (and its
    # validation error cached) a GET of it was answered 200 from the cache
    # instead of being refused with 405.
    document = "mutation { stats { entityCount } }"
    with TestClient(create_app(seed_store)) as c:
        posted = c.post(
            "/graphql", content=json.dumps({"query": document}), headers={"content-type": "application/json"}
        )
        assert posted.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        fetched = c.get("/graphql", params={"query": document})
    assert fetched.status_code == 405
    assert fetched.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_the_engine_refuses_a_disallowed_operation_even_when_its_response_is_cached(seed_store):
    from graphql import OperationType

    from oversight_graph.schema import Context, build_schema
    from oversight_graph.schema.engine import Engine, OperationNotAllowed

    engine = Engine(build_schema())
    document = "mutation { stats { entityCount } }"
    everything = frozenset(OperationType)
    first = engine.run(document, Context(store=seed_store), allowed=everything)
    engine.run(document, Context(store=seed_store), allowed=everything)  # kept from its second sight
    assert engine.run(document, Context(store=seed_store), allowed=everything).cached
    assert b"GRAPHQL_VALIDATION_FAILED" in first.body
    with pytest.raises(OperationNotAllowed):
        engine.run(document, Context(store=seed_store), allowed=frozenset({OperationType.QUERY}))
