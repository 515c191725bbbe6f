"""The benchmark graph generator: valid, deterministic, and shaped like the real data."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import orjson
import pytest

from bench.generate import KIND_SHARES, MIN_ENTITIES, SHARD_ENTITIES, STEMS, GenerationSummary, _layout, generate, main
from oversight_graph.graph.dates import DatePrecision
from oversight_graph.graph.enums import AttributionKind, Confidence, Kind
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.model import QUALIFIER_FIELDS, kind_of_key
from oversight_graph.graph.paths import shortest_path
from oversight_graph.graph.queries import companies_without_agreement, search, stats
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.vocabulary import RelationType

SIZE = 3000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationSummary, Path]:
    out = tmp_path_factory.mktemp("bench") / "graph"
    return generate(SIZE, out), out


@pytest.fixture(scope="module")
def summary(generated: tuple[GenerationSummary, Path]) -> GenerationSummary:
    return generated[0]


@pytest.fixture(scope="module")
def store(generated: tuple[GenerationSummary, Path]) -> GraphStore:
    return load_directory(generated[1])


def digests(directory: Path) -> dict[str, str]:
    """File name → SHA-256 of every file in ``directory``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def relation_lines(directory: Path) -> list[dict]:
    return [orjson.loads(line) for p in sorted(directory.glob("relations-*.jsonl")) for line in p.open("rb")]


# -- validity and bookkeeping ---------------------------------------------------------


def test_loads_and_the_summary_counts_what_was_loaded(summary, store):
    counted = stats(store)
    assert {kind.section: n for kind, n in counted.entities.items()} == summary.entity_counts
    assert {type_.name: n for type_, n in counted.relations.items()} == summary.relation_counts
    assert counted.entity_total == summary.entities == SIZE
    assert counted.relation_total == summary.relations


def test_summary_json_holds_the_summary_without_timing(generated):
    summary, out = generated
    saved = orjson.loads((out / "summary.json").read_bytes())
    assert saved == orjson.loads(summary.to_json())
    assert "seconds" not in saved
    assert saved["files"] == {p.name: p.stat().st_size for p in sorted(out.glob("*.jsonl"))}
    assert saved["total_bytes"] == sum(saved["files"].values())
    assert saved["file_lines"] == {p.name: len(p.read_bytes().splitlines()) for p in sorted(out.glob("*.jsonl"))}


def test_the_smallest_graph_loads_with_every_kind_and_type(tmp_path):
    summary = generate(MIN_ENTITIES, tmp_path)
    counted = stats(load_directory(tmp_path))
    assert all(counted.entities[kind] > 0 for kind in Kind)
    assert all(counted.relations[type_] > 0 for type_ in RelationType)
    assert counted.relation_total == summary.relations


def test_too_small_a_graph_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least"):
        generate(MIN_ENTITIES - 1, tmp_path)


def test_no_relation_is_written_twice_or_joins_an_entity_to_itself(generated):
    lines = relation_lines(generated[1])
    keys = Counter((r["subject"], r["type"], r["object"], str(r.get("valid_from"))) for r in lines)
    assert keys.most_common(1)[0][1] == 1
    assert all(r["subject"] != r["object"] for r in lines)


# -- determinism ------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path):
    generate(600, tmp_path / "a", seed=7)
    generate(600, tmp_path / "b", seed=7)
    first = digests(tmp_path / "a")
    assert "summary.json" in first and len(first) == 3
    assert first == digests(tmp_path / "b")


def test_another_seed_gives_another_graph(tmp_path):
    generate(600, tmp_path / "a", seed=7)
    generate(600, tmp_path / "b", seed=8)
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_output_does_not_depend_on_the_number_of_processes(tmp_path):
    one = generate(1200, tmp_path / "one", workers=1, shard_entities=400)
    two = generate(1200, tmp_path / "two", workers=2, shard_entities=400)
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    assert sorted(one.files) == [f"{part}-{n:03d}.jsonl" for part in ("entities", "relations") for n in range(3)]
    assert one == two


def test_a_new_run_replaces_the_shards_of_an_earlier_one(tmp_path):
    generate(1200, tmp_path, shard_entities=400)
    summary = generate(600, tmp_path, shard_entities=400)
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == sorted(summary.files)
    assert len(load_directory(tmp_path)) == 600


# -- shape --------------------------------------------------------------------------------


def test_kinds_come_in_realistic_proportions(summary):
    for kind, share in KIND_SHARES.items():
        assert summary.entity_counts[kind.section] / SIZE == pytest.approx(share / 100, abs=0.005)


def test_about_five_relations_per_entity(summary, store):
    assert 4.7 <= store.relation_count / len(store) <= 5.3
    assert summary.relation_counts == {t.name: summary.relation_counts[t.name] for t in RelationType}


def test_hubs_have_many_times_the_average_degree(summary, store):
    average = 2 * store.relation_count / len(store)
    for hub in summary.hubs:
        assert store.degree(hub) >= 3 * average, hub
        assert store.degree(hub) >= 0.01 * SIZE, hub
    assert summary.hub == "org/caisi" and "org/caisi" in summary.agencies
    assert store.degree("org/caisi") == max(store.degree(a) for a in summary.agencies)


def test_caisi_has_signed_agreements_with_some_major_developers_only(summary, store):
    missing = {org.key for org in companies_without_agreement(store)}
    assert missing == set(summary.developers_without_agreement)
    assert set(summary.major_developers) - missing, "some major developers have signed"
    agreements = [r for r in store.out_relations("org/caisi") if r.type is RelationType.COUNTERPARTY_TO]
    assert len(agreements) >= 0.005 * SIZE


def test_far_pair_is_joined_only_by_a_long_path(summary, store):
    source, target = summary.far_pair
    path = shortest_path(store, source, target, max_length=summary.far_pair_length)
    assert path is not None
    assert path.length == summary.far_pair_length >= 100
    assert shortest_path(store, source, target, max_length=summary.far_pair_length - 1) is None


def test_chains_are_long_lines(summary, store):
    assert len(summary.chains) >= 2
    for chain in summary.chains:
        assert chain["entities"] >= 50
        assert store.degree(chain["tail"]) == 1


# -- provenance, dates and qualifiers -------------------------------------------------------


def test_every_record_is_cited_with_every_kind_of_attribution(store):
    citations = [c for e in store.entities() for c in e.citations] + [c for r in store.relations() for c in r.citations]
    assert all(e.citations for e in store.entities() if e.kind is not Kind.DOCUMENT)
    assert all(r.citations for r in store.relations())
    assert {c.confidence for c in citations} == set(Confidence)
    assert {c.attribution.kind for c in citations} == set(AttributionKind)
    for cite in citations:
        who = cite.attribution
        if who.kind is AttributionKind.NAMED_PERSON:
            assert kind_of_key(who.speaker) is Kind.PERSON
        elif who.kind is AttributionKind.NAMED_ORGANIZATION:
            assert kind_of_key(who.speaker) is Kind.ORGANIZATION
    anonymous = [c.attribution for c in citations if c.attribution.kind is AttributionKind.ANONYMOUS_SOURCES]
    assert all(a.text for a in anonymous) and any(a.source_count for a in anonymous)


def test_dates_of_every_precision_some_inferred(store):
    dates = [e.date for e in store.entities() if e.date is not None]
    assert {d.precision for d in dates} == set(DatePrecision)
    assert any(d.is_inferred for d in dates)
    assert any(r.valid_from is not None and r.valid_from.is_inferred for r in store.relations())


def test_some_relations_have_a_validity_period(store):
    dated = [r for r in store.relations() if r.valid_from is not None]
    ended = [r for r in dated if r.valid_to is not None]
    assert 0.05 * store.relation_count < len(dated) < 0.5 * store.relation_count
    assert ended and all(r.valid_to.earliest() > r.valid_from.latest() for r in ended)
    assert all(r.valid_from is not None or r.valid_to is None for r in store.relations())


def test_every_qualifier_is_used(store):
    used = {name for r in store.relations() for name in QUALIFIER_FIELDS if getattr(r.qualifiers, name) is not None}
    assert used == set(QUALIFIER_FIELDS)


# -- names --------------------------------------------------------------------------------


def test_keys_are_slugs_of_distinct_names(store):
    hand_named = []
    for entity in store.entities():
        slug = re.sub(r"[^a-z0-9.]+", "-", entity.name.lower()).strip("-")
        if entity.key != f"{entity.kind.prefix}/{slug}":
            hand_named.append(entity)
    assert {e.kind for e in hand_named} == {Kind.ORGANIZATION} and len(hand_named) < 20
    assert "org/caisi" in {e.key for e in hand_named}
    for kind in Kind:
        assert len({e.name for e in store.entities(kind)}) == store.count(kind)
    assert sum(1 for e in store.entities() if e.aliases) > 0.05 * SIZE


def test_keys_stay_unique_at_a_million_entities():
    assert len(set(STEMS)) == len(STEMS)
    layout = _layout(1_000_000, 42, SHARD_ENTITIES)
    for kind in Kind:
        # Every entity gets its own word combination: no lap numbers are needed.
        assert layout.namers[kind].capacity >= layout.counts[kind]
    keys = {layout.label(kind, i)[0] for kind in Kind for i in range(0, layout.counts[kind], 7)}
    assert len(keys) == sum(len(range(0, layout.counts[kind], 7)) for kind in Kind)


def test_samples_exist_and_search_terms_are_selective(summary, store):
    for section, key in summary.sample_keys.items():
        assert store.entity(key).kind.section == section
    organization = store.entity(summary.sample_keys["organization"])
    assert search(store, organization.name)[0].entity.key == organization.key
    for term in summary.search_terms:
        hits = search(store, term, limit=SIZE)
        assert 1 <= len(hits) <= 0.01 * SIZE, term


# -- command line -------------------------------------------------------------------------


def test_command_line_prints_one_line_and_writes_the_summary(tmp_path, capsys):
    assert main(["--entities", "400", "--out", str(tmp_path), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "400 entities" in printed and "relations" in printed
    saved = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert saved["seed"] == 3 and saved["entities"] == 400
