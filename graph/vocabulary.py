"""The closed vocabulary of relation types.

Each type reads as a verb from subject to object (``org/anthropic DEVELOPED
model/fable-5``) and declares which kinds may stand on each side; the
loader rejects a relation whose ends have other kinds. ``phrase`` is the
verb phrase used to describe a relation in a sentence (timelines, paths).

Adding a type is a deliberate change: add a member here with its
description and kinds, then document it in ``seed/README.md``.
"""

from __future__ import annotations

from graph.enums import DescribedEnum, Kind

__all__ = ["RelationType"]

_ORG = Kind.ORGANIZATION
_PER = Kind.PERSON
_MOD = Kind.AI_MODEL
_ORD = Kind.ORDER
_INC = Kind.INCIDENT
_AGR = Kind.AGREEMENT
_EVT = Kind.EVENT
_DOC = Kind.DOCUMENT
_QST = Kind.QUESTION
_ACTOR = frozenset({_ORG, _PER})
_ANY = frozenset(Kind)


class RelationType(DescribedEnum):
    """A directed relation type: name, meaning, allowed subject and object kinds."""

    subjects: frozenset[Kind]
    objects: frozenset[Kind]
    phrase: str

    def __new__(
        cls,
        description: str,
        subjects: frozenset[Kind] | set[Kind],
        objects: frozenset[Kind] | set[Kind],
        phrase: str,
    ) -> RelationType:
        member = object.__new__(cls)
        member.description = description
        member.subjects = frozenset(subjects)
        member.objects = frozenset(objects)
        member.phrase = phrase
        return member

    def __init__(self, *args: object) -> None:
        # The value of each member is its name, so it is stable and readable;
        # registering it keeps ``RelationType("SIGNED")`` working.
        self._value_ = self._name_
        type(self)._value2member_map_[self._name_] = self

    # -- structure and positions -------------------------------------------------
    PART_OF = (
        "The subject is a unit of, or a step within, the object (a team of a company, a request within a policy push).",
        {_ORG, _EVT},
        {_ORG, _EVT},
        "is part of",
    )
    HOUSED_IN = ("The subject agency sits inside the object department.", {_ORG}, {_ORG}, "is housed in")
    OVERSEES = ("The subject supervises the object.", _ACTOR, {_ORG, _EVT}, "oversees")
    HOLDS_POSITION = (
        "The person holds a post at the organization; the `role` qualifier names it.",
        {_PER},
        {_ORG},
        "holds a position at",
    )
    LEADS = ("The subject heads the object.", _ACTOR, {_ORG, _EVT}, "leads")
    CREATED = ("The subject founded or set up the object.", _ACTOR, {_ORG, _EVT}, "created")
    RIVALS = ("The two organizations compete in the same market.", {_ORG}, {_ORG}, "is a rival of")
    # -- models ------------------------------------------------------------------
    DEVELOPED = ("The organization built the model.", {_ORG}, {_MOD}, "developed")
    RELEASED = ("The organization made the model public; `validFrom` is the release date.", {_ORG}, {_MOD}, "released")
    SUBMITTED_TO = (
        "The model (or a developer's models in general) was given to the object for a government review.",
        {_MOD, _ORG},
        {_ORG},
        "was submitted for review to",
    )
    NEARLY_MATCHES = (
        "The model's performance came close to the object's (a model, or an organization's models).",
        {_MOD},
        {_MOD, _ORG},
        "nearly matches the performance of",
    )
    # -- agreements and talks ----------------------------------------------------
    PARTY_TO = (
        "The organization is the company side of the agreement; the agreement's status says whether it is signed.",
        {_ORG},
        {_AGR},
        "is a party to",
    )
    COUNTERPARTY_TO = (
        "The organization is the government side of the agreement, the body that receives the models.",
        {_ORG},
        {_AGR},
        "is the counterparty to",
    )
    NEGOTIATES_WITH = ("The subject holds talks with the object.", _ACTOR, _ACTOR, "negotiates with")
    # -- pressure, requests and statements ---------------------------------------
    PRESSED = (
        "The subject urged the object to do something; the `channel` and `purpose` qualifiers say how and what.",
        _ACTOR,
        _ACTOR,
        "pressed",
    )
    MADE = ("The subject made the event (a request, a statement).", _ACTOR, {_EVT}, "made")
    ADDRESSED_TO = (
        "The event (a request, a statement) was directed at the object; `channel` says through what.",
        {_EVT},
        _ACTOR,
        "was addressed to",
    )
    CONCERNS = ("The subject is about the object.", {_EVT, _QST, _ORD, _AGR, _INC}, _ANY, "concerns")
    DID_NOT_COMMENT_ON = (
        "The subject gave no comment on the object when asked by the reporting outlet.",
        _ACTOR,
        _ANY,
        "did not comment on",
    )
    INITIATED = ("The subject started or pursues the event (a policy, a process).", _ACTOR, {_EVT}, "initiated")
    REPLACED = (
        "The subject took the place of the object (a new policy replacing an old one).",
        {_EVT, _ORD, _AGR},
        {_EVT, _ORD, _AGR},
        "replaced",
    )
    DISPUTES = ("The subject contests the object (a claim, a concern).", _ACTOR, _ANY - {_PER, _DOC}, "disputes")
    # -- orders ------------------------------------------------------------------
    SIGNED = ("The subject signed the order; `validFrom` is the signing date.", _ACTOR, {_ORD}, "signed")
    GIVES_RESPONSIBILITY_TO = (
        "The order makes the object responsible for something; the `note` qualifier says what.",
        {_ORD},
        _ACTOR,
        "gives responsibility to",
    )
    GRANTS_REVIEW_WINDOW_TO = (
        "The order gives the object time to review models before release; `daysAllowed` says how long.",
        {_ORD},
        {_ORG},
        "grants a review window to",
    )
    SETS_DEADLINE_FOR = (
        "The order requires the object to be in place or done by the `deadline` qualifier.",
        {_ORD},
        {_ORG, _EVT},
        "sets a deadline for",
    )
    ESTABLISHES = ("The order sets up the object (a process, a programme).", {_ORD}, {_EVT}, "establishes")
    # -- incidents ---------------------------------------------------------------
    ORDERED = (
        "The subject ordered the incident (e.g. an access shutdown); `minutesAllowed` and `reason` qualify it.",
        _ACTOR,
        {_INC},
        "ordered",
    )
    AFFECTED = ("The incident affected the object.", {_INC}, {_MOD, _ORG}, "affected")
    DISCLOSED = (
        "The subject made the incident (a vulnerability) known; `channel` says how.",
        _ACTOR,
        {_INC},
        "disclosed",
    )
    TRIGGERED = ("The subject caused the object.", {_INC, _EVT}, {_INC, _EVT, _ORD}, "triggered")
    SEEKS_ROLE_IN = ("The organization is working to take part in the object.", {_ORG}, {_EVT}, "seeks a role in")
    # -- documents ---------------------------------------------------------------
    PUBLISHED = ("The outlet published the document.", {_ORG}, {_DOC}, "published")
    AUTHORED = ("The person wrote the document (a byline).", {_PER}, {_DOC}, "authored")
    CONTRIBUTED_TO = ("The person contributed reporting to the document.", {_PER}, {_DOC}, "contributed reporting to")

    def allows(self, subject: Kind, obj: Kind) -> bool:
        """Whether a relation of this type may join a ``subject`` to an ``obj``.

        Examples
        --------
        >>> RelationType.DEVELOPED.allows(Kind.ORGANIZATION, Kind.AI_MODEL)
        True
        >>> RelationType.DEVELOPED.allows(Kind.PERSON, Kind.AI_MODEL)
        False
        """
        return subject in self.subjects and obj in self.objects
