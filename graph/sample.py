"""A small hand-made graph for examples and doctests.

It is built through the real loader from plain records, so every example
that uses it also exercises validation. It is illustrative, not a copy of
the seed: the seed in ``seed/`` is the data of record.
"""

from __future__ import annotations

from typing import Any

from oversight_graph.graph.checks import FACT_FIELDS
from oversight_graph.graph.load import RawRecord, build_store
from oversight_graph.graph.records import SECTIONS
from oversight_graph.graph.store import GraphStore

__all__ = ["SAMPLE_DOCUMENT", "cite", "entity_record", "relation_record", "sample_records", "sample_store"]

SAMPLE_DOCUMENT = "doc/sample"
"""Key of the sample document every sample citation points into."""


def cite(paragraph: int, claim: str, confidence: str = "REPORTED") -> dict[str, Any]:
    """A raw citation of the sample document, attributed to its own reporting.

    An ``INFERRED`` one is attributed to the editors' background knowledge,
    as the editorial rules (:mod:`graph.checks`) ask of an inference.
    """
    kind = "BACKGROUND_KNOWLEDGE" if confidence == "INFERRED" else "REPORTING"
    return {
        "document": SAMPLE_DOCUMENT,
        "paragraph": paragraph,
        "claim": claim,
        "confidence": confidence,
        "attribution": {"kind": kind},
    }


def entity_record(section: str, key: str, name: str, **fields: Any) -> RawRecord:
    """A raw entity record with a description and one citation; ``fields`` override or add.

    The citation supports every fact field given (see :data:`graph.checks.FACT_FIELDS`).
    """
    data: dict[str, Any] = {"key": key, "name": name, "description": f"Sample {section} {name}."}
    if section != "document":
        citation = cite(1, f"{name} is mentioned.")
        kind = SECTIONS[section]
        facts = [field for field in fields if kind is not None and field in FACT_FIELDS[kind]]
        if facts:
            citation["supports"] = facts
        data["citation"] = [citation]
    data.update(fields)
    return RawRecord(section, data, "sample", key)


def relation_record(subject: str, type_: str, obj: str, **fields: Any) -> RawRecord:
    """A raw relation record with one citation; ``fields`` override or add."""
    data = {"subject": subject, "type": type_, "object": obj, "citation": [cite(2, f"{subject} {type_} {obj}.")]}
    data.update(fields)
    return RawRecord("relation", data, "sample", f"{subject} {type_} {obj}")


def sample_records() -> list[RawRecord]:
    """The raw records of the sample graph."""
    company = {"category": "COMPANY", "major_ai_developer": True}
    return [
        entity_record("document", SAMPLE_DOCUMENT, "Sample article", title="Sample article", paragraphs=3),
        entity_record("organization", "org/meta", "Meta", **company),
        entity_record("organization", "org/openai", "OpenAI", **company),
        entity_record("organization", "org/anthropic", "Anthropic", **company),
        entity_record("organization", "org/amazon", "Amazon", category="COMPANY"),
        entity_record(
            "organization",
            "org/caisi",
            "Center for AI Standards and Innovation",
            aliases=["CAISI", "Center for A.I. Standards and Innovation"],
            category="GOVERNMENT_AGENCY",
        ),
        entity_record(
            "organization", "org/commerce-department", "Commerce Department", category="GOVERNMENT_DEPARTMENT"
        ),
        entity_record("person", "person/howard-lutnick", "Howard Lutnick"),
        entity_record("person", "person/donald-trump", "Donald Trump", aliases=["President Trump"]),
        entity_record("model", "model/fable-5", "Fable 5", access_status="SUSPENDED"),
        entity_record(
            "model", "model/muse-spark", "Muse Spark", release_date={"date": "2026-04", "inferred": ["year"]}
        ),
        entity_record(
            "incident", "incident/fable-5-vulnerability", "Fable 5 vulnerability", incident_kind="VULNERABILITY"
        ),
        entity_record("agreement", "agreement/openai-caisi", "OpenAI review agreement", status="SIGNED"),
        entity_record("agreement", "agreement/anthropic-caisi", "Anthropic review agreement", status="SIGNED"),
        entity_record("order", "order/ai-review-order", "AI model review order", date_signed="2026-06-02"),
        relation_record("person/howard-lutnick", "OVERSEES", "org/caisi"),
        relation_record("org/caisi", "HOUSED_IN", "org/commerce-department"),
        relation_record("org/caisi", "COUNTERPARTY_TO", "agreement/openai-caisi"),
        relation_record("org/openai", "PARTY_TO", "agreement/openai-caisi"),
        relation_record("org/caisi", "COUNTERPARTY_TO", "agreement/anthropic-caisi"),
        relation_record("org/anthropic", "PARTY_TO", "agreement/anthropic-caisi"),
        relation_record("org/anthropic", "DEVELOPED", "model/fable-5"),
        relation_record("org/meta", "DEVELOPED", "model/muse-spark"),
        relation_record("org/amazon", "DISCLOSED", "incident/fable-5-vulnerability", qualifiers={"channel": "paper"}),
        relation_record("incident/fable-5-vulnerability", "AFFECTED", "model/fable-5"),
        relation_record("person/donald-trump", "SIGNED", "order/ai-review-order", valid_from="2026-06-02"),
    ]


def sample_store() -> GraphStore:
    """Build the sample graph (a fresh store on every call).

    Examples
    --------
    >>> len(sample_store())
    15
    """
    return build_store(sample_records())
