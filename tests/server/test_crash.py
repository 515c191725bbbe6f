"""Crash safety: concurrent writers, the server killed with SIGKILL mid-stream, then restarted.

Every write the server acknowledged must be there after the restart, with
the version it was acknowledged with; no change set may be half applied;
versions run from 1 without gaps or repeats. The server writes a snapshot
every few change sets meanwhile (in a forked child, killed with it), so the
restart starts from a snapshot and replays the rest.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seed"
WRITERS = 8
SNAPSHOT_EVERY = 25
CITATION = {
    "document": "doc/nyt-meta-ai-reviews",
    "paragraph": 3,
    "claim": "A test record.",
    "confidence": "REPORTED",
    "attribution": {"kind": "REPORTING"},
}
CREATE = """mutation($key: String!) {
  createEntity(input: {kind: ORGANIZATION, key: $key, name: $key, description: "Crash test.", category: COMPANY,
    citations: [{document: "doc/nyt-meta-ai-reviews", paragraph: 3, claim: "A test record.", confidence: REPORTED,
    attribution: {kind: REPORTING}}]}, reason: "crash test") { version }
}"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _oversight(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oversight_graph.server.cli", *args], capture_output=True, text=True, check=True
    )


def _start(db: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oversight_graph.server.cli",
            "serve",
            "--db",
            str(db),
            "--data",
            str(SEED),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--snapshot-every",
            str(SNAPSHOT_EVERY),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _post(port: int, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", json.dumps({"query": query, "variables": variables}).encode(), headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "graph.db"
    token = _oversight("token", "create", "--db", str(db), "--name", "crash", "--role", "editor").stdout.split()[-1]
    port = _port()
    server = _start(db, port)
    initial = _post(port, "{ stats { entityCount } }")["data"]["stats"]["entityCount"]
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def write(worker: int) -> None:
        number = 0
        while not stop.is_set():
            key = f"org/crash-{worker}-{number}"
            number += 1
            try:
                body = _post(port, CREATE, {"key": key}, token)
            except (OSError, urllib.error.URLError):
                return  # the server is gone
            version = body["data"]["createEntity"]["version"]
            with lock:
                acknowledged[key] = version

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(acknowledged) < 150:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # mid-stream: writers are still sending
    server.wait()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) >= 150

    snapshots = db.with_name(db.name + ".snapshots")
    written = sorted(int(path.stem) for path in snapshots.glob("*.snapshot"))
    assert written, "no snapshot was written before the kill"
    port = _port()
    server = _start(db, port)
    try:
        # Partial snapshots of the killed children are cleared at start; the whole ones stay.
        assert not list(snapshots.glob(".*.partial"))
        versions: list[int] = []
        after = None
        while True:
            page = _post(
                port,
                "query($a: String) { changes(first: 100, after: $a) { edges { node { version changeCount "
                "changes { key action } } } pageInfo { hasNextPage endCursor } } }",
                {"a": after},
            )["data"]["changes"]
            for edge in page["edges"]:
                node = edge["node"]
                versions.append(node["version"])
                if node["version"] > 1:  # every write is one entity, whole or absent
                    assert node["changeCount"] == 1 and node["changes"][0]["action"] == "ADDED"
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert versions == list(range(1, len(versions) + 1))  # no gap, no repeat
        entities = _post(port, "{ stats { version entityCount } }")["data"]["stats"]
        assert entities["version"] == versions[-1]
        recorded = versions[-1] - 1
        assert entities["entityCount"] == initial + recorded  # each recorded write added exactly one entity
        for key, version in acknowledged.items():
            found = _post(port, "query($k: String!) { entity(key: $k) { key createdIn { version } } }", {"k": key})
            assert found["data"]["entity"] == {"key": key, "createdIn": {"version": version}}, key
        print(
            f"\n{len(acknowledged)} writes acknowledged before SIGKILL; {versions[-1] - 1} recorded; "
            f"versions 1..{versions[-1]} without gaps; restarted from the snapshot of version {written[-1]}"
        )
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
