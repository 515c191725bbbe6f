"""The real server, started with ``oversight serve`` on a free port, for real clients to call."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(*flags: str) -> Iterator[str]:
    """Serve the seed with ``flags`` on a free local port; yield the GraphQL URL; always stop it."""
    port = _free_port()
    journal = tempfile.mkdtemp(prefix="oversight-journal-")
    command = [
        str(Path(sys.executable).with_name("oversight")),
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--db",
        str(Path(journal) / "graph.db"),
        *flags,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    raise RuntimeError(f"oversight serve did not come up on port {port}:\n{output}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(journal, ignore_errors=True)
