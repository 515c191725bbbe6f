"""``oversight cluster``: several replicas on one machine, sharing one journal.

Each replica is an ``oversight serve`` process of its own, on consecutive
ports, with its own snapshot folder, all on the same ``--db`` (a PostgreSQL
address, typically). The command prints one line per replica as it starts
it (``replica N: pid P at http://HOST:PORT``), starts a replica again when
it exits without being asked to, and stops them all on ``SIGINT`` or
``SIGTERM``. It is the local stand-in for ``compose.yaml``'s replicas, and
what the replica tests run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

__all__ = ["Replica", "run_cluster"]

RESTART_DELAY = 1.0
"""Seconds before a replica that exited is started again (so a replica failing at start does not spin)."""


@dataclass
class Replica:
    """One ``oversight serve`` process of the cluster."""

    number: int
    port: int
    command: list[str]
    process: subprocess.Popen[bytes] | None = None

    def start(self, out: TextIO, host: str) -> None:
        self.process = subprocess.Popen(self.command)
        print(f"replica {self.number}: pid {self.process.pid} at http://{host}:{self.port}", file=out, flush=True)


def _command(number: int, port: int, db: str, host: str, snapshots: Path, serve_args: Sequence[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "oversight_graph.server.cli",
        "serve",
        "--db",
        db,
        "--host",
        host,
        "--port",
        str(port),
        "--snapshots",
        str(snapshots / f"replica-{number}"),
        *serve_args,
    ]


def run_cluster(
    replicas: int,
    db: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    snapshots: Path = Path("oversight-snapshots"),
    serve_args: Sequence[str] = (),
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run ``replicas`` servers on ports ``port``, ``port + 1``...; return when stopped (exit status 0).

    Replicas are started together: on an empty database one of them records
    the seed as version 1 and the others load it from the journal.
    """
    members = [
        Replica(n, port + n - 1, _command(n, port + n - 1, db, host, snapshots, serve_args))
        for n in range(1, replicas + 1)
    ]
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for member in members:
            member.start(out, host)
        while not stopping.wait(0.2):
            for member in members:
                process = member.process
                if process is None or process.poll() is None:
                    continue
                code = process.returncode
                how = f"signal {-code}" if code < 0 else f"status {code}"
                print(f"replica {member.number} exited ({how}); starting it again", file=err, flush=True)
                if stopping.wait(RESTART_DELAY):
                    break
                member.start(out, host)
    finally:
        for member in members:
            if member.process is not None and member.process.poll() is None:
                member.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for member in members:
            if member.process is None:
                continue
            try:
                member.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                member.process.kill()
                member.process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("cluster stopped", file=out, flush=True)
    return 0
