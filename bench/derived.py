"""What one write costs the store's derived indexes: the first read of each after it.

Run as ``python -m bench.derived [--size 100k] [--reps 5] [--label after] [--writes 0,4]``.
It loads a generated graph (:mod:`bench.generate`, made if missing), builds
every derived index once (as :func:`graph.warm.warm` and the first requests
do) and freezes the garbage collector's view of it, as a server does after
warming (``server.manager._warm``). Then for each kind of write (``--writes``:
their numbers in :data:`WRITES`, all by default) and each index, ``--reps``
times: it applies one write the way the journal's read model does
(``put_entity`` / ``put_relation`` / ``remove_relation``), times the first read
of that one index, and reads every other index once more untimed, so that the
next round starts from a built store. It prints the median and the slowest of
those first reads in milliseconds, and the cold build of each index (every
derived index dropped) for comparison.

The numbers go to ``bench/results/derived-<size>.json`` under ``--label``
(other labels already in the file are kept: run it once on the old code
with ``--label before`` and once on the new with ``--label after``), and
``derived-<size>.md`` shows every label side by side. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.run import ROOT, SIZES, _dataset
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.edges import list_relations, sorted_relations
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.listing import EntityOrder, list_entities
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.model import Entity, Relation
from oversight_graph.graph.pages import paginate
from oversight_graph.graph.queries import DEFAULT_COUNTERPARTY, companies_without_agreement, stats
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.timeline import timeline
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["INDEXES", "WRITES", "measure"]

PAGE = 20
"""Items read from a list, as a first page would."""

_NAME = EntityOrder.NAME.sort_key
_DATE = EntityOrder.DATE.sort_key


def _hub(store: GraphStore) -> str:
    return DEFAULT_COUNTERPARTY if DEFAULT_COUNTERPARTY in store else max(store._succ, key=store.degree)


INDEXES: dict[str, Callable[[GraphStore], object]] = {
    "organizations by name (keys_of_kind)": lambda s: s.keys_of_kind(Kind.ORGANIZATION),
    "people by name (keys_of_kind)": lambda s: s.keys_of_kind(Kind.PERSON),
    "documents by name (keys_of_kind)": lambda s: s.keys_of_kind(Kind.DOCUMENT),
    "organizations, first page by name": lambda s: paginate(list_entities(s, Kind.ORGANIZATION), PAGE, key=_NAME),
    "people, first page by name": lambda s: paginate(list_entities(s, Kind.PERSON), PAGE, key=_NAME),
    "AI models, first page by date": lambda s: paginate(
        list_entities(s, Kind.AI_MODEL, order=EntityOrder.DATE), PAGE, key=_DATE
    ),
    "people, first page by key": lambda s: paginate(
        list_entities(s, Kind.PERSON, order=EntityOrder.KEY), PAGE, key=EntityOrder.KEY.sort_key
    ),
    "major AI developers": lambda s: s.major_ai_developers(),
    "companies without agreement (parties)": companies_without_agreement,
    "timeline, first page": lambda s: timeline(s, limit=PAGE),
    "relations, first page": lambda s: list_relations(s)[:PAGE],
    "relations of one type, first page": lambda s: sorted_relations(s, RelationType.DEVELOPED)[:PAGE],
    "a hub's relations (relations_of)": lambda s: s.relations_of(_hub(s)),
    "stats": stats,
}
"""Every derived index a request reads, by what reads it."""


class _Writes:
    """Writes of each kind, each to a different random entity or pair, as the journal applies them."""

    def __init__(self, store: GraphStore, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.count = 0
        self.added: list[str] = []
        self.organizations = [e.key for e in store.entities(Kind.ORGANIZATION)]
        self.people = [e.key for e in store.entities(Kind.PERSON)]
        self.developed = [r for r in sorted_relations(store, RelationType.DEVELOPED)]

    def _renamed(self, kind_keys: Sequence[str]) -> None:
        self.count += 1
        entity = self.store.entity(self.rng.choice(kind_keys))
        self.store.put_entity(dataclasses.replace(entity, name=f"{entity.name} {self.count}"))

    def rename_organization(self) -> None:
        self._renamed(self.organizations)

    def rename_person(self) -> None:
        self._renamed(self.people)

    def new_person(self) -> None:
        self.count += 1
        template: Entity = self.store.entity(self.people[0])
        key = f"person/bench-derived-{self.count}"
        self.store.put_entity(dataclasses.replace(template, key=key, name=f"Bench Person {self.count}", aliases=()))

    def _new_relation(self, dated: bool) -> Relation:
        while True:
            first, second = self.rng.choice(self.developed), self.rng.choice(self.developed)
            self.count += 1
            relation = dataclasses.replace(
                first,
                object=second.object,
                valid_from=PartialDate.parse(f"20{10 + self.count % 15}-0{1 + self.count % 9}") if dated else None,
                valid_to=None,
            )
            try:
                self.store.relation(relation.key)
            except LookupError:
                return relation

    def add_relation(self) -> None:
        relation = self._new_relation(dated=False)
        self.store.put_relation(relation)
        self.added.append(relation.key)

    def add_dated_relation(self) -> None:
        relation = self._new_relation(dated=True)
        self.store.put_relation(relation)
        self.added.append(relation.key)

    def remove_relation(self) -> None:
        if self.added:
            self.store.remove_relation(self.added.pop())
        else:
            self.store.remove_relation(self.developed.pop(self.rng.randrange(len(self.developed))).key)


WRITES: dict[str, Callable[[_Writes], None]] = {
    "rename an organization": _Writes.rename_organization,
    "rename a person": _Writes.rename_person,
    "add a person": _Writes.new_person,
    "add an undated relation (DEVELOPED)": _Writes.add_relation,
    "add a dated relation (DEVELOPED)": _Writes.add_dated_relation,
    "remove a relation (DEVELOPED)": _Writes.remove_relation,
}
"""The writes measured, each one effect of a change set."""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _settle(store: GraphStore) -> None:
    for read in INDEXES.values():
        read(store)


def _cold(store: GraphStore, reps: int) -> dict[str, float]:
    """Milliseconds to build each index with no derived index built (the median of ``reps``)."""
    found: dict[str, list[float]] = {name: [] for name in INDEXES}
    for _ in range(reps):
        for name, read in INDEXES.items():
            store._invalidate()
            gc.collect()
            start = time.perf_counter()
            read(store)
            found[name].append(time.perf_counter() - start)
    return {name: _ms(statistics.median(times)) for name, times in found.items()}


def measure(store: GraphStore, reps: int, seed: int = 7, only: Sequence[int] | None = None) -> dict[str, Any]:
    """For each write (those numbered ``only``, or all) and each index: the median and slowest first read
    after one write, in ms.

    Also the median time of the write itself, and the cold build of each index.
    """
    writes = _Writes(store, seed)
    gc.freeze()  # the graph: a collection no longer walks it
    try:
        return _measure(store, writes, reps, only)
    finally:
        gc.unfreeze()


def _measure(store: GraphStore, writes: _Writes, reps: int, only: Sequence[int] | None) -> dict[str, Any]:
    cold = _cold(store, reps)
    _settle(store)
    gc.freeze()  # and the derived indexes, as after warming
    result: dict[str, Any] = {"cold_ms": cold, "writes": {}}
    for number, (write_name, write) in enumerate(WRITES.items()):
        if only is not None and number not in only:
            continue
        applied: list[float] = []
        first: dict[str, list[float]] = {name: [] for name in INDEXES}
        for _ in range(reps):
            for name, read in INDEXES.items():
                gc.collect()
                start = time.perf_counter()
                write(writes)
                middle = time.perf_counter()
                read(store)
                end = time.perf_counter()
                applied.append(middle - start)
                first[name].append(end - middle)
                _settle(store)
        result["writes"][write_name] = {
            "apply_ms": _ms(statistics.median(applied)),
            "first_read_ms": {
                name: {"median": _ms(statistics.median(times)), "max": _ms(max(times))} for name, times in first.items()
            },
        }
    return result


def _table(size: str, runs: dict[str, Any]) -> str:
    labels = list(runs)
    lines = [f"# One write, then the first read of each derived index ({size})", ""]
    for label, run in runs.items():
        lines.append(
            f"- **{label}**: {run['when']}, {run['entities']:,} entities, {run['relations']:,} relations, "
            f"{run['reps']} reps, load average {run['load']}, commit {run['commit']}"
        )
    lines += ["", "Milliseconds; each cell is the median (and slowest) of the reps.", ""]
    head = "| index | " + " | ".join(f"cold, {label}" for label in labels) + " |"
    lines += ["## Cold build (every derived index dropped)", "", head, "|---|" + "---|" * len(labels)]
    for name in INDEXES:
        lines.append(
            f"| {name} | " + " | ".join(f"{runs[label]['result']['cold_ms'].get(name, '')}" for label in labels) + " |"
        )
    for write_name in WRITES:
        if not any(write_name in run["result"]["writes"] for run in runs.values()):
            continue
        lines += ["", f"## {write_name}", ""]
        lines.append("| first read of | " + " | ".join(labels) + " |")
        lines.append("|---|" + "---|" * len(labels))
        applied = [runs[label]["result"]["writes"].get(write_name, {}).get("apply_ms", "") for label in labels]
        lines.append("| (the write itself) | " + " | ".join(str(a) for a in applied) + " |")
        for name in INDEXES:
            cells = []
            for label in labels:
                cell = runs[label]["result"]["writes"].get(write_name, {}).get("first_read_ms", {}).get(name)
                cells.append(f"{cell['median']} ({cell['max']})" if cell else "")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    head = ROOT.parent / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            return (ROOT.parent / ".git" / ref[5:]).read_text().strip()[:10]
        return ref[:10]
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m bench.derived [--size 100k] [--reps 5] [--label after] [--writes 0,4] [--no-save]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.derived", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=list(SIZES), help="generated graph (default 100k)")
    parser.add_argument("--reps", type=int, default=5, help="writes per (write, index) pair (default 5)")
    parser.add_argument("--label", default="after", help="the column these numbers go in (default 'after')")
    parser.add_argument("--writes", default=None, help="numbers of the writes to measure, e.g. 0,4 (default all)")
    parser.add_argument("--no-save", action="store_true", help="print only; write no results file")
    args = parser.parse_args(argv)
    store = load_directory(_dataset(args.size))
    store.prepare()
    only = [int(n) for n in args.writes.split(",")] if args.writes else None
    result = measure(store, args.reps, only=only)
    run = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "entities": len(store),
        "relations": store.relation_count,
        "reps": args.reps,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "commit": _commit(),
        "result": result,
    }
    runs: dict[str, Any] = {args.label: run}
    out = ROOT / "results" / f"derived-{args.size}"
    if not args.no_save:
        saved = out.with_suffix(".json")
        if saved.exists():
            runs = {**json.loads(saved.read_text()), args.label: run}
        saved.write_text(json.dumps(runs, indent=2) + "\n")
    text = _table(args.size, runs)
    if not args.no_save:
        out.with_suffix(".md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
