"""CSV: three tables whose rows are the graph's entities, relations and citations; the zip holds the same files."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from oversight_graph.exports import FORMATS, Snapshot, write
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.model import QUALIFIER_FIELDS


def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def date_of(row: dict[str, str], name: str) -> PartialDate | None:
    if not row[name]:
        return None
    return PartialDate.parse(row[name], row[f"{name}_inferred"].split())


def test_rows_hold_every_record_and_fact(any_store, tmp_path):
    write(Snapshot.of(any_store), FORMATS["csv"], tmp_path)
    entities, relations, citations = (read(tmp_path / f"{n}.csv") for n in ("entities", "relations", "citations"))
    assert len(entities) == len(any_store) and len(relations) == any_store.relation_count
    for row in entities:
        entity = any_store.entity(row["key"])
        assert row["name"] == entity.name and row["kind"] == entity.kind.name
        assert (json.loads(row["aliases"]) if row["aliases"] else []) == list(entity.aliases)
        assert (row["wikidata_id"] or None) == entity.wikidata_id
        assert int(row["citation_count"]) == len(entity.citations)
    for row in relations:
        relation = any_store.relation(row["key"])
        assert (row["subject"], row["type"], row["object"]) == (relation.subject, relation.type.name, relation.object)
        assert date_of(row, "valid_from") == relation.valid_from and date_of(row, "valid_to") == relation.valid_to
        for name, (type_, _meaning) in QUALIFIER_FIELDS.items():
            value = getattr(relation.qualifiers, name)
            if type_ is PartialDate:
                assert date_of(row, name) == value
            else:
                assert row[name] == ("" if value is None else str(value))
    by_owner: dict[str, list[dict[str, str]]] = {}
    for row in citations:
        by_owner.setdefault(row["about"], []).append(row)
    for relation in any_store.relations():
        rows = by_owner[relation.key]
        assert [(r["document"], int(r["paragraph"]), r["claim"]) for r in rows] == [
            (c.document, c.paragraph, c.claim) for c in relation.citations
        ]
        assert [r["source_count"] for r in rows] == [
            "" if c.attribution.source_count is None else str(c.attribution.source_count) for c in relation.citations
        ]
    for entity in any_store.entities():
        rows = by_owner.get(entity.key, [])
        assert [json.loads(r["supports"]) if r["supports"] else [] for r in rows] == [
            list(c.supports) for c in entity.citations
        ]
    total = sum(len(e.citations) for e in any_store.entities()) + sum(len(r.citations) for r in any_store.relations())
    assert len(citations) == total


def test_the_zip_holds_the_same_three_files(seed_snapshot, tmp_path):
    write(seed_snapshot, FORMATS["csv"], tmp_path)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(FORMATS["csv"].stream(seed_snapshot))))
    assert archive.testzip() is None
    assert archive.namelist() == ["entities.csv", "relations.csv", "citations.csv"]
    for name in archive.namelist():
        assert archive.read(name) == (tmp_path / name).read_bytes()
