"""A real ``oversight serve`` process on 127.0.0.1 for tests that need sockets, signals and processes.

Every server binds an ephemeral port, is waited for with a deadline and is
always stopped (then killed, if it does not stop).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.update(int(p) for p in text.split())
    except (FileNotFoundError, ProcessLookupError):
        return set()
    return {c for c in found if alive(c)}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False  # gone, or going between the open and the read (ESRCH)
    return state != "Z"


def wait_for(condition: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


class Server:
    """``oversight serve`` with ``OVERSIGHT_*`` settings from ``env``, as a context manager."""

    def __init__(self, log: Path, workers: int = 1, **env: object) -> None:
        self.port = free_port()
        self.log_path = log
        self.workers = workers
        self.env = {f"OVERSIGHT_{k.upper()}": str(v) for k, v in env.items()}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        environment = {**os.environ, "OVERSIGHT_LOG_LEVEL": "info", **self.env}
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oversight_graph.server.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        ready = wait_for(lambda: self.healthy() or self.process.poll() is not None, 60, 0.1)
        assert ready and self.process.poll() is None, self.log_text()
        assert wait_for(lambda: len(self.workers_now()) == self.workers, 30), self.log_text()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def workers_now(self) -> set[int]:
        return children(self.pid)

    def stop(self, timeout: float = 20) -> int | None:
        if self.process is None:
            return None
        workers = self.workers_now()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
        self.log.close()
        return self.process.returncode

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def connect(self, timeout: float = 10) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return sock

    def request(
        self, method: str = "GET", path: str = "/healthz", body: bytes | None = None, timeout: float = 10
    ) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"content-type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(data)
        finally:
            connection.close()

    def healthy(self) -> bool:
        try:
            return self.request(timeout=2)[0] == 200
        except OSError:
            return False


def read_response(sock: socket.socket, timeout: float = 10) -> tuple[int, dict[str, str], Any]:
    """Read one HTTP response from a raw socket until the server closes it."""
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)
