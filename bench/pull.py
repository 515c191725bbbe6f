"""How long it takes, and how many bytes, to pull the whole graph: by export or by paged GraphQL queries.

For each dataset (the bundled seed, and the generated 10k graph unless
``--seed-only``) this starts ``oversight serve`` on a free port of
127.0.0.1 and pulls everything — every entity with its fields and
citations, every relation with its qualifiers, validity and citations —
two ways:

- ``GET /export/{format}`` for each export format, one request each;
- paged GraphQL over one keep-alive connection: every root entity list
  (``organizations``, ``people``…) page by page, then the root
  ``relations`` connection page by page, each at the largest page size.

It prints a table and writes ``bench/results/pull.md`` (and ``pull.json``).
Times are wall-clock on this machine, from the first request to the last
byte, with the client reading but not parsing the bodies (GraphQL pages are
parsed for their end cursors).

Usage::

    python -m bench.pull [--seed-only] [--out bench/results]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.run import _dataset, _free_port, _wait_healthy

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent
SEED = ROOT.parent / "seed"
FORMATS = ("jsonld", "turtle", "ntriples", "graphml", "csv", "toml")
PAGE = 100

_ENTITY = """
  key name description aliases wikidataId inferredFields
  citations { document { key } paragraph claim confidence attribution { kind text sourceCount speaker { key } } }
"""
_DATE = "{ iso inferredParts }"
_KIND_FIELDS = {
    "organizations": "... on Organization { category country majorAiDeveloper }",
    "people": "",
    "models": f"... on AIModel {{ accessStatus releaseDate {_DATE} }}",
    "orders": f"... on Order {{ orderKind dateSigned {_DATE} }}",
    "incidents": f"... on Incident {{ incidentKind occurred {_DATE} }}",
    "agreements": f"... on Agreement {{ status dateSigned {_DATE} }}",
    "events": f"... on Event {{ eventKind occurred {_DATE} }}",
    "documents": f"... on Document {{ title paragraphCount published {_DATE} url }}",
    "questions": "... on Question { status }",
}
_RELATIONS = f"""
query($after: String) {{
  relations(first: {PAGE}, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      key type subject {{ key }} object {{ key }} confidence
      validFrom {_DATE} validTo {_DATE}
      qualifiers {{ role channel purpose reason daysAllowed minutesAllowed deadline {_DATE} note }}
      citations {{ document {{ key }} paragraph claim confidence attribution {{ kind text sourceCount speaker {{ key }} }} }}
    }} }}
  }}
}}
"""


def _list_query(field: str) -> str:
    return f"""
query($after: String) {{
  {field}(first: {PAGE}, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {_ENTITY} {_KIND_FIELDS[field]} }} }}
  }}
}}
"""


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path)
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
    if response.status != 200:
        raise RuntimeError(f"GET {path}: status {response.status}")
    return size


def _post(connection: http.client.HTTPConnection, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    body = json.dumps({"query": query, "variables": variables})
    connection.request("POST", "/graphql", body, {"content-type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    result = json.loads(data)
    if response.status != 200 or result.get("errors"):
        raise RuntimeError(f"GraphQL error: {result.get('errors')}")
    return len(data), result["data"]


def _paged(port: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    requests = size = entities = relations = 0
    started = time.perf_counter()
    for field, query in [*((f, _list_query(f)) for f in _KIND_FIELDS), ("relations", _RELATIONS)]:
        after = None
        while True:
            got, data = _post(connection, query, {"after": after})
            requests += 1
            size += got
            page = data[field]
            if field == "relations":
                relations += len(page["edges"])
            else:
                entities += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    seconds = time.perf_counter() - started
    connection.close()
    return {"requests": requests, "bytes": size, "seconds": seconds, "entities": entities, "relations": relations}


def _exports(port: int) -> dict[str, dict[str, Any]]:
    results = {}
    for name in FORMATS:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1200)
        started = time.perf_counter()
        size = _get(connection, f"/export/{name}")
        results[name] = {"requests": 1, "bytes": size, "seconds": time.perf_counter() - started}
        connection.close()
        print(f"  export {name}: {size:,} bytes in {results[name]['seconds']:.2f} s", flush=True)
    return results


def _measure(label: str, directory: Path) -> dict[str, Any]:
    port = _free_port()
    journal = tempfile.mkdtemp(prefix="oversight-pull-")
    command = [
        sys.executable,
        "-m",
        "oversight_graph.server.cli",
        "serve",
        "--data",
        str(directory),
        "--port",
        str(port),
    ]
    command += ["--db", str(Path(journal) / "graph.db")]
    server = subprocess.Popen(
        command,
        cwd=ROOT.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # No per-client cost budget: this measures transfer, and the paged pull of a
        # 10k graph costs several times the default budget of a minute.
        env={**os.environ, "OVERSIGHT_RATE_LIMIT_COST": "0"},
    )
    try:
        _wait_healthy(port, server, timeout=600)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            health = json.loads(answer.read())
        print(f"{label}: {health['entities']:,} entities, {health['relations']:,} relations", flush=True)
        paged = _paged(port)
        print(
            f"  paged GraphQL: {paged['requests']} requests, {paged['bytes']:,} bytes in {paged['seconds']:.2f} s",
            flush=True,
        )
        if (paged["entities"], paged["relations"]) != (health["entities"], health["relations"]):
            raise RuntimeError(f"paged pull missed records: {paged} vs {health}")
        return {"entities": health["entities"], "relations": health["relations"], "paged": paged, **_exports(port)}
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(journal, ignore_errors=True)


def _table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| dataset | method | requests | bytes | seconds |",
        "|---|---|---:|---:|---:|",
    ]
    for label, result in results.items():
        for method in ("paged", *FORMATS):
            row = result[method]
            name = "paged GraphQL (root lists + `relations`)" if method == "paged" else f"`GET /export/{method}`"
            lines.append(f"| {label} | {name} | {row['requests']:,} | {row['bytes']:,} | {row['seconds']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and write the report; return an exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.pull", description=__doc__.splitlines()[0])
    parser.add_argument("--seed-only", action="store_true", help="measure the bundled seed only")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="where pull.md and pull.json go")
    args = parser.parse_args(argv)
    datasets = {"seed": SEED}
    if not args.seed_only:
        datasets["10k"] = _dataset("10k")
    load_before = os.getloadavg()[0]
    results = {label: _measure(label, directory) for label, directory in datasets.items()}
    load_after = os.getloadavg()[0]
    table = _table(results)
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before and {load_after:.1f} after the run (other work shares the CPUs)"
    )
    report = (
        "# Pulling the whole graph: export vs paged GraphQL\n\n"
        f"`python -m bench.pull` on {machine}, server `oversight serve` (one worker) on 127.0.0.1.\n"
        f"Paged GraphQL uses pages of {PAGE}, the largest allowed, over one keep-alive connection.\n"
        "The server runs with `OVERSIGHT_RATE_LIMIT_COST=0`: with the default per-client budget (100,000 per 60 s)\n"
        "the paged pull of the 10k graph is refused with `RATE_LIMITED` once a minute's pages have cost 100,000\n"
        "(a page of 100 relations with their citations costs 1,401); exports are not metered.\n\n" + table + "\n"
    )
    print("\n" + table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pull.md").write_text(report, encoding="utf-8")
    (args.out / "pull.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
