"""The HTTP app end to end: GraphQL over HTTP, GraphiQL, health, errors, CORS."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings

QUERY = "{ stats { entityCount } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store)) as c:
        yield c


def post(client, body, **headers):
    headers.setdefault("content-type", "application/json")
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/graphql", content=data, headers=headers)


def test_post_json(client, seed_store):
    response = post(client, {"query": QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"stats": {"entityCount": len(seed_store)}}}
    assert len(response.headers["x-request-id"]) == 32


def test_post_with_variables_and_operation_name(client):
    body = {
        "query": "query A($k: String!) { entity(key: $k) { name } } query B { stats { version } }",
        "variables": {"k": "org/caisi"},
        "operationName": "A",
    }
    assert post(client, body).json() == {"data": {"entity": {"name": "Center for AI Standards and Innovation"}}}


def test_get_query(client):
    response = client.get("/graphql", params={"query": '{ entity(key: "org/meta") { name } }'})
    assert response.status_code == 200
    assert response.json() == {"data": {"entity": {"name": "Meta"}}}


def test_get_with_json_variables(client):
    params = {"query": "query($k: String!) { entity(key: $k) { key } }", "variables": '{"k": "org/xai"}'}
    assert client.get("/graphql", params=params).json() == {"data": {"entity": {"key": "org/xai"}}}


def test_graphql_response_media_type_is_negotiated(client):
    response = post(client, {"query": QUERY}, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    both = post(client, {"query": QUERY}, accept=f"application/json;q=0.9, {GRAPHQL_RESPONSE}")
    assert both.headers["content-type"].startswith(GRAPHQL_RESPONSE)


def test_validation_error_status_depends_on_media_type(client):
    bad = {"query": "{ stats { nope } }"}
    legacy = post(client, bad, accept="application/json")
    assert legacy.status_code == 200
    assert legacy.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    modern = post(client, bad, accept=GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert "data" not in modern.json()


def test_field_error_keeps_partial_data_and_status_200(client):
    response = post(
        client,
        {"query": '{ a: entity(key: "org/meta") { name } b: entity(key: "org/none") { name } }'},
        accept=GRAPHQL_RESPONSE,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"a": {"name": "Meta"}, "b": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["b"]


def test_get_never_runs_a_mutation(client):
    response = client.get("/graphql", params={"query": "mutation { x }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("text/plain", QUERY, 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/x-www-form-urlencoded", "query=x", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/json; charset=latin-1", json.dumps({"query": QUERY}), 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/json", "{not json", 400, "BAD_REQUEST"),
        ("application/json", "[1, 2]", 400, "BATCHING_NOT_ENABLED"),
        ("application/json", "", 400, "BAD_REQUEST"),
        ("application/json", json.dumps({"query": 42}), 400, "BAD_REQUEST"),
        ("application/json", json.dumps({"variables": {}}), 400, "BAD_REQUEST"),
        ("application/json", json.dumps({"query": QUERY, "variables": [1]}), 400, "BAD_REQUEST"),
        ("application/json", json.dumps({"query": QUERY, "operationName": 3}), 400, "BAD_REQUEST"),
    ],
)
def test_malformed_requests_get_4xx_with_the_common_error_shape(client, content_type, body, status, code):
    response = client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code and error["message"]


@pytest.mark.parametrize(
    ("query", "named"), [(42, "a number"), ([], "an array"), ({}, "an object"), (True, "a boolean")]
)
def test_a_query_that_is_not_a_string_is_named_as_such(client, query, named):
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == f"query must be a string holding a GraphQL document, got {named}"


def test_missing_content_type_is_rejected(client):
    response = client.post("/graphql", content=json.dumps({"query": QUERY}), headers={"content-type": ""})
    assert response.status_code == 415


def test_unacceptable_accept_header(client):
    response = post(client, {"query": QUERY}, accept="text/csv")
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_other_methods_are_refused(client):
    response = client.put("/graphql", content=b"{}")
    assert response.status_code == 405


def test_graphiql_page_for_browsers(seed_store, tmp_path):
    # With no assets fetched the page names the command that fetches them
    # (tests/server/test_pages.py covers the page itself).
    with TestClient(create_app(seed_store, Settings(assets=tmp_path))) as c:
        response = c.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in response.text
    assert ".venv/bin/oversight assets fetch" in response.text


def test_graphiql_can_be_turned_off(seed_store):
    with TestClient(create_app(seed_store, Settings(graphiql=False))) as c:
        response = c.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code in (400, 406)
    assert "graphiql" not in response.text.lower()


def test_healthz(client, seed_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "graphVersion": seed_store.version, "entities": 50, "relations": 79}


def test_root_redirects_to_graphql(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/graphql"


def test_request_id_is_echoed_when_well_formed(client):
    response = post(client, {"query": QUERY}, **{"x-request-id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    response = post(client, {"query": QUERY}, **{"x-request-id": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"


def test_unexpected_errors_are_masked_and_logged(seed_store, caplog, monkeypatch):
    app = create_app(seed_store)
    from oversight_graph.graph.store import GraphStore

    def explode(self, key):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(GraphStore, "relations_of", explode)
    with TestClient(app) as c, caplog.at_level(logging.ERROR, logger="oversight.errors"):
        response = post(c, {"query": '{ entity(key: "org/meta") { relations { totalCount } } }'})
    body = response.json()
    (error,) = body["errors"]
    request_id = response.headers["x-request-id"]
    assert error["message"] == f"Internal server error (request {request_id})."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "secret detail" not in response.text
    assert any("secret detail" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_cors_preflight_and_response_headers(seed_store):
    settings = Settings(cors_origins=("https://app.example",))
    with TestClient(create_app(seed_store, settings)) as c:
        preflight = c.options(
            "/graphql",
            headers={
                "origin": "https://app.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        actual = post(c, {"query": QUERY}, origin="https://app.example")
        assert actual.headers["access-control-allow-origin"] == "https://app.example"
        assert "x-request-id" in actual.headers["access-control-expose-headers"]
        other = post(c, {"query": QUERY}, origin="https://evil.example")
        assert "access-control-allow-origin" not in other.headers


def test_no_cors_headers_without_configured_origins(client):
    response = post(client, {"query": QUERY}, origin="https://app.example")
    assert "access-control-allow-origin" not in response.headers


def test_introspection_switch(seed_store):
    query = {"query": "{ __schema { queryType { name } } }"}
    with TestClient(create_app(seed_store)) as c:
        assert post(c, query).json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    with TestClient(create_app(seed_store, Settings(introspection=False))) as c:
        body = post(c, query).json()
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_refused_request_is_400_with_the_modern_media_type(client):
    query = {"query": "{ organizations(first: 1000) { totalCount } }"}
    modern = post(client, query, accept=GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert modern.json()["errors"][0]["extensions"]["code"] == "PAGE_TOO_LARGE"
    assert post(client, query, accept="application/json").status_code == 200


def test_a_body_over_the_limit_is_413(seed_store):
    with TestClient(create_app(seed_store, Settings(max_body_bytes=100))) as c:
        response = post(c, {"query": "{ stats { version } }", "variables": {"pad": "x" * 200}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_repeated_queries_are_answered_from_the_cache(seed_store):
    app = create_app(seed_store)
    with TestClient(app) as c:
        first = post(c, {"query": "{ stats { entityCount } }"})
        second = post(c, {"query": "{ stats { entityCount } }"})
    assert first.content == second.content
