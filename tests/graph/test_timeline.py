from __future__ import annotations

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.load import build_store
from oversight_graph.graph.sample import relation_record, sample_records, sample_store
from oversight_graph.graph.timeline import Boundary, timeline


def test_whole_graph_timeline_is_chronological():
    entries = timeline(sample_store())
    assert [e.sort_key for e in entries] == sorted(e.sort_key for e in entries)
    assert [str(e.date) for e in entries] == ["2026-04", "2026-06-02", "2026-06-02"]


def test_timeline_of_one_entity_and_range():
    store = sample_store()
    assert [e.summary for e in timeline(store, "person/donald-trump")] == [
        "Donald Trump signed the AI model review order"
    ]
    assert timeline(store, end=PartialDate.parse("2026-03")) == []
    assert [
        str(e.date) for e in timeline(store, start=PartialDate.parse("2026-04-15"), end=PartialDate.parse("2026-05"))
    ] == ["2026-04"]


def test_relation_start_and_end_are_both_on_the_timeline():
    records = sample_records() + [
        relation_record("org/meta", "NEGOTIATES_WITH", "org/caisi", valid_from="2026-01", valid_to="2026-03-15")
    ]
    entries = timeline(build_store(records), "org/caisi")
    assert [(str(e.date), e.boundary) for e in entries] == [
        ("2026-01", Boundary.STARTED),
        ("2026-03-15", Boundary.ENDED),
    ]
    assert entries[1].summary.startswith("Ended: Meta negotiates with")
    assert entries[0].citations == entries[0].relation.citations


def test_inferred_dates_say_so():
    (release,) = [e for e in timeline(sample_store()) if e.entity.key == "model/muse-spark"]
    assert release.date.is_inferred
