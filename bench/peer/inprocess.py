"""One query of the peer comparison in process, for profiling: CPU time per request, no HTTP.

Usage::

    python -m bench.peer.inprocess --size 100k --query neighborhood [--requests 2000]
    py-spy record -o neighborhood.svg -- .venv/bin/python -m bench.peer.inprocess --size 100k --query neighborhood

Loads the dataset, draws the query's argument pool as :mod:`bench.peer.run`
does (the list query pages through the organizations once for its
cursors), then answers the requests through the engine the server uses,
without its response cache, cycling through the pool; prints CPU
milliseconds per request (median of five rounds), the p50/p99 of single
requests, and the garbage collector's pauses by generation.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from typing import Any

import orjson

from bench.peer import queries as peer_queries
from bench.run import SIZES, _dataset
from oversight_graph.graph.load import load_directory
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.engine import CacheSizes, Engine
from oversight_graph.server.app import settle

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", choices=sorted(SIZES))
    parser.add_argument("--query", default="neighborhood", choices=[q.name for q in peer_queries.QUERIES])
    parser.add_argument("--requests", type=int, default=1000, help="requests per round")
    parser.add_argument("--pool", type=int, default=2000)
    args = parser.parse_args(argv)
    store = load_directory(_dataset(args.size))
    settle()
    limits = Limits(time_limit=0)
    engine = Engine(build_schema(), limits, caches=CacheSizes(responses=0))
    query = next(q for q in peer_queries.QUERIES if q.name == args.query)

    def run(value: Any) -> bytes:
        context = Context(store=store, limits=limits)
        return engine.run(query.oversight, context, {query.argument: value}).body

    if query.name == "list":
        values: list[Any] = [None]
        for _ in range(peer_queries.organization_pages(store, args.pool) - 1):
            values.append(orjson.loads(run(values[-1]))["data"]["organizations"]["pageInfo"]["endCursor"])
    else:
        values = peer_queries.pools(store, args.pool)[query.name]
    for value in values[:50]:  # warm the caches of documents and plans
        run(value)
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    began: list[float] = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - began[0])

    gc.callbacks.append(watch)
    rounds, latencies = [], []
    for _ in range(5):
        started = time.process_time()
        for index in range(args.requests):
            begun = time.perf_counter()
            run(values[index % len(values)])
            latencies.append(time.perf_counter() - begun)
        rounds.append((time.process_time() - started) / args.requests)
    gc.callbacks.remove(watch)
    latencies.sort()
    print(
        f"{args.size} {query.name}: {1000 * statistics.median(rounds):.3f} ms CPU per request "
        f"(rounds {', '.join(f'{1000 * r:.3f}' for r in rounds)}); "
        f"p50 {1000 * latencies[len(latencies) // 2]:.3f} ms, p99 {1000 * latencies[int(len(latencies) * 0.99)]:.3f} ms, "
        f"max {1000 * latencies[-1]:.3f} ms"
    )
    requests = 5 * args.requests
    for generation, found in pauses.items():
        if found:
            print(
                f"  gc generation {generation}: {len(found)} collections ({len(found) / requests:.3f} per request), "
                f"{1000 * sum(found) / requests:.3f} ms per request, longest {1000 * max(found):.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
