"""Python's gql client against the real server: schema, queries, variables, errors, batching, persisted queries."""

from __future__ import annotations

import hashlib
import json

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.requests import RequestsHTTPTransport

from tests.clients.live_server import running_server

ENTITY = gql("query Entity($key: String!) { entity(key: $key) { key name } }")


@pytest.fixture(scope="module")
def session(server_url):
    # fetch_schema_from_transport: gql introspects the server and validates documents against it locally.
    with Client(
        transport=RequestsHTTPTransport(url=server_url, timeout=30), fetch_schema_from_transport=True
    ) as session:
        yield session


def test_a_query_with_variables(session):
    result = session.execute(GraphQLRequest(ENTITY, variable_values={"key": "org/caisi"}))
    assert result == {"entity": {"key": "org/caisi", "name": "Center for AI Standards and Innovation"}}


def test_the_schema_gql_fetched_validates_documents_locally(session):
    assert session.client.schema is not None
    assert "Organization" in session.client.schema.type_map
    with pytest.raises(Exception, match="Cannot query field 'noSuchField'"):
        session.execute(GraphQLRequest(gql("{ noSuchField }")))


def test_a_field_error_carries_its_code_and_the_partial_data(session):
    with pytest.raises(TransportQueryError) as raised:
        session.execute(GraphQLRequest(gql('{ node(id: "%%%") { id } stats { entityCount } }')))
    assert raised.value.errors[0]["extensions"]["code"] == "INVALID_ID"
    assert raised.value.data == {"node": None, "stats": {"entityCount": 50}}


def test_a_typo_finds_the_entity_flagged_fuzzy(session):
    result = session.execute(
        GraphQLRequest(
            gql("query($t: String!) { search(text: $t, first: 1) { fuzzy entity { key } } }"),
            variable_values={"t": "antropic"},
        )
    )
    assert result == {"search": [{"fuzzy": True, "entity": {"key": "org/anthropic"}}]}


def test_a_batch_runs_in_one_request(server_url):
    transport = RequestsHTTPTransport(url=server_url, timeout=30)
    with Client(transport=transport) as session:
        results = session.execute_batch(
            [
                GraphQLRequest(ENTITY, variable_values={"key": "org/meta"}),
                GraphQLRequest(ENTITY, variable_values={"key": "org/anthropic"}),
                GraphQLRequest(gql("{ stats { relationCount } }")),
            ]
        )
        assert results == [
            {"entity": {"key": "org/meta", "name": "Meta"}},
            {"entity": {"key": "org/anthropic", "name": "Anthropic"}},
            {"stats": {"relationCount": 79}},
        ]


def test_a_batch_over_the_server_limit_is_refused_with_its_code(server_url):
    with Client(transport=RequestsHTTPTransport(url=server_url, timeout=30)) as session:
        # gql reports a refused batch by its status alone (the body's BATCH_TOO_LARGE is
        # checked in tests/server/test_batch.py).
        with pytest.raises(TransportServerError) as raised:
            session.execute_batch([GraphQLRequest(gql("{ __typename }"))] * 6)
    assert raised.value.code == 400


def persisted(request: GraphQLRequest) -> dict:
    # The hash of the document exactly as gql sends it.
    digest = hashlib.sha256(request.payload["query"].encode()).hexdigest()
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_a_document_sent_with_its_hash_is_checked_and_remembered(server_url):
    document = gql("query GqlPersisted { stats { citationCount } }")
    with Client(transport=RequestsHTTPTransport(url=server_url, timeout=30)) as session:
        result = session.execute(GraphQLRequest(document, extensions=persisted(document)))
        assert result == {"stats": {"citationCount": 149}}
        wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
        with pytest.raises(TransportQueryError) as raised:
            session.execute(GraphQLRequest(document, extensions=wrong))
        assert raised.value.errors[0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    # The hash alone now runs it (gql always sends the document, so the hash-only request is plain HTTP).
    import urllib.request

    request = urllib.request.Request(
        server_url,
        data=json.dumps({"extensions": persisted(document)}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"data": {"stats": {"citationCount": 149}}}


def test_trusted_documents_run_registered_operations_only(tmp_path):
    registered = gql("query Registered($key: String!) { entity(key: $key) { name } }")
    body = registered.payload["query"]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {
                        "id": hashlib.sha256(body.encode()).hexdigest(),
                        "body": body,
                        "name": "Registered",
                        "type": "query",
                    }
                ],
            }
        )
    )
    with running_server("--trusted-documents", str(manifest)) as url:
        with Client(transport=RequestsHTTPTransport(url=url, timeout=30)) as session:
            result = session.execute(GraphQLRequest(registered, variable_values={"key": "org/meta"}))
            assert result == {"entity": {"name": "Meta"}}
            with pytest.raises(TransportQueryError) as raised:
                session.execute(GraphQLRequest(gql("{ stats { entityCount } }")))
            assert raised.value.errors[0]["extensions"]["code"] == "OPERATION_NOT_TRUSTED"
