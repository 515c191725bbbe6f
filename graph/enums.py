"""The closed value sets of the data model, each value with its meaning.

Every enum here carries a one-line ``description`` per member: the loader
quotes the allowed values in its error messages and the API shows the
descriptions in its documentation, so the meaning is written once, here.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = [
    "AccessStatus",
    "AgreementStatus",
    "AttributionKind",
    "Confidence",
    "DescribedEnum",
    "Direction",
    "EventKind",
    "IncidentKind",
    "Kind",
    "OrderKind",
    "OrgCategory",
    "QuestionStatus",
]


class DescribedEnum(Enum):
    """An enum whose members are declared as ``NAME = (value, description)``."""

    description: str

    # Members are singletons compared by identity, so the identity hash is
    # right, and it is computed in C: Enum's own hashes the name in Python,
    # which shows in profiles of loads that look members up millions of times.
    __hash__ = object.__hash__

    def __new__(cls, value: Any, description: str) -> DescribedEnum:
        member = object.__new__(cls)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def from_name(cls, name: str) -> DescribedEnum:
        """Look a member up by its name (``"SIGNED"``), raising ``ValueError``.

        The message lists the allowed names, so a loader can pass it on as is.
        """
        try:
            return cls[name]
        except (KeyError, TypeError):
            allowed = ", ".join(m.name for m in cls)
            raise ValueError(f"{name!r} is not one of {allowed}") from None


class Kind(DescribedEnum):
    """The kinds of entity in the graph; the value is the key prefix."""

    ORGANIZATION = ("org", "A company, government body, news outlet, team or group of people.")
    PERSON = ("person", "A named individual: an official, spokesperson or reporter.")
    AI_MODEL = ("model", "An AI model, such as a large language model, with its developer and access status.")
    ORDER = ("order", "An executive order or directive: who issued it, when, and what it requires.")
    INCIDENT = ("incident", "A disclosed vulnerability, an access shutdown or a similar incident.")
    AGREEMENT = ("agreement", "A voluntary model-review agreement between a company and a government body.")
    EVENT = ("event", "A happening that is none of the other kinds: a request, a statement, talks, a process.")
    DOCUMENT = ("doc", "A source document (a news article) that citations point into, paragraph by paragraph.")
    QUESTION = ("question", "An open question the sources raise: something they say is unclear or undecided.")

    @property
    def prefix(self) -> str:
        """The key prefix of this kind (``org`` in ``org/meta``)."""
        return str(self.value)

    @property
    def section(self) -> str:
        """The record name used in seed files (``organization``, ``model``)."""
        return _SECTIONS[self]


_SECTIONS = {
    Kind.ORGANIZATION: "organization",
    Kind.PERSON: "person",
    Kind.AI_MODEL: "model",
    Kind.ORDER: "order",
    Kind.INCIDENT: "incident",
    Kind.AGREEMENT: "agreement",
    Kind.EVENT: "event",
    Kind.DOCUMENT: "document",
    Kind.QUESTION: "question",
}


class OrgCategory(DescribedEnum):
    """What sort of organization an Organization is."""

    COMPANY = ("company", "A private company.")
    CORPORATE_UNIT = ("corporate_unit", "A team or division inside a company (e.g. a policy team).")
    GOVERNMENT = ("government", "A national government as a whole.")
    GOVERNMENT_DEPARTMENT = ("government_department", "A cabinet-level government department.")
    GOVERNMENT_AGENCY = ("government_agency", "A government agency or office below department level.")
    GOVERNMENT_UNIT = (
        "government_unit",
        "A team or staff inside a government body (e.g. an agency's technical staff).",
    )
    EXECUTIVE_OFFICE = ("executive_office", "The office of a head of state or government (e.g. the White House).")
    ADMINISTRATION = (
        "administration",
        "A head of government's administration: the political leadership for one term, which ends with it.",
    )
    INDUSTRY = (
        "industry",
        "A whole industry or class of companies the source speaks of collectively (e.g. 'tech companies').",
    )
    OFFICIALS = (
        "officials",
        "Government officials the source names only by their field (e.g. 'intelligence and defense officials'): "
        "people, not a body.",
    )
    NEWS_OUTLET = ("news_outlet", "A news organization.")
    RESEARCH_GROUP = ("research_group", "A group of researchers, inside or outside a company.")
    INFORMAL_GROUP = ("informal_group", "Unnamed people the reporting refers to as a group (e.g. industry insiders).")
    OTHER = ("other", "Any other organization.")


class AccessStatus(DescribedEnum):
    """Whether the public can use an AI model."""

    PUBLIC = ("public", "Released and available to the public.")
    RESTRICTED = ("restricted", "Available only to some users.")
    SUSPENDED = ("suspended", "Access was closed after release and has not been restored.")
    UNRELEASED = ("unreleased", "Not yet released to the public.")
    UNKNOWN = ("unknown", "The sources do not say.")


class OrderKind(DescribedEnum):
    """The legal form of an Order."""

    EXECUTIVE_ORDER = ("executive_order", "A presidential executive order.")
    DIRECTIVE = ("directive", "A directive or instruction from a government body.")
    OTHER = ("other", "Any other binding instruction.")


class IncidentKind(DescribedEnum):
    """What sort of incident an Incident is."""

    VULNERABILITY = ("vulnerability", "A security weakness found in a model or system.")
    ACCESS_SHUTDOWN = ("access_shutdown", "Access to a model was closed, voluntarily or on order.")
    OTHER = ("other", "Any other incident.")


class AgreementStatus(DescribedEnum):
    """Where an Agreement stands."""

    PROPOSED = ("proposed", "Asked for or offered, but not under negotiation.")
    NEGOTIATING = ("negotiating", "The parties are negotiating it.")
    AGREED = ("agreed", "The parties have agreed to it; the sources say nothing of a signed document.")
    SIGNED = ("signed", "Reached and signed by the parties.")
    TERMINATED = ("terminated", "It was in force and has ended.")


class EventKind(DescribedEnum):
    """What sort of happening an Event is."""

    REQUEST = ("request", "Someone asked someone else to do something.")
    STATEMENT = ("statement", "A public or on-the-record statement.")
    NEGOTIATION = ("negotiation", "Talks between parties.")
    POLICY = ("policy", "A policy, stance or change of approach pursued by a government or company.")
    PROCESS = ("process", "An ongoing programme or process, such as a review regime.")
    PUBLICATION = ("publication", "Something was published (a paper, a report).")
    PAPER = ("paper", "A paper or report was written; says nothing of whether it was published.")
    OTHER = ("other", "Any other happening.")


class QuestionStatus(DescribedEnum):
    """Whether an open question has been answered by a later source."""

    OPEN = ("open", "The sources say it is unclear or undecided.")
    ANSWERED = ("answered", "A later source answers it.")


class Confidence(DescribedEnum):
    """How firmly a source supports a claim, weakest first.

    The order is used by ``min_confidence`` filters. A claim the document
    makes in its own voice ranks above one attributed to a named speaker,
    because the outlet vouches for it rather than only reporting that
    someone said it.
    """

    UNCLEAR = (0, "The source itself presents the claim as unclear, disputed or undecided.")
    INFERRED = (1, "Not stated by the source; derived by the editors from its context.")
    ANONYMOUS_SOURCES = (2, "Attributed to unnamed people (e.g. 'two government officials').")
    ON_THE_RECORD = (3, "Attributed to a named person or organization speaking on the record.")
    REPORTED = (4, "Stated by the document in its own voice.")

    @property
    def rank(self) -> int:
        """Position in the order above (0 is weakest)."""
        return int(self.value)


class AttributionKind(DescribedEnum):
    """Who a citation says the claim comes from."""

    NAMED_PERSON = ("named_person", "A person named in the source.")
    NAMED_ORGANIZATION = (
        "named_organization",
        "An organization named in the source, e.g. via an unnamed spokesperson.",
    )
    ANONYMOUS_SOURCES = ("anonymous_sources", "People the source does not name.")
    REPORTING = ("reporting", "The document itself, in its own voice.")
    BACKGROUND_KNOWLEDGE = (
        "background_knowledge",
        "The editors' own background knowledge, which the document relies on but does not state; "
        "the citation points at the paragraph that relies on it, and its confidence is INFERRED.",
    )


class Direction(DescribedEnum):
    """Which relations of an entity to follow."""

    OUTGOING = ("out", "Relations where the entity is the subject.")
    INCOMING = ("in", "Relations where the entity is the object.")
    BOTH = ("both", "Relations in either direction.")
