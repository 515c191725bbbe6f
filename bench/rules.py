"""What the editorial rules (:mod:`graph.checks`) cost a load.

Run as ``python -m bench.rules DIR [--runs N]``: loads ``DIR`` alternately
with the rules and with them switched off (the loader's calls replaced by
no-ops), ``N`` times each, and prints one JSON object with the best and
median seconds of each and the difference.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import oversight_graph.graph.load as load
from oversight_graph.graph.load import load_directory

__all__ = ["measure"]


def _timed(directory: Path) -> float:
    gc.collect()
    start = time.perf_counter()
    load_directory(directory)
    return time.perf_counter() - start


def measure(directory: Path, runs: int) -> dict[str, Any]:
    """Seconds to load ``directory`` with and without the editorial rules."""
    checked, unchecked = [], []
    rules = (load.entity_problems, load.relation_problems)
    for _ in range(runs):
        checked.append(_timed(directory))
        load.entity_problems = lambda entity: []  # type: ignore[assignment]
        load.relation_problems = lambda relation, entity: []  # type: ignore[assignment]
        try:
            unchecked.append(_timed(directory))
        finally:
            load.entity_problems, load.relation_problems = rules
    best_on, best_off = min(checked), min(unchecked)
    return {
        "directory": str(directory),
        "runs": runs,
        "with_rules_s": {"best": round(best_on, 3), "median": round(statistics.median(checked), 3)},
        "without_rules_s": {"best": round(best_off, 3), "median": round(statistics.median(unchecked), 3)},
        "rules_cost_best_s": round(best_on - best_off, 3),
        "rules_cost_best_pct": round(100 * (best_on - best_off) / best_off, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m bench.rules DIR [--runs N]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.rules", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="a data directory (e.g. one bench.generate wrote)")
    parser.add_argument("--runs", type=int, default=3, help="loads with and without the rules (default 3)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.directory, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
