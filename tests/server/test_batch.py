"""Batched requests: a JSON array body, when enabled, within its own size limit."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store, Settings(batching=True, max_batch_size=3))) as c:
        yield c


def test_a_batch_gets_an_array_of_results_in_order(client):
    response = client.post(
        "/graphql",
        json=[
            {"query": "{ stats { entityCount } }"},
            {"query": "query($k: String!) { entity(key: $k) { name } }", "variables": {"k": "org/meta"}},
        ],
    )
    assert response.status_code == 200
    assert response.json() == [{"data": {"stats": {"entityCount": 50}}}, {"data": {"entity": {"name": "Meta"}}}]


def test_a_bad_item_gets_its_own_error_and_the_others_run(client):
    response = client.post("/graphql", json=[7, {"variables": {}}, {"query": "{ __typename }"}])
    assert response.status_code == 200
    first, second, third = response.json()
    assert first["errors"][0]["extensions"]["code"] == "BAD_REQUEST" and "batch item 0" in first["errors"][0]["message"]
    assert second["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert third == {"data": {"__typename": "Query"}}


def test_a_validation_error_in_a_batch_stays_in_its_place(client):
    response = client.post("/graphql", json=[{"query": "{ nope }"}, {"query": "{ __typename }"}])
    first, second = response.json()
    assert first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert second == {"data": {"__typename": "Query"}}


def test_a_batch_over_the_limit_is_refused_whole(client):
    response = client.post("/graphql", json=[{"query": "{ __typename }"}] * 4)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert error["extensions"] | {"requestId": None} == {
        "code": "BATCH_TOO_LARGE",
        "limit": 3,
        "actual": 4,
        "requestId": None,
    }


def test_an_empty_batch_is_a_bad_request(client):
    response = client.post("/graphql", json=[])
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_batches_are_refused_unless_enabled(seed_store):
    with TestClient(create_app(seed_store)) as c:
        response = c.post("/graphql", json=[{"query": "{ __typename }"}])
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BATCHING_NOT_ENABLED"
