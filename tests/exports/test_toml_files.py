"""Seed-format TOML: what it writes loads back to the very same graph and passes `oversight check`."""

from __future__ import annotations

import io
import tomllib

from oversight_graph.exports import FORMATS, Snapshot, write
from oversight_graph.exports.toml_files import FILE_NAMES, RELATIONS_FILE
from oversight_graph.graph.load import build_store, load_directory
from oversight_graph.graph.sample import SAMPLE_DOCUMENT, cite, entity_record, relation_record
from oversight_graph.graph.store import GraphStore
from oversight_graph.server.cli import main


def same_graph(a: GraphStore, b: GraphStore) -> None:
    assert {e.key: e for e in a.entities()} == {e.key: e for e in b.entities()}
    assert {r.key: r for r in a.relations()} == {r.key: r for r in b.relations()}


def test_a_toml_directory_reloads_to_the_same_graph(any_store, tmp_path):
    written = write(Snapshot.of(any_store), FORMATS["toml"], tmp_path / "out")
    names = {path.name for path, _size in written}
    assert RELATIONS_FILE in names and names <= {*FILE_NAMES.values(), RELATIONS_FILE}
    same_graph(any_store, load_directory(tmp_path / "out"))


def test_the_single_toml_stream_is_one_loadable_seed_file(any_store, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "graph.toml").write_bytes(b"".join(FORMATS["toml"].stream(Snapshot.of(any_store))))
    same_graph(any_store, load_directory(tmp_path / "one"))


def test_every_detail_survives_the_round_trip(tmp_path):
    # Inferred date parts on each kind of date, valid_to, every qualifier,
    # attribution counts and speakers, aliases, Wikidata ids, inferred fields.
    store = build_store(
        [
            entity_record("document", SAMPLE_DOCUMENT, "Doc", title="A title", paragraphs=9, published="2026-06"),
            entity_record(
                "organization",
                "org/a",
                "A",
                category="COMPANY",
                aliases=["Ay", "A Corp"],
                wikidata="Q1",
                country="US",
                major_ai_developer=True,
                inferred=["country"],
            ),
            entity_record("person", "person/p", "P Q", inferred=["name"]),
            entity_record("order", "order/o", "O", date_signed={"date": "2026-06-02", "inferred": ["year", "day"]}),
            relation_record(
                "order/o",
                "GRANTS_REVIEW_WINDOW_TO",
                "org/a",
                qualifiers={
                    "days_allowed": 30,
                    "minutes_allowed": 90,
                    "deadline": {"date": "2026-07", "inferred": ["year"]},
                    "role": "r",
                    "channel": "c",
                    "purpose": "p",
                    "reason": 'why "quoted"\nand a new line',
                    "note": "n",
                },
                valid_from={"date": "2026-06-02", "inferred": ["year"]},
                valid_to="2027",
                citation=[
                    cite(2, "Two say so.", "ANONYMOUS_SOURCES")
                    | {"attribution": {"kind": "ANONYMOUS_SOURCES", "text": "two", "count": 2}},
                    cite(3, "P says so.", "ON_THE_RECORD")
                    | {"attribution": {"kind": "NAMED_PERSON", "text": "P", "speaker": "person/p"}},
                ],
            ),
        ]
    )
    write(Snapshot.of(store), FORMATS["toml"], tmp_path / "out")
    again = load_directory(tmp_path / "out")
    same_graph(store, again)
    order = again.entity("order/o")
    assert {p.value for p in order.date_signed.inferred} == {"year", "day"}  # type: ignore[attr-defined]


def test_oversight_check_accepts_the_export(seed_store, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert main(["export", "--format", "toml", str(tmp_path / "out")], out, err) == 0, err.getvalue()
    assert f"{tmp_path / 'out' / RELATIONS_FILE}:" in out.getvalue()
    out = io.StringIO()
    assert main(["check", str(tmp_path / "out")], out, err) == 0
    assert f"valid: {len(seed_store)} entities, {seed_store.relation_count} relations" in out.getvalue()


def test_records_read_like_the_seed(seed_snapshot):
    text = b"".join(FORMATS["toml"].stream(seed_snapshot)).decode()
    document = tomllib.loads(text)
    meta = next(r for r in document["organization"] if r["key"] == "org/meta")
    assert meta["wikidata"] == "Q380" and meta["category"] == "COMPANY" and meta["major_ai_developer"] is True
    assert len(document["relation"]) == len(seed_snapshot.relations)
