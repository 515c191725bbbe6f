"""HTTP caching of GET queries: ETag, Cache-Control, 304 for If-None-Match, HEAD."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings

QUERY = {"query": "{ stats { entityCount } }"}


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store)) as c:
        yield c


def test_a_get_query_carries_an_etag_and_cache_control(client):
    response = client.get("/graphql", params=QUERY)
    assert response.status_code == 200
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["cache-control"] == "public, max-age=60"
    assert "accept" in response.headers["vary"].lower()


def test_the_same_query_gets_the_same_tag_and_another_query_another(client):
    first = client.get("/graphql", params=QUERY).headers["etag"]
    assert client.get("/graphql", params=QUERY).headers["etag"] == first
    assert client.get("/graphql", params={"query": "{ stats { relationCount } }"}).headers["etag"] != first


def test_if_none_match_with_the_current_tag_gets_an_empty_304(client):
    etag = client.get("/graphql", params=QUERY).headers["etag"]
    for header in (etag, f'"other", {etag}', etag.removeprefix("W/"), "*"):
        response = client.get("/graphql", params=QUERY, headers={"if-none-match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=60"
        assert "content-type" not in response.headers


def test_a_stale_tag_gets_the_full_response(client):
    response = client.get("/graphql", params=QUERY, headers={"if-none-match": 'W/"stale"'})
    assert response.status_code == 200
    assert response.json() == {"data": {"stats": {"entityCount": 50}}}


def test_head_of_a_conditional_get_is_304_too(client):
    etag = client.get("/graphql", params=QUERY).headers["etag"]
    response = client.head("/graphql", params=QUERY, headers={"if-none-match": etag})
    assert response.status_code == 304


def test_post_and_failed_gets_are_not_marked_cacheable(client):
    post = client.post("/graphql", json=QUERY)
    assert "etag" not in post.headers and "cache-control" not in post.headers
    refused = client.get(
        "/graphql", params={"query": "{ nope }"}, headers={"accept": "application/graphql-response+json"}
    )
    assert refused.status_code == 400
    assert "etag" not in refused.headers


def test_max_age_zero_means_revalidate_every_time(seed_store):
    with TestClient(create_app(seed_store, Settings(cache_max_age=0))) as c:
        assert c.get("/graphql", params=QUERY).headers["cache-control"] == "no-cache"


def test_the_tag_follows_the_media_type(client):
    json_tag = client.get("/graphql", params=QUERY, headers={"accept": "application/json"}).headers["etag"]
    modern = client.get("/graphql", params=QUERY, headers={"accept": "application/graphql-response+json"})
    # Same body, same tag: the Vary: Accept header keeps caches from mixing the two media types.
    assert modern.headers["etag"] == json_tag
    assert "accept" in modern.headers["vary"].lower()
