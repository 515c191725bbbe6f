"""Streaming GraphQL: what the WebSocket and Server-Sent Events transports share.

:class:`Subscriptions` is one per app. It

- counts the streaming connections (WebSocket connections and SSE streams)
  and refuses one past ``max_subscription_connections``
  (``TOO_MANY_CONNECTIONS``);
- checks API tokens as the HTTP endpoint does (``require_token`` applies);
- starts an operation: the engine checks it exactly as it checks a query
  over HTTP (document limits, validation, admission and cost), its
  estimated cost is charged once to the client's budget as over HTTP
  (``RATE_LIMITED`` when spent; the events of a subscription that started
  are not charged again), then it either refuses it with coded errors,
  answers a query with one response, or runs a subscription as a stream of
  response bodies;
- counts the subscriptions open now (:attr:`Subscriptions.open_subscriptions`,
  read by the metrics).

The transports themselves are :mod:`server.websocket` (graphql-transport-ws,
on Strawberry's protocol handler) and :mod:`server.sse` (graphql-sse,
distinct connections mode, on Strawberry's SSE transport).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import orjson
from graphql import OperationType

from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.changes import Actor
from oversight_graph.journal.errors import JournalError
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.journal.writer import Writer
from oversight_graph.schema.context import Context
from oversight_graph.schema.engine import Engine, EngineResult, OperationNotAllowed, Outcome, Ready
from oversight_graph.server.admission import Budgets, client_key
from oversight_graph.server.auth import TokenChecks, bearer_token
from oversight_graph.server.settings import Settings

__all__ = ["SUBSCRIPTION_CODES", "Refused", "Subscriptions"]

log = logging.getLogger("oversight.subscriptions")

SUBSCRIPTION_CODES = {
    "TOO_MANY_CONNECTIONS": "The server already holds max_subscription_connections streaming connections: "
    "HTTP 503 with Retry-After over SSE, close code 1013 over WebSocket.",
    "TOO_MANY_SUBSCRIPTIONS": "A WebSocket connection already runs max_subscriptions_per_connection operations.",
}
"""Codes of the streaming transports' own refusals, with their meaning."""

_STREAMED = frozenset({OperationType.QUERY, OperationType.SUBSCRIPTION})
"""What runs over the streaming transports; mutations go over HTTP POST."""


class Refused(Exception):
    """A token or a connection the streaming transports turn away, with the API's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_list(code: str, message: str, request_id: str | None = None, **extensions: object) -> list[dict[str, Any]]:
    """One error in the API's shape, as the list a protocol message carries."""
    fields: dict[str, object] = {"code": code}
    if request_id is not None:
        fields["requestId"] = request_id
    fields.update(extensions)
    return [{"message": message, "extensions": fields}]


class Subscriptions:
    """Streaming connections and operations of one app (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        store: GraphStore,
        settings: Settings,
        writer: Writer | None,
        feed: ChangeFeed | None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings
        self.writer = writer
        self.feed = feed
        self._tokens = TokenChecks()
        self.connections = 0
        """Streaming connections open now (WebSocket connections and SSE streams)."""
        self.open_subscriptions = 0
        """Subscription operations running now, over either transport."""
        self.metrics: Any = None
        """Told of each subscription opened and closed (``subscription_opened``/``_closed``), if set."""
        self.budgets: Budgets | None = None
        """The clients' cost budgets, shared with the HTTP endpoint (``None``: no rate limit)."""

    # -- connections ------------------------------------------------------------------
    def connect(self) -> None:
        """Count a new streaming connection, or refuse it past the cap (:class:`Refused`)."""
        cap = self.settings.max_subscription_connections
        if self.connections >= cap:
            raise Refused(
                "TOO_MANY_CONNECTIONS",
                f"the server holds its limit of {cap} streaming connections; retry later",
            )
        self.connections += 1

    def disconnect(self) -> None:
        """Count a streaming connection as closed."""
        self.connections -= 1

    async def actor(self, authorization: object) -> Actor | None:
        """Who an ``Authorization`` value (``Bearer TOKEN``) stands for, ``None`` without one.

        Raises
        ------
        Refused
            ``UNAUTHENTICATED``: a malformed, unknown or revoked token, or none
            when the server requires one.
        """
        if authorization is None:
            if self.settings.require_token:
                raise Refused(
                    "UNAUTHENTICATED", "this server requires an API token: send Authorization: Bearer <token>"
                )
            return None
        token = bearer_token(authorization)
        if token is None:
            raise Refused("UNAUTHENTICATED", "the Authorization value must be 'Bearer <token>'")
        if self.writer is None:
            raise Refused("UNAUTHENTICATED", "this server has no journal, so no tokens")
        try:
            actor = await self._tokens.actor(self.writer.journal, token)
        except JournalError as error:
            log.warning("token check failed: %s", error)
            actor = None
        if actor is None:
            raise Refused("UNAUTHENTICATED", "the API token is unknown or revoked")
        return actor

    # -- operations -------------------------------------------------------------------
    def context(self, request_id: str, actor: Actor | None, request: Any = None) -> Context:
        """The resolvers' context for one streamed operation."""
        return Context(
            store=self.store,
            limits=self.settings.limits,
            request=request,
            request_id=request_id,
            writer=self.writer,
            actor=actor,
            feed=self.feed,
        )

    def start(
        self, query: object, variables: object, operation_name: object, context: Context
    ) -> list[dict[str, Any]] | AsyncIterator[bytes]:
        """Check an operation as a query over HTTP is checked; its errors, or its response bodies to stream.

        A query gets one body; a subscription one per event, until the client
        leaves. Mutations are refused: they go over HTTP POST.
        """
        request_id = context.request_id
        if not isinstance(query, str) or not query.strip():
            return error_list("BAD_REQUEST", "query must be a string holding a GraphQL document", request_id)
        if variables is not None and not isinstance(variables, dict):
            return error_list("BAD_REQUEST", "variables must be a JSON object", request_id)
        if operation_name is not None and not isinstance(operation_name, str):
            return error_list("BAD_REQUEST", "operationName must be a string", request_id)
        try:
            started = self.engine.start(query, context, variables, operation_name or None, _STREAMED)
        except OperationNotAllowed as refused:
            return error_list(
                "METHOD_NOT_ALLOWED",
                f"{refused.operation_type} operations are not run over streaming transports; send them with HTTP POST",
                request_id,
            )
        if isinstance(started, EngineResult):
            if started.outcome is Outcome.EXECUTED:
                return _once(started.body)
            return list(orjson.loads(started.body)["errors"])
        refused = self._charge(started, context)
        if refused is not None:
            return refused
        if started.operation.operation is OperationType.QUERY:
            return self._query(started)
        return self._subscription(started)

    def _charge(self, ready: Ready, context: Context) -> list[dict[str, Any]] | None:
        """Charge the operation's estimated cost to its client's budget; the ``RATE_LIMITED`` error when spent."""
        if self.budgets is None:
            return None
        budget = self.budgets.charge(client_key(context, context.request), ready.cost)
        context.rate_limit = budget
        if not budget.refused:
            return None
        message, extensions = budget.refusal(self.budgets.window, "operation")
        return error_list("RATE_LIMITED", message, context.request_id, **extensions)

    async def _query(self, ready: Ready) -> AsyncIterator[bytes]:
        if ready.cost > self.settings.offload_cost:
            yield (await anyio.to_thread.run_sync(self._finish_steady, ready)).body
        else:
            yield self.engine.finish(ready).body

    def _finish_steady(self, ready: Ready) -> EngineResult:
        if self.writer is None:
            return self.engine.finish(ready)
        with self.writer.model.reading():
            return self.engine.finish(ready)

    async def _subscription(self, ready: Ready) -> AsyncIterator[bytes]:
        self.open_subscriptions += 1
        if self.metrics is not None:
            self.metrics.subscription_opened()
        source = self.engine.stream(ready)
        try:
            async for body in source:
                yield body
        finally:
            self.open_subscriptions -= 1
            if self.metrics is not None:
                self.metrics.subscription_closed()
            await source.aclose()  # type: ignore[attr-defined]


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body
