"""CORS as configured: several origins, Apollo's and auth headers, credentials, max-age, exposed headers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings, SettingsError

ORIGINS = ("https://app.example", "https://admin.example")
APOLLO_HEADERS = "content-type, authorization, apollographql-client-name, apollographql-client-version"


def preflight(client, origin, headers=APOLLO_HEADERS):
    return client.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": headers,
        },
    )


@pytest.fixture(scope="module")
def client(seed_store):
    settings = Settings(cors_origins=ORIGINS, cors_allow_credentials=True, cors_max_age=1234)
    with TestClient(create_app(seed_store, settings)) as c:
        yield c


@pytest.mark.parametrize("origin", ORIGINS)
def test_every_listed_origin_passes_a_preflight_with_apollo_and_auth_headers(client, origin):
    response = preflight(client, origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "apollographql-client-name", "apollographql-client-version", "content-type"} <= allowed
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-max-age"] == "1234"


def test_an_unlisted_origin_fails_its_preflight(client):
    response = preflight(client, "https://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_credentialed_request_gets_its_origin_and_the_exposed_headers(client):
    response = client.post(
        "/graphql",
        json={"query": "{ stats { entityCount } }"},
        headers={"origin": ORIGINS[1], "cookie": "session=1"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGINS[1]
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "etag"} <= exposed


def test_a_refused_token_is_readable_by_the_page(client):
    response = client.post(
        "/graphql",
        json={"query": "{ stats { entityCount } }"},
        headers={"origin": ORIGINS[1], "authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["access-control-allow-origin"] == ORIGINS[1]


def test_without_credentials_the_header_is_absent(seed_store):
    with TestClient(create_app(seed_store, Settings(cors_origins=ORIGINS))) as c:
        response = preflight(c, ORIGINS[0])
        assert response.status_code == 200
        assert "access-control-allow-credentials" not in response.headers
        assert response.headers["access-control-max-age"] == "600"


def test_allowed_headers_are_configurable(seed_store):
    settings = Settings(cors_origins=ORIGINS, cors_allow_headers=("content-type",))
    with TestClient(create_app(seed_store, settings)) as c:
        assert preflight(c, ORIGINS[0], "content-type").status_code == 200
        assert preflight(c, ORIGINS[0], "content-type, authorization").status_code == 400


def test_credentials_with_any_origin_is_refused():
    with pytest.raises(SettingsError, match="cors_allow_credentials"):
        Settings().replace(cors_origins=("*",), cors_allow_credentials=True)
