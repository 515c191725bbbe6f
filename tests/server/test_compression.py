"""Compression above a size, with the coding the client's Accept-Encoding prefers."""

from __future__ import annotations

import gzip

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.compression import CompressionMiddleware
from oversight_graph.server.settings import Settings

LARGE = {
    "query": "{ organizations(first: 40) { edges { node { key name relations(first: 10) "
    "{ edges { node { summary citations { paragraph claim } } } } } } } }"
}
SMALL = {"query": "{ stats { entityCount } }"}


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store)) as c:
        yield c


def raw(client, params, encoding):
    """The response with its body as sent (not decoded by the test client)."""
    with client.stream("GET", "/graphql", params=params, headers={"accept-encoding": encoding}) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize(
    ("accept_encoding", "coding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
        ("gzip;q=1, br;q=0.5", "gzip", gzip.decompress),
    ],
)
def test_large_responses_are_compressed_as_the_client_prefers(client, accept_encoding, coding, decode):
    _plain, plain_body = raw(client, LARGE, "identity")
    response, body = raw(client, LARGE, accept_encoding)
    assert response.headers["content-encoding"] == coding
    assert "accept-encoding" in response.headers["vary"].lower()
    assert decode(body) == plain_body
    assert len(body) * 4 < len(plain_body)
    assert int(response.headers["content-length"]) == len(body)


def test_identity_and_small_responses_are_sent_as_they_are(client):
    plain, body = raw(client, LARGE, "identity")
    assert "content-encoding" not in plain.headers and len(body) > 10_000
    small, _ = raw(client, SMALL, "gzip, br")
    assert "content-encoding" not in small.headers


def test_the_threshold_is_a_setting_and_zero_turns_it_off(seed_store):
    with TestClient(create_app(seed_store, Settings(compression_min_bytes=10))) as c:
        small, _ = raw(c, SMALL, "gzip")
        assert small.headers["content-encoding"] == "gzip"
    with TestClient(create_app(seed_store, Settings(compression_min_bytes=0))) as c:
        large, _ = raw(c, LARGE, "gzip, br")
        assert "content-encoding" not in large.headers


def test_a_304_stays_empty_and_uncompressed(client):
    etag = client.get("/graphql", params=LARGE).headers["etag"]
    response, body = raw_conditional(client, etag)
    assert response.status_code == 304 and body == b""
    assert "content-encoding" not in response.headers


def raw_conditional(client, etag):
    headers = {"accept-encoding": "gzip, br", "if-none-match": etag}
    with client.stream("GET", "/graphql", params=LARGE, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def _streaming_app(media_type: str) -> Starlette:
    async def chunks():
        for number in range(200):
            yield f"line {number}: the same words again and again\n".encode()

    async def stream(request):
        return StreamingResponse(chunks(), media_type=media_type)

    return Starlette(routes=[Route("/", stream)], middleware=[Middleware(CompressionMiddleware, minimum_size=100)])


@pytest.mark.parametrize(("coding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_streamed_responses_are_compressed_chunk_by_chunk(coding, decode):
    with TestClient(_streaming_app("text/plain")) as c:
        with c.stream("GET", "/", headers={"accept-encoding": coding}) as response:
            body = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == coding
        assert "content-length" not in response.headers
        expected = b"".join(f"line {n}: the same words again and again\n".encode() for n in range(200))
        assert decode(body) == expected and len(body) < len(expected) // 2


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_media_types_compressed_already_are_left_alone(coding):
    with TestClient(_streaming_app("application/zip")) as c:
        with c.stream("GET", "/", headers={"accept-encoding": coding}) as response:
            b"".join(response.iter_raw())
        assert "content-encoding" not in response.headers
