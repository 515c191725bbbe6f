"""Automatic persisted queries (Apollo's protocol) and trusted documents."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.persisted import sha256_hex
from oversight_graph.server.settings import Settings, SettingsError

QUERY = "{ stats { entityCount } }"
OTHER = "{ stats { relationCount } }"
MODERN = "application/graphql-response+json"


def persisted(digest):
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def post(client, body, accept="application/json"):
    return client.post("/graphql", json=body, headers={"accept": accept})


@pytest.fixture()
def client(seed_store):
    with TestClient(create_app(seed_store, Settings(persisted_queries_size=2))) as c:
        yield c


@pytest.mark.parametrize(("accept", "status"), [("application/json", 200), (MODERN, 400)])
def test_an_unknown_hash_is_not_found_in_the_form_clients_recognise(client, accept, status):
    response = post(client, {"extensions": persisted(sha256_hex(QUERY))}, accept)
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND", "requestId": response.headers["x-request-id"]}


def test_the_hash_then_fallback_dance(client):
    digest = sha256_hex(QUERY)
    assert post(client, {"extensions": persisted(digest)}).json()["errors"][0]["message"] == "PersistedQueryNotFound"
    registered = post(client, {"query": QUERY, "extensions": persisted(digest)})
    assert registered.json() == {"data": {"stats": {"entityCount": 50}}}
    again = post(client, {"extensions": persisted(digest)})
    assert again.json() == registered.json()


def test_a_hash_only_get_runs_a_remembered_query(client):
    digest = sha256_hex(QUERY)
    post(client, {"query": QUERY, "extensions": persisted(digest)})
    response = client.get("/graphql", params={"extensions": json.dumps(persisted(digest))})
    assert response.status_code == 200
    assert response.json() == {"data": {"stats": {"entityCount": 50}}}


def test_a_hash_that_is_not_the_query_s_is_refused(client):
    response = post(client, {"query": QUERY, "extensions": persisted(sha256_hex(OTHER))})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert sha256_hex(QUERY) in error["message"]
    # ... and nothing was remembered under the wrong hash.
    assert post(client, {"extensions": persisted(sha256_hex(OTHER))}).json()["errors"][0]["message"] == (
        "PersistedQueryNotFound"
    )


def test_the_store_is_bounded(client):
    queries = [QUERY, OTHER, "{ stats { citationCount } }"]
    for query in queries:
        post(client, {"query": query, "extensions": persisted(sha256_hex(query))})
    assert len(client.app.state.documents) == 2
    forgotten = post(client, {"extensions": persisted(sha256_hex(QUERY))})
    assert forgotten.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("extensions", "named"),
    [
        ({"persistedQuery": "x"}, "must be an object"),
        ({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, "version must be 1"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "sha256Hash"),
    ],
)
def test_a_malformed_extension_is_a_bad_request_naming_the_field(client, extensions, named):
    response = post(client, {"extensions": extensions})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert named in error["message"]


def test_with_persisted_queries_off_a_hash_is_not_supported(seed_store):
    with TestClient(create_app(seed_store, Settings(persisted_queries=False))) as c:
        response = post(c, {"extensions": persisted(sha256_hex(QUERY))})
        (error,) = response.json()["errors"]
        assert error["message"] == "PersistedQueryNotSupported"
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        # A query sent with its hash still runs.
        ran = post(c, {"query": QUERY, "extensions": persisted(sha256_hex(QUERY))})
        assert ran.json() == {"data": {"stats": {"entityCount": 50}}}


def write_manifest(tmp_path, *documents, apollo=True):
    path = tmp_path / "manifest.json"
    if apollo:
        data = {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": sha256_hex(d), "body": d, "name": f"Op{i}", "type": "query"} for i, d in enumerate(documents)
            ],
        }
    else:
        data = {sha256_hex(d): d for d in documents}
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("apollo", [True, False])
def test_trusted_documents_run_by_hash_or_text_and_nothing_else(seed_store, tmp_path, apollo):
    manifest = write_manifest(tmp_path, QUERY, apollo=apollo)
    with TestClient(create_app(seed_store, Settings(trusted_documents=manifest))) as c:
        by_hash = post(c, {"extensions": persisted(sha256_hex(QUERY))})
        assert by_hash.json() == {"data": {"stats": {"entityCount": 50}}}
        by_text = post(c, {"query": QUERY})
        assert by_text.json() == by_hash.json()
        for body in ({"query": OTHER}, {"extensions": persisted(sha256_hex(OTHER))}):
            refused = post(c, body)
            assert refused.status_code == 403
            (error,) = refused.json()["errors"]
            assert error["extensions"]["code"] == "OPERATION_NOT_TRUSTED"
            assert sha256_hex(OTHER) in error["message"]
        # Registering through the automatic protocol does not make an operation trusted.
        post(c, {"query": OTHER, "extensions": persisted(sha256_hex(OTHER))})
        assert post(c, {"extensions": persisted(sha256_hex(OTHER))}).status_code == 403


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{", "not valid JSON"),
        ("[]", "expected a JSON object"),
        (json.dumps({"0" * 64: QUERY}), "is not the SHA-256 of its body"),
        (json.dumps({"abc": QUERY}), "entry 'abc': the id must be"),
        (
            json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "1"}]}),
            "operations[0] (unnamed)",
        ),
        (json.dumps({}), "lists no operation"),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_file_and_the_entry(seed_store, tmp_path, content, named):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SettingsError) as raised:
        create_app(seed_store, Settings(trusted_documents=path))
    assert str(path) in str(raised.value) and named in str(raised.value)
