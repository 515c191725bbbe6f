"""The benchmark runner: generated graphs at several sizes, a fixed query mix, HTTP load.

Usage::

    python -m bench.run                     # 10k, 100k and 1M entities
    python -m bench.run --quick             # 10k only, short runs (what CI does)
    python -m bench.run --sizes 10k,100k --no-http

For every size it prints a table and writes ``bench/results/<sizes>.json``
(every number) and ``bench/results/<sizes>.md`` (the tables):

- **load**: seconds from files to a served store, and peak RSS, measured in
  a fresh process (:mod:`bench.probe`);
- **mix in process**: p50/p99 per query for the direct graph work, the API
  before the engine (Strawberry's ``execute_sync``), the engine uncached
  and cached, with the ratios to direct; and ``{ __typename }``;
- **HTTP**: throughput and p99 with wrk at 32 connections, 1 and 2
  workers, for the deployed endpoint, the uncached one, the one from before
  the engine, and a plain endpoint returning the same bytes (the ceiling).

Nothing here asserts a speed; the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson

from bench.generate import generate

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
HTTP_ENDPOINTS = ("/plain", "/graphql", "/graphql-uncached", "/graphql-before")


def _dataset(label: str) -> Path:
    directory = ROOT / "data" / label
    summary = directory / "summary.json"
    if summary.exists() and json.loads(summary.read_text())["entities"] == SIZES[label]:
        return directory
    print(f"generating {label} ...", flush=True)
    generate(SIZES[label], directory)
    return directory


def _probe(directory: Path, quick: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.probe", str(directory), *(["--quick"] if quick else [])]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT.parent).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"benchmark server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"benchmark server not ready after {timeout:.0f} s")


_LUA = """
local bodies = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[(counter %% #bodies) + 1])
end
"""


def _lua_script(bodies: list[bytes], directory: Path) -> Path:
    entries = ",\n".join(f"[==[{b.decode()}]==]" for b in bodies)
    path = directory / "mix.lua"
    path.write_text(_LUA % entries)
    return path


def _parse_wrk(output: str) -> dict[str, float]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else 0.0,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _http(
    directory: Path, bodies: list[bytes], workers: int, seconds: int, load_timeout: float
) -> list[dict[str, Any]]:
    port = _free_port()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        requests = Path(scratch) / "bodies.json"
        requests.write_text(json.dumps([b.decode() for b in bodies]))
        command = [sys.executable, "-m", "bench.serve", str(directory), "--bodies", str(requests)]
        command += ["--port", str(port), "--workers", str(workers)]
        log = (Path(scratch) / "server.log").open("wb")
        server = subprocess.Popen(command, cwd=ROOT.parent, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                _wait_healthy(port, server, load_timeout)
            except RuntimeError as error:
                tail = (Path(scratch) / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{error}; server output:\n{tail}") from None
            script = _lua_script(bodies, Path(scratch))
            for endpoint in HTTP_ENDPOINTS:
                url = f"http://127.0.0.1:{port}{endpoint}"
                # Steady state, not start-up: forked workers' first pass over a
                # large graph copies memory pages (reference counts write to every
                # object touched), which takes seconds at 1M entities.
                warm = ["wrk", "-t1", "-c4", f"-d{max(1, seconds // 3)}s", "-s", str(script), url]
                subprocess.run(warm, check=True, capture_output=True)
                run = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", str(script), url]
                output = subprocess.run(run, check=True, capture_output=True, text=True).stdout
                rows.append({"workers": workers, "endpoint": endpoint, **_parse_wrk(output)})
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    return rows


def _fmt(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _tables(label: str, probe: dict[str, Any], http: list[dict[str, Any]]) -> str:
    lines = [
        f"### {label}: {probe['entities']:,} entities, {probe['relations']:,} relations",
        "",
        f"Load: {probe['load_seconds']} s from files to a served store; peak RSS {probe['peak_rss_mb_after_load']:,.0f} MB.",
        "",
        "| query | direct p50 ms | before p50 ms | uncached p50 / p99 ms | cached p50 ms | uncached ÷ direct | cached ÷ direct | before ÷ direct |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for q in probe["queries"]:
        direct, before, uncached, cached = q["direct"]["p50"], q["strawberry"]["p50"], q["uncached"], q["cached"]["p50"]
        lines.append(
            f"| {q['query']} | {_fmt(direct)} | {_fmt(before)} | {_fmt(uncached['p50'])} / {_fmt(uncached['p99'])} | {_fmt(cached)} "
            f"| {uncached['p50'] / direct:.2f} | {cached / direct:.2f} | {before / direct:.1f} |"
        )
    typename = probe["typename"]
    lines.append(f"| `{{ __typename }}` | – | – | {_fmt(typename['p50'])} / {_fmt(typename['p99'])} | – | – | – | – |")
    tiny = {
        q["query"]: q["uncached"]["p50"] / typename["p50"]
        for q in probe["queries"]
        if q["query"] in ("lookup", "search")
    }
    lines.append("")
    lines.append(
        "Lookup and search, uncached, ÷ `{ __typename }`: " + ", ".join(f"{k} {v:.2f}" for k, v in tiny.items()) + "."
    )
    if not all(q["same_data_as_direct"] for q in probe["queries"]):
        lines.append("")
        lines.append("**Warning:** some GraphQL responses differ from their direct equivalents.")
    if http:
        lines += ["", "| workers | endpoint | requests/s | p99 ms | ÷ plain |", "|---:|---|---:|---:|---:|"]
        for workers in sorted({row["workers"] for row in http}):
            rows = [r for r in http if r["workers"] == workers]
            ceiling = next(r["requests_per_second"] for r in rows if r["endpoint"] == "/plain") or 1.0
            for r in rows:
                lines.append(
                    f"| {workers} | `{r['endpoint']}` | {r['requests_per_second']:,.0f} | {r['p99_ms']:.2f} | {r['requests_per_second'] / ceiling:.2f} |"
                    + (f" ({r['non_2xx']} non-2xx)" if r["non_2xx"] else "")
                )
    return "\n".join(lines)


def _machine() -> str:
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Oversight Graph benchmarks.")
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--quick", action="store_true", help="10k only, short runs; for CI")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP benchmark")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args(argv)
    labels = ["10k"] if args.quick else [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    seconds = 2 if args.quick else args.seconds
    wrk = shutil.which("wrk")
    if not args.no_http and wrk is None:
        print("wrk is not installed (apt-get install wrk): skipping the HTTP benchmark", flush=True)
    report: dict[str, Any] = {"machine": _machine(), "quick": args.quick, "sizes": {}}
    sections = [f"Machine: {report['machine']}."]
    name = "quick" if args.quick else "-".join(labels)
    for label in labels:
        directory = _dataset(label)
        print(f"== {label}: probing", flush=True)
        probe = _probe(directory, args.quick)
        http: list[dict[str, Any]] = []
        if not args.no_http and wrk is not None:
            bodies = [b.encode() for b in probe["bodies"]]
            load_timeout = max(120.0, probe["load_seconds"] * 4)
            for workers in (1, 2):
                print(f"== {label}: HTTP with {workers} worker(s)", flush=True)
                try:
                    http += _http(directory, bodies, workers, seconds, load_timeout)
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    print(f"   HTTP benchmark failed: {error}", flush=True)
        report["sizes"][label] = {"probe": probe, "http": http}
        table = _tables(label, probe, http)
        sections.append(table)
        print(table, flush=True)
        _write(args.out, name, report, sections)  # after every size: a long run keeps what it measured
    print(f"wrote {args.out / name}.json and .md")
    return 0


def _write(out: Path, name: str, report: dict[str, Any], sections: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    (out / f"{name}.md").write_text("\n\n".join(sections) + "\n")


if __name__ == "__main__":
    sys.exit(main())
