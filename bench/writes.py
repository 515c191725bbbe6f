"""The write path under load: durable change sets per second, reads while writing, restart from a snapshot.

``python -m bench.writes [--size 10k] [--seconds 10] [--restart 10k,1m]`` prints three tables and
writes them to ``bench/results/writes.md`` (and ``writes.json``):

1. **Writes**: one client sending single-operation change sets
   (``updateEntity`` of a random entity's description) as fast as the
   server acknowledges them; each is committed durably (SQLite WAL,
   ``synchronous=FULL``) before the answer.
2. **Reads while writing**: four clients reading (an entity with its first
   ten relations and their citations, a random entity each time) for the
   same time, first alone, then while the writer runs; their p50 and p99.
3. **Restart**: for each size, a fresh process loading the generated files
   (as before the journal), the first start of a new journal (the files
   recorded as version 1), writing a snapshot, and a restart from the
   journal and its snapshot; seconds, CPU seconds and peak memory (max RSS)
   of each, and the machine's load average around each step (timings on a
   shared machine move with it; CPU seconds move less).

The HTTP server is ``oversight serve`` itself (one worker) on a journal in
a temporary folder. Nothing is asserted: the numbers are printed. With
``--seconds 0`` only the restart part runs, and its tables go to
``bench/results/restart.md`` (and ``restart.json``) instead.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.run import ROOT, _dataset, _free_port, _wait_healthy

__all__ = ["latencies", "main", "serve_command"]

READ = """query($k: String!) { entity(key: $k) { key name relations(first: 10) { edges { node { key type
  citations { paragraph claim attribution { text sourceCount } } } } } } }"""
WRITE = """mutation($k: ID!, $d: String!) { updateEntity(id: $k, set: {description: $d}, reason: "benchmark") { version } }"""
READERS = 4
_NUMBERS = itertools.count()


class _Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"content-type": "application/json"}
        if token:
            self.headers["authorization"] = f"Bearer {token}"

    def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.connection.request("POST", "/graphql", json.dumps({"query": query, "variables": variables}), self.headers)
        response = self.connection.getresponse()
        body: dict[str, Any] = json.loads(response.read())
        if response.status != 200 or "errors" in body:
            raise RuntimeError(f"unexpected answer {response.status}: {body}")
        return body


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def latencies(
    port: int, keys: list[str], seconds: float, token: str, *, reads: bool, writes: bool
) -> tuple[list[float], list[float]]:
    """Seconds each read and each write took, with ``READERS`` readers and one writer for ``seconds``."""
    per_reader: list[list[float]] = [[] for _ in range(READERS)]
    written: list[float] = []
    stop = threading.Event()

    def reader(index: int) -> None:
        client, rng = _Client(port), random.Random(index)
        while not stop.is_set():
            started = time.perf_counter()
            client.post(READ, {"k": rng.choice(keys)})
            per_reader[index].append(time.perf_counter() - started)

    def writer() -> None:
        client, rng = _Client(port, token), random.Random()
        while not stop.is_set():
            started = time.perf_counter()
            # A description no entity has yet: every change set changes something.
            client.post(WRITE, {"k": rng.choice(keys), "d": f"Benchmark description {next(_NUMBERS)}."})
            written.append(time.perf_counter() - started)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)] if reads else []
    if writes:
        threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return [value for per in per_reader for value in per], written


def _load(port: int, keys: list[str], seconds: float, token: str, *, reads: bool, writes: bool) -> dict[str, Any]:
    read, written = latencies(port, keys, seconds, token, reads=reads, writes=writes)
    return {
        "reads_per_s": len(read) / seconds if reads else None,
        "read_p50_ms": _percentile(read, 0.50) * 1000 if read else None,
        "read_p99_ms": _percentile(read, 0.99) * 1000 if read else None,
        "writes_per_s": len(written) / seconds if writes else None,
        "write_p50_ms": statistics.median(written) * 1000 if written else None,
        "write_p99_ms": _percentile(written, 0.99) * 1000 if written else None,
    }


def _entity_keys(directory: Path, most: int = 5000) -> list[str]:
    """Keys of entities (not documents) in a generated dataset, to read and update."""
    keys: list[str] = []
    for path in sorted(directory.glob("entities-*.jsonl")):
        with path.open() as lines:
            for line in lines:
                record = json.loads(line)
                if record.get("record") != "document":
                    keys.append(record["key"])
                if len(keys) >= most:
                    return keys
    return keys


def serve_command(db: Path, directory: Path, port: int, *options: str) -> list[str]:
    """``oversight serve`` on the journal ``db`` (begun from ``directory``) at ``port``, with ``options``."""
    return [
        sys.executable,
        "-m",
        "oversight_graph.server.cli",
        "serve",
        "--db",
        str(db),
        "--data",
        str(directory),
        "--port",
        str(port),
        *options,
    ]


def _http_part(directory: Path, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="oversight-writes-") as temporary:
        db = Path(temporary) / "graph.db"
        command = [sys.executable, "-m", "oversight_graph.server.cli"]
        token = subprocess.run(
            [*command, "token", "create", "--db", str(db), "--name", "bench", "--role", "editor"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT.parent,
        ).stdout.split()[-1]
        port = _free_port()
        server = subprocess.Popen(
            serve_command(db, directory, port, "--log-level", "warning"),
            cwd=ROOT.parent,
            # The readers are one client by address: no cost budget, as in bench.serve.
            env={**os.environ, "OVERSIGHT_RATE_LIMIT_COST": "0"},
        )
        try:
            _wait_healthy(port, server, 600)
            keys = _entity_keys(directory)
            _load(port, keys, 2, token, reads=True, writes=False)  # warm up
            return {
                "writes_alone": _load(port, keys, seconds, token, reads=False, writes=True),
                "reads_alone": _load(port, keys, seconds, token, reads=True, writes=False),
                "reads_with_writes": _load(port, keys, seconds, token, reads=True, writes=True),
            }
        finally:
            server.terminate()
            server.wait(timeout=60)


_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
step, directory, db = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
load_before = os.getloadavg()[0]
started = time.perf_counter()
if step == "files":
    from oversight_graph.graph.load import load_directory
    store = load_directory(directory)
    size = None
else:
    from oversight_graph.journal.snapshot import write_snapshot
    from oversight_graph.journal.sqlite import SQLiteJournal
    from oversight_graph.journal.startup import start_model
    journal = SQLiteJournal(db)
    model = start_model(journal, directory)
    store = model.store
    size = None
    if step == "first":
        loaded = time.perf_counter() - started
        path = write_snapshot(model, journal)
        size = path.stat().st_size
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"seconds": loaded, "snapshot_seconds": time.perf_counter() - started - loaded,
                          "snapshot_bytes": size, "entities": len(store), "version": store.version,
                          "cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024,
                          "load_before": load_before, "load_after": os.getloadavg()[0]}))
        sys.exit(0)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "entities": len(store), "version": store.version,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024,
                  "load_before": load_before, "load_after": os.getloadavg()[0]}))
"""


def _child(step: str, directory: Path, db: Path) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, step, str(directory), str(db)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _restart_part(label: str) -> dict[str, Any]:
    directory = _dataset(label)
    with tempfile.TemporaryDirectory(prefix="oversight-restart-") as temporary:
        db = Path(temporary) / "graph.db"
        files = _child("files", directory, db)
        first = _child("first", directory, db)
        restart = _child("restart", directory, db)
        journal_bytes = sum(p.stat().st_size for p in Path(temporary).glob("graph.db*") if p.is_file())
    return {"files": files, "first_start": first, "restart": restart, "journal_bytes": journal_bytes}


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _tables(size: str, http_result: dict[str, Any] | None, restarts: dict[str, dict[str, Any]]) -> str:
    lines = []
    if http_result is not None:
        alone, reads, both = http_result["writes_alone"], http_result["reads_alone"], http_result["reads_with_writes"]
        lines += [
            f"## Writes and reads over HTTP ({size}, one server process, {READERS} readers, 1 writer)",
            "",
            "| run | change sets/s | write p50 ms | write p99 ms | reads/s | read p50 ms | read p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in (("writes alone", alone), ("reads alone", reads), ("reads while writing", both)):
            lines.append(
                f"| {name} | {_fmt(row['writes_per_s'])} | {_fmt(row['write_p50_ms'], 2)} | {_fmt(row['write_p99_ms'], 2)} "
                f"| {_fmt(row['reads_per_s'])} | {_fmt(row['read_p50_ms'], 2)} | {_fmt(row['read_p99_ms'], 2)} |"
            )
        if reads["read_p99_ms"] and both["read_p99_ms"]:
            lines += ["", f"Read p99 while writing / alone: {both['read_p99_ms'] / reads['read_p99_ms']:.2f}×", ""]
    if restarts:
        lines += [
            "## Starting and restarting",
            "",
            "| size | load files s (CPU s) | files max RSS MB | first start s (import) | snapshot s | snapshot MB "
            "| restart s (CPU s) | restart max RSS MB | journal MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, row in restarts.items():
            files, first, again = row["files"], row["first_start"], row["restart"]
            lines.append(
                f"| {label} | {_fmt(files['seconds'], 2)} ({_fmt(files['cpu_seconds'], 1)}) "
                f"| {_fmt(files['max_rss_mb'], 0)} | {_fmt(first['seconds'], 2)} "
                f"| {_fmt(first['snapshot_seconds'], 2)} | {_fmt(first['snapshot_bytes'] / 1e6, 1)} "
                f"| {_fmt(again['seconds'], 2)} ({_fmt(again['cpu_seconds'], 1)}) | {_fmt(again['max_rss_mb'], 0)} "
                f"| {_fmt(row['journal_bytes'] / 1e6, 1)} |"
            )
        lines += ["", "Load average (1 min) before → after each step, on a machine shared with other work:", ""]
        for label, row in restarts.items():
            steps = ", ".join(
                f"{name} {row[key]['load_before']:.1f} → {row[key]['load_after']:.1f}"
                for name, key in (("files", "files"), ("first start", "first_start"), ("restart", "restart"))
            )
            lines.append(f"- {label}: {steps}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the write benchmark; print and save its tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="generated graph for the HTTP part (default 10k)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per HTTP run (default 10)")
    parser.add_argument("--restart", default="10k,1m", help="sizes for the restart part, comma-separated ('' for none)")
    parser.add_argument("--quick", action="store_true", help="CI: 10k only, 3 s runs")
    parser.add_argument(
        "--again",
        metavar="DB",
        help="only restart the journal DB (begun from --size's files, with a snapshot) --times times; "
        "prints each run and saves nothing",
    )
    parser.add_argument("--times", type=int, default=3, help="restarts for --again (default 3)")
    args = parser.parse_args(argv)
    if args.again:
        directory = _dataset(args.size)
        for _ in range(args.times):
            print(f"{_uptime()}: {json.dumps(_child('restart', directory, Path(args.again)))}", flush=True)
        return 0
    if args.quick:
        args.seconds, args.restart = 3, "10k"
    began = _uptime()
    http_result = _http_part(_dataset(args.size), args.seconds) if args.seconds > 0 else None
    restarts = {label: _restart_part(label) for label in filter(None, args.restart.split(","))}
    text = f"`uptime` at the start: {began}; at the end: {_uptime()}\n\n" + _tables(args.size, http_result, restarts)
    print(text)
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    name = "writes-quick" if args.quick else "writes" if http_result is not None else "restart"
    (out / f"{name}.md").write_text(f"# {'Restart' if name == 'restart' else 'Write'} benchmark\n\n{text}")
    (out / f"{name}.json").write_text(json.dumps({"http": http_result, "restart": restarts}, indent=2) + "\n")
    print(f"peak RSS of the runner: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
