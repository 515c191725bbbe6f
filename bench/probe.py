"""Measure one dataset in this process: load it, then time the query mix.

Run as ``python -m bench.probe DIR [--quick]``; prints one JSON object.
A fresh process per dataset keeps the peak RSS of loading honest.

For every query of the mix (:mod:`bench.mix`) it times:

- ``direct``: the graph functions plus orjson, no GraphQL;
- ``strawberry``: Strawberry's own ``Schema.execute_sync`` (parse, validate
  and execute on every call, graphql-core's executor) plus orjson — the API
  as it was before the engine, kept as the "before" column;
- ``uncached``: the engine with its response cache off (documents and
  validation results cached, as in production);
- ``cached``: the engine with the response cache warm.

and ``{ __typename }`` through the uncached engine, the floor of any request.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.mix import TYPENAME, MixQuery, build_mix
from oversight_graph.graph.load import load_directory
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.engine import CacheSizes, Engine

__all__ = ["measure", "probe"]


def measure(call: Callable[[], Any], iterations: int, budget: float) -> dict[str, float]:
    """p50 and p99 of ``call`` in milliseconds over up to ``iterations`` runs within ``budget`` seconds."""
    call()  # warm up (and fill per-version caches)
    samples: list[float] = []
    stop = time.perf_counter() + budget
    while len(samples) < iterations and (len(samples) < 5 or time.perf_counter() < stop):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return {
        "p50": round(statistics.median(samples), 4),
        "p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 4),
        "n": len(samples),
    }


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def probe(directory: Path, quick: bool) -> dict[str, Any]:
    """Load ``directory`` and time the mix; the result is JSON-ready."""
    started = time.perf_counter()
    store = load_directory(directory)
    load_seconds = time.perf_counter() - started
    rss = _peak_rss_mb()
    gc.collect()
    gc.freeze()  # as the forked server does: the loaded graph is not scanned again
    summary = json.loads((directory / "summary.json").read_text())
    mix = build_mix(store, summary)
    iterations, budget = (30, 1.5) if quick else (300, 8.0)
    schema = build_schema()
    limits = Limits(time_limit=0)
    uncached = Engine(schema, limits, caches=CacheSizes(responses=0))
    cached = Engine(schema, limits)

    def engine_call(engine: Engine, q: MixQuery) -> Callable[[], bytes]:
        return lambda: engine.run(q.query, Context(store=store, limits=limits), q.variables).body

    def strawberry_call(q: MixQuery) -> Callable[[], bytes]:
        def call() -> bytes:
            result = schema.execute_sync(
                q.query, variable_values=q.variables, context_value=Context(store=store, limits=limits)
            )
            return orjson.dumps({"data": result.data})

        return call

    rows = []
    for q in mix:
        body = engine_call(uncached, q)()
        row: dict[str, Any] = {
            "query": q.name,
            "same_data_as_direct": orjson.loads(body) == orjson.loads(q.direct(store)),
            "response_bytes": len(body),
            "errors": orjson.loads(body).get("errors"),
            "direct": measure(lambda q=q: q.direct(store), iterations, budget),
            "strawberry": measure(strawberry_call(q), max(iterations // 3, 10), budget / 2),
            "uncached": measure(engine_call(uncached, q), iterations, budget),
            "cached": measure(engine_call(cached, q), iterations, budget),
        }
        rows.append(row)
    typename = measure(engine_call(uncached, MixQuery("typename", TYPENAME, {}, lambda s: b"")), iterations, budget)
    return {
        "dataset": str(directory),
        "entities": len(store),
        "relations": store.relation_count,
        "load_seconds": round(load_seconds, 2),
        "peak_rss_mb_after_load": rss,
        "peak_rss_mb": _peak_rss_mb(),
        "typename": typename,
        "queries": rows,
        # The HTTP benchmark sends the same requests.
        "bodies": [q.body().decode() for q in mix],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(probe(args.directory, args.quick)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
