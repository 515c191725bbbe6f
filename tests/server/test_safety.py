"""Contract: whatever goes wrong, the response is JSON in the error shape with a request id.

Walks every way a request can fail outside GraphQL: unknown paths, methods
a route does not take, refused CORS preflights, exceptions escaping the app,
clients that leave mid-request, and plain-text responses from any layer.
"""

from __future__ import annotations

import logging
import os
import re

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.safety import SafetyNet, new_request_id
from oversight_graph.server.settings import Settings
from tests.server.test_error_shape import assert_error_shape


@pytest.fixture(scope="module")
def client(seed_store):
    settings = Settings(cors_origins=("https://allowed.example",))
    with TestClient(create_app(seed_store, settings), raise_server_exceptions=False) as c:
        yield c


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_error_shape(body)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    request_id = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id and len(request_id) == 32
    return error


@pytest.mark.parametrize("path", ["/nope", "/graphql/extra", "/favicon.ico"])
def test_unknown_paths_get_a_json_404(client, path):
    error = assert_json_error(client.get(path), 404, "PATH_NOT_FOUND")
    assert path in error["message"] and "/graphql" in error["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_healthz_refuses_other_methods_with_a_json_405(client, method):
    response = client.request(method, "/healthz")
    assert_json_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


def test_a_refused_cors_preflight_is_json(client):
    response = client.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    error = assert_json_error(response, 400, "CORS_REJECTED")
    assert "origin" in error["message"].lower()


def test_an_allowed_cors_preflight_still_succeeds(client):
    response = client.options(
        "/graphql",
        headers={"origin": "https://allowed.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://allowed.example"
    assert "x-request-id" in response.headers


def test_every_response_carries_a_request_id(client):
    for response in (
        client.get("/healthz"),
        client.post("/graphql", json={"query": "{ stats { version } }"}),
        client.get("/graphql", headers={"accept": "text/html"}),
        client.get("/", follow_redirects=False),
    ):
        assert len(response.headers["x-request-id"]) == 32


def test_a_client_request_id_is_kept_everywhere(client):
    response = client.get("/nope", headers={"x-request-id": "trace-9"})
    assert response.headers["x-request-id"] == "trace-9"
    assert response.json()["errors"][0]["extensions"]["requestId"] == "trace-9"


def test_http_errors_of_the_endpoint_carry_the_request_id(client):
    response = client.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    assert_json_error(response, 400, "BAD_REQUEST")


def test_an_exception_escaping_the_app_is_a_masked_json_500(seed_store, monkeypatch, caplog):
    from oversight_graph.server.http import GraphQLEndpoint

    async def explode(self, request):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(GraphQLEndpoint, "handle", explode)
    with TestClient(create_app(seed_store), raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR):
        response = c.post("/graphql", json={"query": "{ stats { version } }"})
    error = assert_json_error(response, 500, "INTERNAL_SERVER_ERROR")
    assert "secret" not in response.text
    assert response.headers["x-request-id"] in error["message"]
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged and response.headers["x-request-id"] in logged[0].getMessage()
    assert "secret internal detail" in (logged[0].exc_text or "") or logged[0].exc_info


def test_a_client_leaving_mid_request_is_not_logged_as_an_error(seed_store, caplog):
    app = create_app(seed_store)
    sent: list[dict] = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "http_version": "1.1",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "app": app,
    }
    import anyio

    with caplog.at_level(logging.DEBUG):
        anyio.run(app, scope, receive, send)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert sent == []  # nobody is listening: nothing to answer


def test_plain_text_errors_from_any_layer_are_rewritten():
    async def teapot(request):
        return PlainTextResponse("I refuse", status_code=418)

    app = Starlette(
        routes=[Route("/teapot", teapot)],
        middleware=[Middleware(SafetyNet)],
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/teapot")
        assert response.status_code == 418
        body = response.json()
        assert body["errors"][0]["message"] == "I refuse"
        assert body["errors"][0]["extensions"]["code"] == "HTTP_ERROR"
        assert int(response.headers["content-length"]) == len(response.content)


def test_request_ids_are_unique_hex_and_a_forked_worker_draws_its_own():
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000 and all(re.fullmatch("[0-9a-f]{32}", i) for i in ids)
    # Workers are forked from one process: each must draw its own ids, not repeat its parent's.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    drawn_by_child = os.read(read, 64).decode()
    os.close(read)
    assert re.fullmatch("[0-9a-f]{32}", drawn_by_child) and drawn_by_child != new_request_id()
