"""A small hand-made graph for examples and doctests.

It is built through the real loader from plain records, so every example
that uses it also exercises validation. It is illustrative, not a copy of
the seed: the seed in ``seed/`` is the data of record.
"""

from __future__ import annotations

from typing import Any

from graph.load import RawRecord, build_store
from graph.records import Source
from graph.store import GraphStore

__all__ = ["sample_records", "sample_store"]

_DOC = "doc/sample"


def _cite(paragraph: int, claim: str, confidence: str = "REPORTED") -> dict[str, Any]:
    return {
        "document": _DOC,
        "paragraph": paragraph,
        "claim": claim,
        "confidence": confidence,
        "attribution": {"kind": "REPORTING"},
    }


def _entity(section: str, key: str, name: str, **fields: Any) -> RawRecord:
    data = {"key": key, "name": name, "description": f"Sample {section} {name}."}
    if section != "document":
        data["citation"] = [_cite(1, f"{name} is mentioned.")]
    data.update(fields)
    return RawRecord(section, data, Source("sample", key))


def _relation(subject: str, type_: str, obj: str, **fields: Any) -> RawRecord:
    data = {"subject": subject, "type": type_, "object": obj, "citation": [_cite(2, f"{subject} {type_} {obj}.")]}
    data.update(fields)
    return RawRecord("relation", data, Source("sample", f"{subject} {type_} {obj}"))


def sample_records() -> list[RawRecord]:
    """The raw records of the sample graph."""
    company = {"category": "COMPANY", "major_ai_developer": True}
    return [
        _entity("document", _DOC, "Sample article", title="Sample article", paragraphs=3),
        _entity("organization", "org/meta", "Meta", **company),
        _entity("organization", "org/openai", "OpenAI", **company),
        _entity("organization", "org/anthropic", "Anthropic", **company),
        _entity("organization", "org/amazon", "Amazon", category="COMPANY"),
        _entity(
            "organization",
            "org/caisi",
            "Center for AI Standards and Innovation",
            aliases=["CAISI", "Center for A.I. Standards and Innovation"],
            category="GOVERNMENT_AGENCY",
        ),
        _entity("organization", "org/commerce-department", "Commerce Department", category="GOVERNMENT_DEPARTMENT"),
        _entity("person", "person/howard-lutnick", "Howard Lutnick"),
        _entity("person", "person/donald-trump", "Donald Trump", aliases=["President Trump"]),
        _entity("model", "model/fable-5", "Fable 5", access_status="SUSPENDED"),
        _entity("model", "model/muse-spark", "Muse Spark", release_date={"date": "2026-04", "inferred": ["year"]}),
        _entity("incident", "incident/fable-5-vulnerability", "Fable 5 vulnerability", incident_kind="VULNERABILITY"),
        _entity("agreement", "agreement/openai-caisi", "OpenAI review agreement", status="SIGNED"),
        _entity("agreement", "agreement/anthropic-caisi", "Anthropic review agreement", status="SIGNED"),
        _entity("order", "order/ai-review-order", "AI model review order", date_signed="2026-06-02"),
        _relation("person/howard-lutnick", "OVERSEES", "org/caisi"),
        _relation("org/caisi", "HOUSED_IN", "org/commerce-department"),
        _relation("org/caisi", "COUNTERPARTY_TO", "agreement/openai-caisi"),
        _relation("org/openai", "PARTY_TO", "agreement/openai-caisi"),
        _relation("org/caisi", "COUNTERPARTY_TO", "agreement/anthropic-caisi"),
        _relation("org/anthropic", "PARTY_TO", "agreement/anthropic-caisi"),
        _relation("org/anthropic", "DEVELOPED", "model/fable-5"),
        _relation("org/meta", "DEVELOPED", "model/muse-spark"),
        _relation("org/amazon", "DISCLOSED", "incident/fable-5-vulnerability", qualifiers={"channel": "paper"}),
        _relation("incident/fable-5-vulnerability", "AFFECTED", "model/fable-5"),
        _relation("person/donald-trump", "SIGNED", "order/ai-review-order", valid_from="2026-06-02"),
    ]


def sample_store() -> GraphStore:
    """Build the sample graph (a fresh store on every call).

    Examples
    --------
    >>> len(sample_store())
    15
    """
    return build_store(sample_records())
