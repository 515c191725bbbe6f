"""Editorial rules: each catches its mistake, with file and record, and nothing else."""

from __future__ import annotations

from pathlib import Path

from oversight_graph.graph.checks import RULES, entity_problems, relation_problems
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.sample import sample_store
from tests.graph.test_load import DOCUMENT, ORGS, RELATION, problems_of, write

SEED = Path(__file__).resolve().parent.parent.parent / "seed"

MODEL = """
[[model]]
key = "model/m"
name = "M"
description = "A model."
access_status = "SUSPENDED"
[[model.citation]]
document = "doc/a"
paragraph = 3
claim = "M was shut off."
confidence = "REPORTED"
attribution = { kind = "REPORTING" }
supports = ["access_status"]
"""

ENDED_ORG = """
[[organization]]
key = "org/old"
name = "Old Administration"
description = "A past administration."
category = "ADMINISTRATION"
ended = { date = "2025-01-20", inferred = ["year", "month", "day"] }
inferred = ["ended"]
[[organization.citation]]
document = "doc/a"
paragraph = 4
claim = "Editors' background knowledge: it left office on this day."
confidence = "INFERRED"
attribution = { kind = "BACKGROUND_KNOWLEDGE" }
supports = ["ended"]
"""


def base(tmp_path: Path, **extra: str) -> Path:
    return write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS, "relations/a.toml": RELATION, **extra})


def test_the_fixtures_themselves_load(tmp_path):
    store = load_directory(base(tmp_path, **{"models.toml": MODEL, "old.toml": ENDED_ORG}))
    assert store.entity("model/m").access_status.name == "SUSPENDED"
    assert str(store.entity("org/old").ended) == "2025-01-20"


def test_a_fact_field_no_citation_supports(tmp_path):
    base(tmp_path, **{"models.toml": MODEL.replace('supports = ["access_status"]\n', "")})
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "models.toml: model #1 'model/m': access_status: unsupported-field: SUSPENDED is not supported by any "
        "citation; name 'access_status' in a citation's `supports`, or list it under `inferred`"
    )


def test_a_fact_field_only_an_inference_supports_must_be_marked_inferred(tmp_path):
    base(tmp_path, **{"models.toml": MODEL.replace('confidence = "REPORTED"', 'confidence = "INFERRED"')})
    (problem,) = problems_of(tmp_path)
    assert problem.endswith(
        "access_status: unsupported-field: SUSPENDED is supported only by INFERRED citations; "
        "list 'access_status' under `inferred`"
    )
    marked = MODEL.replace('confidence = "REPORTED"', 'confidence = "INFERRED"').replace(
        'access_status = "SUSPENDED"\n', 'access_status = "SUSPENDED"\ninferred = ["access_status"]\n'
    )
    load_directory(base(tmp_path, **{"models.toml": marked}))


def test_a_default_value_states_nothing_and_needs_no_support(tmp_path):
    load_directory(
        base(
            tmp_path,
            **{"models.toml": MODEL.replace("SUSPENDED", "UNKNOWN").replace('supports = ["access_status"]\n', "")},
        )
    )


def test_supports_must_name_a_field_of_the_record(tmp_path):
    base(
        tmp_path,
        **{"models.toml": MODEL.replace('supports = ["access_status"]', 'supports = ["access_status", "category"]')},
    )
    (problem,) = problems_of(tmp_path)
    assert problem.endswith(
        "citation[0].supports: 'category' is not a field this record has; expected one of access_status, release_date"
    )


def test_a_relation_citation_names_no_fields(tmp_path):
    base(tmp_path, **{"relations/a.toml": RELATION + 'supports = ["country"]\n'})
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("citation[0].supports: only an entity's citations name the fields they support")


def test_a_relation_only_inferred_citations_support(tmp_path):
    base(
        tmp_path,
        **{"relations/a.toml": RELATION.replace('confidence = "ANONYMOUS_SOURCES"', 'confidence = "INFERRED"')},
    )
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "relations/a.toml: relation #1 (org/y OVERSEES org/x): citation: inferred-only: every citation is INFERRED "
        "and none is the editors' BACKGROUND_KNOWLEDGE; cite a paragraph that states it, or say that it is the "
        "editors' knowledge"
    )


def test_background_knowledge_makes_an_inferred_relation_honest(tmp_path):
    background = RELATION.replace('confidence = "ANONYMOUS_SOURCES"', 'confidence = "INFERRED"').replace(
        'attribution = { kind = "ANONYMOUS_SOURCES", text = "two officials", count = 2 }',
        'attribution = { kind = "BACKGROUND_KNOWLEDGE" }',
    )
    store = load_directory(base(tmp_path, **{"relations/a.toml": background}))
    (relation,) = store.relations_of("org/x")
    assert relation.citations[0].attribution.kind.name == "BACKGROUND_KNOWLEDGE"


def test_background_knowledge_is_never_reported_with_more_confidence(tmp_path):
    overstated = RELATION.replace(
        'attribution = { kind = "ANONYMOUS_SOURCES", text = "two officials", count = 2 }',
        'attribution = { kind = "BACKGROUND_KNOWLEDGE" }',
    )
    base(tmp_path, **{"relations/a.toml": overstated})
    (problem,) = problems_of(tmp_path)
    assert problem.endswith(
        "citation[0].confidence: background-confidence: a BACKGROUND_KNOWLEDGE citation is the editors' "
        "knowledge, not the source's statement; its confidence must be INFERRED, not ANONYMOUS_SOURCES"
    )


def test_an_inferred_mark_on_a_field_without_a_value(tmp_path):
    base(
        tmp_path,
        **{
            "models.toml": MODEL.replace(
                'access_status = "SUSPENDED"\n', 'access_status = "SUSPENDED"\ninferred = ["release_date"]\n'
            )
        },
    )
    (problem,) = problems_of(tmp_path)
    assert problem.endswith(
        "inferred: inferred-without-value: 'release_date' is listed but the entity has no release_date"
    )


LASTING = """
[[relation]]
subject = "org/x"
type = "PART_OF"
object = "org/old"
{valid_to}
[[relation.citation]]
document = "doc/a"
paragraph = 4
claim = "X belonged to the old administration."
confidence = "REPORTED"
attribution = {{ kind = "REPORTING" }}
"""


def test_a_lasting_relation_with_an_organization_that_ended_needs_a_valid_to(tmp_path):
    base(tmp_path, **{"old.toml": ENDED_ORG, "relations/b.toml": LASTING.format(valid_to="")})
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "relations/b.toml: relation #1 (org/x PART_OF org/old): valid_to: ended-without-valid-to: 'org/old' ceased "
        "to exist (2025-01-20), but this PART_OF has no valid_to and so reads as still true"
    )


def test_a_valid_to_after_the_end_is_refused_and_one_before_it_loads(tmp_path):
    base(tmp_path, **{"old.toml": ENDED_ORG, "relations/b.toml": LASTING.format(valid_to='valid_to = "2025-03"')})
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("valid_to: ended-without-valid-to: 2025-03 is after 'org/old' ceased to exist (2025-01-20)")
    base(tmp_path, **{"relations/b.toml": LASTING.format(valid_to='valid_to = "2025-01-20"')})
    assert len(load_directory(tmp_path)) == 4


def test_an_act_by_an_organization_that_ended_needs_no_valid_to(tmp_path):
    act = LASTING.format(valid_to="").replace(
        'subject = "org/x"\ntype = "PART_OF"\nobject = "org/old"',
        'subject = "org/old"\ntype = "CREATED"\nobject = "org/x"',
    )
    load_directory(base(tmp_path, **{"old.toml": ENDED_ORG, "relations/b.toml": act}))


def test_the_rules_are_plain_functions_of_records():
    store = sample_store()
    assert all(entity_problems(e) == [] for e in store.entities())
    assert all(relation_problems(r, store.get) == [] for r in store.relations())
    assert set(RULES) == {
        "unsupported-field",
        "inferred-only",
        "background-confidence",
        "inferred-without-value",
        "ended-without-valid-to",
    }


def test_the_bundled_seed_passes_every_rule():
    store = load_directory(SEED)
    assert [p for e in store.entities() for p in entity_problems(e)] == []
    assert [p for r in store.relations() for p in relation_problems(r, store.get)] == []
