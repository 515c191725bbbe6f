"""Subscriptions over graphql-transport-ws against the real server: order, filters, auth, caps, limits, resuming."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import open_writer
from oversight_graph.server.settings import Settings
from tests.server.serving import Server, wait_for

SEED = Path(__file__).resolve().parents[2] / "seed"
PROTOCOL = ["graphql-transport-ws"]
CHANGES = "subscription($since: Int) { changes(since: $since) { version reason actor { name } changes { key } } }"


def _journal_with_tokens(path: Path) -> dict[Role, str]:
    """A journal holding the seed (version 1) and a token of each role."""
    writer = open_writer(Settings(data=SEED, db=path))
    try:
        return {role: create_token(writer.journal, role.value, role) for role in Role}
    finally:
        writer.journal.close()


class Live:
    """A running server with its tokens, and helpers to write and to subscribe."""

    def __init__(self, server: Server, tokens: dict[Role, str]) -> None:
        self.server = server
        self.tokens = tokens
        self.url = f"ws://127.0.0.1:{server.port}/graphql"

    def post(self, query: str, token: str | None = None) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.server.port}/graphql", json.dumps({"query": query}).encode(), headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def edit(self, key: str, text: str) -> int:
        answer = self.post(
            f'mutation {{ updateEntity(id: "{key}", set: {{description: "{text}"}}, reason: "live test") {{ version }} }}',
            self.tokens[Role.EDITOR],
        )
        return int(answer["data"]["updateEntity"]["version"])

    def version(self) -> int:
        return int(self.post("{ stats { version } }")["data"]["stats"]["version"])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("subscriptions")
    tokens = _journal_with_tokens(folder / "graph.db")
    with Server(
        folder / "log", data=SEED, db=folder / "graph.db", max_subscriptions_per_connection=3, max_depth=8
    ) as server:
        yield Live(server, tokens)


async def _connect(url: str, payload: dict[str, Any] | None = None):
    ws = await websockets.connect(url, subprotocols=PROTOCOL)
    await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    return ws


async def _open(url: str, payload: dict[str, Any] | None = None):
    ws = await _connect(url, payload)
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    return ws


async def _subscribe(ws, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
    await ws.send(
        json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
    )


async def _receive(ws, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _versions(ws, op_id: str, until: int) -> list[int]:
    """Versions of the ``next`` messages of ``op_id`` until ``until`` has arrived."""
    seen: list[int] = []
    while not seen or seen[-1] < until:
        message = await _receive(ws)
        assert message["id"] == op_id and message["type"] == "next", message
        payload = message["payload"]
        assert "errors" not in payload, payload
        seen.append(next(iter(payload["data"].values()))["version"])
    return seen


class EventStream:
    """A graphql-sse request in distinct connections mode, read event by event."""

    def __init__(
        self,
        port: int,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        accept: str = "text/event-stream",
    ):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"content-type": "application/json", "accept": accept}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.connection.request("POST", "/graphql", json.dumps({"query": query, "variables": variables}), headers)
        self.response = self.connection.getresponse()

    def event(self) -> tuple[str, Any]:
        """The next event's name and data (comments, such as heartbeats, skipped)."""
        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode().rstrip("\r\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif not line and name:
                return name, json.loads(data) if data else None

    def close(self) -> None:
        self.connection.close()


def _in_thread(work) -> threading.Thread:
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_catch_up_then_live_in_order_each_once(live: Live) -> None:
    start = live.version()
    for i in range(3):
        live.edit("org/meta", f"before the subscription {i}")

    async def run() -> list[int]:
        ws = await _open(live.url)
        await _subscribe(ws, "all", CHANGES, {"since": start})
        first = await _receive(ws)
        # More writes while the subscriber catches up and after: none lost, none twice.
        writer = _in_thread(lambda: [live.edit("org/caisi", f"during {i}") for i in range(6)])
        rest = await _versions(ws, "all", start + 9)
        writer.join()
        await ws.close()
        return [first["payload"]["data"]["changes"]["version"], *rest]

    assert asyncio.run(run()) == list(range(start + 1, start + 10))


def test_without_since_only_new_change_sets_arrive(live: Live) -> None:
    async def run() -> None:
        ws = await _open(live.url)
        await _subscribe(ws, "new", "subscription { changes { version reason } }")
        await asyncio.sleep(0.3)  # the subscription is running before the write
        version = await asyncio.to_thread(live.edit, "org/meta", "news")
        message = await _receive(ws)
        assert message["payload"]["data"]["changes"] == {"version": version, "reason": "live test"}
        await ws.close()

    asyncio.run(run())


def test_entity_changed_streams_only_that_entity(live: Live) -> None:
    query = "subscription($id: ID!, $since: Int) { entityChanged(id: $id, since: $since) { version changes { key } } }"
    start = live.version()

    async def run() -> None:
        ws = await _open(live.url)
        await _subscribe(ws, "meta", query, {"id": "org/meta", "since": start})
        await asyncio.sleep(0.3)
        other = await asyncio.to_thread(live.edit, "org/caisi", "not about meta")
        mine = await asyncio.to_thread(live.edit, "org/meta", "about meta")
        message = await _receive(ws)
        assert message["payload"]["data"]["entityChanged"]["version"] == mine != other
        assert [c["key"] for c in message["payload"]["data"]["entityChanged"]["changes"]] == ["org/meta"]
        await ws.close()

    asyncio.run(run())


def test_a_dropped_connection_resumes_from_its_last_version_without_gap(live: Live) -> None:
    start = live.version()

    async def run() -> list[int]:
        received: list[int] = []
        writer = _in_thread(lambda: [live.edit("org/meta", f"stream {i}") for i in range(12)])
        ws = await _open(live.url)
        await _subscribe(ws, "s", CHANGES, {"since": start})
        received += await _versions(ws, "s", start + 4)
        ws.transport.abort()  # the network goes away mid-stream, without a close handshake
        # The client comes back with the last version it received.
        ws = await _open(live.url)
        await _subscribe(ws, "s", CHANGES, {"since": received[-1]})
        writer.join()
        received += await _versions(ws, "s", start + 12)
        await ws.close()
        return received

    assert asyncio.run(run()) == list(range(start + 1, start + 13))


def test_queries_run_over_the_socket_and_mutations_do_not(live: Live) -> None:
    async def run() -> None:
        ws = await _open(live.url)
        await _subscribe(ws, "q", '{ entity(key: "org/meta") { name } }')
        assert (await _receive(ws))["payload"] == {"data": {"entity": {"name": "Meta"}}}
        assert await _receive(ws) == {"id": "q", "type": "complete"}
        await _subscribe(ws, "m", 'mutation { retractEntity(id: "org/meta", reason: "no") { version } }')
        refused = await _receive(ws)
        assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
        await ws.close()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("subscription { changes { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("subscription { changes { version ", "GRAPHQL_PARSE_FAILED"),
        (
            "subscription { changes { changes { entity { relations { edges { node { subject { relations { edges { node { key } } } } } } } } } } }",
            "QUERY_TOO_DEEP",
        ),
    ],
)
def test_limits_and_validation_apply(live: Live, query: str, code: str) -> None:
    async def run() -> dict[str, Any]:
        ws = await _open(live.url)
        await _subscribe(ws, "x", query)
        message = await _receive(ws)
        await ws.close()
        return message

    message = asyncio.run(run())
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == code


def test_bad_arguments_end_the_stream_with_a_coded_error(live: Live) -> None:
    async def run() -> list[dict[str, Any]]:
        ws = await _open(live.url)
        await _subscribe(ws, "bad", 'subscription { entityChanged(id: "nothing here") { version } }')
        messages = [await _receive(ws), await _receive(ws)]
        await ws.close()
        return messages

    first, last = asyncio.run(run())
    assert first["payload"]["errors"][0]["extensions"]["code"] == "INVALID_ID"
    assert "data" not in first["payload"]
    assert last == {"id": "bad", "type": "complete"}


def test_subscriptions_per_connection_are_capped(live: Live) -> None:
    async def run() -> dict[str, Any]:
        ws = await _open(live.url)
        for i in range(3):
            await _subscribe(ws, f"s{i}", "subscription { changes { version } }")
        await _subscribe(ws, "one-too-many", "subscription { changes { version } }")
        message = await _receive(ws)
        await ws.close()
        return message

    message = asyncio.run(run())
    assert message["id"] == "one-too-many" and message["type"] == "error"
    assert message["payload"][0]["extensions"] == {
        "code": "TOO_MANY_SUBSCRIPTIONS",
        "requestId": message["payload"][0]["extensions"]["requestId"],
        "limit": 3,
    }


def test_a_bad_token_is_refused_at_connection_init(live: Live) -> None:
    async def run() -> ConnectionClosed:
        ws = await _connect(live.url, {"Authorization": "Bearer og_not-a-token"})
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(ws)
        return closed.value

    closed = asyncio.run(run())
    assert closed.rcvd.code == 4403
    assert closed.rcvd.reason.startswith("UNAUTHENTICATED")


def test_tokens_and_connection_caps(tmp_path: Path) -> None:
    tokens = _journal_with_tokens(tmp_path / "graph.db")
    with Server(
        tmp_path / "log", data=SEED, db=tmp_path / "graph.db", require_token=True, max_subscription_connections=2
    ) as server:
        url = f"ws://127.0.0.1:{server.port}/graphql"

        async def run() -> None:
            anonymous = await _connect(url)
            with pytest.raises(ConnectionClosed) as closed:
                await _receive(anonymous)
            assert closed.value.rcvd.code == 4403 and "requires an API token" in closed.value.rcvd.reason
            reader = await _open(url, {"authorization": f"Bearer {tokens[Role.READER]}"})
            await _subscribe(reader, "v", "{ stats { version } }")
            assert (await _receive(reader))["payload"]["data"]["stats"]["version"] == 1
            second = await _open(url, {"Authorization": f"Bearer {tokens[Role.EDITOR]}"})
            third = await websockets.connect(url, subprotocols=PROTOCOL)
            with pytest.raises(ConnectionClosed) as closed:
                await _receive(third)
            assert closed.value.rcvd.code == 1013
            assert closed.value.rcvd.reason.startswith("TOO_MANY_CONNECTIONS")
            # Server-Sent Events streams count against the same cap, and need the token too.
            refused = await asyncio.to_thread(EventStream, server.port, "subscription { changes { version } }")
            assert refused.response.status == 401
            refused.close()
            refused = await asyncio.to_thread(
                EventStream, server.port, "subscription { changes { version } }", None, tokens[Role.READER]
            )
            assert refused.response.status == 503 and refused.response.getheader("retry-after") == "5"
            error = json.loads(refused.response.read())["errors"][0]
            assert error["extensions"]["code"] == "TOO_MANY_CONNECTIONS" and error["extensions"]["limit"] == 2
            refused.close()
            await second.close()
            await asyncio.sleep(0.2)  # a closed connection frees its place
            fourth = await _open(url, {"Authorization": f"Bearer {tokens[Role.READER]}"})
            await fourth.close()
            await reader.close()

        asyncio.run(run())


def test_other_subprotocols_are_refused(live: Live) -> None:
    async def run() -> ConnectionClosed:
        ws = await websockets.connect(live.url, subprotocols=["graphql-ws"])
        with pytest.raises(ConnectionClosed) as closed:
            await _receive(ws)
        return closed.value

    assert asyncio.run(run()).rcvd.code == 4406


def test_server_sent_events_catch_up_then_live(live: Live) -> None:
    start = live.version()
    live.edit("org/meta", "before the stream")
    stream = EventStream(live.server.port, CHANGES, {"since": start})
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("content-type") == "text/event-stream"
        name, first = stream.event()
        assert (name, first["data"]["changes"]["version"]) == ("next", start + 1)
        version = live.edit("org/caisi", "while streaming")
        name, second = stream.event()
        assert (name, second["data"]["changes"]["version"]) == ("next", version) == ("next", start + 2)
    finally:
        stream.close()


def test_server_sent_events_end_queries_and_errors_with_complete(live: Live) -> None:
    stream = EventStream(live.server.port, "{ stats { version } }")
    assert stream.event()[1]["data"]["stats"]["version"] >= 1
    assert stream.event() == ("complete", None)
    stream.close()
    stream = EventStream(live.server.port, "subscription { changes(since: -1) { version } }")
    _name, data = stream.event()
    assert data["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert stream.event() == ("complete", None)
    stream.close()


def test_a_subscription_over_plain_http_is_not_acceptable(live: Live) -> None:
    status, _headers, body = live.server.request(
        "POST", "/graphql", json.dumps({"query": "subscription { changes { version } }"}).encode()
    )
    assert status == 406
    assert body["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


URQL_ACCEPT = (
    "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed"
)


def test_clients_listing_json_and_event_streams_get_json_for_queries_and_a_stream_for_subscriptions(live: Live):
    # urql sends this Accept with every request.
    query = EventStream(live.server.port, "{ stats { version } }", accept=URQL_ACCEPT)
    assert query.response.getheader("content-type").startswith("application/graphql-response+json")
    assert json.loads(query.response.read())["data"]["stats"]["version"] >= 1
    query.close()
    subscription = EventStream(live.server.port, CHANGES, {"since": 0}, accept=URQL_ACCEPT)
    assert subscription.response.getheader("content-type") == "text/event-stream"
    name, first = subscription.event()
    assert (name, first["data"]["changes"]["version"]) == ("next", 1)
    subscription.close()


def _open_gauge(live: Live) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{live.server.port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("oversight_subscriptions_open")
    )


async def _gauge_reaching(live: Live, wanted: float, timeout: float = 5) -> float:
    """The open-subscriptions gauge once it reads ``wanted``, or as it reads after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    found = await asyncio.to_thread(_open_gauge, live)
    while found != wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await asyncio.to_thread(_open_gauge, live)
    return found


def test_open_subscriptions_are_counted_for_the_metrics(live: Live) -> None:
    # The previous test's subscriptions may still be closing on the server.
    before = asyncio.run(_gauge_reaching(live, 0))

    async def run() -> tuple[float, float]:
        ws = await _open(live.url)
        await _subscribe(ws, "a", "subscription { changes { version } }")
        await _subscribe(ws, "b", 'subscription { entityChanged(id: "org/meta") { version } }')
        # Nothing acknowledges a subscription: wait (boundedly) for the gauge, on a busy machine too.
        during = await _gauge_reaching(live, before + 2)
        await ws.send(json.dumps({"id": "a", "type": "complete"}))
        after_one = await _gauge_reaching(live, before + 1)
        await ws.close()
        return during, after_one

    during, after_one = asyncio.run(run())
    assert (during - before, after_one - before) == (2, 1)
    # Closing the connection ends its subscriptions.
    assert wait_for(lambda: _open_gauge(live) == before, 5)


def test_a_stopping_server_ends_its_streams_at_once_naming_where_to_resume(tmp_path: Path) -> None:
    server = Server(tmp_path / "log", data=SEED, db=tmp_path / "graph.db", graceful_timeout=30)
    with server:
        stream = EventStream(server.port, "subscription { changes { version } }")
        assert stream.response.status == 200
        time.sleep(0.3)  # the stream is open
        started = time.monotonic()
        server.stop()
        # Not held up for graceful_timeout by a stream that never ends by itself.
        assert time.monotonic() - started < 10
        name, data = stream.event()
        error = data["errors"][0]
        assert (name, error["extensions"]["code"]) == ("next", "JOURNAL_UNAVAILABLE")
        assert "subscribe again with since: 1" in error["message"]
        assert stream.event() == ("complete", None)
        stream.close()


def test_streamed_operations_spend_the_same_cost_budget_as_http(tmp_path: Path) -> None:
    # Cost 1 + 10 each (a connection of ten objects); the aliases keep every answer out of the cache.
    def page(n: int) -> str:
        return f"{{ a{n}: organizations(first: 10) {{ edges {{ node {{ key }} }} }} }}"

    with Server(tmp_path / "log", data=SEED, rate_limit_cost=25, rate_limit_window=600) as server:
        url = f"ws://127.0.0.1:{server.port}/graphql"

        async def run() -> None:
            ws = await _open(url)
            await _subscribe(ws, "a", page(1))
            assert len((await _receive(ws))["payload"]["data"]["a1"]["edges"]) == 10  # 25 - 11: 14 left
            await ws.close()
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/graphql",
                json.dumps({"query": page(2)}).encode(),
                {"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["x-ratelimit-remaining"] == "3"
            stream = await asyncio.to_thread(EventStream, server.port, page(3))
            name, data = await asyncio.to_thread(stream.event)
            stream.close()
            (error,) = data["errors"]
            assert name == "next" and error["extensions"]["code"] == "RATE_LIMITED"
            assert error["extensions"]["remaining"] == 3 and error["extensions"]["cost"] == 11
            assert error["extensions"]["requestId"]
            ws = await _open(url)
            await _subscribe(ws, "b", "subscription { changes { version } }")
            await _subscribe(ws, "c", page(4))
            refused = await _receive(ws)
            assert refused["id"] == "c" and refused["type"] == "error"
            assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
            await ws.close()

        asyncio.run(run())
