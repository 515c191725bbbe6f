"""Real replicas (``oversight cluster``) on PostgreSQL, under load: a killed replica, a restarted database.

Each test writes a stream of new organizations through the replicas and
keeps what was acknowledged (key and version); at the end every replica
must hold every acknowledged one, created in that version, at the
journal's newest version.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from oversight_graph.journal.changes import Role
from oversight_graph.journal.postgres import PostgresJournal
from oversight_graph.journal.tokens import create_token
from tests.postgres import PrivateServer
from tests.server.serving import wait_for

SEED = Path(__file__).resolve().parents[2] / "seed"
CITE = '{document: "doc/nyt-meta-ai-reviews", paragraph: 3, claim: "A test.", confidence: REPORTED, attribution: {kind: REPORTING}}'


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1 now, below the ephemeral range.

    Below it, because the load's many short client connections take their
    local ports from that range: a replica restarting on such a port could
    find it held by a client socket for a while.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    chooser = random.Random()
    for _ in range(200):
        first = chooser.randrange(max(1024, low - 12000), low - count)
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no run of free ports")


def request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
    """(status, parsed JSON body) of one request; ``(0, None)`` if the server cannot be reached."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        sent = {"content-type": "application/json", **(headers or {})}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        connection.close()


def gql(port: int, query: str, token: str | None = None, **headers: str):
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return request(port, "POST", "/graphql", {"query": query}, headers)


class Cluster:
    """``oversight cluster`` as a context manager; ``pids`` follows the replicas it (re)starts."""

    def __init__(self, db: str, replicas: int, folder: Path, *serve_args: str) -> None:
        self.first = consecutive_free_ports(replicas)
        self.ports = [self.first + n for n in range(replicas)]
        self.pids: dict[int, int] = {}
        self.log: list[str] = []
        command = [
            sys.executable, "-m", "oversight_graph.server.cli", "cluster",
            "--replicas", str(replicas), "--db", db, "--port", str(self.first),
            "--snapshots", str(folder / "snapshots"),
            "--", "--data", str(SEED), "--log-level", "warning", "--rate-limit-cost", "0",
            "--graceful-timeout", "2", "--follow-interval", "0.5", *serve_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            found = re.match(r"replica (\d+): pid (\d+) at", line)
            if found:
                self.pids[int(found[1])] = int(found[2])

    def ready(self, timeout: float = 60) -> None:
        assert wait_for(lambda: all(request(p, "GET", "/healthz")[0] == 200 for p in self.ports), timeout), self.log

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Load:
    """Writes (new organizations) and reads spread over the replicas, in threads, until stopped."""

    def __init__(self, ports: list[int], token: str, write_ports: list[int] | None = None) -> None:
        self.ports, self.token = ports, token
        self.write_ports = write_ports or ports
        self.acknowledged: dict[str, int] = {}
        self.refusals: list[str] = []  # codes of writes refused
        self.read_failures: list[tuple[int, int, Any]] = []
        self.reads = 0
        self.stale_answers = 0
        self.failed_ports: set[int] = set()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, daemon=True)] + [
            threading.Thread(target=self._read, args=(port,), daemon=True) for port in ports
        ]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _write(self) -> None:
        number = 0
        while not self._stop.is_set():
            port = self.write_ports[number % len(self.write_ports)]
            if port in self.failed_ports:  # the replica the test killed: not hammered while it restarts
                number += 1
                continue
            key = f"org/load-{number}"
            number += 1
            mutation = (
                f'mutation {{ createEntity(input: {{kind: ORGANIZATION, key: "{key}", name: "Load {number}", '
                f'description: "A lab.", category: COMPANY, citations: [{CITE}]}}, reason: "load") {{ version }} }}'
            )
            status, body = gql(port, mutation, self.token)
            if status == 0 and port in self.failed_ports:
                continue
            if status == 200 and body.get("data") and body["data"].get("createEntity"):
                self.acknowledged[key] = body["data"]["createEntity"]["version"]
                continue
            codes = [e["extensions"]["code"] for e in (body or {}).get("errors", [])]
            self.refusals.append(",".join(codes) or f"HTTP {status}")
            time.sleep(0.05)

    def _read(self, port: int) -> None:
        while not self._stop.is_set():
            if port in self.failed_ports:
                time.sleep(0.05)
                continue
            status, body = gql(port, '{ entity(key: "org/meta") { name } stats { version } }')
            if port in self.failed_ports:
                continue
            self.reads += 1
            if status != 200 or not body or not body.get("data") or body["data"]["entity"] is None:
                self.read_failures.append((port, status, body))
            elif body.get("extensions", {}).get("replica", {}).get("stale"):
                self.stale_answers += 1


def check_everything_arrived(ports: list[int], acknowledged: dict[str, int], head: int) -> None:
    """Every replica at ``head``, holding every acknowledged organization created in its version."""
    for port in ports:
        assert wait_for(lambda p=port: request(p, "GET", "/healthz")[1]["graphVersion"] == head, 30), port
        keys = sorted(acknowledged)
        for start in range(0, len(keys), 90):
            chunk = keys[start : start + 90]
            query = "{ nodes(ids: IDS) { ... on Entity { key createdIn { version } } } }".replace(
                "IDS", json.dumps(chunk)
            )
            status, body = gql(port, query)
            assert status == 200 and "errors" not in body, body
            found = {node["key"]: node["createdIn"]["version"] for node in body["data"]["nodes"] if node}
            assert found == {key: acknowledged[key] for key in chunk}, port


def journal_versions(url: str, folder: Path) -> tuple[int, list[int], dict[str, int]]:
    """The journal's head, its versions, and the version that created each load organization."""
    with psycopg.connect(url) as db:
        versions = [row[0] for row in db.execute("SELECT version FROM oversight_change_set ORDER BY version")]
        created = dict(db.execute("SELECT key, version FROM oversight_touched WHERE key LIKE 'org/load-%%'").fetchall())
    return (versions[-1] if versions else 0), versions, created


@pytest.fixture
def private_postgres() -> Iterator[PrivateServer]:
    from tests.server.serving import free_port

    server = PrivateServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.remove()


def test_a_killed_replica_comes_back_and_catches_up_while_the_others_answer(postgres_url: str, tmp_path: Path) -> None:
    with Cluster(postgres_url, 3, tmp_path, "--snapshot-every", "5") as cluster:
        cluster.ready()
        head, versions, _ = journal_versions(postgres_url, tmp_path)
        assert versions == [1]  # three replicas started together on an empty database: one seed import
        journal = PostgresJournal(postgres_url, tmp_path / "tokens")
        token = create_token(journal, "load", Role.EDITOR)
        journal.close()
        load = Load(cluster.ports, token).start()
        assert wait_for(lambda: len(load.acknowledged) >= 15, 60)
        killed_port, killed_pid = cluster.ports[1], cluster.pids[2]
        load.failed_ports.add(killed_port)
        os.kill(killed_pid, signal.SIGKILL)
        assert wait_for(lambda: cluster.pids[2] != killed_pid, 30), "".join(cluster.log[-60:])
        written_while_down = len(load.acknowledged)
        assert wait_for(lambda: request(killed_port, "GET", "/healthz")[0] == 200, 60, step=0.5), "".join(
            cluster.log[-60:]
        )
        assert len(load.acknowledged) > written_while_down  # the others kept accepting writes meanwhile
        load.failed_ports.discard(killed_port)
        assert wait_for(lambda: len(load.acknowledged) >= written_while_down + 10, 60)
        load.stop()
        assert load.read_failures == [], load.read_failures[:3]
        assert load.reads > 50
        assert set(load.refusals) <= {"HTTP 0"}, load.refusals
        head, versions, created = journal_versions(postgres_url, tmp_path)
        assert versions == list(range(1, head + 1))
        assert {key: created[key] for key in load.acknowledged} == load.acknowledged
        check_everything_arrived(cluster.ports, load.acknowledged, head)
        assert list((tmp_path / "snapshots" / "replica-2").glob("*.snapshot"))  # it restarted from one


def test_replicas_serve_reads_through_a_postgresql_restart_and_lose_nothing(
    private_postgres: PrivateServer, tmp_path: Path
) -> None:
    with psycopg.connect(private_postgres.url, autocommit=True) as db:
        db.execute("CREATE DATABASE graph")
    url = private_postgres.url.rsplit("/", 1)[0] + "/graph"
    with Cluster(url, 2, tmp_path) as cluster:
        cluster.ready()
        journal = PostgresJournal(url, tmp_path / "tokens")
        token = create_token(journal, "load", Role.EDITOR)
        journal.close()
        load = Load(cluster.ports, token).start()
        assert wait_for(lambda: len(load.acknowledged) >= 10, 60)
        private_postgres.stop("fast")
        try:
            for port in cluster.ports:
                assert wait_for(lambda p=port: request(p, "GET", "/healthz")[1]["status"] == "stale", 30), port
                status, health = request(port, "GET", "/healthz")
                assert health["replica"]["database"] == "unreachable" and health["replica"]["stale"] is True
                status, body = gql(port, "{ stats { version } }")
                assert status == 200 and body["extensions"]["replica"]["stale"] is True
                status, body = gql(
                    port, 'mutation { retractEntity(id: "org/meta", reason: "while away") { version } }', token
                )
                assert body["errors"][0]["extensions"]["code"] == "JOURNAL_UNAVAILABLE", body
            acknowledged_before = len(load.acknowledged)
            time.sleep(1)
        finally:
            private_postgres.start()
        assert wait_for(lambda: len(load.acknowledged) >= acknowledged_before + 10, 60), load.refusals[-5:]
        for port in cluster.ports:
            assert wait_for(lambda p=port: request(p, "GET", "/healthz")[1]["status"] == "ok", 30), port
        load.stop()
        assert load.read_failures == [], load.read_failures[:3]
        assert load.stale_answers > 0
        assert "JOURNAL_UNAVAILABLE" in load.refusals
        assert set(load.refusals) <= {"JOURNAL_UNAVAILABLE"}, set(load.refusals)
        head, versions, created = journal_versions(url, tmp_path)
        assert versions == list(range(1, head + 1))
        assert {key: created[key] for key in load.acknowledged} == load.acknowledged
        check_everything_arrived(cluster.ports, load.acknowledged, head)
