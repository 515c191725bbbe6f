"""Python's gql client with its WebSocket transport (graphql-transport-ws) against the real server."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request

from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

CHANGES = gql("subscription Changes($since: Int) { changes(since: $since) { version reason actor { name } } }")


def _post(url: str, query: str, token: str) -> dict:
    request = urllib.request.Request(
        url,
        json.dumps({"query": query}).encode(),
        {"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _edit(url: str, token: str, text: str) -> int:
    answer = _post(
        url,
        f'mutation {{ updateEntity(id: "org/meta", set: {{description: "{text}"}}, reason: "gql test") {{ version }} }}',
        token,
    )
    return int(answer["data"]["updateEntity"]["version"])


def _transport(url: str, token: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=url.replace("http://", "ws://"),
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


def test_subscribe_catch_up_then_live(editable_server):
    url, token = editable_server
    start = _post(url, "{ stats { version } }", token)["data"]["stats"]["version"]
    before = [_edit(url, token, f"before {i}") for i in range(2)]

    async def run() -> list[dict]:
        async with Client(transport=_transport(url, token)) as session:
            received = []
            stream = session.subscribe(GraphQLRequest(CHANGES, variable_values={"since": start}))
            async for result in stream:
                received.append(result["changes"])
                if len(received) == 2:
                    threading.Thread(target=_edit, args=(url, token, "live")).start()
                if len(received) == 3:
                    break
            return received

    received = asyncio.run(asyncio.wait_for(run(), 30))
    assert [r["version"] for r in received] == [*before, before[-1] + 1]
    assert received[0]["actor"] == {"name": "node"} and received[0]["reason"] == "gql test"


def test_a_dropped_connection_resumes_from_the_last_version(editable_server):
    url, token = editable_server
    start = _post(url, "{ stats { version } }", token)["data"]["stats"]["version"]
    writes = threading.Thread(target=lambda: [_edit(url, token, f"stream {i}") for i in range(8)])

    async def until(since: int, count: int) -> list[int]:
        async with Client(transport=_transport(url, token)) as session:
            seen: list[int] = []
            async for result in session.subscribe(GraphQLRequest(CHANGES, variable_values={"since": since})):
                seen.append(result["changes"]["version"])
                if len(seen) == count:
                    return seen  # leaves mid-stream: the connection closes with writes still coming
        return seen

    async def run() -> list[int]:
        writes.start()
        first = await until(start, 3)
        rest = await until(first[-1], 5)
        return first + rest

    received = asyncio.run(asyncio.wait_for(run(), 30))
    writes.join()
    assert received == list(range(start + 1, start + 9))


def test_queries_and_errors_over_the_socket(editable_server):
    url, token = editable_server

    async def run() -> None:
        async with Client(transport=_transport(url, token)) as session:
            answer = await session.execute(GraphQLRequest(gql('{ entity(key: "org/meta") { name } }')))
            assert answer == {"entity": {"name": "Meta"}}
            try:
                async for _ in session.subscribe(
                    GraphQLRequest(gql("subscription { changes(since: -1) { version } }"))
                ):
                    raise AssertionError("a result for an invalid argument")
            except TransportQueryError as error:
                assert error.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
            else:
                raise AssertionError("no error for an invalid argument")

    asyncio.run(asyncio.wait_for(run(), 30))
