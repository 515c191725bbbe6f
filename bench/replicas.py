"""Three replicas on one PostgreSQL journal: how soon a write is visible everywhere, and what reads scale to.

``python -m bench.replicas [--size 10k] [--seconds 20] [--rate 20] [--quick]`` starts
``oversight cluster`` (three replicas) on a fresh PostgreSQL database, prints
three tables and writes them to ``bench/results/replicas.md`` (and ``replicas.json``):

1. **Visibility**: a steady stream of writes (``createEntity``, each a new
   key, spread over the replicas) while readers run a mixed query load on
   all three. Each replica is watched through a ``changes`` subscription
   (graphql-sse), whose events come once the replica's graph holds the
   change set; for each write, the time from its acknowledgement to the
   moment the last replica shows it (the replica that took the write shows
   it before acknowledging: counted as 0).
2. **Nothing lost, nothing twice**: every watcher must see every version
   once, in order, without gaps; at the end every replica must hold every
   acknowledged key with the version that created it, and be at the
   journal's version.
3. **Read throughput**: wrk (GET queries, kept-alive connections) against one
   replica, then spread over three, with the same number of connections.

Nothing is asserted: the numbers are printed. PostgreSQL must be reachable
(``--admin-url``, default ``postgresql://postgres@127.0.0.1:5432/postgres``);
the benchmark creates its own database and drops it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import psycopg

from bench.run import ROOT, _dataset, _free_port

__all__ = ["main"]

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = ROOT.parent / "seed"
REPLICAS = 3
CITE = '{document: "DOC", paragraph: 1, claim: "A benchmark record.", confidence: REPORTED, attribution: {kind: REPORTING}}'
READS = [
    '{ entity(key: "KEY") { key name relations(first: 10) { edges { node { key type citations { paragraph claim } } } } } }',
    '{ search(text: "WORD", first: 10) { entity { key name } } }',
    '{ nodes(ids: ["KEY", "KEY2"]) { id ... on Entity { key name aliases } } }',
]
"""The read mix. ``stats`` and the sorted root lists are left out: they are cached per graph version, so
every change set makes the next one rebuild them for the whole graph (``stats``: about 30 ms on 10k) on
the replica's event loop; at 20 change sets a second that alone would keep each replica's core busy."""


def _post(connection: http.client.HTTPConnection, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    connection.request(
        "POST", "/graphql", body=json.dumps(body), headers={"content-type": "application/json", **headers}
    )
    response = connection.getresponse()
    return response.status, json.loads(response.read())


class Watcher(threading.Thread):
    """A ``changes`` subscription on one replica, over graphql-sse: when each version arrived."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.seen: list[tuple[int, float]] = []
        self.ready = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        body = json.dumps({"query": "subscription { changes { version } }"})
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        try:
            connection.request("POST", "/graphql", body=body, headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                self.error = f"HTTP {response.status}: {response.read()[:200]!r}"
                return
            self.ready.set()
            while True:
                line = response.readline()
                if not line:
                    return
                if line.startswith(b"data:"):
                    arrived = time.monotonic()
                    payload = json.loads(line[5:])
                    version = (payload.get("data") or {}).get("changes", {}).get("version")
                    if version is not None:
                        self.seen.append((version, arrived))
        except (OSError, http.client.HTTPException, ValueError) as error:
            self.error = str(error)
        finally:
            self.ready.set()


class Readers:
    """Threads sending a mixed read load to the given replicas at a steady total rate; counts and latencies."""

    def __init__(self, ports: list[int], threads: int, rate: float, keys: list[str], words: list[str]) -> None:
        self.ports, self.keys, self.words = ports, keys, words
        self.interval = threads / rate if rate > 0 else 0.0
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, number: int) -> None:
        chooser = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", self.ports[number % len(self.ports)], timeout=30)
        due = time.monotonic() + chooser.random() * self.interval
        while not self._stop.is_set():
            if self.interval:
                due += self.interval
                if due > time.monotonic():
                    time.sleep(due - time.monotonic())
            query = chooser.choice(READS).replace("KEY2", chooser.choice(self.keys))
            query = query.replace("KEY", chooser.choice(self.keys))
            query = query.replace("WORD", chooser.choice(self.words))
            started = time.perf_counter()
            try:
                status, body = _post(connection, {"query": query}, {})
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                continue
            if status != 200 or "errors" in body:
                self.errors += 1
            self.latencies.append(time.perf_counter() - started)


def _read(
    ports: list[int], threads: int, rate: float, keys: list[str], words: list[str], stop: Any, results: Any
) -> None:
    """The read load, in a process of its own, until ``stop`` is set; its latencies and error count go to ``results``."""
    load = Readers(ports, threads, rate, keys, words)
    load.start()
    stop.wait()
    load.stop()
    results.put((load.latencies, load.errors))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _create_token(url: str, folder: Path) -> str:
    from oversight_graph.journal.changes import Role
    from oversight_graph.journal.postgres import PostgresJournal
    from oversight_graph.journal.tokens import create_token

    journal = PostgresJournal(url, folder)
    try:
        return create_token(journal, "bench", Role.EDITOR)
    finally:
        journal.close()


def _wait_ready(ports: list[int], cluster: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        if cluster.poll() is not None:
            raise RuntimeError(f"the cluster exited with status {cluster.returncode}")
        for port in list(waiting):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    waiting.discard(port)
            except OSError:
                pass
        time.sleep(0.3)
    if waiting:
        raise RuntimeError(f"replicas on {sorted(waiting)} not ready after {timeout:.0f} s")


def _consecutive_ports(count: int) -> int:
    for _ in range(100):
        first = _free_port()
        try:
            import socket

            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


def _visibility(
    ports: list[int],
    token: str,
    seconds: float,
    rate: float,
    readers: int,
    read_rate: float,
    document: str,
    keys: list[str],
) -> dict[str, Any]:
    words = sorted({word for key in keys for word in re.split(r"[/-]", key) if len(word) > 3})[:200] or ["meta"]
    # The readers run in a process of their own, so that their threads do not hold up (by the interpreter
    # lock) the watchers timestamping the arrivals and the writer timestamping acknowledgements.
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()
    stop = context.Event()
    reading = context.Process(target=_read, args=(ports, readers, read_rate, keys, words, stop, results), daemon=True)
    if readers:
        reading.start()
    watchers = [Watcher(port) for port in ports]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.ready.wait(30)
        if watcher.error:
            raise RuntimeError(f"subscription on {watcher.port} failed: {watcher.error}")
    time.sleep(0.5)
    writers = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for port in ports]
    acknowledged: dict[str, tuple[int, float, int]] = {}
    refused = 0
    started = time.monotonic()
    number = 0
    while time.monotonic() - started < seconds:
        due = started + number / rate
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        key = f"org/bench-{uuid.uuid4().hex[:10]}"
        mutation = (
            f'mutation {{ createEntity(input: {{kind: ORGANIZATION, key: "{key}", name: "Bench {number}", '
            f'description: "A benchmark lab.", category: COMPANY, citations: [{CITE.replace("DOC", document)}]}}, '
            f'reason: "benchmark") {{ version }} }}'
        )
        replica = number % len(ports)
        number += 1
        try:
            status, body = _post(writers[replica], {"query": mutation}, {"authorization": f"Bearer {token}"})
        except (OSError, http.client.HTTPException):
            refused += 1
            continue
        acknowledged_at = time.monotonic()
        if status == 200 and (body.get("data") or {}).get("createEntity"):
            acknowledged[key] = (body["data"]["createEntity"]["version"], acknowledged_at, replica)
        else:
            refused += 1
    elapsed = time.monotonic() - started
    versions = {version for version, _, _ in acknowledged.values()}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(versions <= {v for v, _ in w.seen} for w in watchers):
        time.sleep(0.05)
    latencies: list[float] = []
    errors = 0
    if readers:
        stop.set()
        latencies, errors = results.get(timeout=120)
        reading.join(timeout=30)
    delays, delays_others = [], []
    for version, at, replica in acknowledged.values():
        arrivals = []
        for index, watcher in enumerate(watchers):
            when = next((t for v, t in watcher.seen if v == version), None)
            if when is None:
                arrivals = []
                break
            arrivals.append(max(0.0, when - at))
            if index != replica:
                delays_others.append(max(0.0, when - at))
        if arrivals:
            delays.append(max(arrivals))
    streams = []
    for watcher in watchers:
        seen = [v for v, _ in watcher.seen]
        streams.append(
            {
                "port": watcher.port,
                "events": len(seen),
                "duplicates": len(seen) - len(set(seen)),
                "in_order_without_gaps": seen == list(range(seen[0], seen[0] + len(seen))) if seen else True,
                "missing_acknowledged": len(versions - set(seen)),
            }
        )
    return {
        "seconds": elapsed,
        "writes_acknowledged": len(acknowledged),
        "writes_refused": refused,
        "write_rate": len(acknowledged) / elapsed,
        "visible_everywhere_ms": {
            "p50": _percentile(delays, 0.5) * 1000,
            "p99": _percentile(delays, 0.99) * 1000,
            "max": max(delays, default=float("nan")) * 1000,
            "measured": len(delays),
        },
        "visible_on_other_replicas_ms": {
            "p50": _percentile(delays_others, 0.5) * 1000,
            "p99": _percentile(delays_others, 0.99) * 1000,
        },
        "reads": len(latencies),
        "read_errors": errors,
        "reads_per_second": len(latencies) / elapsed,
        "read_p50_ms": _percentile(latencies, 0.5) * 1000,
        "read_p99_ms": _percentile(latencies, 0.99) * 1000,
        "streams": streams,
        "acknowledged": {key: version for key, (version, _, _) in acknowledged.items()},
    }


def _holdings(ports: list[int], acknowledged: dict[str, int], head: int) -> list[dict[str, Any]]:
    """What each replica holds of the acknowledged keys, and its version."""
    found = []
    keys = sorted(acknowledged)
    for port in ports:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        right = 0
        for start in range(0, len(keys), 90):
            chunk = keys[start : start + 90]
            query = "{ nodes(ids: IDS) { ... on Entity { key createdIn { version } } } }".replace(
                "IDS", json.dumps(chunk)
            )
            _status, body = _post(connection, {"query": query}, {})
            nodes = (body.get("data") or {}).get("nodes") or []
            right += sum(1 for n in nodes if n and n["createdIn"]["version"] == acknowledged[n["key"]])
        connection.request("GET", "/healthz")
        health = json.loads(connection.getresponse().read())
        found.append({"port": port, "holds": right, "of": len(keys), "version": health["graphVersion"], "head": head})
    return found


def _wrk(ports: list[int], connections: int, seconds: float, key: str) -> float:
    """Requests per second of wrk against ``ports`` together (the connections split between them)."""
    query = urllib.parse.quote('{ entity(key: "KEY") { key name aliases } }'.replace("KEY", key))
    per = max(1, connections // len(ports))
    processes = [
        subprocess.Popen(
            ["wrk", "-t", "1", "-c", str(per), "-d", f"{seconds:g}s", f"http://127.0.0.1:{port}/graphql?query={query}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    total = 0.0
    for process in processes:
        output, _ = process.communicate()
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        total += float(found[1]) if found else 0.0
    return total


def _report(results: dict[str, Any]) -> str:
    v, a = results["visibility"], results["visibility_alone"]
    lines = [
        "# Replicas on PostgreSQL",
        "",
        f"{results['conditions']}",
        "",
        "## Write to visibility on every replica",
        "",
        f"{v['writes_acknowledged']} writes acknowledged in {v['seconds']:.1f} s ({v['write_rate']:.1f}/s, spread over "
        f"the three replicas; {v['writes_refused']} refused) while {results['readers']} readers ran a mixed query "
        f"load (entity with relations and citations, search, nodes; aimed at {results['read_rate']:g}/s, got "
        f"{v['reads_per_second']:.0f} reads/s, p50 {v['read_p50_ms']:.1f} ms, p99 {v['read_p99_ms']:.1f} ms, "
        f"{v['read_errors']} errors).",
        "",
        "| from acknowledgement to visible | p50 | p99 | max |",
        "|---|---|---|---|",
        f"| on every replica, under the read load | {v['visible_everywhere_ms']['p50']:.1f} ms "
        f"| {v['visible_everywhere_ms']['p99']:.1f} ms | {v['visible_everywhere_ms']['max']:.1f} ms |",
        f"| on each other replica, under the read load | {v['visible_on_other_replicas_ms']['p50']:.1f} ms "
        f"| {v['visible_on_other_replicas_ms']['p99']:.1f} ms | |",
        f"| on every replica, writes alone ({a['writes_acknowledged']} in {a['seconds']:.1f} s) "
        f"| {a['visible_everywhere_ms']['p50']:.1f} ms | {a['visible_everywhere_ms']['p99']:.1f} ms "
        f"| {a['visible_everywhere_ms']['max']:.1f} ms |",
        "",
        "## Nothing lost, nothing twice",
        "",
        "| replica | subscription events | duplicates | in order, no gaps | acknowledged missing | holds acknowledged keys | version / journal |",
        "|---|---|---|---|---|---|---|",
    ]
    for stream, holding in zip(v["streams"], results["holdings"], strict=True):
        lines.append(
            f"| :{stream['port']} | {stream['events']} | {stream['duplicates']} | "
            f"{'yes' if stream['in_order_without_gaps'] else 'NO'} | {stream['missing_acknowledged']} | "
            f"{holding['holds']} of {holding['of']} | {holding['version']} / {holding['head']} |"
        )
    t = results["throughput"]
    lines += [
        "",
        "## Read throughput (wrk, GET, kept-alive connections)",
        "",
        "| replicas | requests/s |",
        "|---|---|",
        f"| 1 | {t['one']:.0f} |",
        f"| 3 | {t['three']:.0f} |",
        f"| ratio | {t['three'] / t['one'] if t['one'] else float('nan'):.2f} |",
        "",
        results["note"],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="graph: 'seed' or a generated size (10k, 100k)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds of writes under read load")
    parser.add_argument("--rate", type=float, default=20, help="writes per second")
    parser.add_argument("--readers", type=int, default=6, help="reader threads (spread over the replicas)")
    parser.add_argument(
        "--read-rate", type=float, default=300, help="reads per second of them all (0: as fast as they can)"
    )
    parser.add_argument("--connections", type=int, default=24, help="wrk connections for the throughput run")
    parser.add_argument("--admin-url", default=os.environ.get("OVERSIGHT_BENCH_POSTGRES", ADMIN_URL))
    parser.add_argument("--quick", action="store_true", help="the seed graph, short runs (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="folder of replicas.md and replicas.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.seconds, args.rate = "seed", 4, 20
    # Stopped by SIGTERM (a CI timeout), still stop the replicas and drop the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    data = SEED if args.size == "seed" else _dataset(args.size)
    load = os.getloadavg()[0]
    name = f"oversight_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = args.admin_url.rsplit("/", 1)[0] + f"/{name}"
    folder = Path(tempfile.mkdtemp(prefix="oversight-bench-replicas-"))
    first = _consecutive_ports(REPLICAS)
    ports = [first + n for n in range(REPLICAS)]
    command = [
        sys.executable, "-m", "oversight_graph.server.cli", "cluster", "--replicas", str(REPLICAS),
        "--db", url, "--port", str(first), "--snapshots", str(folder / "snapshots"),
        "--", "--data", str(data), "--log-level", "warning", "--rate-limit-cost", "0", "--snapshot-every", "0",
    ]  # fmt: skip
    cluster = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        cwd=ROOT.parent,
    )
    try:
        _wait_ready(ports, cluster, 600)
        token = _create_token(url, folder / "token")
        with psycopg.connect(url) as db:
            keys = [
                row[0]
                for row in db.execute(
                    "SELECT key FROM oversight_touched WHERE key NOT LIKE '%%|%%' ORDER BY md5(key) LIMIT 2000"
                )
            ]
            row = db.execute("SELECT min(key) FROM oversight_touched WHERE key LIKE 'doc/%%'").fetchone()
        document = row[0] if row else None
        if document is None:
            raise RuntimeError("the graph has no document to cite")
        print(f"three replicas on ports {ports}; writes at {args.rate:g}/s for {args.seconds:g} s ...", flush=True)
        alone = _visibility(ports, token, args.seconds / 2, args.rate, 0, 0, document, keys)
        visibility = _visibility(ports, token, args.seconds, args.rate, args.readers, args.read_rate, document, keys)
        visibility["acknowledged"].update(alone.pop("acknowledged"))
        with psycopg.connect(url) as db:
            row = db.execute("SELECT max(version) FROM oversight_change_set").fetchone()
            head = int(row[0]) if row and row[0] else 0
        holdings = _holdings(ports, visibility.pop("acknowledged"), head)
        throughput = {"one": float("nan"), "three": float("nan")}
        if shutil.which("wrk"):
            seconds = 3 if args.quick else 10
            print(f"read throughput, {args.connections} connections, {seconds} s each ...", flush=True)
            throughput = {
                "one": _wrk(ports[:1], args.connections, seconds, keys[0]),
                "three": _wrk(ports, args.connections, seconds, keys[0]),
            }
    finally:
        cluster.terminate()
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
        with psycopg.connect(args.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
    cores = os.cpu_count()
    results = {
        "conditions": (
            f"Graph: {args.size}. Three `oversight serve` replicas (one worker each) from `oversight cluster`, "
            f"PostgreSQL {_server_version(args.admin_url)}, the load generators and wrk all on one machine with "
            f"{cores} cores (load average {load:.1f} when the run began: the machine is shared); "
            f"`python -m bench.replicas{' --quick' if args.quick else ''}`, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
        ),
        "readers": args.readers,
        "read_rate": args.read_rate,
        "visibility": visibility,
        "visibility_alone": alone,
        "holdings": holdings,
        "throughput": throughput,
        "note": (
            "Visibility is the journal's own path (commit, NOTIFY, the follower reading the change set, applying "
            "it between two requests on the replica's event loop) plus waiting for a core: with writes alone it "
            "is a few milliseconds; under the read load each replica's event loop and the follower compete with "
            "the readers, the other replicas, PostgreSQL and the load generators for the same cores, and the tail "
            "grows with the machine's load. "
            f"The machine has {cores} cores, shared by the three replicas, PostgreSQL, the load generators and wrk. "
            "A replica is one process answering on one event loop, so one replica can already keep about one core "
            "busy; three replicas can use more only while cores are idle, and here they compete with wrk for the "
            "same two. The ratio therefore measures contention on this machine, not what replicas on machines of "
            "their own add: there each replica brings its own cores and its reads never touch the database, so "
            "read throughput grows with the number of replicas until the load balancer is the limit."
        ),
    }
    text = _report(results)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (args.out / f"replicas{suffix}.md").write_text(text, encoding="utf-8")
    (args.out / f"replicas{suffix}.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


def _server_version(url: str) -> str:
    with psycopg.connect(url) as db:
        row = db.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


if __name__ == "__main__":
    sys.exit(main())
