"""The Starlette application and the uvicorn runner.

``create_app`` wires the pieces: the store (loaded from the data directory
unless one is passed in), the schema built for the settings, the GraphQL
endpoint, ``/healthz`` and CORS. There is no global graph; each app holds
its own store.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from typing import TextIO

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from graph.load import load_directory
from graph.store import GraphStore
from schema import build_schema
from schema.engine import Engine
from server.assets import FETCH_COMMAND, load_manifest
from server.compression import CompressionMiddleware
from server.cors import cors_middleware
from server.export import ExportEndpoint
from server.http import GraphQLEndpoint
from server.loading import load_or_report
from server.manager import serve
from server.pages import Pages, page_routes
from server.safety import SafetyNet, http_exception_handler
from server.settings import Settings

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


def create_app(store: GraphStore | None = None, settings: Settings | None = None) -> Starlette:
    """Build the ASGI app serving ``store`` (or the settings' data directory).

    Raises
    ------
    DataError, ValidationFailed
        If no store is given and the data directory does not load.
    """
    settings = settings or Settings()
    if store is None:
        started = time.perf_counter()
        store = load_directory(settings.data)
        settle()
        log.info(
            "loaded %s: %d entities, %d relations in %.3f s",
            settings.data,
            len(store),
            store.relation_count,
            time.perf_counter() - started,
        )
    schema = build_schema(suggestions=settings.suggestions, introspection=settings.introspection)
    engine = Engine(schema, settings.limits, introspection=settings.introspection, suggestions=settings.suggestions)
    endpoint = GraphQLEndpoint(engine, store, settings)

    async def healthz(request: Request) -> Response:
        return _json(
            {"status": "ok", "graphVersion": store.version, "entities": len(store), "relations": store.relation_count}
        )

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    # Compression is outermost, so that it encodes the final bytes, including
    # those the safety net rewrites; the safety net comes next, so that whatever
    # the layers inside send or raise reaches the client as JSON in the error
    # shape with a request id.
    middleware = [Middleware(SafetyNet)]
    if settings.compression_min_bytes:
        middleware.insert(0, Middleware(CompressionMiddleware, minimum_size=settings.compression_min_bytes))
    cors = cors_middleware(settings)
    if cors is not None:
        middleware.append(cors)
    app = Starlette(
        routes=[
            # The endpoint is an ASGI app, so every method reaches it and all but
            # GET and POST get the API's 405 (the router's own is plain text).
            Route("/graphql", endpoint),
            Route("/healthz", healthz, methods=["GET"]),
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
    return app


def run(settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Serve the API until stopped; return an exit status (non-zero when it could not serve).

    The data is loaded and checked once before any worker starts, so a
    broken data directory fails fast with every problem listed; the workers
    are forked after (:mod:`server.manager`).
    """
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")
    store = load_or_report(settings.data, err, "not serving")
    if store is None:
        return 1
    settle()
    app = create_app(store, settings)
    print(
        f"Oversight Graph: {len(store)} entities, {store.relation_count} relations from {settings.data}\n"
        f"GraphQL and GraphiQL at http://{settings.host}:{settings.port}/graphql, "
        f"the visual explorer at http://{settings.host}:{settings.port}/explore"
        + ("" if load_manifest(settings.assets) else f"\n(browser assets missing: run {FETCH_COMMAND})"),
        file=out,
        flush=True,
    )
    return serve(app, store, settings)
