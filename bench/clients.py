"""What client conventions cost and save: compressed response sizes and typo-tolerant search times.

Prints, for the seed and a generated graph:

- the bytes of a few responses as sent plain, gzipped and with brotli (the
  server's own levels), and the milliseconds each coding takes;
- the time of an exact search and of a misspelt one that falls back to
  close spellings (``graph.fuzzy``), median of several runs.

Asserts nothing. Usage::

    python -m bench.clients              # seed and the 10k and 100k graphs
    python -m bench.clients --quick      # seed and 10k
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import brotli
from starlette.testclient import TestClient

from bench.run import _dataset
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.queries import search
from oversight_graph.graph.store import GraphStore
from oversight_graph.server.app import create_app
from oversight_graph.server.compression import BROTLI_QUALITY, GZIP_LEVEL
from oversight_graph.server.settings import Settings

SEED = Path(__file__).resolve().parent.parent / "seed"

RESPONSES = {
    "organizations page (40, 10 relations each, citations)": "{ organizations(first: 40) { edges { node { key name "
    "aliases relations(first: 10) { edges { direction node { type summary citations { paragraph claim confidence "
    "attribution { text sourceCount } } } } } } } } }",
    "introspection (types, fields, arguments)": "{ __schema { types { name description fields { name description "
    "args { name description } } } } }",
    "stats": "{ stats { entityCount relationCount citationCount } }",
}


def _millis(action: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def compression(store: GraphStore, label: str) -> None:
    """Print each response's size plain, gzipped and brotli-compressed, with the coding time."""
    print(f"\n== compression ({label}): bytes and milliseconds per coding")
    print(f"{'response':<58}{'plain':>9}{'gzip':>9}{'ms':>7}{'br':>9}{'ms':>7}")
    with TestClient(create_app(store, Settings(compression_min_bytes=0))) as client:
        for name, query in RESPONSES.items():
            body = client.post("/graphql", json={"query": query}).content
            zipped = gzip.compress(body, GZIP_LEVEL)
            squeezed = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
            gzip_ms = _millis(lambda body=body: gzip.compress(body, GZIP_LEVEL))
            br_ms = _millis(lambda body=body: brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT))
            print(f"{name:<58}{len(body):>9,}{len(zipped):>9,}{gzip_ms:>7.2f}{len(squeezed):>9,}{br_ms:>7.2f}")


def fuzzy(store: GraphStore, label: str) -> None:
    """Print exact and misspelt search times: the fallback scans the vocabulary of names."""
    words = [w for w in store.names.vocabulary() if len(w) >= 7]
    word = words[len(words) // 2]
    typo = word[:2] + word[3:]  # one letter dropped
    hits = search(store, typo)
    print(f"\n== search ({label}, {len(store.names.vocabulary()):,} distinct words in names)")
    print(f"exact {word!r}: {_millis(lambda: search(store, word)):.2f} ms")
    print(
        f"misspelt {typo!r}: {_millis(lambda: search(store, typo)):.2f} ms, "
        f"{len(hits)} hits, fuzzy: {all(h.fuzzy for h in hits)}"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="the seed and the 10k graph only")
    args = parser.parse_args(argv)
    stores = [("seed", load_directory(SEED))]
    for size in ("10k",) if args.quick else ("10k", "100k"):
        stores.append((size, load_directory(_dataset(size))))
    for label, store in stores:
        compression(store, label)
        fuzzy(store, label)


if __name__ == "__main__":
    main()
