"""The query engine: from a request's text to the response body.

One :class:`Engine` serves every request of an app:

1. **response cache** — the serialized response of a document, its
   variables and operation name, keyed also on the graph version, so a
   repeated query is answered without any GraphQL work and a change to
   the graph invalidates every entry at once;
2. **parse** — bounded LRU cache of documents (syntax errors included),
   with the size and token limits;
3. **validate** — bounded LRU cache of validation results, with the
   specification's rules and the document limits (:mod:`schema.limits`);
4. **prepare** — variables coerced, arguments and estimated cost checked,
   the operation compiled into a plan; kept in bounded caches keyed on
   the document and variables (plans on the ``@skip``/``@include``
   values only), like prepared statements;
5. **execute** — the lean executor (:mod:`schema.executor`) runs the plan
   under the time limit;
6. **code and serialize** — every error coded (:mod:`schema.errors`),
   the body encoded with orjson.

Every cache admits an entry only from its key's second sight (a
:class:`~schema.cache.Doorkeeper` remembers the hashes of what it saw), so a
stream of one-off documents neither evicts what clients repeat nor leaves
long-lived objects for the garbage collector to walk.

Strawberry's own ``Schema.execute`` remains available and gives the same
data; the engine is the production path because it does per request only
what the request needs.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import (
    ExecutionResult,
    Executor,
    create_source_event_stream,
    execute_subscription_event,
)
from graphql.execution.executor_throwing_on_incremental import ExecutorThrowingOnIncremental

from oversight_graph.graph import deadline
from oversight_graph.graph.deadline import DeadlineExceeded
from oversight_graph.schema import OversightSchema
from oversight_graph.schema.cache import LRU, Doorkeeper
from oversight_graph.schema.context import Context, Limits
from oversight_graph.schema.errors import code_error
from oversight_graph.schema.executor import LeanExecutor, Plan, directive_variables
from oversight_graph.schema.limits import admit, limit_error, validation_rules

__all__ = ["Engine", "EngineResult", "OperationNotAllowed", "Outcome"]


class Outcome(enum.Enum):
    """What kind of response the engine produced; the HTTP layer maps it to a status."""

    EXECUTED = "executed"  # a GraphQL result with `data` (possibly with field errors)
    REQUEST_ERROR = "request_error"  # could not run: no `data` (syntax, validation, variables, limits)
    TIMEOUT = "timeout"  # stopped at the time limit: no `data`


class OperationNotAllowed(Exception):
    """The selected operation's type is not allowed for this request (a mutation over GET)."""

    def __init__(self, operation_type: str) -> None:
        super().__init__(f"{operation_type} operations are not allowed here")
        self.operation_type = operation_type


@dataclass(frozen=True, slots=True)
class EngineResult:
    """A serialized response and how it came about."""

    body: bytes
    outcome: Outcome
    cached: bool = False


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An operation with its variables coerced, admitted (or refused) and planned."""

    operation: OperationDefinitionNode
    variables: Any
    plan: Plan | None  # None: not covered by the lean executor; graphql-core runs it
    refused: list[GraphQLError]
    cost: int
    # Field arguments for these variables, filled by the first execution.
    arguments: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ready:
    """A request that passed every check before execution (see :meth:`Engine.start`)."""

    document: DocumentNode
    prepared: _Prepared
    variables: dict[str, Any] | None
    context: Context
    cache_key: tuple[Any, ...] | None  # None: the response is not cached
    deadline: tuple[float, float] | None = None  # (monotonic deadline, time limit) set by start
    admitted: bool = True  # False: a request seen for the first time lately, its response not kept

    @property
    def cost(self) -> int:
        """The operation's estimated cost (:mod:`schema.limits`)."""
        return self.prepared.cost

    @property
    def operation(self) -> OperationDefinitionNode:
        """The operation that will run."""
        return self.prepared.operation

    @property
    def is_mutation(self) -> bool:
        """Whether it is a mutation (never cached, run apart from queries)."""
        return self.prepared.operation.operation is OperationType.MUTATION

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        """The document's fragments by name."""
        return {d.name.value: d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)}


@dataclass(frozen=True, slots=True)
class CacheSizes:
    """Bounds of the engine's caches."""

    documents: int = 512
    validations: int = 512
    prepared: int = 8192  # per (document, variables): clients send the same document with many values
    plans: int = 512
    responses: int = 2048
    response_bytes: int = 64 * 1024 * 1024
    document_bytes: int = 32 * 1024 * 1024
    prepared_bytes: int = 32 * 1024 * 1024
    events: int = 1024
    event_bytes: int = 32 * 1024 * 1024
    sightings: int = 16384  # the doorkeeper's memory; 0 admits every entry at its first sight


_VOLATILE = "rateLimit"
"""A document that may ask for this field gets a response of its own, never a cached one."""

_DOCUMENT_WEIGHT = 20
"""Bytes a parsed document holds per byte of its text, roughly (its AST nodes and tokens)."""


def _encoded(variables: dict[str, Any] | None) -> bytes | None:
    """The variables as a canonical cache-key part; ``None`` if they cannot be encoded (nested too deeply)."""
    if not variables:
        return b""
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None


def _key_weight(key: tuple[Any, ...]) -> int:
    """Bytes a response-cache key holds: the document and the encoded variables."""
    return len(key[2]) + len(key[4])


def _document_or_error(query: str, limits: Limits) -> DocumentNode | GraphQLError:
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as error:
        if "more than" in error.message and "tokens" in error.message:
            return limit_error(
                "TOO_MANY_TOKENS",
                f"The document has more than {limits.max_tokens} tokens; parsing stopped.",
                limit=limits.max_tokens,
            )
        return error


def _stopped(result: ExecutionResult) -> DeadlineExceeded | None:
    """The time limit's stop, if graphql-core reported it as a resolver's error."""
    return next((e.original_error for e in result.errors or () if isinstance(e.original_error, DeadlineExceeded)), None)


def _select(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class Engine:
    """Run GraphQL requests against one schema with caches and limits.

    Parameters
    ----------
    schema
        The Strawberry schema.
    limits
        Request limits (shared with resolvers through the context).
    introspection
        Whether to answer introspection queries.
    suggestions
        Whether validation errors may suggest similar names.
    caches
        Cache bounds.
    """

    def __init__(
        self,
        schema: OversightSchema,
        limits: Limits | None = None,
        *,
        introspection: bool = True,
        suggestions: bool = True,
        caches: CacheSizes | None = None,
    ) -> None:
        self.schema = schema
        self.graphql_schema = schema._schema
        self.limits = limits or Limits()
        self.suggestions = suggestions
        self.executor = LeanExecutor(schema)
        sizes = caches or CacheSizes()
        # Every cache is bounded by entries and by the bytes its keys and
        # values hold, so that large documents or variables cannot grow it.
        self.documents: LRU[str, DocumentNode | GraphQLError] = LRU(sizes.documents, sizes.document_bytes)
        self.validations: LRU[str, list[GraphQLError]] = LRU(sizes.validations, sizes.document_bytes)
        self.prepared: LRU[tuple[str, str | None, bytes], _Prepared] = LRU(sizes.prepared, sizes.prepared_bytes)
        self.plans: LRU[tuple[Any, ...], Plan] = LRU(sizes.plans, sizes.document_bytes)
        self.responses: LRU[tuple[Any, ...], EngineResult] = LRU(sizes.responses, sizes.response_bytes)
        # Subscription events' bodies, shared by the subscribers of one document and variables.
        self.events: LRU[tuple[Any, ...], bytes] = LRU(sizes.events, sizes.event_bytes)
        # A document, plan or response is kept only from its second sight (see Doorkeeper):
        # one-off requests neither evict what clients repeat nor burden the garbage collector.
        self.door = Doorkeeper(sizes.sightings)
        rules = [*specified_rules, *validation_rules(self.limits)]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)

    def run(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        allowed: frozenset[OperationType] = frozenset({OperationType.QUERY}),
    ) -> EngineResult:
        """Answer one request; the body is the serialized GraphQL response.

        The same as :meth:`start` followed, when needed, by :meth:`finish`.

        Raises
        ------
        OperationNotAllowed
            If the selected operation's type is not in ``allowed``.
        """
        started = self.start(query, context, variables, operation_name, allowed)
        return started if isinstance(started, EngineResult) else self.finish(started)

    def start(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        allowed: frozenset[OperationType] = frozenset({OperationType.QUERY}),
    ) -> EngineResult | Ready:
        """Everything before execution: the response cache, parsing, validation, admission.

        Returns the response when one is already known (cached, or an error
        before execution); otherwise a :class:`Ready` whose estimated
        ``cost`` lets the caller decide where to run :meth:`finish`.

        The time limit starts here: parsing, validation and admission count
        towards it, and :meth:`finish` runs with what is left.

        Raises
        ------
        OperationNotAllowed
            If the selected operation's type is not in ``allowed``.
        """
        with deadline.within(self.limits.time_limit or None) as until:
            try:
                return self._begin(query, context, variables, operation_name, allowed, until)
            except DeadlineExceeded as stop:
                return self._timeout(stop, context)

    def _begin(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        allowed: frozenset[OperationType],
        until: tuple[float, float] | None,
    ) -> EngineResult | Ready:
        store = context.store
        encoded = _encoded(variables)
        if encoded is None or _VOLATILE in query:
            # Variables too deeply nested to encode make no cache key, and a
            # response with the client's rate limit is the client's own: such
            # requests are answered without the caches.
            found = self._start(query, context, variables, operation_name, allowed, None)
            if isinstance(found, EngineResult):
                return found
            return Ready(found[0], found[1], variables, context, None, until)
        # `allowed` is part of the key: a response cached for a POST must not
        # answer a GET of the same mutation, which OperationNotAllowed refuses.
        key = (id(store), store.version, query, operation_name, encoded, allowed)
        cached = self.responses.get(key)
        if cached is not None:
            return EngineResult(cached.body, cached.outcome, cached=True)
        request = (query, operation_name, encoded)
        again = self.door.again(request)
        found = self._start(query, context, variables, operation_name, allowed, request if again else None)
        if isinstance(found, EngineResult):
            if again:
                self.responses.put(key, found, _key_weight(key) + len(found.body))
            return found
        return Ready(found[0], found[1], variables, context, key, until, admitted=again)

    def operation_type(self, query: str, operation_name: str | None) -> OperationType | None:
        """The type of the operation a request selects (``None``: it does not parse or names none)."""
        if len(query) > self.limits.max_document_bytes:
            return None
        document = self.documents.get(query)
        if document is None:
            document = _document_or_error(query, self.limits)
            self.documents.put(query, document, _DOCUMENT_WEIGHT * len(query))
        if isinstance(document, GraphQLError):
            return None
        operation = _select(document, operation_name)
        return operation.operation if operation is not None else None

    def knows(self, query: str) -> bool:
        """Whether ``query`` was parsed and validated before: :meth:`start` then does little more than look it up."""
        return query in self.documents and query in self.validations

    def finish(self, ready: Ready) -> EngineResult:
        """Execute a request :meth:`start` made ready, and cache its response when that is safe.

        Safe to call from a worker thread: the engine's caches are locked
        and the store is only read.
        """
        with deadline.until(ready.deadline):
            result = self._execute(ready)
        key = ready.cache_key
        if (
            key is not None
            and ready.admitted
            and result.outcome is not Outcome.TIMEOUT
            and not ready.is_mutation
            # A change set applied while this ran: the answer may not be the version's.
            and key[1] == ready.context.store.version
            and b'"INTERNAL_SERVER_ERROR"' not in result.body
        ):
            self.responses.put(key, result, _key_weight(key) + len(result.body))
        return result

    async def stream(self, ready: Ready) -> AsyncIterator[bytes]:
        """Run a subscription :meth:`start` made ready: each event's response body, errors coded.

        Subscribers of the same document with the same variables get the same
        answer to the same event, so each event is executed once for all of
        them while the graph stays at one version (``events`` cache) and the
        fan-out to thousands of subscribers costs little more than sending.

        Each event is executed under the request time limit; an event that
        exceeds it gets a ``TIMEOUT`` error in place of its data, and the
        stream goes on with the next event.

        A failure of the event source (the journal cannot be read while
        catching up) ends the stream with a last response holding the coded
        error, as a resolver's failure would be reported.
        """
        context = ready.context
        operation = ready.operation
        executor = ExecutorThrowingOnIncremental.build(
            self.graphql_schema,
            ready.document,
            context_value=context,
            raw_variable_values=ready.variables,
            operation_name=operation.name.value if operation.name else None,
        )
        if isinstance(executor, list):
            yield self._serialize(None, executor, context, executed=True, with_data=False)
            return
        source = create_source_event_stream(executor)
        if inspect.isawaitable(source):
            source = await source
        if isinstance(source, ExecutionResult):
            # The subscription could not start (a bad argument, no journal).
            yield self._serialize(None, source.errors, context, executed=True, with_data=False)
            return
        shared = ready.cache_key[2:5] if ready.cache_key is not None else None  # document, operation, variables
        store = context.store
        try:
            async for event in source:
                key = (*shared, getattr(event, "version", id(event)), store.version) if shared else None
                body = self.events.get(key) if key is not None else None
                if body is None:
                    # Each event is executed under the time limit of one request.
                    stopped: DeadlineExceeded | None = None
                    try:
                        with deadline.within(self.limits.time_limit or None):
                            result = execute_subscription_event(executor.build_per_event_executor(event))
                            if inspect.isawaitable(result):
                                result = await result
                    except DeadlineExceeded as stop:
                        stopped = stop
                    else:
                        stopped = _stopped(result)
                    if stopped is not None:
                        yield self._timeout(stopped, context).body  # this event only; the stream goes on
                        continue
                    body = self._serialize(result.data, result.errors, context, executed=True)
                    if key is not None and b'"INTERNAL_SERVER_ERROR"' not in body:
                        self.events.put(key, body, len(key[0]) + len(key[2]) + len(body))
                yield body
        except Exception as failure:  # reported to the subscriber in the error shape, as a resolver failure is
            first = operation.selection_set.selections[0]
            path = [first.name.value] if isinstance(first, FieldNode) else None
            error = GraphQLError(str(failure), path=path, original_error=failure)
            yield self._serialize(None, [error], context, executed=True, with_data=False)
        finally:
            await source.aclose()  # type: ignore[union-attr]

    def _start(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        allowed: frozenset[OperationType],
        prepared_key: tuple[str, str | None, bytes] | None,
    ) -> EngineResult | tuple[DocumentNode, _Prepared]:
        limits = self.limits
        size = len(query) if query.isascii() else len(query.encode("utf-8"))
        if size > limits.max_document_bytes:
            error = limit_error(
                "DOCUMENT_TOO_LARGE",
                f"The document is {size} bytes; at most {limits.max_document_bytes} are allowed.",
                limit=limits.max_document_bytes,
                actual=size,
            )
            return self._request_error([error], context, parsed=False)
        document = self.documents.get(query)
        known = document is not None
        if document is None:
            document = _document_or_error(query, limits)
            known = self.door.again(query)
            if known:
                self.documents.put(query, document, _DOCUMENT_WEIGHT * len(query))
        if isinstance(document, GraphQLError):
            return self._request_error([document], context, parsed=False)
        operation = _select(document, operation_name)
        if operation is not None and operation.operation not in allowed:
            raise OperationNotAllowed(operation.operation.value)
        errors = self.validations.get(query)
        if errors is None:
            errors = validate(self.graphql_schema, document, self.rules, hide_suggestions=not self.suggestions)
            if known:
                self.validations.put(query, errors, len(query))
        if errors:
            return self._request_error(errors, context, parsed=True)
        prepared = self.prepared.get(prepared_key) if prepared_key is not None else None
        if prepared is None:
            built = Executor.build(
                self.graphql_schema, document, raw_variable_values=variables, operation_name=operation_name
            )
            if isinstance(built, list):
                return self._request_error(built, context, parsed=True, executed=True)
            prepared = self._prepare(query, document, built, known)
            # graphql-core's executor refers to itself (its async helpers are
            # bound methods of it). Only its operation and coerced variables
            # are kept, so break that cycle now: left to the garbage collector,
            # one cycle per request made it run full collections every few
            # hundred requests, each pausing the worker for tens of ms.
            built.async_helpers = None  # type: ignore[assignment]
            if prepared_key is not None:
                # The key's variables are held twice: encoded, and coerced in the entry.
                self.prepared.put(prepared_key, prepared, len(query) + 2 * len(prepared_key[2]))
        if prepared.refused:
            return self._request_error(prepared.refused, context, parsed=True)
        return document, prepared

    def _execute(self, ready: Ready) -> EngineResult:
        context, prepared = ready.context, ready.prepared
        try:
            if prepared.plan is None:
                result = self.executor.hand_over(ready.document, prepared.operation, ready.variables, context)
                stopped = _stopped(result)
                if stopped is not None:
                    raise stopped
            else:
                result = self.executor.run(
                    prepared.plan, prepared.variables, context, arguments=prepared.arguments, fragments=True
                )
        except DeadlineExceeded as stop:
            return self._timeout(stop, context)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            return self._request_error(result.errors, context, parsed=True, executed=True)
        return EngineResult(self._serialize(result.data, result.errors, context, executed=True), Outcome.EXECUTED)

    def _timeout(self, stop: DeadlineExceeded, context: Context) -> EngineResult:
        error = limit_error("TIMEOUT", f"The operation was stopped: {stop}.", limit=stop.seconds)
        return EngineResult(self._serialize(None, [error], context, executed=True, with_data=False), Outcome.TIMEOUT)

    def _prepare(self, query: str, document: DocumentNode, built: Executor[Any], known: bool) -> _Prepared:
        """Admission and a plan for one operation and its variables (the plan kept if the document is ``known``)."""
        operation = built.operation
        fragments = built.fragment_definitions
        cost, refused = admit(self.graphql_schema, self.limits, operation, fragments, built.variable_values)
        plan = None
        if not refused and self.executor.covers(operation):
            # Plans depend on the variables only through @skip/@include.
            switches = directive_variables(operation, fragments)
            coerced = built.variable_values.coerced
            plan_key = (
                query,
                operation.name.value if operation.name else None,
                tuple(coerced.get(n) for n in switches),
            )
            plan = self.plans.get(plan_key)
            if plan is None:
                plan = self.executor.compile(operation, fragments, built.variable_values)
                if known:
                    self.plans.put(plan_key, plan, _DOCUMENT_WEIGHT * len(query))
        return _Prepared(operation, built.variable_values, plan, refused, cost)

    def _request_error(
        self, errors: list[GraphQLError], context: Context, *, parsed: bool, executed: bool = False
    ) -> EngineResult:
        body = self._serialize(None, errors, context, parsed=parsed, executed=executed, with_data=False)
        return EngineResult(body, Outcome.REQUEST_ERROR)

    def _serialize(
        self,
        data: Any,
        errors: list[GraphQLError] | None,
        context: Context,
        *,
        parsed: bool = True,
        executed: bool,
        with_data: bool = True,
    ) -> bytes:
        # A request that could not run has no `data` entry at all (GraphQL over HTTP).
        body: dict[str, Any] = {"data": data} if with_data else {}
        if errors:
            body["errors"] = [
                code_error(e, parsed=parsed, executed=executed, request_id=context.request_id).formatted for e in errors
            ]
        return orjson.dumps(body)
