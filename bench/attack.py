"""Does the server keep serving normal clients while another client attacks it?

``python -m bench.attack [--size 10k] [--seconds 10] [--workers 1]`` starts
the benchmark server (:mod:`bench.serve`) on a generated dataset and runs
wrk twice against ``/graphql``:

1. the normal client alone: the query mix, 8 connections;
2. the same normal client while an attacker, on 16 more connections, sends
   a stream of every abuse the limits exist for — neighbourhoods of depth
   3 around the busiest hub and whole-page lists with nested relations,
   each made unique so no cache helps, plus alias bombs, deeply nested
   documents, oversized documents and pages far above the limit, which the
   limits refuse before running them.

It prints the normal client's throughput and p99 latency in both runs, and
the attacker's request rate and how its requests were answered.

On a shared machine a single pair of runs says little: other work moves
p99 by several times from one run to the next. ``--repeat N`` runs N such
pairs against the same server, one after the other, and prints every pair,
the medians and the median of the pairs' ratios, with the load average
before and after (the JSON keeps every pair).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.mix import build_mix
from bench.run import ROOT, _dataset, _free_port, _lua_script, _parse_wrk, _wait_healthy
from oversight_graph.graph.load import load_directory

__all__ = ["main"]

_ATTACK = r"""
local hub = "%s"
local run = "%s"
local n = 0
local deep = "{ entity(key: \"org/caisi\") " .. string.rep("{ relations { edges { node { subject ", 12) .. "{ key }" .. string.rep(" } } } }", 12) .. " }"
local bomb = "{ " .. string.rep("x: stats { version } ", 200) .. "}"
local huge = "{ stats { version } }" .. string.rep(" ", 60000)
request = function()
  n = n + 1
  local kind = n %% 6
  local q
  if kind == 0 then
    q = string.format('{ a%%s_%%d: neighborhood(id: "%%s", depth: 3) { entities { key name } relations { key type } } }', run, n, hub)
  elseif kind == 1 then
    q = string.format('{ a%%s_%%d: organizations(first: 100) { edges { node { key relations(first: 10) { edges { node { key citations { claim } } } } } } } }', run, n)
  elseif kind == 2 then
    q = deep
  elseif kind == 3 then
    q = bomb
  elseif kind == 4 then
    q = huge
  else
    q = string.format('{ a%%s_%%d: organizations(first: 100000) { totalCount } }', run, n)
  end
  local body = '{"query": ' .. string.format("%%q", q) .. '}'
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/graphql-response+json"}
  return wrk.format("POST", nil, headers, body)
end

done = function(summary, latency, requests)
  io.write(string.format("ATTACK %%d requests, %%d non-2xx\n", summary.requests, summary.errors.status))
end
"""


def _mix_bodies(directory: Path) -> list[bytes]:
    """The normal client's requests: the benchmark's query mix."""
    summary = json.loads((directory / "summary.json").read_text())
    return [q.body() for q in build_mix(load_directory(directory), summary)]


def _wrk(script: Path, url: str, connections: int, seconds: int) -> subprocess.Popen[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _pair(normal: Path, attack: Path, url: str, seconds: int) -> dict[str, Any]:
    """One run of the normal client alone, then one under attack (``attack``: the attacker's script)."""
    alone = _parse_wrk(_wrk(normal, url, 8, seconds).communicate()[0])
    time.sleep(1)
    attacker = _wrk(attack, url, 16, seconds + 2)
    time.sleep(1)
    under = _parse_wrk(_wrk(normal, url, 8, seconds).communicate()[0])
    attack_output = attacker.communicate()[0]
    match = re.search(r"ATTACK (\d+) requests, (\d+) non-2xx", attack_output)
    time.sleep(1)
    return {
        "alone": alone,
        "under_attack": under,
        "attacker": {
            **_parse_wrk(attack_output),
            "requests": int(match.group(1)) if match else 0,
            "refused_non_2xx": int(match.group(2)) if match else 0,
        },
    }


def _report(pair: dict[str, Any]) -> None:
    alone, under, attacker = pair["alone"], pair["under_attack"], pair["attacker"]
    print(f"normal client alone:        {alone['requests_per_second']:8,.0f} req/s   p99 {alone['p99_ms']:8.2f} ms")
    print(f"normal client under attack: {under['requests_per_second']:8,.0f} req/s   p99 {under['p99_ms']:8.2f} ms")
    print(
        f"attacker: {attacker['requests']:,} requests ({attacker['requests_per_second']:,.0f}/s), "
        f"{attacker['refused_non_2xx']:,} answered with a 4xx/5xx status, p99 {attacker['p99_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="dataset: 10k, 100k or 1m")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (alone, under attack) to make")
    parser.add_argument(
        "--offload-cost",
        type=int,
        default=None,
        help="the server's offload_cost setting (a huge value runs everything on the event loop)",
    )
    args = parser.parse_args(argv)
    directory = _dataset(args.size)
    hub = json.loads((directory / "summary.json").read_text())["hub"]
    port = _free_port()
    environment = dict(os.environ)
    if args.offload_cost is not None:
        environment["OVERSIGHT_OFFLOAD_COST"] = str(args.offload_cost)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        bodies = _mix_bodies(directory)
        requests = Path(scratch) / "bodies.json"
        requests.write_text(json.dumps([b.decode() for b in bodies]))
        command = [sys.executable, "-m", "bench.serve", str(directory), "--bodies", str(requests)]
        command += ["--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(
            command, cwd=ROOT.parent, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_healthy(port, server, 600)
            url = f"http://127.0.0.1:{port}/graphql"
            normal = _lua_script(bodies, Path(scratch))
            attack = Path(scratch) / "attack.lua"
            subprocess.run(["wrk", "-t1", "-c4", "-d2s", "-s", str(normal), url], check=True, capture_output=True)
            results["load_before"] = os.getloadavg()[0]
            pairs = []
            for number in range(args.repeat):
                # Each run's documents are its own (the run number in every alias), so a later
                # pair never replays an earlier one's: no document of the attacker repeats.
                attack.write_text(_ATTACK % (hub, number))
                pairs.append(_pair(normal, attack, url, args.seconds))
            results["load_after"] = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(30)
    results.update(pairs[0])  # alone, under_attack, attacker: as with one pair
    offload = "default" if args.offload_cost is None else str(args.offload_cost)
    print(f"dataset {args.size}, {args.workers} worker(s), offload_cost {offload}, {args.seconds} s per run")
    for number, pair in enumerate(pairs, 1):
        if len(pairs) > 1:
            print(f"pair {number}:")
        _report(pair)
    if len(pairs) > 1:
        results["pairs"] = pairs
        results["medians"] = medians = {
            "alone_p99_ms": statistics.median(p["alone"]["p99_ms"] for p in pairs),
            "under_attack_p99_ms": statistics.median(p["under_attack"]["p99_ms"] for p in pairs),
            "ratio": statistics.median(
                p["under_attack"]["p99_ms"] / p["alone"]["p99_ms"] for p in pairs if p["alone"]["p99_ms"]
            ),
            "under_attack_requests_per_second": statistics.median(
                p["under_attack"]["requests_per_second"] for p in pairs
            ),
            "attacker_requests_per_second": statistics.median(p["attacker"]["requests_per_second"] for p in pairs),
        }
        print(
            f"medians of {len(pairs)} pairs: normal p99 alone {medians['alone_p99_ms']:.2f} ms, "
            f"under attack {medians['under_attack_p99_ms']:.2f} ms, ratio {medians['ratio']:.1f} "
            f"(median of the pairs' ratios); normal {medians['under_attack_requests_per_second']:,.0f} req/s "
            f"and attacker {medians['attacker_requests_per_second']:,.0f} req/s under attack"
        )
    print(f"load average {results['load_before']:.1f} before, {results['load_after']:.1f} after")
    suffix = "" if args.offload_cost is None else f"-offload-{args.offload_cost}"
    out = ROOT / "results" / f"attack-{args.size}-{args.workers}w{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
