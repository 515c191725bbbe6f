"""The Starlette application and the uvicorn runner.

``create_app`` wires the pieces: the store (loaded from the data directory
unless one is passed in), the schema built for the settings, the GraphQL
endpoint, ``/healthz`` and CORS. There is no global graph; each app holds
its own store.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TextIO

import anyio
import anyio.to_thread
import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from oversight_graph.graph.errors import DataError, ValidationFailed
from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.errors import JournalError
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.journal.snapshotter import HAS_FORK, Snapshotter
from oversight_graph.journal.startup import Follower, open_journal, start_model
from oversight_graph.journal.writer import Writer
from oversight_graph.schema import build_schema
from oversight_graph.schema.engine import Engine
from oversight_graph.server.access import AccessLog
from oversight_graph.server.assets import FETCH_COMMAND, load_manifest
from oversight_graph.server.compression import CompressionMiddleware
from oversight_graph.server.cors import cors_middleware
from oversight_graph.server.export import ExportEndpoint
from oversight_graph.server.http import GraphQLEndpoint, replica_status
from oversight_graph.server.loading import report_problems
from oversight_graph.server.logs import configure as configure_logs
from oversight_graph.server.manager import serve
from oversight_graph.server.metrics import Metrics, OperationNames, multiprocess_directory
from oversight_graph.server.pages import Pages, page_routes
from oversight_graph.server.safety import SafetyNet, http_exception_handler
from oversight_graph.server.settings import DEFAULT_DATA, Settings
from oversight_graph.server.subscriptions import Subscriptions
from oversight_graph.server.websocket import GraphQLWebSocket

__all__ = ["create_app", "run", "serve", "settle"]

log = logging.getLogger("oversight")


def settle() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    The graph is loaded once and never freed; without this, every full
    collection would walk millions of its objects (seconds, for a large
    graph) while requests wait. Forked workers also keep the graph's memory
    pages shared, since the collector no longer writes to them.
    """
    # No collection first: loading disables the collector and makes no
    # cycles, so there is nothing for it to find, and on a large graph a
    # full collection alone takes many seconds.
    gc.freeze()


def _json(payload: object, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def open_writer(settings: Settings) -> Writer:
    """Open the settings' journal and build the graph from it (importing the data directory into a new journal).

    Raises
    ------
    JournalError
        If the journal cannot be opened or replayed.
    DataError, ValidationFailed
        If the journal is new and the data directory does not load.
    """
    started = time.perf_counter()
    journal = open_journal(settings.db, settings.snapshots)
    try:
        model = start_model(journal, settings.data, chosen=settings.data != DEFAULT_DATA)
    except BaseException:
        journal.close()
        raise
    settle()
    log.info(
        "journal %s: %d entities, %d relations at version %d in %.3f s",
        journal.location,
        len(model.store),
        model.store.relation_count,
        model.version,
        time.perf_counter() - started,
    )
    return Writer(journal, model)


def _on_loop(loop: asyncio.AbstractEventLoop) -> Callable[[Callable[[], None]], None]:
    """Run a change on ``loop``'s thread and wait for it (directly when already there, or once the loop has stopped)."""
    owner = threading.get_ident()

    def run(change: Callable[[], None]) -> None:
        if threading.get_ident() == owner or loop.is_closed():
            change()
            return
        claimed = threading.Lock()  # whoever takes it makes the change: exactly once

        async def call() -> None:
            if claimed.acquire(blocking=False):
                change()

        future = asyncio.run_coroutine_threadsafe(call(), loop)
        while True:
            try:
                future.result(timeout=0.2)
                return
            except concurrent.futures.TimeoutError:
                # A server shutting down stops its loop: no reader is left on it, and a
                # thread waiting here forever would keep the process (and its port) alive.
                if not loop.is_running() and claimed.acquire(blocking=False):
                    change()
                    return

    return run


def create_app(
    store: GraphStore | None = None, settings: Settings | None = None, writer: Writer | None = None
) -> Starlette:
    """Build the ASGI app serving ``store``, or ``writer``'s graph, or the settings' journal.

    With a bare ``store`` the graph is fixed and mutations are refused;
    otherwise the graph follows its journal and accepts authenticated writes.

    Raises
    ------
    JournalError, DataError, ValidationFailed
        If the journal must be opened here and cannot be, or its first import fails.
    """
    settings = settings or Settings()
    if store is None:
        writer = writer or open_writer(settings)
        store = writer.model.store
    schema = build_schema(suggestions=settings.suggestions, introspection=settings.introspection)
    engine = Engine(schema, settings.limits, introspection=settings.introspection, suggestions=settings.suggestions)
    feed = ChangeFeed(writer.journal, writer.model, settings.subscription_buffer) if writer is not None else None
    subscriptions = Subscriptions(engine, store, settings, writer, feed)
    endpoint = GraphQLEndpoint(engine, store, settings, writer, subscriptions)
    metrics = Metrics(settings.metrics, _operation_names(settings, endpoint))
    subscriptions.metrics = metrics
    subscriptions.budgets = endpoint.budgets  # one budget per client, whichever transport it uses
    if writer is not None:
        writer.model.listeners.append(lambda change: metrics.change_set_applied(change.version))
    # Created here, started in each serving process (threads do not cross a fork).
    follower = Follower(writer.journal, writer.model, settings.follow_interval) if writer is not None else None
    endpoint.follower = follower
    snapshots = (
        Snapshotter(
            writer.journal, writer.model, settings.snapshot_every, fork=settings.snapshot_in_background and HAS_FORK
        )
        if writer is not None
        else None
    )

    async def healthz(request: Request) -> Response:
        body: dict[str, object] = {
            "status": "ok",
            "graphVersion": store.version,
            "entities": len(store),
            "relations": store.relation_count,
        }
        if follower is not None:
            # Stale, not down: the graph still answers reads, so a load balancer keeps sending them.
            body["replica"] = replica_status(follower)
            if follower.stale:
                body["status"] = "stale"
        return _json(body)

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    async def metrics_page(request: Request) -> Response:
        # Reading every worker's values is file work: off the event loop.
        body, media = await anyio.to_thread.run_sync(metrics.render)
        return Response(body, media_type=media)

    # Compression is outermost, so that it encodes the final bytes, including
    # those the safety net rewrites; the safety net comes next, so that whatever
    # the layers inside send or raise reaches the client as JSON in the error
    # shape with a request id.
    middleware = [Middleware(SafetyNet)]
    if settings.compression_min_bytes:
        middleware.insert(0, Middleware(CompressionMiddleware, minimum_size=settings.compression_min_bytes))
    # The access log is outermost: it sees the final status and times everything.
    middleware.insert(0, Middleware(AccessLog, metrics=metrics))
    cors = cors_middleware(settings)
    if cors is not None:
        middleware.append(cors)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        restore_signals: Callable[[], None] = _nothing
        if writer is not None and follower is not None:
            if writer.forked_from not in (None, os.getpid()):
                writer.journal.reopen()  # connections never cross a fork
            writer.model.run_exclusive = _on_loop(asyncio.get_running_loop())
            if feed is not None:
                feed.start(asyncio.get_running_loop())
                restore_signals = _end_streams_on_stop(feed, asyncio.get_running_loop())
            # A worker forked (or replaced) after changes were made starts from the loaded version;
            # if the database is away meanwhile, it serves what it has and the follower catches up later.
            follower.check()
            follower.start()
        if snapshots is not None:
            snapshots.start()
        watcher = None
        if follower is not None and metrics.enabled:
            watcher = asyncio.create_task(_watch_replica(follower, metrics, settings.follow_interval))
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            if feed is not None:
                restore_signals()
                feed.stop()
            if snapshots is not None:
                snapshots.stop()  # a snapshot half written is ended: the next start replays a little more
            if follower is not None and writer is not None:
                follower.stop()
                writer.model.run_exclusive = _call_now

    app = Starlette(
        lifespan=lifespan,
        routes=[
            # The endpoint is an ASGI app, so every method reaches it and all but
            # GET and POST get the API's 405 (the router's own is plain text).
            Route("/graphql", endpoint),
            # Subscriptions over graphql-transport-ws (server.websocket); SSE is served by the endpoint.
            WebSocketRoute("/graphql", GraphQLWebSocket(subscriptions)),
            Route("/healthz", healthz, methods=["GET"]),
            *([Route("/metrics", metrics_page, methods=["GET"])] if metrics.enabled else []),
            # Every method reaches it, so that all but GET and HEAD get a JSON 405.
            Route("/export/{format}", ExportEndpoint(store)),
            Route("/", root, methods=["GET"]),
            *page_routes(Pages(settings)),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_exception_handler},
    )
    app.state.store = store
    app.state.settings = settings
    app.state.documents = endpoint.documents
    app.state.writer = writer
    app.state.metrics = metrics
    # Streaming connections and open subscriptions (counts for the metrics).
    app.state.subscriptions = subscriptions
    app.state.follower = follower
    app.state.snapshots = snapshots
    return app


def _operation_names(settings: Settings, endpoint: GraphQLEndpoint) -> OperationNames:
    """Operation-name labels: the trusted operations' names when only those run, else the first few seen."""
    trusted = endpoint.documents.trusted
    if trusted is None:
        return OperationNames(settings.metrics_operations)
    names: set[str] = set()
    for document in trusted.values():
        with contextlib.suppress(GraphQLError):
            names.update(
                d.name.value for d in parse(document).definitions if isinstance(d, OperationDefinitionNode) and d.name
            )
    return OperationNames(settings.metrics_operations, trusted=names)


async def _watch_replica(follower: Follower, metrics: Metrics, interval: float) -> None:
    """Report the graph's version, its lag behind the database and whether the database answers, every ``interval`` s.

    The follower asks the database; this only passes on what it last heard.
    """
    while True:
        metrics.set_replica(follower.database_version, follower.model.version, reachable=follower.reachable)
        await anyio.sleep(interval)


def _nothing() -> None:
    return None


def _end_streams_on_stop(feed: ChangeFeed, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """End the open subscription streams as soon as the server is told to stop; return what undoes it.

    uvicorn waits up to ``graceful_timeout`` for open responses before it
    stops, and an event stream never finishes by itself: without this, any
    Server-Sent Events subscriber would hold every restart up. The server's
    own SIGTERM/SIGINT handlers (uvicorn's) still run after; where there are
    none (a test client, a thread), nothing is changed.
    """
    if threading.current_thread() is not threading.main_thread():
        return _nothing
    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        handler = signal.getsignal(signum)
        if not callable(handler):
            continue

        def stop(number: int, frame: Any, handler: Any = handler) -> None:
            loop.call_soon_threadsafe(feed.close)
            handler(number, frame)

        previous[signum] = handler
        signal.signal(signum, stop)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _call_now(change: Callable[[], None]) -> None:
    change()


def run(settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Serve the API until stopped; return an exit status (non-zero when it could not serve).

    The data is loaded and checked once before any worker starts, so a
    broken data directory fails fast with every problem listed; the workers
    are forked after (:mod:`server.manager`).
    """
    configure_logs(settings.log_format, settings.log_level, err)
    try:
        writer = open_writer(settings)
    except ValidationFailed as failure:
        report_problems(settings.data, failure.problems, "not serving", err)
        return 1
    except (DataError, JournalError) as error:
        print(f"oversight serve: {error}; not serving", file=err)
        return 1
    # Every worker writes its metrics to files there, so /metrics on any of them reports them all.
    with multiprocess_directory() if settings.metrics else contextlib.nullcontext():
        return _serve(settings, writer, out)


def _serve(settings: Settings, writer: Writer, out: TextIO) -> int:
    store = writer.model.store
    app = create_app(settings=settings, writer=writer)
    print(
        f"Oversight Graph: {len(store)} entities, {store.relation_count} relations at version {store.version} "
        f"(journal {writer.journal.location})\n"
        f"GraphQL and GraphiQL at http://{settings.host}:{settings.port}/graphql, "
        f"the visual explorer at http://{settings.host}:{settings.port}/explore"
        + ("" if load_manifest(settings.assets) else f"\n(browser assets missing: run {FETCH_COMMAND})"),
        file=out,
        flush=True,
    )
    # gunicorn forks the workers from this process: each opens its own
    # connections to the journal (they must not cross a fork) and catches up.
    writer.forked_from = os.getpid()
    writer.journal.close()
    return serve(app, store, settings)
