"""GraphQL over WebSocket at ``/graphql``: the ``graphql-transport-ws`` protocol.

The protocol itself — ``connection_init`` and its timeout, ``ping``/``pong``,
``subscribe`` ids, ``complete``, and the close codes for protocol errors
(4400 bad message, 4401 subscribe before the acknowledgement, 4408 no
``connection_init`` in time, 4409 a duplicate id, 4429 a second
``connection_init``) — is Strawberry's own handler,
:class:`~strawberry.subscriptions.protocols.graphql_transport_ws.handlers.BaseGraphQLTransportWSHandler`.
This module adapts it to the server:

- the connection is counted against ``max_subscription_connections``; past
  it the socket is closed with 1013 (*try again later*) and a reason
  starting with ``TOO_MANY_CONNECTIONS``;
- the token comes in ``connection_init``'s payload (``{"Authorization":
  "Bearer og_..."}``, any case; or the upgrade request's own
  ``Authorization`` header): a bad token, or none when ``require_token``
  is set, closes the socket with 4403 and a reason starting with
  ``UNAUTHENTICATED``;
- each operation runs through :class:`server.subscriptions.Subscriptions`, so
  it is checked as a query over HTTP is, and its errors have the API's
  shape; past ``max_subscriptions_per_connection`` a ``subscribe`` gets an
  ``error`` message with the code ``TOO_MANY_SUBSCRIPTIONS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Mapping
from datetime import timedelta
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived, WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage, SubscribeMessage
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from oversight_graph.journal.changes import Actor
from oversight_graph.server.safety import new_request_id, request_id_of
from oversight_graph.server.subscriptions import Refused, Subscriptions, error_list

__all__ = ["GraphQLWebSocket"]

log = logging.getLogger("oversight.websocket")

_CLOSE_REASON_BYTES = 123
"""The longest close reason a WebSocket close frame carries."""


def _reason(code: str, message: str) -> str:
    text = f"{code}: {message}"
    return text.encode()[:_CLOSE_REASON_BYTES].decode("utf-8", "ignore")


class _Socket(AsyncWebSocketAdapter):
    """Strawberry's view of a Starlette WebSocket, with orjson and pre-encoded messages."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    yield orjson.loads(text)
                except orjson.JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except KeyError as error:  # a binary frame
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            return

    async def send_json(self, message: Mapping[str, object]) -> None:
        await self.send_text(orjson.dumps(message).decode())

    async def send_text(self, text: str) -> None:
        try:
            await self.ws.send_text(text)
        except (WebSocketDisconnect, OSError, RuntimeError) as error:
            raise WebSocketDisconnected from error

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(OSError, RuntimeError):
            await self.ws.close(code=code, reason=reason)


class _Connection:
    """What the handler keeps per connection: the app's streaming state and who is connected."""

    def __init__(self, subscriptions: Subscriptions, ws: WebSocket) -> None:
        self.subscriptions = subscriptions
        self.ws = ws
        self.request_id = request_id_of(ws.scope)
        self.actor: Actor | None = None
        self.connection_params: dict[str, object] = {}


class _View:
    """The one view hook Strawberry's handler calls: the connection is accepted as is (checked before)."""

    async def on_ws_connect(self, context: Any) -> UnsetType | dict[str, object] | None:
        return UNSET


def _authorization(payload: Mapping[str, object], ws: WebSocket) -> object:
    """The ``Authorization`` value from ``connection_init``'s payload (any case), else the upgrade request's."""
    for name, value in payload.items():
        if name.lower() == "authorization":
            return value
    headers = payload.get("headers")
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == "authorization":
                return value
    return ws.headers.get("authorization")


class _Handler(BaseGraphQLTransportWSHandler[_Connection, None]):
    """Strawberry's graphql-transport-ws handler, running operations through :class:`Subscriptions`."""

    context: _Connection

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if isinstance(payload, dict) and not self.connection_init_received and not self.connection_timed_out:
            try:
                self.context.actor = await self.context.subscriptions.actor(_authorization(payload, self.context.ws))
            except Refused as refused:
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                self.connection_init_received = True
                await self.websocket.close(4403, _reason(refused.code, refused.message))
                return
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        cap = self.context.subscriptions.settings.max_subscriptions_per_connection
        if self.connection_acknowledged and message["id"] not in self.operations and len(self.operations) >= cap:
            await self.send_message(
                {
                    "id": message["id"],
                    "type": "error",
                    "payload": error_list(  # type: ignore[typeddict-item]
                        "TOO_MANY_SUBSCRIPTIONS",
                        f"this connection already runs {cap} operations, the most one connection may; "
                        "complete one or open another connection",
                        self.context.request_id,
                        limit=cap,
                    ),
                }
            )
            return
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[_Connection, None]) -> None:
        connection = self.context
        request_id = new_request_id()
        try:
            context = connection.subscriptions.context(request_id, connection.actor, connection.ws)
            outcome = connection.subscriptions.start(
                operation.query, operation.variables, operation.operation_name, context
            )
            if isinstance(outcome, list):
                await operation.send_operation_message(
                    {"id": operation.id, "type": "error", "payload": outcome}  # type: ignore[typeddict-item]
                )
                return
            # Each event's body is serialized once and framed here, not decoded and encoded again.
            head = '{"id":' + orjson.dumps(operation.id).decode() + ',"type":"next","payload":'
            socket: _Socket = self.websocket  # type: ignore[assignment]
            async with aclosing(outcome):  # type: ignore[type-var]
                async for body in outcome:
                    if operation.completed:
                        return
                    await socket.send_text(head + body.decode() + "}")
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except WebSocketDisconnected:
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("request %s: unexpected error in a WebSocket operation", request_id)
            with contextlib.suppress(Exception):
                await operation.send_operation_message(
                    {
                        "id": operation.id,
                        "type": "error",
                        "payload": error_list(  # type: ignore[typeddict-item]
                            "INTERNAL_SERVER_ERROR", f"Internal server error (request {request_id}).", request_id
                        ),
                    }
                )


class GraphQLWebSocket:
    """The ASGI endpoint for WebSocket connections to ``/graphql``."""

    def __init__(self, subscriptions: Subscriptions) -> None:
        self.subscriptions = subscriptions
        self._view = _View()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        ws = WebSocket(scope, receive, send)
        if GRAPHQL_TRANSPORT_WS_PROTOCOL not in scope.get("subprotocols", ()):
            await ws.accept()
            await ws.close(4406, "Subprotocol not acceptable: use graphql-transport-ws")
            return
        await ws.accept(subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL)
        try:
            self.subscriptions.connect()
        except Refused as refused:
            await ws.close(1013, _reason(refused.code, refused.message))
            return
        try:
            handler = _Handler(
                view=self._view,  # type: ignore[arg-type]
                websocket=_Socket(ws),
                context=_Connection(self.subscriptions, ws),
                root_value=None,
                schema=None,  # type: ignore[arg-type]
                connection_init_wait_timeout=timedelta(seconds=self.subscriptions.settings.header_timeout),
            )
            await handler.handle()
        finally:
            self.subscriptions.disconnect()
