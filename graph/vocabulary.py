"""The closed vocabulary of relation types.

Each type reads as a verb from subject to object (``org/anthropic DEVELOPED
model/fable-5``) and declares which kinds may stand on each side; the
loader rejects a relation whose ends have other kinds. ``phrase`` is the
verb phrase that describes a relation in a sentence (timelines, paths,
summaries): :meth:`RelationType.sentence` puts it between the two names,
in its plural form when the subject names several people or companies, or
around the object where English wants that ("… no longer sees Anthropic as
a security concern").

Adding a type is a deliberate change: add a member here with its
description, kinds and phrase (and its plural phrase in ``_PLURAL`` when a
subject naming several changes the verb), then document it in
``seed/README.md``; ``tests/graph/test_phrasing.py`` pins every type's
sentences.
"""

from __future__ import annotations

from oversight_graph.graph.enums import DescribedEnum, Kind

__all__ = ["LASTING", "RelationType"]

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
    TAKES_PART_IN = (
        "The subject takes part in the object (a process); the `role` qualifier says as what (e.g. reviewers).",
        _ACTOR,
        {_EVT},
        "takes part in",
    )
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
        "The model's performance came close to the object model's.",
        {_MOD},
        {_MOD},
        "nearly matches the performance of",
    )
    NEARLY_MATCHES_MODELS_OF = (
        "The model's performance came close to that of the object organization's models, which the source does not name.",
        {_MOD},
        {_ORG},
        "nearly matches the performance of models from",
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
    PROMOTED = (
        "The subject advocated the object (a stance, an approach); says nothing of whether it still does.",
        _ACTOR,
        {_EVT},
        "promoted",
    )
    FOLLOWED = (
        "The subject came after the object (a new push after an earlier stance); unlike REPLACED, it does not say "
        "the object ended.",
        {_EVT, _ORD, _AGR},
        {_EVT, _ORD, _AGR},
        "came after",
    )
    REPLACED = (
        "The subject took the place of the object (a new policy replacing an old one).",
        {_EVT, _ORD, _AGR},
        {_EVT, _ORD, _AGR},
        "replaced",
    )
    DISPUTES = (
        "The subject (a person, an organization, or a view they put forward) contests the object (a claim, a concern).",
        _ACTOR | {_EVT},
        _ANY - {_PER, _DOC},
        "disputes",
    )
    NO_LONGER_SEES_AS_CONCERN = (
        "The subject said it no longer regards the object as a security concern.",
        _ACTOR,
        _ACTOR | {_MOD},
        "no longer sees {object} as a security concern",
    )
    # -- orders ------------------------------------------------------------------
    SIGNED = ("The subject signed the order; `validFrom` is the signing date.", _ACTOR, {_ORD}, "signed")
    GIVES_RESPONSIBILITY_TO = (
        "The order makes the object responsible for something; the `note` qualifier says what.",
        {_ORD},
        _ACTOR,
        "gives responsibility to",
    )
    GRANTS_REVIEW_WINDOW_TO = (
        "The order itself gives the object time to review models before release; `daysAllowed` says how long. "
        "An order that only asks companies to allow the time ASKS them.",
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
    ESTABLISHES = (
        "The order sets up the object (a process, a programme) itself; one it leaves to be developed has a "
        "SETS_DEADLINE_FOR instead.",
        {_ORD},
        {_EVT},
        "establishes",
    )
    ASKS = (
        "The order or request asks the object to do something; `purpose` says what, `daysAllowed` any time it names.",
        {_ORD, _EVT},
        _ACTOR,
        "asks",
    )
    # -- incidents ---------------------------------------------------------------
    ORDERED = (
        "The subject ordered the incident (e.g. an access shutdown); `minutesAllowed` (or the upper bound "
        "`minutesLessThan`) and `reason` qualify it.",
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
    CAME_AMID = (
        "The subject happened while the object was under way (a request amid rising concerns), as the source sets "
        "them side by side; it claims no cause.",
        {_EVT, _INC, _ORD},
        {_EVT, _INC},
        "came amid",
    )
    SHOWED = (
        "The subject (a paper, a report) demonstrated the object (a vulnerability).",
        {_EVT, _DOC},
        {_INC},
        "showed",
    )
    SEEKS_ROLE_IN = ("The organization is working to take part in the object.", {_ORG}, {_EVT}, "seeks a role in")
    # -- documents ---------------------------------------------------------------
    PUBLISHED = ("The outlet published the document.", {_ORG}, {_DOC}, "published")
    AUTHORED = (
        "The subject wrote the object (a byline, a paper); for an organization, the `role` qualifier says who in it "
        "(e.g. 'researchers').",
        _ACTOR,
        {_DOC, _EVT},
        "wrote",
    )
    CONTRIBUTED_TO = ("The person contributed reporting to the document.", {_PER}, {_DOC}, "contributed reporting to")

    @property
    def lasting(self) -> bool:
        """Whether the relation is a state that holds for a time (a post, a membership), not a one-off act.

        A lasting relation to an organization that has ceased to exist must
        say when it stopped (``valid_to``); an act (``CREATED``) need not.

        Examples
        --------
        >>> RelationType.PART_OF.lasting, RelationType.CREATED.lasting
        (True, False)
        """
        return self in LASTING

    def sentence(self, subject: str, obj: str, *, plural: bool = False, subject_kind: Kind | None = None) -> str:
        """The relation as an English sentence between two names.

        ``plural`` says the subject names several (tech companies, officials):
        the verb agrees with it. ``subject_kind`` picks the phrase for a
        subject of that kind where the type has one (an organization
        *submits its models*; a model *was submitted*).

        Examples
        --------
        >>> RelationType.PART_OF.sentence("the Meta policy team", "Meta")
        'the Meta policy team is part of Meta'
        >>> RelationType.TAKES_PART_IN.sentence("Defense officials", "the reviews", plural=True)
        'Defense officials take part in the reviews'
        >>> RelationType.NO_LONGER_SEES_AS_CONCERN.sentence("Donald Trump", "Anthropic")
        'Donald Trump no longer sees Anthropic as a security concern'
        >>> RelationType.SUBMITTED_TO.sentence("OpenAI", "CAISI", subject_kind=Kind.ORGANIZATION)
        'OpenAI submits its models for review to CAISI'
        """
        default = (self.phrase, _PLURAL.get(self, self.phrase))
        singular, several = _BY_KIND.get((self, subject_kind), default) if subject_kind is not None else default
        verb = several if plural else singular
        if "{object}" in verb:
            return f"{subject} {verb.format(object=obj)}"
        return f"{subject} {verb} {obj}"

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


LASTING = frozenset(
    {
        RelationType.PART_OF,
        RelationType.HOUSED_IN,
        RelationType.OVERSEES,
        RelationType.HOLDS_POSITION,
        RelationType.LEADS,
        RelationType.RIVALS,
        RelationType.SUBMITTED_TO,
        RelationType.PARTY_TO,
        RelationType.COUNTERPARTY_TO,
        RelationType.NEGOTIATES_WITH,
        RelationType.SEEKS_ROLE_IN,
        RelationType.TAKES_PART_IN,
    }
)
"""Relation types that are states holding for a time, not one-off acts (see :attr:`RelationType.lasting`)."""


_PLURAL = {
    RelationType.PART_OF: "are part of",
    RelationType.HOUSED_IN: "are housed in",
    RelationType.OVERSEES: "oversee",
    RelationType.HOLDS_POSITION: "hold positions at",
    RelationType.LEADS: "lead",
    RelationType.RIVALS: "are rivals of",
    RelationType.TAKES_PART_IN: "take part in",
    RelationType.SUBMITTED_TO: "were submitted for review to",
    RelationType.NEARLY_MATCHES: "nearly match the performance of",
    RelationType.NEARLY_MATCHES_MODELS_OF: "nearly match the performance of models from",
    RelationType.PARTY_TO: "are parties to",
    RelationType.COUNTERPARTY_TO: "are counterparties to",
    RelationType.NEGOTIATES_WITH: "negotiate with",
    RelationType.ADDRESSED_TO: "were addressed to",
    RelationType.CONCERNS: "concern",
    RelationType.DISPUTES: "dispute",
    RelationType.NO_LONGER_SEES_AS_CONCERN: "no longer see {object} as a security concern",
    RelationType.GIVES_RESPONSIBILITY_TO: "give responsibility to",
    RelationType.GRANTS_REVIEW_WINDOW_TO: "grant a review window to",
    RelationType.SETS_DEADLINE_FOR: "set a deadline for",
    RelationType.ESTABLISHES: "establish",
    RelationType.ASKS: "ask",
    RelationType.SEEKS_ROLE_IN: "seek a role in",
}
"""The verb phrase for a subject that names several, where it differs (past tenses do not)."""

_BY_KIND = {
    (RelationType.SUBMITTED_TO, Kind.ORGANIZATION): (
        "submits its models for review to",
        "submit their models for review to",
    ),
}
"""(singular, plural) phrases for a subject of one kind, where they differ from the type's own."""
