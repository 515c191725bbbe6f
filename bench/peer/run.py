"""Oversight Graph against PostGraphile over PostgreSQL, on the same generated graph.

Usage::

    python -m bench.peer --size 100k           # 30 s per query and server after a 5 s warm-up
    python -m bench.peer --quick               # 10k, a few seconds per query (what CI runs)
    python -m bench.peer --size 1m --queries neighborhood,lookup

Steps: generate the dataset if needed (:mod:`bench.generate`); load it
into PostgreSQL unless the database already holds it
(:mod:`bench.peer.database`); install Node.js 22 and PostGraphile from
the lockfile if needed; start both servers with as many worker processes
as the machine has cores; draw the argument pools
(:mod:`bench.peer.queries`); check on a sample of every pool that both
servers answer the same data (and stop if not); then, per query and
server, a warm-up and a timed wrk run at 32 connections, each request
drawing its arguments from the pool at random.

It prints the table — throughput, the ratio, p50 and p99 on both sides,
and the CPU time the servers spent per request — with the versions that
ran and the machine's load, and writes it to ``bench/results/peer-SIZE.md``
and ``.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from bench.peer import queries as peer_queries
from bench.peer.database import Database, stamp_of
from bench.peer.servers import Running, ensure_node, node_version, postgraphile_version, start_oversight, start_peer
from bench.run import ROOT, SIZES, _dataset, _free_port, _machine
from oversight_graph.graph.load import load_directory

__all__ = ["main"]

_LUA = """
local bodies = {%s}
local headers = {["Content-Type"] = "application/json"}
setup = function(thread)
  thread:set("id", math.random(1, 1000000))
end
init = function(args)
  math.randomseed(id)
end
request = function()
  return wrk.format("POST", nil, headers, bodies[math.random(#bodies)])
end
"""


def _script(bodies: list[bytes], path: Path) -> Path:
    entries = ",\n".join(f"[==[{b.decode()}]==]" for b in bodies)
    path.write_text(_LUA % entries)
    return path


_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _parse_wrk(output: str) -> dict[str, Any]:
    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(found.group(1)) * _SCALE[found.group(2)] if found else 0.0

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "max_ms": _max_latency(output),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _max_latency(output: str) -> float:
    """The ``Max`` column of wrk's latency line."""
    found = re.search(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    return float(found.group(1)) * _SCALE[found.group(2)] if found else 0.0


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _time(server: Running, bodies: list[bytes], seconds: int, warmup: int, scratch: Path) -> dict[str, Any]:
    script = _script(bodies, scratch / "load.lua")
    if warmup:
        warm = ["wrk", "-t1", "-c4", f"-d{warmup}s", "-s", str(script), server.url]
        subprocess.run(warm, check=True, capture_output=True)
    load_before = _loadavg()
    cpu_before = server.cpu_seconds()
    run = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", str(script), server.url]
    output = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    result = _parse_wrk(output)
    result["cpu_ms_per_request"] = 1000 * cpu / result["requests"] if result["requests"] else 0.0
    result["load_before"] = load_before
    result["load_after"] = _loadavg()
    return result


def _bodies(server: Running, query: str, argument: str, values: list[Any]) -> list[bytes]:
    return [orjson.dumps({"query": query, "variables": {argument: value}}) for value in values]


def _cursors(server: Running, query: peer_queries.Query, pages: int, peer: bool) -> list[str | None]:
    """The ``after`` argument of each of the first ``pages`` list pages, walking the list on ``server``."""
    cursors: list[str | None] = [None]
    document = query.peer if peer else query.oversight
    while len(cursors) < pages:
        data = server.post(document, {"after": cursors[-1]})["data"]
        cursor = (data["allEntities"] if peer else data["organizations"])["pageInfo"]["endCursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    return cursors


def _check(
    ours: Running, peer: Running, query: peer_queries.Query, ours_args: list[Any], peer_args: list[Any], sample: int
) -> int:
    """Compare both servers' answers on the first ``sample`` arguments; return how many were compared."""
    compared = 0
    for mine, theirs in list(zip(ours_args, peer_args, strict=True))[:sample]:
        a = peer_queries.normal(query.name, ours.post(query.oversight, {query.argument: mine}), peer=False)
        b = peer_queries.normal(query.name, peer.post(query.peer, {query.argument: theirs}), peer=True)
        if a != b:
            raise SystemExit(
                f"{query.name}: the servers answer {mine!r} differently:\n"
                f"Oversight Graph: {json.dumps(a)[:2000]}\nPostGraphile:    {json.dumps(b)[:2000]}"
            )
        compared += 1
    return compared


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT.parent, capture_output=True, text=True)
    return result.stdout.strip()


def _fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _table(report: dict[str, Any]) -> str:
    size = report["size"]
    lines = [
        f"### {size}: {report['entities']:,} entities, {report['relations']:,} relations, "
        f"{report['workers']} worker process(es) per server, 32 connections, {report['seconds']} s per run",
        "",
        "| query (uncacheable) | Oversight req/s | PostGraphile req/s | ratio | Oversight p50 / p99 ms "
        "| PostGraphile p50 / p99 ms | Oversight CPU ms/req | PostGraphile + PostgreSQL CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["rows"]:
        ours, theirs = row.get("oversight"), row.get("peer")
        ratio = (
            f"{ours['requests_per_second'] / theirs['requests_per_second']:.2f}×"
            if ours and theirs and theirs["requests_per_second"]
            else "–"
        )

        def cells(side: dict[str, Any] | None) -> tuple[str, str, str]:
            if side is None:
                return "–", "–", "–"
            errors = f" ({side['non_2xx']} non-2xx)" if side["non_2xx"] else ""
            return (
                _fmt_rate(side["requests_per_second"]) + errors,
                f"{side['p50_ms']:.1f} / {side['p99_ms']:.1f}",
                f"{side['cpu_ms_per_request']:.2f}",
            )

        o, p = cells(ours), cells(theirs)
        lines.append(f"| {row['title']} | {o[0]} | {p[0]} | {ratio} | {o[1]} | {p[1]} | {o[2]} | {p[2]} |")
    v = report["versions"]
    lines += [
        "",
        f"Versions: Oversight Graph {v['oversight']} (Python {v['python']}); PostGraphile {v['postgraphile']} "
        f"on Node.js {v['node']}; PostgreSQL {v['postgresql']}; {v['wrk']}.",
        f"Machine: {report['machine']}. Load average before/after each run is in the JSON; "
        f"at the start {report['load_start']}, at the end {report['load_end']}.",
        f"Checked before timing: {report['checked']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Oversight Graph against PostGraphile over PostgreSQL.")
    parser.add_argument("--size", default="100k", choices=sorted(SIZES))
    parser.add_argument("--quick", action="store_true", help="10k, 3 s per run, small pools; for CI")
    parser.add_argument("--seconds", type=int, default=30, help="duration of each timed run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up before each timed run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes per server")
    parser.add_argument("--queries", default="lookup,list,search,neighborhood")
    parser.add_argument("--pool", type=int, default=2000, help="arguments per pool")
    parser.add_argument("--sample", type=int, default=25, help="arguments per query checked on both servers")
    parser.add_argument("--only", choices=("oversight", "peer"), help="time one server only (both are checked)")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument("--name", help="results file name (default peer-SIZE, or peer-quick)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    if args.quick:
        args.size, args.seconds, args.warmup, args.pool, args.sample = "10k", 3, 1, 200, 10
    wanted = [q.strip() for q in args.queries.split(",") if q.strip()]
    chosen = [q for q in peer_queries.QUERIES if q.name in wanted]
    name = args.name or ("peer-quick" if args.quick else f"peer-{args.size}")

    directory = _dataset(args.size)
    load_start = _loadavg()
    print(f"== {args.size}: loading the graph for the pools", flush=True)
    store = load_directory(directory)
    entities, relations = len(store), store.relation_count
    pools = peer_queries.pools(store, args.pool)
    pages = peer_queries.organization_pages(store, args.pool)
    # A quick run (CI) loads a database of its own and drops it at the end; others keep theirs.
    database = Database(f"oversight_peer_quick_{os.getpid()}" if args.quick else f"oversight_peer_{args.size}")
    stamp = stamp_of(directory)
    if database.stamp() != stamp:
        print(f"== {args.size}: loading PostgreSQL database {database.name}", flush=True)
        print(f"   loaded in {database.load(store, stamp):.0f} s", flush=True)
    del store
    gc.collect()
    bin_dir = ensure_node()
    versions = {
        "oversight": _git("describe", "--always", "--dirty"),
        "python": sys.version.split()[0],
        "postgraphile": postgraphile_version(),
        "node": node_version(bin_dir),
        "postgresql": database.version(),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip(),
    }
    report: dict[str, Any] = {
        "size": args.size,
        "entities": entities,
        "relations": relations,
        "workers": args.workers,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "quick": args.quick,
        "machine": _machine(),
        "shared_machine": "measured on a 2-core machine shared with other work: compare CPU per request first",
        "versions": versions,
        "load_start": load_start,
        "rows": [],
    }
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        ours = start_oversight(directory, _free_port(), args.workers, scratch)
        peer = start_peer(bin_dir, database, _free_port(), args.workers, scratch)
        try:
            peer.wait_ready(120)
            ours.wait_ready(max(120.0, entities / 1000))
            args_ours = dict(pools)
            args_peer = dict(pools)
            args_ours["list"] = _cursors(ours, peer_queries.LIST, pages, peer=False)
            args_peer["list"] = _cursors(peer, peer_queries.LIST, pages, peer=True)
            checked = []
            for query in chosen:
                count = _check(ours, peer, query, args_ours[query.name], args_peer[query.name], args.sample)
                checked.append(f"{query.name} {count} of {len(pools.get(query.name, args_ours['list']))}")
            report["checked"] = "same data on " + ", ".join(checked)
            report["processes"] = {"oversight": ours.processes(), "peer": peer.processes()}
            print(f"== {report['checked']}", flush=True)
            for query in chosen:
                row: dict[str, Any] = {"query": query.name, "title": query.title}
                for side, server, document, values in (
                    ("oversight", ours, query.oversight, args_ours[query.name]),
                    ("peer", peer, query.peer, args_peer[query.name]),
                ):
                    if args.only and args.only != side:
                        continue
                    print(f"== {query.name}: {server.name}", flush=True)
                    bodies = _bodies(server, document, query.argument, values)
                    row[side] = _time(server, bodies, args.seconds, args.warmup, scratch)
                report["rows"].append(row)
        finally:
            ours.stop()
            peer.stop()
            if args.quick:
                database.drop()
    report["load_end"] = _loadavg()
    table = _table(report)
    print(table, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    (args.out / f"{name}.md").write_text(
        "Oversight Graph against PostGraphile over PostgreSQL (`python -m bench.peer`). "
        "Measured on a 2-core machine shared with other work: throughput and latency are noisy, "
        "CPU per request less so.\n\n" + table + "\n"
    )
    print(f"wrote {args.out / name}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
