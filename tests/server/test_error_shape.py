"""Contract: every error the API returns, HTTP or GraphQL, has the same shape.

A client can rely on: a JSON object with a non-empty ``errors`` list; each
error has a string ``message`` and ``extensions.code`` from the documented
list; ``locations`` and ``path``, when present, are well formed; nothing
else at the top level but ``data``.
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from oversight_graph.schema.errors import CODES
from oversight_graph.schema.limits import LIMIT_CODES
from oversight_graph.server.app import create_app
from oversight_graph.server.http import HTTP_CODES
from oversight_graph.server.settings import Settings

DOCUMENTED = set(CODES) | set(LIMIT_CODES) | set(HTTP_CODES)

BAD_REQUESTS = [
    ("POST", {"content-type": "application/json"}, b"{", "body not JSON"),
    ("POST", {"content-type": "application/json"}, b"[]", "body not an object"),
    ("POST", {"content-type": "application/json"}, b"", "empty body"),
    ("POST", {"content-type": "application/json"}, b'{"query": 1}', "query not a string"),
    (
        "POST",
        {"content-type": "application/json"},
        b'{"query": "{ stats { version } }", "variables": "x"}',
        "variables not an object",
    ),
    ("POST", {"content-type": "text/plain"}, b"{ stats { version } }", "wrong content type"),
    (
        "POST",
        {"content-type": "application/json", "accept": "image/png"},
        b'{"query": "{ __typename }"}',
        "unacceptable accept",
    ),
    ("POST", {"content-type": "application/json"}, json.dumps({"query": "{ x" * 5000}).encode(), "huge document"),
    ("POST", {"content-type": "application/json"}, json.dumps({"query": "{ stats { "}).encode(), "syntax error"),
    ("POST", {"content-type": "application/json"}, json.dumps({"query": "{ nope }"}).encode(), "unknown field"),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": '{ node(id: "%%%") { id } }'}).encode(),
        "invalid id",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": '{ node(id: "org/none") { id } }'}).encode(),
        "unknown id",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": '{ organizations(after: "x") { totalCount } }'}).encode(),
        "bad cursor",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": '{ timeline(from: "soon") { summary } }'}).encode(),
        "bad date",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": '{ search(text: "a", first: -1) { score } }'}).encode(),
        "negative first",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": "{ organizations(first: 5000) { totalCount } }"}).encode(),
        "page too large",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps(
            {"query": 'query($n: Int!) { search(text: "a", first: $n) { score } }', "variables": {"n": "x"}}
        ).encode(),
        "bad variable",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": 'query($n: Int!) { search(text: "a", first: $n) { score } }'}).encode(),
        "missing variable",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": "query A { stats { version } } query B { stats { version } }"}).encode(),
        "ambiguous operation",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": "{ stats { version } }", "operationName": "Nope"}).encode(),
        "unknown operation",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"query": "{ " + " ".join(f"a{i}: stats {{ version }}" for i in range(20)) + " }"}).encode(),
        "alias bomb",
    ),
    ("GET", {}, None, "GET without query"),
    ("PUT", {}, b"{}", "wrong method"),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}}).encode(),
        "unknown persisted query",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps(
            {"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}}
        ).encode(),
        "persisted query hash mismatch",
    ),
    (
        "POST",
        {"content-type": "application/json"},
        json.dumps({"extensions": {"persistedQuery": {"version": 3}}}).encode(),
        "bad persisted query version",
    ),
    ("POST", {"content-type": "application/json"}, b'[{"query": "{ __typename }"}]', "batch while batching is off"),
]


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store, Settings(max_body_bytes=50_000))) as c:
        yield c


def assert_error_shape(body: object) -> None:
    assert isinstance(body, dict)
    assert set(body) <= {"data", "errors"}
    errors = body["errors"]
    assert isinstance(errors, list) and errors
    for error in errors:
        assert set(error) <= {"message", "locations", "path", "extensions"}
        assert isinstance(error["message"], str) and error["message"]
        assert error["extensions"]["code"] in DOCUMENTED
        for location in error.get("locations", []):
            assert set(location) == {"line", "column"} and all(isinstance(v, int) and v > 0 for v in location.values())
        assert all(isinstance(step, (str, int)) for step in error.get("path", []))


@pytest.mark.parametrize(("method", "headers", "body", "what"), BAD_REQUESTS, ids=[r[3] for r in BAD_REQUESTS])
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_every_error_response_has_the_common_shape(client, method, headers, body, what, accept):
    headers = {"accept": accept, **headers}
    response = client.request(method, "/graphql", content=body, headers=headers)
    assert response.headers["content-type"].split(";")[0] in ("application/json", "application/graphql-response+json")
    assert_error_shape(response.json())
    if response.status_code >= 400:
        assert "data" not in response.json()


def test_masked_internal_errors_have_the_common_shape(seed_store, monkeypatch):
    from oversight_graph.graph.store import GraphStore

    monkeypatch.setattr(GraphStore, "relations_of", lambda self, key: 1 / 0)
    with TestClient(create_app(seed_store)) as c:
        response = c.post("/graphql", json={"query": '{ entity(key: "org/meta") { relations { totalCount } } }'})
    body = response.json()
    assert_error_shape(body)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
