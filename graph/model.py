"""Records of the knowledge graph: entities, relations and their citations.

Everything here is an immutable value. The store (:mod:`graph.store`) keeps
them in a networkx ``MultiDiGraph``; the loader (:mod:`graph.load`) builds
them from seed files after validation.

Provenance is part of every record. A :class:`Relation` has one or more
:class:`Citation` objects, each naming a document, a paragraph, a claim in
the editors' own words, who made the claim (:class:`Attribution`) and how
firmly (:class:`~graph.enums.Confidence`). Entities carry citations too,
for the facts stated in their own fields (a date, a status).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, NamedTuple

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import (
    AccessStatus,
    AgreementStatus,
    AttributionKind,
    Confidence,
    EventKind,
    IncidentKind,
    Kind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.vocabulary import RelationType

__all__ = [
    "ENTITY_CLASSES",
    "KEY_PATTERN",
    "QUALIFIER_FIELDS",
    "AIModel",
    "Agreement",
    "Attribution",
    "Citation",
    "Document",
    "Entity",
    "Event",
    "Incident",
    "Order",
    "Organization",
    "Person",
    "Qualifiers",
    "Question",
    "Relation",
    "kind_of_key",
    "relation_key",
]

KEY_PATTERN = re.compile(r"^([a-z]+)/[a-z0-9][a-z0-9._-]*$")
"""Entity keys: a kind prefix, a slash and a lowercase slug (``org/meta``)."""

_PREFIXES = {kind.prefix: kind for kind in Kind}


def kind_of_key(key: str) -> Kind | None:
    """The kind a key's prefix names, or ``None`` when it is not a valid key.

    Examples
    --------
    >>> kind_of_key("org/meta")
    <Kind.ORGANIZATION: 'org'>
    >>> kind_of_key("Meta") is None
    True
    """
    match = KEY_PATTERN.match(key) if isinstance(key, str) else None
    return _PREFIXES.get(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who, according to the document, makes a claim.

    Attributes
    ----------
    kind
        Named person, named organization, anonymous sources, or the
        document's own reporting.
    text
        How the document describes the source, in brief
        ("four people familiar with the request").
    source_count
        How many sources, where the document says.
    speaker
        Key of the speaking entity when it is in the graph.
    """

    kind: AttributionKind
    text: str = ""
    source_count: int | None = None
    speaker: str | None = None


class Citation(NamedTuple):
    """Where a claim comes from: a paragraph of a document, and who said it.

    A named tuple (immutable, compared by value) because a large graph holds
    millions and a tuple is built several times faster than a frozen
    dataclass.

    Attributes
    ----------
    document
        Key of the source :class:`Document`.
    paragraph
        1-based paragraph number within the document.
    claim
        One line, in the editors' own words, of what the paragraph supports.
    attribution
        Who the document says makes the claim.
    confidence
        How firmly the paragraph supports the claim.
    supports
        For an entity's citation: which of the entity's own fields
        (``access_status``, ``occurred``...) the claim supports. Empty when
        it supports only the entity's existence, name and description.
    """

    document: str
    paragraph: int
    claim: str
    attribution: Attribution
    confidence: Confidence
    supports: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """Optional properties that refine a relation (Wikidata-style qualifiers).

    Only the fields listed in :data:`QUALIFIER_FIELDS` exist; they are typed
    so that a review window of "30" days is a number a client can compare.
    """

    role: str | None = None
    channel: str | None = None
    purpose: str | None = None
    reason: str | None = None
    days_allowed: int | None = None
    minutes_allowed: int | None = None
    minutes_less_than: int | None = None
    deadline: PartialDate | None = None
    note: str | None = None

    def is_empty(self) -> bool:
        """Whether no qualifier is set."""
        return all(getattr(self, f.name) is None for f in fields(self))


QUALIFIER_FIELDS: dict[str, tuple[type, str]] = {
    "role": (str, "The position a person holds (e.g. 'Commerce Secretary')."),
    "channel": (str, "How something was communicated or made known (e.g. 'email', 'research paper')."),
    "purpose": (str, "What the subject wanted to achieve."),
    "reason": (str, "Why it happened, as the source gives it."),
    "days_allowed": (int, "A time limit in days (e.g. a review window of up to 30 days)."),
    "minutes_allowed": (int, "An exact time limit in minutes, where the source gives one."),
    "minutes_less_than": (
        int,
        "An upper bound on a time limit: the source says less than this many minutes, without an exact figure.",
    ),
    "deadline": (PartialDate, "The date by which something must be done."),
    "note": (str, "Any other detail, in the editors' words."),
}
"""Qualifier name → (value type, meaning)."""

EMPTY_QUALIFIERS = Qualifiers()


class _OwnAttributes(Mapping[str, Any]):
    """A record that is also its own networkx attribute mapping.

    The store keeps an entity as its node's attribute dict and a relation as
    its edge's; each reads as ``{"entity": <itself>}`` or
    ``{"relation": <itself>}``, so ``G.nodes[key]["entity"]`` works as with
    a plain dict while a large graph holds one object per node and edge
    instead of two.
    """

    __slots__ = ()
    _attribute: ClassVar[str]

    def __getitem__(self, name: str) -> Any:
        if name == self._attribute:
            return self
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        yield self._attribute

    def __len__(self) -> int:
        return 1

    def __reduce__(self) -> tuple[Any, ...]:
        # Snapshots pickle millions of these: a tuple of field values, put
        # back by the slot descriptors, loads many times faster than the
        # state dict a frozen dataclass pickles by default.
        cls = type(self)
        names, _setters = _slots_of(cls)
        return (_rebuilt, (cls, tuple([getattr(self, name) for name in names])))


_SLOTS: dict[type, tuple[tuple[str, ...], tuple[Any, ...]]] = {}


def _slots_of(cls: type) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """A record class's field names and the setters of their slots."""
    found = _SLOTS.get(cls)
    if found is None:
        names = tuple(f.name for f in fields(cls))
        found = _SLOTS[cls] = (names, tuple(getattr(cls, name).__set__ for name in names))
    return found


def _rebuilt(cls: type, values: tuple[Any, ...]) -> Any:
    """A record of class ``cls`` from its field values, as pickled by ``__reduce__`` (no ``__init__`` run)."""
    record: Any = object.__new__(cls)
    for set_slot, value in zip(_slots_of(cls)[1], values, strict=True):
        set_slot(record, value)
    return record


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity(_OwnAttributes):
    """Fields shared by every kind of entity.

    Attributes
    ----------
    key
        Stable readable slug with a kind prefix (``org/meta``); never changes.
    name
        The preferred name.
    description
        What the entity is, in the editors' own words.
    aliases
        Other names the sources use; search finds the entity by any of them.
    wikidata_id
        The Wikidata item id (``Q380``), only where the match is certain.
    inferred
        Names of fields whose values do not come from the cited sources
        (e.g. ``name`` when a full name is not given in the source).
    citations
        Citations for the facts in the entity's own fields.
    """

    kind: ClassVar[Kind]
    _attribute: ClassVar[str] = "entity"

    key: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    wikidata_id: str | None = None
    inferred: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()

    @property
    def date(self) -> PartialDate | None:
        """The date the entity happened or took effect, for timelines."""
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization(Entity):
    """A company, government body, outlet, team or informal group.

    ``ended`` is when it stopped existing (a past administration's last
    day); lasting relations to it then need a ``valid_to``.
    """

    kind: ClassVar[Kind] = Kind.ORGANIZATION
    category: OrgCategory
    country: str | None = None
    major_ai_developer: bool = False
    ended: PartialDate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Person(Entity):
    """A named person. Positions are relations (``HOLDS_POSITION``), not fields."""

    kind: ClassVar[Kind] = Kind.PERSON


@dataclass(frozen=True, slots=True, kw_only=True)
class AIModel(Entity):
    """An AI model. Its developer is a ``DEVELOPED`` relation."""

    kind: ClassVar[Kind] = Kind.AI_MODEL
    access_status: AccessStatus = AccessStatus.UNKNOWN
    release_date: PartialDate | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.release_date


@dataclass(frozen=True, slots=True, kw_only=True)
class Order(Entity):
    """An executive order or directive. Provisions are relations from it."""

    kind: ClassVar[Kind] = Kind.ORDER
    order_kind: OrderKind = OrderKind.EXECUTIVE_ORDER
    date_signed: PartialDate | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.date_signed


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident(Entity):
    """A vulnerability, shutdown or similar incident."""

    kind: ClassVar[Kind] = Kind.INCIDENT
    incident_kind: IncidentKind
    occurred: PartialDate | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.occurred


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement(Entity):
    """A voluntary model-review agreement. Parties are relations to it."""

    kind: ClassVar[Kind] = Kind.AGREEMENT
    status: AgreementStatus
    date_signed: PartialDate | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.date_signed


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Entity):
    """A request, statement, negotiation, policy or process."""

    kind: ClassVar[Kind] = Kind.EVENT
    event_kind: EventKind
    occurred: PartialDate | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.occurred


@dataclass(frozen=True, slots=True, kw_only=True)
class Document(Entity):
    """A source document whose paragraphs citations point into.

    Publisher, authors and contributors are relations (``PUBLISHED``,
    ``AUTHORED``, ``CONTRIBUTED_TO``). ``paragraphs`` bounds the paragraph
    numbers citations may use.
    """

    kind: ClassVar[Kind] = Kind.DOCUMENT
    title: str
    paragraphs: int
    published: PartialDate | None = None
    url: str | None = None

    @property
    def date(self) -> PartialDate | None:
        return self.published


@dataclass(frozen=True, slots=True, kw_only=True)
class Question(Entity):
    """An open question the sources raise; ``CONCERNS`` relations say about what."""

    kind: ClassVar[Kind] = Kind.QUESTION
    status: QuestionStatus = QuestionStatus.OPEN


ENTITY_CLASSES: dict[Kind, type[Entity]] = {
    cls.kind: cls for cls in (Organization, Person, AIModel, Order, Incident, Agreement, Event, Document, Question)
}
"""The entity class for each kind."""


def relation_key(subject: str, type_: RelationType, obj: str, valid_from: PartialDate | None = None) -> str:
    """The stable key of a relation: subject, type, object and start date.

    Two statements of the same fact (from two documents, say) share a key
    and are merged; the same fact starting at a different date is a
    different relation.

    Examples
    --------
    >>> relation_key("org/anthropic", RelationType.DEVELOPED, "model/fable-5")
    'org/anthropic|DEVELOPED|model/fable-5'
    """
    key = f"{subject}|{type_._name_}|{obj}"  # _name_: Enum's `name` property is slow in bulk
    if valid_from is not None:
        key += f"|{valid_from.isoformat()}"
    return key


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation(_OwnAttributes):
    """A directed, typed, cited statement linking two entities.

    Attributes
    ----------
    type
        The relation type; reads as a verb from subject to object.
    subject, object
        Entity keys.
    citations
        One or more citations; a relation without one does not load.
    qualifiers
        Optional refinements (days allowed, deadline, channel, role...).
    valid_from, valid_to
        When the statement started and stopped being true, if known.
    """

    _attribute: ClassVar[str] = "relation"

    type: RelationType
    subject: str
    object: str
    citations: tuple[Citation, ...]
    qualifiers: Qualifiers = field(default=EMPTY_QUALIFIERS)
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None

    @property
    def key(self) -> str:
        """Stable key: subject, type, object and start date (see :func:`relation_key`).

        Computed rather than stored: a large graph holds millions of relations.
        (The same as :func:`relation_key`, written out: sorting an entity's
        relations computes it for each.)
        """
        valid_from = self.valid_from
        if valid_from is None:
            return f"{self.subject}|{self.type._name_}|{self.object}"
        return f"{self.subject}|{self.type._name_}|{self.object}|{valid_from.isoformat()}"

    @property
    def edge_key(self) -> Hashable:
        """The relation's key among the edges from its subject to its object in the MultiDiGraph.

        The type alone when the relation is undated (a shared object, no
        memory per edge), else the type and the start date.
        """
        return self.type if self.valid_from is None else (self.type, self.valid_from.isoformat())

    @property
    def confidence(self) -> Confidence:
        """The strongest confidence among the citations."""
        return max((c.confidence for c in self.citations), key=lambda c: c.rank)

    def other(self, key: str) -> str:
        """The key at the other end from ``key``."""
        return self.object if key == self.subject else self.subject
