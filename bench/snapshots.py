"""Writes and reads while the server writes snapshots in the background.

``python -m bench.snapshots [--size 100k] [--every 300] [--seconds 20]`` serves a
journal begun from a generated graph (once to import it, then three times
measured): with automatic snapshots off; every ``--every`` change sets in a
forked child (the default); and every ``--every`` change sets in the
server's own process (``--no-snapshot-in-background``). Each time it runs
one writer (single-operation change sets, as fast as they are acknowledged)
and four readers for ``--seconds``, and prints the writes and reads per
second, their p50, p99 and longest latency, the snapshots written and how
long each took (from the server's log), and the memory of the server with
its snapshot children before the load and at its peak (the sum of their
proportional set sizes, sampled every 0.2 s, so pages a child shares with
the server count once). Results go to ``bench/results/snapshots.md`` (and
``.json``); nothing is asserted.

Written in the server's own process, a snapshot holds every write up for as
long as it takes (the "snapshot s" column); written by a forked child, it
holds none up, at the price of the child's copied pages (the PSS column).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.run import ROOT, _dataset, _free_port, _wait_healthy
from bench.writes import (
    READERS,
    _entity_keys,
    _fmt,
    _percentile,
    _uptime,
    latencies,
    serve_command,
)

__all__ = ["main"]

_WRITTEN = re.compile(r"snapshot of version (\d+) written in ([0-9.]+) s")


def _pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` and its descendants, in kB (0 when gone)."""
    total = 0
    for each in _pids(pid):
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _run(
    directory: Path, db: Path, token: str, every: int, seconds: float, log: Path, background: bool = True
) -> dict[str, Any]:
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            serve_command(
                db,
                directory,
                port,
                "--snapshot-every",
                str(every),
                "--snapshot-in-background" if background else "--no-snapshot-in-background",
                "--log-level",
                "info",
            ),
            cwd=ROOT.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OVERSIGHT_RATE_LIMIT_COST": "0"},
        )
    try:
        _wait_healthy(port, server, 1200)
        keys = _entity_keys(directory)
        baseline = _pss_kb(server.pid)
        stop = threading.Event()
        peak = [0]

        def sampler() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _pss_kb(server.pid))
                time.sleep(0.2)

        watching = threading.Thread(target=sampler)
        watching.start()
        try:
            reads, writes = latencies(port, keys, seconds, token, reads=True, writes=True)
        finally:
            stop.set()
            watching.join()
        # Let a snapshot begun near the end finish, so that its time is logged.
        folder = db.with_name(db.name + ".snapshots")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and list(folder.glob(".*.partial")):
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=120)
    written = [(int(v), float(s)) for v, s in _WRITTEN.findall(log.read_text())]
    return {
        "every": every,
        "background": background,
        "writes_per_s": len(writes) / seconds,
        "write_p50_ms": _percentile(writes, 0.5) * 1000,
        "write_p99_ms": _percentile(writes, 0.99) * 1000,
        "write_max_ms": max(writes) * 1000 if writes else None,
        "reads_per_s": len(reads) / seconds,
        "read_p50_ms": _percentile(reads, 0.5) * 1000,
        "read_p99_ms": _percentile(reads, 0.99) * 1000,
        "read_max_ms": max(reads) * 1000 if reads else None,
        "snapshots": written,
        "pss_before_mb": baseline / 1024,
        "peak_pss_mb": peak[0] / 1024,
    }


def _pids(pid: int) -> list[int]:
    """``pid`` and all its descendants (the process manager, its worker, the worker's snapshot child)."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split():
                found += _pids(int(child))
    except OSError:
        pass
    return found


def _table(size: str, runs: list[dict[str, Any]]) -> str:
    lines = [
        f"## {size}: one writer and {READERS} readers over HTTP, one server process",
        "",
        "| snapshots | change sets/s | write p50 / p99 / max ms | reads/s | read p50 / p99 / max ms "
        "| snapshots written | snapshot s | PSS before → peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        where = "forked child" if run["background"] else "server's process"
        label = f"every {run['every']}, {where}" if run["every"] else "off"
        took = ", ".join(f"{s:.1f}" for _, s in run["snapshots"]) or "–"
        lines.append(
            f"| {label} | {_fmt(run['writes_per_s'])} "
            f"| {_fmt(run['write_p50_ms'], 1)} / {_fmt(run['write_p99_ms'], 1)} / {_fmt(run['write_max_ms'], 1)} "
            f"| {_fmt(run['reads_per_s'])} "
            f"| {_fmt(run['read_p50_ms'], 1)} / {_fmt(run['read_p99_ms'], 1)} / {_fmt(run['read_max_ms'], 1)} "
            f"| {len(run['snapshots'])} | {took} | {_fmt(run['pss_before_mb'], 0)} → {_fmt(run['peak_pss_mb'], 0)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and save its table."""
    parser = argparse.ArgumentParser(prog="python -m bench.snapshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="generated graph (default 100k)")
    parser.add_argument("--every", type=int, default=300, help="change sets between snapshots (default 300)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds of load per run (default 20)")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="folder for the results")
    args = parser.parse_args(argv)
    directory = _dataset(args.size)
    began = _uptime()
    runs = []
    with tempfile.TemporaryDirectory(prefix="oversight-snapshots-") as temporary:
        db = Path(temporary) / "graph.db"
        token = subprocess.run(
            [sys.executable, "-m", "oversight_graph.server.cli", "token", "create", "--db", str(db)]
            + ["--name", "bench", "--role", "editor"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT.parent,
        ).stdout.split()[-1]
        # The first start imports the files into the journal and snapshots it at its first write;
        # both measured runs then start from that snapshot alike.
        _run(directory, db, token, 1, 1, Path(temporary) / "server-import.log")
        for every, background in ((0, True), (args.every, True), (args.every, False)):
            log = Path(temporary) / f"server-{every}-{background}.log"
            runs.append(_run(directory, db, token, every, args.seconds, log, background))
    text = f"`uptime` at the start: {began}; at the end: {_uptime()}\n\n" + _table(args.size, runs)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "snapshots.md").write_text(f"# Background snapshots\n\n{text}")
    (args.out / "snapshots.json").write_text(json.dumps(runs, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
