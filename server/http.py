"""GraphQL over HTTP: request parsing, content negotiation and status codes.

Follows the GraphQL-over-HTTP specification:

- ``POST`` with ``Content-Type: application/json`` and a JSON body
  ``{"query", "variables", "operationName", "extensions"}``;
- ``GET`` with the same parameters in the query string (``variables`` and
  ``extensions`` JSON-encoded); GET only runs queries, never mutations
  (405, ``Allow: POST``);
- ``HEAD`` gets the headers of the same ``GET``; any other method gets 405
  with ``Allow: GET, HEAD, POST``;
- a successful GET carries ``ETag`` and ``Cache-Control`` and answers
  ``If-None-Match`` with 304 (:mod:`server.caching`);
- ``extensions.persistedQuery`` selects a persisted document
  (:mod:`server.persisted`); a JSON array body is a batch, when enabled
  (:mod:`server.batch`);
- the response is ``application/graphql-response+json`` when the client
  accepts it, else ``application/json``. With the former, a request that
  cannot be executed (bad syntax, invalid document, bad variables) gets
  status 400; with the latter every GraphQL result gets status 200;
- a browser asking for HTML at the endpoint gets GraphiQL (:mod:`server.pages`).

Problems with the HTTP request itself (wrong method or media type, a body
that is not JSON, a missing ``query``) get a 4xx status and the same error
shape as GraphQL errors, with codes listed in :data:`HTTP_CODES`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.changes import Actor, Role
from oversight_graph.journal.errors import JournalError, JournalUnavailable
from oversight_graph.journal.startup import Follower
from oversight_graph.journal.writer import Writer
from oversight_graph.schema.context import Context
from oversight_graph.schema.engine import Engine, EngineResult, OperationNotAllowed, Outcome, Ready
from oversight_graph.schema.mutations import required_role
from oversight_graph.server.access import OperationNote, error_codes, note_operation
from oversight_graph.server.admission import Budgets, Lanes, client_key
from oversight_graph.server.auth import TokenChecks, bearer_token
from oversight_graph.server.batch import BATCH_CODES, BatchRefused, batch_items, join_results
from oversight_graph.server.caching import conditional
from oversight_graph.server.negotiation import weighted
from oversight_graph.server.pages import Pages
from oversight_graph.server.persisted import PERSISTED_CODES, DocumentRegistry, PersistedQueryError
from oversight_graph.server.safety import error_body, error_response, request_id_of
from oversight_graph.server.settings import Settings
from oversight_graph.server.sse import accepts_events, event_stream
from oversight_graph.server.subscriptions import SUBSCRIPTION_CODES, Refused, Subscriptions

__all__ = ["HTTP_CODES", "MIN_VERSION_HEADER", "GraphQLEndpoint", "HttpError", "replica_status"]

log = logging.getLogger("oversight.http")

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

MIN_VERSION_HEADER = "oversight-min-version"
"""Request header: answer from a graph at least this new (read-your-writes across replicas)."""

HTTP_CODES = {
    "BAD_REQUEST": "The HTTP request is malformed: the body is not JSON, or a parameter is missing or of the wrong type.",
    "METHOD_NOT_ALLOWED": "Only GET and POST are accepted, and GET only for queries.",
    "UNSUPPORTED_MEDIA_TYPE": "A POST body must be application/json.",
    "NOT_ACCEPTABLE": "The Accept header allows neither application/graphql-response+json nor application/json.",
    "PAYLOAD_TOO_LARGE": "The request body is larger than the server accepts.",
    "PATH_NOT_FOUND": "Nothing is served at this path (the API is at /graphql).",
    "REQUEST_TIMEOUT": "The client sent its headers or body too slowly.",
    "HEADERS_TOO_LARGE": "The request's headers are larger than the server accepts.",
    "SERVICE_UNAVAILABLE": "The server is at its limit of connections or work; try again after Retry-After seconds.",
    "CORS_REJECTED": "A browser's cross-origin preflight asked for an origin, method or header that is not allowed.",
    "RATE_LIMITED": "The client's cost budget for the current window is spent; retry after Retry-After seconds.",
    "HTTP_ERROR": "Any other refusal of the HTTP request; the status says which.",
    **PERSISTED_CODES,
    **BATCH_CODES,
    "UNAUTHENTICATED": "The request needs a valid API token (Authorization: Bearer ...): for any mutation, or for reads when the server requires it.",
    "FORBIDDEN": "The token's role does not allow the requested change.",
    **SUBSCRIPTION_CODES,
}
"""Codes of errors about the HTTP request itself, with their meaning."""


class HttpError(Exception):
    """A request the endpoint refuses before any GraphQL work."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """The GraphQL parameters of one HTTP request."""

    query: str | None  # None when only a persisted query's hash is sent
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


_CHOICES = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}


def _accepted(header: str | None) -> str:
    """The response media type for an Accept header, or :class:`HttpError` 406.

    No header means ``application/json`` (the legacy default). Otherwise the
    acceptable type with the highest quality wins; among equals an explicit
    type beats a wildcard, then the earlier one wins.
    """
    if not header:
        return JSON
    best: tuple[float, bool, int] | None = None
    choice: str | None = None
    for position, item in enumerate(header.split(",")):
        media, quality = weighted(item)
        candidate = _CHOICES.get(media)
        if candidate is None or quality <= 0:
            continue
        rank = (quality, media in (GRAPHQL_RESPONSE, JSON), -position)
        if best is None or rank > best:
            best, choice = rank, candidate
    if choice is None:
        raise HttpError(406, "NOT_ACCEPTABLE", f"cannot answer with any media type in Accept: {header}")
    return choice


def _json_param(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = orjson.loads(value) if value else None
        except orjson.JSONDecodeError:
            raise HttpError(400, "BAD_REQUEST", f"{name} is not valid JSON") from None
        if value is None:
            return None
    if not isinstance(value, dict):
        raise HttpError(400, "BAD_REQUEST", f"{name} must be a JSON object")
    return value


def _json_type(value: object) -> str:
    """How JSON would name the type of ``value`` ("a number", "an object")."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else "a string"


def _params(data: Mapping[str, Any], *, strings_may_hold_json: bool) -> GraphQLRequest:
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise HttpError(
            400, "BAD_REQUEST", f"query must be a string holding a GraphQL document, got {_json_type(query)}"
        )
    if query is not None and not query.strip():
        query = None  # a missing query is an error unless a persisted query names the document
    operation = data.get("operationName")
    if operation is not None and not isinstance(operation, str):
        raise HttpError(400, "BAD_REQUEST", "operationName must be a string")
    variables, extensions = data.get("variables"), data.get("extensions")
    if not strings_may_hold_json:
        for name, value in (("variables", variables), ("extensions", extensions)):
            if value is not None and not isinstance(value, dict):
                raise HttpError(400, "BAD_REQUEST", f"{name} must be a JSON object")
    return GraphQLRequest(
        query, _json_param(variables, "variables"), operation or None, _json_param(extensions, "extensions")
    )


async def _post_params(request: Request, max_body: int, body_timeout: float) -> GraphQLRequest | list[Any]:
    content_type = request.headers.get("content-type")
    if not content_type:
        raise HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "a POST request needs Content-Type: application/json")
    media, *params = (p.strip().lower() for p in content_type.split(";"))
    if media != JSON:
        raise HttpError(415, "UNSUPPORTED_MEDIA_TYPE", f"a POST body must be application/json, not {media}")
    for param in params:
        name, _, value = param.partition("=")
        if name == "charset" and value.strip('"') not in ("utf-8", "utf8"):
            raise HttpError(415, "UNSUPPORTED_MEDIA_TYPE", f"only utf-8 bodies are accepted, not {value}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        # Refused before reading: a client announcing more than the limit is not waited for.
        raise HttpError(
            413,
            "PAYLOAD_TOO_LARGE",
            f"the request body ({declared} bytes declared) exceeds {max_body} bytes",
            {"connection": "close"},  # the body is never read: the connection cannot carry another request
        )
    body = bytearray()
    try:
        # asyncio's own timeout: the server runs on asyncio, and anyio's cancel scope cost
        # a tenth of a small request's time.
        async with asyncio.timeout(body_timeout):
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > max_body:
                    raise HttpError(
                        413, "PAYLOAD_TOO_LARGE", f"the request body exceeds {max_body} bytes", {"connection": "close"}
                    )
    except TimeoutError:
        raise HttpError(
            408,
            "REQUEST_TIMEOUT",
            f"the request body did not arrive within {body_timeout:g} s ({len(body)} bytes received)",
            {"connection": "close"},
        ) from None
    if not body:
        raise HttpError(400, "BAD_REQUEST", "the POST body is empty: send a JSON object with a query")
    try:
        data = orjson.loads(bytes(body))
    except orjson.JSONDecodeError as error:
        raise HttpError(400, "BAD_REQUEST", f"the body is not valid JSON: {error}") from None
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise HttpError(400, "BAD_REQUEST", "the body must be a JSON object with a query")
    return _params(data, strings_may_hold_json=False)


_GET_OPERATIONS = frozenset({OperationType.QUERY})
"""GET never runs a mutation (or anything but a query): it may be cached, prefetched or repeated."""

_STREAM_RETRY_AFTER = 5
"""Seconds an event-stream client refused at the connection cap is asked to wait."""

_POST_OPERATIONS = frozenset(OperationType)
"""POST hands every operation type to the engine, so that an invalid document fails validation
like any other; a valid subscription is then refused: it needs a stream (SSE or the WebSocket)."""

_EXPENSIVE = "oversight.expensive"
"""Scope key set on a request that ran in the expensive lane (it does not count as recent cheap traffic)."""


class GraphQLEndpoint:
    """The ``/graphql`` endpoint: one instance per app, holding the schema and the store."""

    def __init__(
        self,
        engine: Engine,
        store: GraphStore,
        settings: Settings,
        writer: Writer | None = None,
        subscriptions: Subscriptions | None = None,
    ) -> None:
        self.engine = engine
        self.subscriptions = subscriptions
        self.store = store
        self.settings = settings
        self.writer = writer
        # Mutations run one at a time in a thread of their own: the journal's commit waits on the disk.
        self._writes = anyio.CapacityLimiter(1)
        # Tokens are looked up off the event loop: a lost database must not stall other clients.
        self._tokens = TokenChecks()
        self.max_body = settings.max_body_bytes
        self._graphiql = Pages(settings) if settings.graphiql else None
        # Expensive operations run in worker threads (offload_threads), so that while one
        # runs the event loop keeps answering cached and cheap requests (server.admission).
        self._offload_cost = settings.offload_cost
        # A change set waiting for the readers (they hold the graph steady) must not wait out their pauses.
        model_lock = writer.model.lock if writer is not None else None
        self.lanes = Lanes(
            settings.offload_threads,
            settings.shed_queue,
            hurry=(lambda: model_lock.writer_waiting) if model_lock is not None else None,
        )
        self.budgets = (
            Budgets(settings.rate_limit_cost, settings.rate_limit_window) if settings.rate_limit_cost else None
        )
        self.documents = DocumentRegistry(settings)
        self.follower: Follower | None = None
        """What this server knows of its journal's database (set by the app when it follows one)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point; requests of every method reach :meth:`handle`."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Answer one HTTP request to the endpoint."""
        request_id = request_id_of(request.scope)
        self.lanes.cheap_started()
        try:
            response = await self._handle(request, request_id)
        except HttpError as error:
            response = error_response(
                error.status, error.code, error.message, request_id, error.headers, **error.extensions
            )
        finally:
            self.lanes.cheap_finished(was_cheap=_EXPENSIVE not in request.scope)
        budget = request.scope.get("state", {}).get("rate_limit")
        if budget is not None:
            response.headers.update(budget.headers())
        return response

    async def _handle(self, request: Request, request_id: str) -> Response:
        method = request.method
        if method not in ("GET", "HEAD", "POST"):
            raise HttpError(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed", {"allow": "GET, HEAD, POST"})
        accept = request.headers.get("accept")
        # Event streams (graphql-sse) for clients that ask for text/event-stream: always when
        # they accept nothing else, and for subscriptions when they list JSON too (as urql does).
        events = self.subscriptions is not None and method != "HEAD" and accepts_events(accept)
        if method == "GET" and self._graphiql and "query" not in request.query_params:
            if accept and "text/html" in accept:
                return self._graphiql.graphiql()
        media: str | None
        try:
            media = _accepted(accept)
        except HttpError:
            if not events:
                raise
            media = None  # only an event stream will do
        wanted = request.headers.get(MIN_VERSION_HEADER)
        if wanted is not None:
            await self._reach(_min_version(wanted))
        params: GraphQLRequest | list[Any]
        if method == "POST":
            params = await _post_params(request, self.max_body, self.settings.body_timeout)
            allowed = _POST_OPERATIONS
        else:
            params = _params(request.query_params, strings_may_hold_json=True)
            allowed = _GET_OPERATIONS
        if events and (media is None or self._is_subscription(params)):
            return await self._events(request, params, request_id)
        assert media is not None
        if isinstance(params, list):
            return await self._batch(request, params, media, request_id)
        body, status = await self._run(request, params, media, allowed, request_id)
        if self.follower is not None and self.follower.stale:
            body = self._marked_stale(body)
        headers = {"content-type": f"{media}; charset=utf-8", "x-request-id": request_id}
        if method != "POST" and status == 200:
            max_age = self.settings.cache_max_age
            return conditional(method, request.headers.get("if-none-match"), body, headers, max_age)
        return Response(body, status_code=status, headers=headers)

    def _is_subscription(self, params: GraphQLRequest | list[Any]) -> bool:
        """Whether a request's operation is a subscription (``False`` for whatever is in doubt)."""
        if isinstance(params, list):
            return False
        try:
            query = self.documents.document(params.query, params.extensions)
        except (PersistedQueryError, ValueError):
            return False
        return self.engine.operation_type(query, params.operation_name) is OperationType.SUBSCRIPTION

    async def _events(self, request: Request, params: GraphQLRequest | list[Any], request_id: str) -> Response:
        """Stream an operation's results as Server-Sent Events (:mod:`server.sse`)."""
        assert self.subscriptions is not None
        if isinstance(params, list):
            raise HttpError(400, "BAD_REQUEST", "a batch cannot be streamed: send one request per stream")
        try:
            query = self.documents.document(params.query, params.extensions)
        except PersistedQueryError as error:
            raise HttpError(error.status, error.code, error.message) from None
        except ValueError as error:
            raise HttpError(400, "BAD_REQUEST", str(error)) from None
        actor = await self._actor(request)
        if actor is None and self.settings.require_token:
            raise _unauthenticated("this server requires an API token for every request")
        try:
            self.subscriptions.connect()
        except Refused as refused:
            raise HttpError(
                503,
                refused.code,
                refused.message,
                {"retry-after": str(_STREAM_RETRY_AFTER)},
                extensions={"limit": self.settings.max_subscription_connections, "retryAfter": _STREAM_RETRY_AFTER},
            ) from None
        context = self.subscriptions.context(request_id, actor, request)
        return event_stream(self.subscriptions, query, params.variables, params.operation_name, context)

    async def _reach(self, wanted: int) -> None:
        """Wait (up to ``min_version_wait``) until the graph is at ``wanted`` or newer; else 503 STALE_REPLICA.

        The follower applies new change sets as the database announces them;
        if the announcement was lost, the journal is read here, once.
        """
        deadline = time.monotonic() + self.settings.min_version_wait
        asked = False
        while self.store.version < wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not asked and self.writer is not None and self.follower is not None:
                asked = True
                try:
                    with anyio.move_on_after(left):
                        await anyio.to_thread.run_sync(self._catch_up, wanted, abandon_on_cancel=True)
                except JournalError:
                    pass  # unreachable: wait for the follower, which reconnects
                continue
            await anyio.sleep(min(0.005, left))
        if self.store.version < wanted:
            stale = self.follower is not None and self.follower.stale
            raise HttpError(
                503,
                "STALE_REPLICA",
                f"this server's graph is at version {self.store.version}, not yet {wanted}, after waiting "
                f"{self.settings.min_version_wait:g} s"
                + ("; it has lost its journal's database" if stale else "")
                + ": retry, or ask another server",
                {"retry-after": "1"},
                extensions={"minVersion": wanted, "version": self.store.version, "retryAfter": 1},
            )

    def _catch_up(self, wanted: int) -> None:
        if self.writer is not None:
            self.writer.model.catch_up(self.writer.journal, until=wanted)

    def _marked_stale(self, body: bytes) -> bytes:
        """``body`` with ``extensions.replica`` saying the graph may be behind: the journal's database is lost."""
        follower = self.follower
        try:
            result = orjson.loads(body)
        except orjson.JSONDecodeError:
            return body
        if not isinstance(result, dict) or follower is None:
            return body
        extensions = result.setdefault("extensions", {})
        if isinstance(extensions, dict):
            extensions["replica"] = replica_status(follower)
        return orjson.dumps(result)

    def _charge(self, request: Request, context: Context, cost: int) -> None:
        """Charge the request's cost to its client's budget, or refuse it with 429 RATE_LIMITED."""
        if self.budgets is None:
            return
        budget = self.budgets.charge(client_key(context, request), cost)
        request.scope.setdefault("state", {})["rate_limit"] = budget
        if budget.refused:
            message, extensions = budget.refusal(self.budgets.window)
            raise HttpError(
                429, "RATE_LIMITED", message, {"retry-after": str(extensions["retryAfter"])}, extensions=extensions
            )
        context.rate_limit = budget

    async def _batch(self, request: Request, items: list[Any], media: str, request_id: str) -> Response:
        """Run each request of a batch in turn; one JSON array of their results, status 200."""
        try:
            batch = batch_items(items, enabled=self.settings.batching, max_size=self.settings.max_batch_size)
        except BatchRefused as refused:
            raise HttpError(400, refused.code, refused.message, extensions=refused.extensions) from None
        bodies: list[bytes] = []
        for position, item in enumerate(batch):
            try:
                if not isinstance(item, dict):
                    raise HttpError(400, "BAD_REQUEST", f"batch item {position} must be a JSON object with a query")
                body, _status = await self._run(
                    request, _params(item, strings_may_hold_json=False), media, _POST_OPERATIONS, request_id
                )
            except HttpError as error:
                body = error_body(error.code, error.message, request_id, **error.extensions)
            bodies.append(body)
        headers = {"content-type": f"{media}; charset=utf-8", "x-request-id": request_id}
        return Response(join_results(bodies), status_code=200, headers=headers)

    async def _run(
        self,
        request: Request,
        params: GraphQLRequest,
        media: str,
        allowed: frozenset[OperationType],
        request_id: str,
    ) -> tuple[bytes, int]:
        """Run one GraphQL request; its body and status (noted for the access log and metrics)."""
        began = time.perf_counter()
        seen = _Seen(params.operation_name)
        try:
            body, status = await self._answer(request, params, media, allowed, request_id, seen)
        except HttpError as error:
            note = OperationNote(
                seen.name, "refused", (error.code,), seen.cache, seen.cost, time.perf_counter() - began
            )
            note_operation(request.scope, note)
            raise
        note = OperationNote(seen.name, seen.outcome, seen.codes, seen.cache, seen.cost, time.perf_counter() - began)
        note_operation(request.scope, note)
        return body, status

    async def _answer(
        self,
        request: Request,
        params: GraphQLRequest,
        media: str,
        allowed: frozenset[OperationType],
        request_id: str,
        seen: _Seen,
    ) -> tuple[bytes, int]:
        try:
            query = self.documents.document(params.query, params.extensions)
        except PersistedQueryError as error:
            status = error.status if media == GRAPHQL_RESPONSE else error.json_status
            raise HttpError(status, error.code, error.message) from None
        except ValueError as error:
            raise HttpError(400, "BAD_REQUEST", str(error)) from None
        actor = await self._actor(request)
        if actor is None and self.settings.require_token:
            raise _unauthenticated("this server requires an API token for every request")
        context = Context(
            store=self.store,
            limits=self.settings.limits,
            request=request,
            request_id=request_id,
            writer=self.writer,
            actor=actor,
        )
        try:
            if self.engine.knows(query):
                started = self.engine.start(query, context, params.variables, params.operation_name, allowed)
            else:
                started = await self.lanes.prepare_new(
                    lambda _: self.engine.start(query, context, params.variables, params.operation_name, allowed),
                    None,
                )
        except OperationNotAllowed as refused:
            raise HttpError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{refused.operation_type} operations are not allowed over GET; use POST",
                {"allow": "POST"},
            ) from None
        seen.started(started, query, self.engine)
        if isinstance(started, Ready) and started.operation.operation is OperationType.SUBSCRIPTION:
            raise HttpError(
                406,
                "NOT_ACCEPTABLE",
                "a subscription's results are a stream: ask for them with Accept: text/event-stream "
                "(graphql-sse) or over the WebSocket at /graphql (graphql-transport-ws)",
            )
        if isinstance(started, EngineResult):
            # Answered from the cache or refused before execution: no work to charge.
            if self.budgets is not None:
                request.scope.setdefault("state", {})["rate_limit"] = self.budgets.peek(client_key(context, request))
            result = started
        elif started.is_mutation:
            self._authorize(request, started, actor)
            result = await anyio.to_thread.run_sync(self.engine.finish, started, limiter=self._writes)
        else:
            expensive = started.cost > self._offload_cost
            if expensive and self.lanes.full():
                raise HttpError(
                    503,
                    "SERVICE_UNAVAILABLE",
                    f"the server is busy with expensive operations (estimated cost {started.cost}); retry shortly",
                    {"retry-after": "1"},
                    extensions={"retryAfter": 1},
                )
            self._charge(request, context, started.cost)
            if expensive:
                request.scope[_EXPENSIVE] = True
                self.lanes.cheap_finished(was_cheap=False)  # this request waits in the other lane now
                try:
                    result = await self.lanes.run_expensive(self._finish_steady, started)
                finally:
                    self.lanes.cheap_started()
            else:
                result = self.engine.finish(started)
        seen.finished(result)
        if result.outcome is Outcome.EXECUTED or media == JSON:
            status = 200
        elif result.outcome is Outcome.TIMEOUT:
            status = 503
        else:
            status = 400
        return result.body, status

    def _finish_steady(self, ready: Ready) -> EngineResult:
        """Run a query outside the event loop, with no change set applied meanwhile."""
        if self.writer is None:
            return self.engine.finish(ready)
        with self.writer.model.reading():
            return self.engine.finish(ready)

    async def _actor(self, request: Request) -> Actor | None:
        """Who the request's token stands for; ``None`` without one; 401 for a malformed, unknown or revoked one."""
        header = request.headers.get("authorization")
        if header is None:
            return None
        token = bearer_token(header)
        if token is None:
            raise _unauthenticated("the Authorization header must be 'Bearer <token>'")
        if self.writer is None:
            raise _unauthenticated("this server has no journal, so no tokens")
        try:
            actor = await self._tokens.actor(self.writer.journal, token)
        except JournalUnavailable as error:
            # Reads go on without the token (anonymously, unless tokens are required); a mutation is refused.
            log.warning("token check failed: %s", error)
            if self.settings.require_token:
                raise _journal_unavailable("the API token cannot be checked") from None
            request.scope.setdefault("state", {})["tokens_unavailable"] = True
            return None
        except JournalError as error:
            log.warning("token check failed: %s", error)
            actor = None
        if actor is None:
            raise _unauthenticated("the API token is unknown or revoked")
        return actor

    def _authorize(self, request: Request, ready: Ready, actor: Actor | None) -> None:
        if actor is None and request.scope.get("state", {}).get("tokens_unavailable"):
            raise _journal_unavailable("the API token cannot be checked, and no change can be recorded")
        if actor is None:
            raise _unauthenticated("changing the graph needs an API token: send Authorization: Bearer <token>")
        needed = max(required_role(ready.operation, ready.fragments), Role.EDITOR, key=lambda r: r.rank)
        if not actor.role.allows(needed):
            raise HttpError(
                403,
                "FORBIDDEN",
                f"this mutation needs the {needed.value} role; the token {actor.name!r} is {actor.role.value}",
            )


def _only_operation_name(engine: Engine, query: str) -> str | None:
    """The name of the document's operation when it has only one (the one that runs without ``operationName``)."""
    document = engine.documents.get(query)
    if not isinstance(document, DocumentNode):
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        return None
    return operations[0].name.value


class _Seen:
    """What the endpoint learnt of one operation on its way, for the access log and the metrics."""

    __slots__ = ("cache", "codes", "cost", "name", "outcome")

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.cache: str | None = None
        self.cost: int | None = None
        self.outcome = "request_error"
        self.codes: tuple[str, ...] = ()

    def started(self, started: EngineResult | Ready, query: str, engine: Engine) -> None:
        if isinstance(started, EngineResult):
            self.cache = "hit" if started.cached else None
            if self.name is None:
                self.name = _only_operation_name(engine, query)
            return
        self.cost = started.cost
        if self.name is None and started.operation.name is not None:
            self.name = started.operation.name.value
        if started.cache_key is not None and not started.is_mutation:
            self.cache = "miss"

    def finished(self, result: EngineResult) -> None:
        self.codes = error_codes(result.body)
        if result.outcome is Outcome.EXECUTED:
            self.outcome = "field_error" if self.codes else "ok"
        else:
            self.outcome = "timeout" if result.outcome is Outcome.TIMEOUT else "request_error"


def _journal_unavailable(what: str) -> HttpError:
    return HttpError(
        503,
        "JOURNAL_UNAVAILABLE",
        f"{what}: the journal's database is unavailable; reads go on, retry changes later",
        {"retry-after": "1"},
        extensions={"retryAfter": 1},
    )


def replica_status(follower: Follower) -> dict[str, Any]:
    """What a server knows of its journal's database: for ``/healthz`` and stale answers' ``extensions``."""
    return {
        "stale": follower.stale,
        "version": follower.model.version,
        "databaseVersion": max(follower.database_version, follower.model.version),
        "lag": follower.lag,
        "database": "unreachable" if follower.stale else "ok",
        "lastContactSecondsAgo": round(time.monotonic() - follower.last_contact, 3),
        **({"error": follower.error} if follower.error else {}),
    }


def _min_version(text: str) -> int:
    """The version an ``Oversight-Min-Version`` header asks for; 400 if it is not a non-negative integer."""
    text = text.strip()
    if not text.isdigit() or len(text) > 18:
        raise HttpError(
            400, "BAD_REQUEST", f"{MIN_VERSION_HEADER} must be a graph version (a non-negative integer), got {text!r}"
        )
    return int(text)


def _unauthenticated(message: str) -> HttpError:
    return HttpError(401, "UNAUTHENTICATED", message, {"www-authenticate": 'Bearer realm="oversight"'})
