"""The rules benchmark measures both ways and leaves the rules switched on."""

from __future__ import annotations

from pathlib import Path

import oversight_graph.graph.load as load
from bench.rules import measure
from oversight_graph.graph.checks import entity_problems, relation_problems

SEED = Path(__file__).resolve().parent.parent.parent / "seed"


def test_measures_with_and_without_the_rules_and_restores_them():
    result = measure(SEED, runs=1)
    assert result["with_rules_s"]["best"] > 0 and result["without_rules_s"]["best"] > 0
    assert (load.entity_problems, load.relation_problems) == (entity_problems, relation_problems)
