"""Timelines accept any valid date as a bound, down to year 1."""

from __future__ import annotations

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.timeline import timeline


def test_a_start_in_year_one_is_a_bound_like_any_other(seed_store: GraphStore) -> None:
    everything = timeline(seed_store)
    assert timeline(seed_store, start=PartialDate.parse("0001")) == everything
    assert timeline(seed_store, start=PartialDate.parse("0001-01-01"), end=PartialDate.parse("2010")) == []
    one = next(key for key in ("model/muse-spark", "org/meta") if key in seed_store)
    assert timeline(seed_store, one, PartialDate.parse("0001"), PartialDate.parse("2010")) == []
