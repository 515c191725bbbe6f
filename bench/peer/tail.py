"""Where a cheap query's latency tail comes from, at one process: the collector, or something else.

Usage::

    python -m bench.peer.tail --size 100k --query lookup [--seconds 20]

Starts Oversight Graph with one worker several times — as configured, with
the garbage collector off, and with higher collector thresholds — and
drives each with the same load as :mod:`bench.peer.run` (wrk, 32
connections, random arguments from the pool). For each it prints
throughput, p50/p90/p99/max latency, CPU per request, and the collector's
pauses in the worker (count, total, longest per generation), so a tail that
follows the collections shows itself. It writes
``bench/results/tail-SIZE-QUERY.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from bench.peer import queries as peer_queries
from bench.peer.run import _bodies, _time
from bench.peer.servers import start_oversight
from bench.run import ROOT, SIZES, _dataset, _free_port
from oversight_graph.graph.load import load_directory

__all__ = ["main"]

VARIANTS = {
    "as configured": {},
    "collector off": {"BENCH_GC": "off"},
    "thresholds 50000/20/100": {"BENCH_GC": "50000,20,100"},
    "no offload thread": {"OVERSIGHT_OFFLOAD_COST": "1000000000"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=sorted(SIZES))
    parser.add_argument("--query", default="lookup", choices=["lookup", "search", "neighborhood"])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    args = parser.parse_args(argv)
    directory = _dataset(args.size)
    query = next(q for q in peer_queries.QUERIES if q.name == args.query)
    values = peer_queries.pools(load_directory(directory), 2000)[query.name]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        for name in args.variants.split(","):
            server = start_oversight(directory, _free_port(), 1, scratch, VARIANTS[name])
            try:
                server.wait_ready(600)
                bodies = _bodies(server, query.oversight, query.argument, values)
                before = server.get("/bench/gc")
                timed = _time(server, bodies, args.seconds, args.warmup, scratch)
                after = server.get("/bench/gc")
            finally:
                server.stop()
            collections = {
                g: {
                    "count": after[g]["count"] - before[g]["count"],
                    "ms": 1000 * (after[g]["seconds"] - before[g]["seconds"]),
                    "cpu_ms": 1000 * (after[g]["cpu_seconds"] - before[g]["cpu_seconds"]),
                    "longest_ms": 1000 * after[g]["longest"],
                }
                for g in ("0", "1", "2")
            }
            results[name] = {**timed, "collections": collections, "tracked": after["tracked"]}
            gcs = "; ".join(
                f"gen{g} {c['count']}× {c['ms']:.0f} ms, CPU {c['cpu_ms']:.0f} ms (longest {c['longest_ms']:.1f})"
                for g, c in collections.items()
            )
            gcs += f"; tracked {after['tracked']}, largest in generation 2 {after['largest']}"
            print(
                f"{name:>26}: {timed['requests_per_second']:7,.0f} req/s  p50 {timed['p50_ms']:6.1f}  "
                f"p90 {timed['p90_ms']:6.1f}  p99 {timed['p99_ms']:6.1f}  max {timed['max_ms']:7.1f} ms  "
                f"CPU {timed['cpu_ms_per_request']:.3f} ms/req  load {timed['load_before'][0]:.1f}  | {gcs}",
                flush=True,
            )
    out = ROOT / "results" / f"tail-{args.size}-{args.query}.json"
    out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
