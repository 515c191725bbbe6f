"""The server the HTTP benchmark drives: the real app plus comparison endpoints.

``python -m bench.serve DIR --port P [--workers N]`` loads a dataset once
and serves, from the same processes:

- ``/graphql`` — the API as deployed (engine with its response cache);
- ``/graphql-uncached`` — the same engine without the response cache;
- ``/graphql-before`` — Strawberry's own ``execute_sync`` for every request,
  the API as it was before the engine (the "before" column);
- ``/plain`` — a plain Starlette endpoint answering each mix request with
  its precomputed response: same bytes, no GraphQL work, the ceiling of
  this HTTP stack;
- ``/bench/gc`` — the garbage collector's pauses in the answering worker
  since it started: count, total and longest per generation.

``BENCH_GC=off`` runs the workers with the collector disabled and
``BENCH_GC=700,10,10`` with those thresholds, to measure what collections
cost a request's latency (``bench.peer.tail``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from graphql import OperationType
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from oversight_graph.graph.load import load_directory
from oversight_graph.schema import Context, OversightSchema, build_schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.engine import CacheSizes, Engine, EngineResult, Outcome
from oversight_graph.server.app import create_app, settle
from oversight_graph.server.http import GraphQLEndpoint
from oversight_graph.server.manager import serve
from oversight_graph.server.settings import Settings

__all__ = ["StrawberryRunner", "build_app"]


class StrawberryRunner:
    """Runs requests through Strawberry's ``Schema.execute_sync``: no caches, graphql-core's executor."""

    def __init__(self, schema: OversightSchema, limits: Limits) -> None:
        self.schema = schema
        self.limits = limits

    def run(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        allowed: frozenset[OperationType] = frozenset({OperationType.QUERY}),
    ) -> EngineResult:
        result = self.schema.execute_sync(
            query, variable_values=variables, context_value=context, operation_name=operation_name
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return EngineResult(orjson.dumps(body), Outcome.EXECUTED)

    start = run  # the endpoint's entry point; it never defers to `finish`

    def knows(self, query: str) -> bool:
        """Always: every request runs on the spot in :meth:`start`, as the API did before the engine."""
        return True


def build_app(directory: Path, bodies: list[bytes]) -> Starlette:
    """The benchmark app for one dataset and the requests it will get (see the module docstring)."""
    store = load_directory(directory)
    settle()
    limits = Limits(time_limit=0)
    # OVERSIGHT_* variables apply (the attack benchmark sets offload_cost through them).
    # No cost budgets unless asked for: the benchmark's clients all share one address.
    budgets = None if "OVERSIGHT_RATE_LIMIT_COST" in os.environ else 0
    settings = Settings.from_env().replace(
        data=directory, graphiql=False, limits=limits, log_level="warning", rate_limit_cost=budgets
    )
    app = create_app(store, settings)
    schema = build_schema()
    uncached = GraphQLEndpoint(Engine(schema, limits, caches=CacheSizes(responses=0)), store, settings)
    before = GraphQLEndpoint(StrawberryRunner(schema, limits), store, settings)  # type: ignore[arg-type]
    engine = Engine(schema, limits)
    responses: dict[bytes, bytes] = {}
    for body in bodies:
        request = orjson.loads(body)
        context = Context(store=store, limits=limits)
        responses[body] = engine.run(request["query"], context, request.get("variables")).body

    async def plain(request: Request) -> Response:
        return Response(responses.get(await request.body(), b"{}"), media_type="application/json")

    pauses = _watch_collector()

    async def collector(request: Request) -> Response:
        tracked = {str(g): len(gc.get_objects(g)) for g in range(3)}
        sized = (o for o in gc.get_objects(2) if isinstance(o, (dict, list, tuple, set)))
        largest = sorted(((len(o), type(o).__name__) for o in sized), reverse=True)[:5]
        body = {**pauses, "tracked": tracked, "largest": largest}
        return Response(orjson.dumps(body), media_type="application/json")

    app.router.routes.extend(
        [
            Route("/graphql-uncached", uncached.handle, methods=["GET", "POST"]),
            Route("/graphql-before", before.handle, methods=["GET", "POST"]),
            Route("/plain", plain, methods=["POST"]),
            Route("/bench/gc", collector, methods=["GET"]),
        ]
    )
    return app


def _watch_collector() -> dict[str, dict[str, float]]:
    """Record the collector's pauses (per generation) in the returned dict; apply ``BENCH_GC``."""
    setting = os.environ.get("BENCH_GC", "")
    if setting == "off":
        gc.disable()
    elif setting:
        gc.set_threshold(*(int(part) for part in setting.split(",")))
    pauses = {str(g): {"count": 0, "seconds": 0.0, "longest": 0.0, "cpu_seconds": 0.0} for g in range(3)}
    began = [0.0, 0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0], began[1] = time.perf_counter(), time.thread_time()
            return
        took = time.perf_counter() - began[0]
        found = pauses[str(info["generation"])]
        found["count"] += 1
        found["seconds"] += took
        found["cpu_seconds"] += time.thread_time() - began[1]
        found["longest"] = max(found["longest"], took)

    gc.callbacks.append(watch)
    return pauses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument(
        "--bodies", type=Path, required=True, help="JSON list of the request bodies to answer at /plain"
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    app = build_app(args.directory, [b.encode() for b in json.loads(args.bodies.read_text())])
    settings = app.state.settings.replace(host="127.0.0.1", port=args.port, workers=args.workers)
    return serve(app, app.state.store, settings)


if __name__ == "__main__":
    sys.exit(main())
