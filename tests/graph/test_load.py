"""The loader: valid data loads; each kind of bad data is reported precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import orjson
import pytest

from oversight_graph.graph.errors import DataError, ValidationFailed
from oversight_graph.graph.load import load_directory

DOCUMENT = """
[[document]]
key = "doc/a"
name = "Article A"
title = "Article A"
description = "A test article."
paragraphs = 5
"""

ORGS = """
[[organization]]
key = "org/x"
name = "X Corp"
description = "A company."
category = "COMPANY"
[[organization.citation]]
document = "doc/a"
paragraph = 1
claim = "X exists."
confidence = "REPORTED"
attribution = { kind = "REPORTING" }

[[organization]]
key = "org/y"
name = "Y Agency"
description = "An agency."
category = "GOVERNMENT_AGENCY"
[[organization.citation]]
document = "doc/a"
paragraph = 1
claim = "Y exists."
confidence = "REPORTED"
attribution = { kind = "REPORTING" }
"""

RELATION = """
[[relation]]
subject = "org/y"
type = "OVERSEES"
object = "org/x"
[[relation.citation]]
document = "doc/a"
paragraph = 2
claim = "Y oversees X."
confidence = "ANONYMOUS_SOURCES"
attribution = { kind = "ANONYMOUS_SOURCES", text = "two officials", count = 2 }
"""


def write(directory: Path, **files: str) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as failure:
        load_directory(directory)
    return [str(p) for p in failure.value.problems]


def valid(tmp_path: Path, relation: str = RELATION) -> Path:
    return write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS, "relations/a.toml": relation})


def test_valid_directory_loads(tmp_path):
    store = load_directory(valid(tmp_path))
    assert len(store) == 3
    (relation,) = store.relations_of("org/x")
    assert relation.key == "org/y|OVERSEES|org/x"
    (citation,) = relation.citations
    assert (citation.paragraph, citation.attribution.source_count) == (2, 2)


def test_jsonl_records_go_through_the_same_validation(tmp_path):
    lines = [
        {"record": "document", "key": "doc/a", "name": "A", "title": "A", "description": "d", "paragraphs": 3},
        {
            "record": "organization",
            "key": "org/x",
            "name": "X",
            "description": "d",
            "category": "COMPANY",
            "citation": [
                {
                    "document": "doc/a",
                    "paragraph": 9,
                    "claim": "c",
                    "confidence": "REPORTED",
                    "attribution": {"kind": "REPORTING"},
                }
            ],
        },
    ]
    (tmp_path / "bulk.jsonl").write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    assert problems_of(tmp_path) == [
        "bulk.jsonl: organization at line 2 'org/x': citation[0].paragraph: 'doc/a' has paragraphs 1-3; there is no paragraph 9"
    ]


def test_unknown_record_kind(tmp_path):
    write(valid(tmp_path), **{"extra.toml": '[[organisation]]\nkey = "org/z"\n'})
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("extra.toml: [organisation]: unknown record type; expected one of [[organization]]")


def test_unknown_relation_type(tmp_path):
    valid(tmp_path, RELATION.replace("OVERSEES", "SUPERVISES"))
    (problem,) = problems_of(tmp_path)
    assert "relation #1 (org/y SUPERVISES org/x): type: 'SUPERVISES' is not one of PART_OF" in problem


def test_duplicate_key_names_both_places(tmp_path):
    write(valid(tmp_path), **{"more.toml": ORGS.split("[[organization]]")[1].join(["[[organization]]", ""])})
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "orgs.toml: organization #1 'org/x': key: duplicate key 'org/x'; first defined in more.toml: organization #1 'org/x'"
    )


def test_dangling_reference(tmp_path):
    valid(tmp_path, RELATION.replace('object = "org/x"', 'object = "org/ghost"'))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("object: refers to 'org/ghost', which is not defined in the data")


def test_relation_without_citation(tmp_path):
    valid(tmp_path, RELATION.split("[[relation.citation]]")[0])
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation: at least one citation is required")


def test_citation_to_unknown_document(tmp_path):
    valid(tmp_path, RELATION.replace('document = "doc/a"', 'document = "doc/b"'))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation[0].document: refers to 'doc/b', which is not defined in the data")


def test_citation_to_a_paragraph_the_document_lacks(tmp_path):
    valid(tmp_path, RELATION.replace("paragraph = 2", "paragraph = 6"))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation[0].paragraph: 'doc/a' has paragraphs 1-5; there is no paragraph 6")


def test_citation_document_must_be_a_document(tmp_path):
    valid(tmp_path, RELATION.replace('document = "doc/a"', 'document = "org/x"'))
    with pytest.raises(ValidationFailed) as failure:
        load_directory(tmp_path)
    assert [p.message for p in failure.value.problems] == ["'org/x' is an organization; expected a document"]


def test_malformed_date(tmp_path):
    valid(tmp_path, RELATION.replace('object = "org/x"', 'object = "org/x"\nvalid_from = "2026-02-30"'))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("valid_from: day 30 is out of range for 2026-02")


def test_bad_enum_value_lists_the_allowed_values(tmp_path):
    valid(tmp_path, RELATION.replace('confidence = "ANONYMOUS_SOURCES"', 'confidence = "CERTAIN"'))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith(
        "citation[0].confidence: 'CERTAIN' is not one of UNCLEAR, INFERRED, ANONYMOUS_SOURCES, ON_THE_RECORD, REPORTED"
    )


def test_wrong_type(tmp_path):
    valid(tmp_path, RELATION.replace("paragraph = 2", 'paragraph = "2"'))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation[0].paragraph: expected a whole number, got str '2'")


def test_unknown_field_is_reported_not_ignored(tmp_path):
    valid(tmp_path, RELATION.replace('type = "OVERSEES"', 'type = "OVERSEES"\nconfidance = "x"'))
    (problem,) = problems_of(tmp_path)
    assert "confidance: unknown field; expected one of" in problem


def test_relation_end_of_the_wrong_kind(tmp_path):
    valid(tmp_path, RELATION.replace("OVERSEES", "DEVELOPED"))
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("object: DEVELOPED needs an object of kind model; 'org/x' is an organization")


def test_key_prefix_must_match_kind(tmp_path):
    write(valid(tmp_path), **{"p.toml": ORGS.replace('key = "org/x"', 'key = "person/x"')})
    problems = problems_of(tmp_path)
    assert any("key: 'person/x' does not start with org/" in p for p in problems)


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    write(valid(tmp_path), **{"broken.toml": '[[organization]]\nkey = "org/z\n'})
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("broken.toml: file: not valid TOML:") and "line 2" in problem


def test_jsonl_syntax_error_names_the_line(tmp_path):
    valid(tmp_path)
    (tmp_path / "bulk.jsonl").write_text('{"record": "person"\n', encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("bulk.jsonl: line 1: not valid JSON")


def test_every_problem_is_reported_in_one_run(tmp_path):
    broken = RELATION.replace("OVERSEES", "SUPERVISES").replace("paragraph = 2", "paragraph = 0")
    write(valid(tmp_path, broken), **{"extra.toml": "[[organisation]]\n"})
    problems = problems_of(tmp_path)
    assert len(problems) == 3
    assert [p.split(": ")[0] for p in problems] == ["extra.toml", "relations/a.toml", "relations/a.toml"]


def test_conflicting_restatement_of_a_relation(tmp_path):
    again = RELATION.replace('object = "org/x"', 'object = "org/x"\nqualifiers = { note = "other" }')
    write(valid(tmp_path), **{"relations/b.toml": again})
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("relations/b.toml: relation #1 (org/y OVERSEES org/x): ")
    assert "conflicts with an earlier statement of relation 'org/y|OVERSEES|org/x'" in problem


def test_restating_a_relation_in_another_file_merges_its_citations(tmp_path):
    again = RELATION.replace("paragraph = 2", "paragraph = 3")
    store = load_directory(write(valid(tmp_path), **{"relations/b.toml": again}))
    (relation,) = store.relations_of("org/y")
    assert [c.paragraph for c in relation.citations] == [2, 3]


def test_not_a_directory(tmp_path):
    with pytest.raises(DataError, match="is not a directory"):
        load_directory(tmp_path / "missing")


def test_directory_without_data_files(tmp_path):
    (tmp_path / "README.md").write_text("notes")
    with pytest.raises(DataError, match="holds no data files"):
        load_directory(tmp_path)


def test_undecodable_file(tmp_path):
    valid(tmp_path)
    (tmp_path / "latin1.toml").write_bytes(b'[[person]]\nname = "M\xfcller"\n')
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("latin1.toml: file: cannot be read as UTF-8 text")


def test_a_bad_value_is_caught_even_after_an_equal_good_one(tmp_path):
    """The bulk path remembers checked values; 1, 1.0 and true must not pass for one another."""
    good = RELATION.replace("count = 2 }", "count = 1 }")
    bad = RELATION.replace('object = "org/x"', 'object = "org/x"\nvalid_from = "2026"').replace(
        "count = 2 }", "count = true }"
    )
    valid(tmp_path, good + bad)
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation[0].attribution.count: expected a whole number, got bool True")


def test_the_bulk_path_builds_the_same_relations_as_the_detailed_checks(tmp_path):
    from oversight_graph.graph.load import RawRecord
    from oversight_graph.graph.records import parse_relation

    store = load_directory(
        valid(
            tmp_path,
            RELATION.replace(
                'object = "org/x"',
                'object = "org/x"\nqualifiers = { note = "n", days_allowed = 3 }\nvalid_from = { date = "2026-04", inferred = ["year"] }',
            ),
        )
    )
    (loaded,) = store.relations()
    data = {
        "subject": "org/y",
        "type": "OVERSEES",
        "object": "org/x",
        "qualifiers": {"note": "n", "days_allowed": 3},
        "valid_from": {"date": "2026-04", "inferred": ["year"]},
        "citation": [
            {
                "document": "doc/a",
                "paragraph": 2,
                "claim": "Y oversees X.",
                "confidence": "ANONYMOUS_SOURCES",
                "attribution": {"kind": "ANONYMOUS_SOURCES", "text": "two officials", "count": 2},
            }
        ],
    }
    detailed = parse_relation(data, RawRecord("relation", data, "x", 1).source, []).relation
    assert loaded == detailed
    assert loaded.key == detailed.key == "org/y|OVERSEES|org/x|2026-04"


def test_a_toml_typo_is_one_problem_that_counts_what_it_hides(tmp_path):
    broken = ORGS.replace('category = "COMPANY"', 'category = "COMPANY')
    write(valid(tmp_path), **{"orgs.toml": broken})
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("orgs.toml: file: not valid TOML:")
    # The relation's subject and object are both defined in the broken file.
    assert problem.endswith(
        "this hides 2 follow-on problems (references to keys defined here), not listed: fix it first"
    )


def test_references_to_keys_defined_nowhere_are_still_listed_next_to_a_typo(tmp_path):
    write(valid(tmp_path), **{"orgs.toml": ORGS.replace('category = "COMPANY"', 'category = "COMPANY')})
    write(tmp_path, **{"relations/b.toml": RELATION.replace('subject = "org/y"', 'subject = "org/ghost"')})
    problems = problems_of(tmp_path)
    assert len(problems) == 2
    assert problems[0].endswith(
        "this hides 3 follow-on problems (references to keys defined here), not listed: fix it first"
    )
    assert problems[1].endswith("subject: refers to 'org/ghost', which is not defined in the data")


def test_a_json_line_typo_hides_the_references_to_its_key(tmp_path):
    only_y = "[[organization]]" + ORGS.split("[[organization]]")[2]
    write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": only_y, "relations/a.toml": RELATION})
    (tmp_path / "bulk.jsonl").write_text('{"record": "organization", "key": "org/x", "name": "X"\n', encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("bulk.jsonl: line 1: not valid JSON")
    assert "this hides 1 follow-on problem (references" in problem
