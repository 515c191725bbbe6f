"""Subscription fan-out: how many WebSocket subscribers one server process holds, and how fast a change set reaches them all.

``python -m bench.subscriptions [--subscribers 1000,10000] [--changes 5] [--quick] [--out DIR]``
prints a table and writes it to ``bench/results/subscriptions.md`` (and
``subscriptions.json``; ``--quick``: ``subscriptions-quick.*``).

For each number of subscribers N:

1. ``oversight serve`` (one worker process, the bundled seed, a journal in a
   temporary folder) is started with room for N streaming connections, with
   WebSocket compression (permessage-deflate, which the clients offer) on
   and then off (``--compression``);
2. N WebSocket clients (graphql-transport-ws, the ``websockets`` package, all
   in this one asyncio process) connect, send ``connection_init`` and
   subscribe to ``changes(since: V - 1) { version reason }`` at the graph's
   version V: the change set V they receive first says their subscription is
   live;
3. ``--changes`` times, one editor makes a change (``updateEntity`` over
   HTTP) and the clock runs until every subscriber has received it: the
   delivery time of one change set to one subscriber is from the moment the
   write was sent to the moment that subscriber's message was read (so it
   includes the durable write, whose round trip is given too); the table
   gives its p50, p99 and maximum over all subscribers and changes (the
   maximum is when the last subscriber had it), and the p99 counted from
   the write's acknowledgement instead;
4. every subscriber must have received each change set exactly once, in
   order (reported, not asserted), and the server process's resident memory
   is read before and after the subscribers connected;
5. the CPU time the server process (and this client process) used while
   the change sets were delivered, per delivery: unlike the times above, it
   does not grow when other work shares the machine.

The clients run on the same two cores as the server, so the times include
the clients' own work of reading N messages. Nothing is asserted: the
numbers are printed. The file-descriptor limit is raised to its hard limit
(the server inherits it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websockets

from bench.run import ROOT, _free_port, _wait_healthy

__all__ = ["main"]

SEED = ROOT.parent / "seed"
PROTOCOL = "graphql-transport-ws"
SUBSCRIPTION = "subscription($since: Int) { changes(since: $since) { version reason } }"
WRITE = 'mutation($d: String!) { updateEntity(id: "org/meta", set: {description: $d}, reason: "fan-out") { version } }'
CONNECTING = 200
"""Clients connecting at once (the server's listen backlog and the handshakes bound it)."""


def _raise_descriptor_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def _post(port: int, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", json.dumps({"query": query, "variables": variables}).encode(), headers
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _timed_post(port: int, query: str, variables: dict[str, Any], token: str) -> tuple[Any, float, float]:
    """The answer, and when the request was sent and answered (read in this thread, not after the loop resumes)."""
    sent = time.monotonic()
    answer = _post(port, query, variables, token)
    return answer, sent, time.monotonic()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker(pid: int) -> int:
    """The server's one worker process (the child of the manager), else the manager itself."""
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            if children:
                return int(children[0])
    except OSError:
        pass
    return pid


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _journal_with_editor(db: Path) -> str:
    from oversight_graph.journal.changes import Role
    from oversight_graph.journal.tokens import create_token
    from oversight_graph.server.app import open_writer
    from oversight_graph.server.settings import Settings

    writer = open_writer(Settings(data=SEED, db=db))
    try:
        return create_token(writer.journal, "bench", Role.EDITOR)
    finally:
        writer.journal.close()


class _Subscriber:
    """One WebSocket client: the versions it received and when."""

    def __init__(self) -> None:
        self.ws: Any = None
        self.received: list[tuple[int, float]] = []
        self.ready = asyncio.Event()
        self.failure: str | None = None


async def _subscribe(url: str, since: int, subscriber: _Subscriber, gate: asyncio.Semaphore, done: Any) -> None:
    try:
        async with gate:
            ws = subscriber.ws = await websockets.connect(
                url, subprotocols=[PROTOCOL], open_timeout=120, ping_interval=None, max_queue=None
            )
            await ws.send('{"type":"connection_init","payload":{}}')
            ack = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no acknowledgement: {ack}")
            payload = {"query": SUBSCRIPTION, "variables": {"since": since}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        async for text in ws:
            now = time.monotonic()
            message = json.loads(text)
            if message.get("type") != "next":
                subscriber.failure = str(message)[:200]
                break
            version = message["payload"]["data"]["changes"]["version"]
            subscriber.received.append((version, now))
            if not subscriber.ready.is_set():
                subscriber.ready.set()
            else:
                done(version)
    except Exception as error:
        subscriber.failure = f"{type(error).__name__}: {error}"[:200]
        subscriber.ready.set()


async def _fan_out(port: int, token: str, count: int, changes: int, server_pid: int) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{port}/graphql"
    base = (await asyncio.to_thread(_post, port, "{ stats { version } }"))["data"]["stats"]["version"]
    rss_before = _rss_mib(server_pid)
    subscribers = [_Subscriber() for _ in range(count)]
    waiting: dict[int, int] = {}
    complete: dict[int, asyncio.Event] = {}

    def done(version: int) -> None:
        left = waiting.get(version)
        if left is not None:
            waiting[version] = left - 1
            if left == 1:
                complete[version].set()

    gate = asyncio.Semaphore(CONNECTING)
    started = time.monotonic()
    tasks = [asyncio.create_task(_subscribe(url, base - 1, s, gate, done)) for s in subscribers]
    await asyncio.gather(*(s.ready.wait() for s in subscribers))
    connected = time.monotonic() - started
    failures = [s.failure for s in subscribers if s.failure]
    held = count - len(failures)
    rss_after = _rss_mib(server_pid)
    from_ack: list[float] = []
    from_send: list[float] = []
    last: list[float] = []
    writes: list[float] = []
    server_cpu = _cpu_seconds(server_pid)
    client_cpu = time.process_time()
    for round_ in range(changes):
        version = base + round_ + 1
        waiting[version] = held
        complete[version] = asyncio.Event()
        answer, sent, acknowledged = await asyncio.to_thread(
            _timed_post, port, WRITE, {"d": f"fan-out {round_}"}, token
        )
        writes.append(acknowledged - sent)
        assert answer["data"]["updateEntity"]["version"] == version, answer
        try:
            await asyncio.wait_for(complete[version].wait(), 120)
        except TimeoutError:
            pass
        arrivals = [t for s in subscribers for v, t in s.received if v == version]
        from_ack += [t - acknowledged for t in arrivals]
        from_send += [t - sent for t in arrivals]
        last.append(max(arrivals) - sent if arrivals else float("nan"))
        await asyncio.sleep(0.5)
    # CPU time is not disturbed by other work on the machine as wall-clock times are.
    server_cpu = _cpu_seconds(server_pid) - server_cpu
    client_cpu = time.process_time() - client_cpu
    expected = list(range(base, base + changes + 1))
    exact = sum(1 for s in subscribers if [v for v, _ in s.received] == expected)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for subscriber in subscribers:  # the sockets go now, not when collected: the next level needs the descriptors
        if subscriber.ws is not None:
            subscriber.ws.transport.abort()
    await asyncio.sleep(0.5)
    return {
        "subscribers": count,
        "held": held,
        "failures": failures[:3],
        "connect_seconds": round(connected, 2),
        "server_rss_mib_before": round(rss_before, 1),
        "server_rss_mib_after": round(rss_after, 1),
        "kib_per_subscriber": round((rss_after - rss_before) * 1024 / max(1, held), 1),
        "changes": changes,
        "deliveries": len(from_ack),
        "exactly_once_in_order": exact,
        "write_ms": round(statistics.median(writes) * 1000, 1),
        "p50_ms": round(statistics.median(from_send) * 1000, 1) if from_send else None,
        "p99_ms": round(_percentile(from_send, 0.99) * 1000, 1) if from_send else None,
        "max_ms": round(max(from_send) * 1000, 1) if from_send else None,
        "p99_from_ack_ms": round(_percentile(from_ack, 0.99) * 1000, 1) if from_ack else None,
        "all_delivered_ms": [round(x * 1000, 1) for x in last],
        "server_cpu_us_per_delivery": round(server_cpu * 1e6 / max(1, len(from_send)), 1),
        "client_cpu_us_per_delivery": round(client_cpu * 1e6 / max(1, len(from_send)), 1),
    }


def _level(count: int, changes: int, compression: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="oversight-fanout-") as folder:
        db = Path(folder) / "graph.db"
        token = _journal_with_editor(db)
        port = _free_port()
        room = str(count + 100)
        command = [
            sys.executable,
            "-m",
            "oversight_graph.server.cli",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            "--log-level",
            "warning",
            "--limit-concurrency",
            room,
            "--max-subscription-connections",
            room,
            "--rate-limit-cost",
            "0",
            "--websocket-compression" if compression else "--no-websocket-compression",
        ]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
        log = Path(folder) / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
            try:
                _wait_healthy(port, server, 60)
                found = asyncio.run(_fan_out(port, token, count, changes, _worker(server.pid)))
                load = round(os.getloadavg()[0], 1)
                return {"compression": "on" if compression else "off", **found, "load_average": load}
            finally:
                server.terminate()
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def _table(results: list[dict[str, Any]], limit: int) -> str:
    lines = [
        f"Subscription fan-out: one server process, the seed graph, WebSocket (graphql-transport-ws) clients "
        f"in one asyncio process on the same machine ({os.cpu_count()} cores); file-descriptor limit {limit}.",
        "Delivery: from the moment the write (one durable change set over HTTP) is sent to the moment each "
        "subscriber has read the change set; it includes the write itself (its median round trip is given). "
        "The server applies and fans out a change set before it answers the write, so times from the "
        "acknowledgement can be negative. The load average (1 min, after each level) shows how busy the "
        "machine was with other work; the CPU time the server process and the clients spent per delivery "
        "(over the change sets, the HTTP writes included) does not depend on it.",
        "",
        "| subscribers | compression | held | connect (s) | server RSS before → after (MiB) | per subscriber (KiB) "
        "| write (ms) | deliveries | exactly once, in order | p50 (ms) | p99 (ms) | max (ms) | p99 from ack (ms) "
        "| all delivered, per change (ms) | server CPU per delivery (µs) | client CPU per delivery (µs) | load average |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['subscribers']:,} | {r['compression']} | {r['held']:,} | {r['connect_seconds']} | "
            f"{r['server_rss_mib_before']} → {r['server_rss_mib_after']} | {r['kib_per_subscriber']} | "
            f"{r['write_ms']} | {r['deliveries']:,} | {r['exactly_once_in_order']:,} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['p99_from_ack_ms']} | {', '.join(map(str, r['all_delivered_ms']))} | "
            f"{r['server_cpu_us_per_delivery']} | {r['client_cpu_us_per_delivery']} | {r['load_average']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions", description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", default="1000,10000", help="comma-separated numbers of subscribers")
    parser.add_argument("--changes", type=int, default=5, help="change sets delivered at each level")
    parser.add_argument(
        "--compression",
        default="on,off",
        help="WebSocket compression (permessage-deflate) settings to measure at each level: on, off or both",
    )
    parser.add_argument("--quick", action="store_true", help="200 subscribers, 3 change sets (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="folder for the results")
    args = parser.parse_args(argv)
    levels = [200] if args.quick else [int(n) for n in args.subscribers.split(",")]
    changes = 3 if args.quick else args.changes
    compressions = ["on"] if args.quick else [c.strip() for c in args.compression.split(",") if c.strip()]
    limit = _raise_descriptor_limit()
    results = []
    for count in levels:
        if count + 200 > limit:
            print(f"{count} subscribers need more file descriptors than the limit of {limit}; skipped")
            continue
        for compression in compressions:
            print(f"{count} subscribers, compression {compression} ...", flush=True)
            results.append(_level(count, changes, compression == "on"))
            print(json.dumps(results[-1]), flush=True)
    table = _table(results, limit)
    print(table)
    name = "subscriptions-quick" if args.quick else "subscriptions"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.md").write_text(table)
    (args.out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
