"""Deterministic synthetic knowledge graphs for benchmarks.

:func:`generate` writes a directory of JSON Lines files that
:func:`graph.load.load_directory` accepts, shaped like the real data at any
size (tested at 10 thousand to 1 million entities):

- every entity kind in realistic proportions (:data:`KIND_SHARES`), with
  readable, unique names and keys built from word lists, aliases on some;
- about :data:`RELATIONS_PER_ENTITY` relations per entity, of every type in
  :class:`~graph.vocabulary.RelationType`, each end of an allowed kind, with
  qualifiers, ``valid_from``/``valid_to`` on a fraction, and one or two
  citations into the generated documents with every kind of attribution
  and confidence;
- hubs: five government agencies (``org/caisi`` among them), six major AI
  developers and three news outlets, each related to 1.5-4% of all
  entities; ``org/caisi`` is the counterparty of many agreements, signed by
  some major developers and not by others;
- long chains (:data:`CHAIN_LENGTH` entities at full size) that hang off
  the hubs by one end only, so that the two far ends of two chains are
  connected by a path of known length.

Determinism
-----------
The same ``(entities, seed, shard_entities)`` always gives byte-identical
files. Entities are numbered per kind; a name and key are a pure function
of that number (a seeded permutation of word-list combinations), so any
part of the generator can refer to any entity without a lookup table. The
entities are cut into shards of :data:`SHARD_ENTITIES`; each shard has its
own ``random.Random`` seeded from ``(seed, shard)`` and writes its own
``entities-NNN.jsonl`` and ``relations-NNN.jsonl``, so shards can run in
parallel processes and the output does not depend on how many there are.

Relations are written by exactly one of their ends, the *owner* (see
:data:`_SUBJECT_OWNED`), which skips repeats of a (subject, type,
object) it has already written. No two records therefore share a relation
key, and nothing global has to be remembered: the loader would merge, or
reject, such repeats.

Usage::

    python -m bench.generate --entities 100000 --out bench/data/100k [--seed 42]
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from oversight_graph.graph.checks import FACT_FIELDS
from oversight_graph.graph.enums import (
    AccessStatus,
    AgreementStatus,
    EventKind,
    IncidentKind,
    Kind,
    OrderKind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.vocabulary import RelationType

__all__ = [
    "CHAIN_LENGTH",
    "KIND_SHARES",
    "MIN_ENTITIES",
    "RELATIONS_PER_ENTITY",
    "SHARD_ENTITIES",
    "GenerationSummary",
    "generate",
    "main",
]

RELATIONS_PER_ENTITY = 5.0
"""The average number of relations per entity the generator aims at."""

MIN_ENTITIES = 300
"""The smallest graph that still has every kind, relation type, hub and chain."""

SHARD_ENTITIES = 60_000
"""Entities per shard; a shard's relation file then has at most ~500k lines."""

CHAIN_LENGTH = 64
"""Entities in each long chain, at sizes of 2,560 entities and more."""

KIND_SHARES: dict[Kind, int] = {
    Kind.ORGANIZATION: 20,
    Kind.PERSON: 15,
    Kind.AI_MODEL: 25,
    Kind.ORDER: 6,
    Kind.INCIDENT: 7,
    Kind.AGREEMENT: 8,
    Kind.EVENT: 10,
    Kind.DOCUMENT: 5,
    Kind.QUESTION: 4,
}
"""Percent of all entities of each kind (the rest of a division goes to models)."""

_DUMP_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_ENTITY_FILE = "entities-{:03d}.jsonl"
_RELATION_FILE = "relations-{:03d}.jsonl"
_SUMMARY_FILE = "summary.json"
_OUTPUT_PATTERNS = ("entities-*.jsonl", "relations-*.jsonl", _SUMMARY_FILE)

_ORG, _PER, _MOD, _ORD, _INC, _AGR, _EVT, _DOC, _QST = (
    Kind.ORGANIZATION,
    Kind.PERSON,
    Kind.AI_MODEL,
    Kind.ORDER,
    Kind.INCIDENT,
    Kind.AGREEMENT,
    Kind.EVENT,
    Kind.DOCUMENT,
    Kind.QUESTION,
)
_R = RelationType

# -- word lists ---------------------------------------------------------------------
_ONSETS = (
    "Al", "Bel", "Cor", "Dar", "El", "Fen", "Gal", "Hal", "Is", "Jor", "Kel", "Lor", "Mar", "Nor", "Or",
    "Pel", "Quen", "Ros", "Sel", "Tal", "Ul", "Val", "Wen", "Xan", "Yor", "Zan", "Bra", "Cal", "Dre", "Fal",
)  # fmt: skip
_MIDDLES = ("a", "e", "i", "o", "u", "an", "en", "ar", "or", "is")
_CODAS = (
    "dra", "mir", "vex", "ton", "lith", "quist", "ven", "dor", "rix", "nor", "wick", "stead",
    "more", "gard", "ley", "ford", "sen", "vik", "mont", "bury", "holm", "tide", "crest", "field",
)  # fmt: skip
STEMS: tuple[str, ...] = tuple(o + m + c for o in _ONSETS for m in _MIDDLES for c in _CODAS)
"""7,200 distinct invented words (``Corawick``): company stems, surnames, model families."""

_FIRST_NAMES = (
    "Aaliyah", "Abdul", "Ada", "Adrian", "Aiko", "Alejandro", "Amara", "Amir", "Ana", "Anders", "Andrea", "Anika",
    "Arjun", "Astrid", "Ayesha", "Beatriz", "Benjamin", "Bilal", "Camila", "Carlos", "Catherine", "Chen", "Chloe",
    "Daniel", "Dario", "David", "Deepa", "Diego", "Dmitri", "Elena", "Elif", "Emeka", "Emma", "Erik", "Esther",
    "Fatima", "Felix", "Fiona", "Gabriel", "Grace", "Hana", "Hannah", "Hassan", "Helena", "Hiro", "Ibrahim",
    "Ines", "Isaac", "Ivan", "Jamal", "James", "Javier", "Jin", "Joanna", "Jonas", "Julia", "Kai", "Kamala",
    "Kenji", "Kofi", "Lars", "Laura", "Leila", "Liam", "Lucia", "Luis", "Maya", "Mateo", "Mei", "Miguel",
    "Mina", "Nadia", "Naomi", "Nikhil", "Nina", "Noah", "Olga", "Omar", "Oscar", "Pablo", "Priya", "Rafael",
    "Rahul", "Rana", "Rosa", "Ruth", "Sakura", "Samir", "Sara", "Sean", "Sofia", "Stefan", "Sunita", "Tariq",
    "Thomas", "Tomas", "Uma", "Valentina", "Victor", "Wei", "Yara", "Yusuf", "Zainab", "Zoe", "Malik", "Ingrid",
    "Kwame", "Leon", "Marta", "Nils", "Paula", "Quinn", "Rhea", "Soren", "Tessa", "Ulrich", "Vera", "Wanjiru",
)  # fmt: skip
_ORG_SUFFIXES: tuple[tuple[str, OrgCategory], ...] = (
    ("Labs", OrgCategory.COMPANY), ("Systems", OrgCategory.COMPANY), ("AI", OrgCategory.COMPANY),
    ("Analytics", OrgCategory.COMPANY), ("Robotics", OrgCategory.COMPANY), ("Technologies", OrgCategory.COMPANY),
    ("Dynamics", OrgCategory.COMPANY), ("Computing", OrgCategory.COMPANY), ("Intelligence", OrgCategory.COMPANY),
    ("Networks", OrgCategory.COMPANY), ("Software", OrgCategory.COMPANY), ("Semiconductor", OrgCategory.COMPANY),
    ("Cloud", OrgCategory.COMPANY), ("Data", OrgCategory.COMPANY),
    ("Policy Team", OrgCategory.CORPORATE_UNIT), ("Safety Division", OrgCategory.CORPORATE_UNIT),
    ("Trust Unit", OrgCategory.CORPORATE_UNIT),
    ("Research Institute", OrgCategory.RESEARCH_GROUP), ("Alignment Lab", OrgCategory.RESEARCH_GROUP),
    ("Research Center", OrgCategory.RESEARCH_GROUP),
    ("Agency", OrgCategory.GOVERNMENT_AGENCY), ("Bureau", OrgCategory.GOVERNMENT_AGENCY),
    ("Commission", OrgCategory.GOVERNMENT_AGENCY), ("Authority", OrgCategory.GOVERNMENT_AGENCY),
    ("Ministry", OrgCategory.GOVERNMENT_DEPARTMENT), ("Department", OrgCategory.GOVERNMENT_DEPARTMENT),
    ("Executive Office", OrgCategory.EXECUTIVE_OFFICE),
    ("Times", OrgCategory.NEWS_OUTLET), ("Herald", OrgCategory.NEWS_OUTLET), ("Dispatch", OrgCategory.NEWS_OUTLET),
    ("Ledger", OrgCategory.NEWS_OUTLET),
    ("Coalition", OrgCategory.INFORMAL_GROUP), ("Circle", OrgCategory.INFORMAL_GROUP),
    ("Foundation", OrgCategory.OTHER), ("Council", OrgCategory.OTHER), ("Partners", OrgCategory.OTHER),
)  # fmt: skip
_CATEGORY_TEXT = {
    OrgCategory.COMPANY: "a technology company",
    OrgCategory.CORPORATE_UNIT: "a team inside a larger company",
    OrgCategory.GOVERNMENT: "a national government",
    OrgCategory.GOVERNMENT_DEPARTMENT: "a cabinet-level government department",
    OrgCategory.GOVERNMENT_AGENCY: "a government agency",
    OrgCategory.EXECUTIVE_OFFICE: "an executive office",
    OrgCategory.NEWS_OUTLET: "a news organization",
    OrgCategory.RESEARCH_GROUP: "a research group",
    OrgCategory.INFORMAL_GROUP: "an informal group of industry figures",
    OrgCategory.OTHER: "an organization",
}
_COUNTRIES = ("US", "US", "US", "GB", "FR", "DE", "CA", "JP", "KR", "IN", "SG", "AE", "IL", "BR", "AU", "NL", "SE")
_VERSIONS = ("1", "2", "2.5", "3", "3.5", "4", "4.5", "5", "6", "7")
_VARIANTS = ("", "Mini", "Pro", "Ultra", "Nano", "Flash", "Turbo", "Vision", "Coder", "Max")
_TOPICS = (
    "Model Access", "Compute Reporting", "Chip Exports", "Safety Testing", "Incident Disclosure", "Watermarking",
    "Open Weights", "Red Teaming", "Biosecurity Risks", "Cyber Capabilities", "Election Integrity",
    "Data Provenance", "Agent Autonomy", "Energy Use", "Child Safety", "Copyright Claims",
    "Critical Infrastructure", "Evaluation Standards", "Model Licensing", "Liability Rules", "Procurement",
    "Export Licensing", "Insider Threats", "Weights Security", "Frontier Risks", "Deepfake Labels",
    "Audit Access", "Whistleblower Protections", "Reporting Thresholds", "Release Reviews",
)  # fmt: skip
_ORDER_FORMS: tuple[tuple[str, OrderKind], ...] = (
    ("Executive Order", OrderKind.EXECUTIVE_ORDER),
    ("Presidential Directive", OrderKind.DIRECTIVE),
    ("Agency Directive", OrderKind.DIRECTIVE),
    ("Interim Rule", OrderKind.OTHER),
)
_ORDER_NUMBERS = tuple(str(n) for n in range(100, 1000))
_INCIDENT_PHRASES: tuple[tuple[str, IncidentKind], ...] = (
    ("Jailbreak Vulnerability", IncidentKind.VULNERABILITY),
    ("Prompt Injection Flaw", IncidentKind.VULNERABILITY),
    ("Sandbox Escape", IncidentKind.VULNERABILITY),
    ("Weight Exfiltration Flaw", IncidentKind.VULNERABILITY),
    ("Access Shutdown", IncidentKind.ACCESS_SHUTDOWN),
    ("API Suspension", IncidentKind.ACCESS_SHUTDOWN),
    ("Service Pause", IncidentKind.ACCESS_SHUTDOWN),
    ("Data Leak", IncidentKind.OTHER),
    ("Outage", IncidentKind.OTHER),
    ("Evaluation Breach", IncidentKind.OTHER),
    ("Misuse Report", IncidentKind.OTHER),
    ("Model Theft Attempt", IncidentKind.OTHER),
)
_AGREEMENT_TOPICS = (
    "Model Review", "Predeployment Testing", "Safety Evaluation", "Red Team Access", "Compute Reporting",
    "Incident Sharing", "Information Sharing", "Security Audit", "Capability Disclosure", "Research Access",
)  # fmt: skip
_AGREEMENT_FORMS = ("Agreement", "Memorandum", "Accord", "Arrangement")
_EVENT_NOUNS: tuple[tuple[str, EventKind], ...] = (
    ("Request", EventKind.REQUEST), ("Inquiry", EventKind.REQUEST),
    ("Statement", EventKind.STATEMENT), ("Announcement", EventKind.STATEMENT),
    ("Talks", EventKind.NEGOTIATION), ("Negotiations", EventKind.NEGOTIATION),
    ("Policy", EventKind.POLICY), ("Guidelines", EventKind.POLICY),
    ("Review Process", EventKind.PROCESS), ("Pilot Program", EventKind.PROCESS),
    ("Report", EventKind.PUBLICATION), ("White Paper", EventKind.PUBLICATION),
    ("Summit", EventKind.OTHER), ("Hearing", EventKind.OTHER),
)  # fmt: skip
_HEADLINE_VERBS = (
    "Weighs", "Faces Scrutiny Over", "Pushes Back on", "Quietly Expands", "Signs Deal on", "Delays",
    "Backs", "Rejects", "Tests", "Rethinks", "Warns on", "Prepares Rules on",
)  # fmt: skip
_QUESTION_PHRASES = (
    "Sign a Review Agreement?", "Restore Model Access?", "Meet the Review Deadline?", "Disclose Its Evaluations?",
    "Face Penalties?", "Share Model Weights?", "Join the Testing Program?", "Delay Its Next Release?",
    "Accept Outside Audits?", "Report the Incident?", "Win the Contract?", "Change Its Policy?",
    "Keep Its Exemption?", "Open Its Models?", "Settle the Dispute?", "Expand Its Compute?",
    "Comply With the Order?", "Lose Government Access?", "Publish the Findings?", "Name an Oversight Lead?",
)  # fmt: skip
_ROLES = (
    "Chief Executive", "Secretary", "Director", "Policy Lead", "General Counsel", "Chief Scientist",
    "Head of Safety", "Spokesperson", "Board Member", "Deputy Director", "Senior Adviser", "Reporter",
)  # fmt: skip
_CHANNELS = ("email", "letter", "phone call", "private meeting", "public statement", "research paper", "press briefing")
_PURPOSES = (
    "to submit models for review", "to delay a release", "to share test results", "to sign an agreement",
    "to restrict access", "to disclose a vulnerability", "to join a pilot program",
)  # fmt: skip
_REASONS = (
    "national security concerns", "a disclosed vulnerability", "a pending review", "misuse reports",
    "a contract dispute", "export rules",
)  # fmt: skip
_NOTES = (
    "reviewing frontier models", "setting evaluation standards", "collecting incident reports",
    "approving releases", "auditing compute use",
)  # fmt: skip
_DAYS_ALLOWED = (14, 30, 45, 60, 90)
_MINUTES_ALLOWED = (30, 60, 90, 120, 240)
_PERSON_ROLES = ("an official", "an executive", "a researcher", "a policy adviser", "a reporter", "an investor")

# -- special organizations ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Special:
    """A hand-named organization: a hub or part of the government around the hubs."""

    key: str
    name: str
    category: OrgCategory
    aliases: tuple[str, ...] = ()
    major: bool = False


_AGENCIES = (
    _Special(
        "org/caisi",
        "Center for AI Standards and Innovation",
        OrgCategory.GOVERNMENT_AGENCY,
        ("CAISI", "Center for A.I. Standards and Innovation"),
    ),
    _Special("org/frontier-model-review-office", "Frontier Model Review Office", OrgCategory.GOVERNMENT_AGENCY),
    _Special("org/national-ai-security-agency", "National AI Security Agency", OrgCategory.GOVERNMENT_AGENCY),
    _Special(
        "org/algorithmic-accountability-bureau", "Algorithmic Accountability Bureau", OrgCategory.GOVERNMENT_AGENCY
    ),
    _Special("org/compute-export-control-authority", "Compute Export Control Authority", OrgCategory.GOVERNMENT_AGENCY),
)
_DEPARTMENTS = (
    _Special("org/commerce-department", "Department of Commerce", OrgCategory.GOVERNMENT_DEPARTMENT, ("Commerce",)),
    _Special("org/science-department", "Department of Science and Technology", OrgCategory.GOVERNMENT_DEPARTMENT),
)
_GOVERNMENT = _Special("org/federal-government", "Federal Government", OrgCategory.GOVERNMENT, ("the government",))
_EXECUTIVE = _Special(
    "org/executive-office", "Executive Office of the President", OrgCategory.EXECUTIVE_OFFICE, ("the administration",)
)
_MAJORS = tuple(
    _Special(key, name, OrgCategory.COMPANY, major=True)
    for key, name in (
        ("org/nimbus-ai", "Nimbus AI"),
        ("org/helix-labs", "Helix Labs"),
        ("org/quanta-systems", "Quanta Systems"),
        ("org/orrery", "Orrery"),
        ("org/lumen-intelligence", "Lumen Intelligence"),
        ("org/vantage-ai", "Vantage AI"),
    )
)
_OUTLETS = (
    _Special("org/capital-ledger", "The Capital Ledger", OrgCategory.NEWS_OUTLET),
    _Special("org/signal-times", "Signal Times", OrgCategory.NEWS_OUTLET),
    _Special("org/the-circuit", "The Circuit", OrgCategory.NEWS_OUTLET),
)
_SPECIALS = (*_AGENCIES, *_DEPARTMENTS, _GOVERNMENT, _EXECUTIVE, *_MAJORS, *_OUTLETS)
_SPECIAL_LABELS = tuple((s.key, s.name) for s in _SPECIALS)


def _indices(group: Sequence[_Special]) -> tuple[int, ...]:
    """Organization numbers of a group of special organizations."""
    return tuple(_SPECIALS.index(s) for s in group)


_AGENCY_IDS = _indices(_AGENCIES)
_DEPARTMENT_IDS = _indices(_DEPARTMENTS)
_MAJOR_IDS = _indices(_MAJORS)
_OUTLET_IDS = _indices(_OUTLETS)
_CAISI, _GOV, _EXEC = _SPECIALS.index(_AGENCIES[0]), _SPECIALS.index(_GOVERNMENT), _SPECIALS.index(_EXECUTIVE)
_COVERED = _MAJOR_IDS[:3]
"""Major developers with a SIGNED agreement with CAISI."""
_UNCOVERED = _MAJOR_IDS[3:]
"""Major developers whose CAISI agreements are never SIGNED (``companies_without_agreement``)."""
# CAISI is drawn most often: 10 of 38 draws, the other agencies 7 each.
_AGENCY_DRAW = (_CAISI,) * 10 + tuple(a for a in _AGENCY_IDS[1:] for _ in range(7))


def _special_relations() -> tuple[tuple[int, RelationType, int], ...]:
    """The relations among special organizations: (subject, type, object) by organization number."""
    rels = [(_EXEC, _R.PART_OF, _GOV)]
    rels += [(d, _R.PART_OF, _GOV) for d in _DEPARTMENT_IDS]
    rels += [(a, _R.HOUSED_IN, _DEPARTMENT_IDS[i % 2]) for i, a in enumerate(_AGENCY_IDS)]
    rels += [(m, _R.RIVALS, _MAJOR_IDS[(i + 1) % len(_MAJOR_IDS)]) for i, m in enumerate(_MAJOR_IDS)]
    rels += [(m, _R.SUBMITTED_TO, _CAISI) for m in _COVERED]
    rels += [(m, _R.NEGOTIATES_WITH, _CAISI) for m in _UNCOVERED]
    rels += [(_EXEC, _R.PRESSED, m) for m in _UNCOVERED]
    rels += [(_EXEC, _R.DISPUTES, o) for o in _OUTLET_IDS]
    return tuple(rels)


_SPECIAL_RELATIONS = _special_relations()

# -- names ----------------------------------------------------------------------------
_SLUG_JUNK = re.compile(r"[^a-z0-9.]+")


def _slug(text: str) -> str:
    """Key-safe form of a name part: ``"Safety Division"`` → ``safety-division``."""
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


_MERGE_LIMIT = 10_000
"""Adjacent word lists whose combinations number at most this are joined into one list."""


def _join(separator: str, first: str, second: str) -> str:
    """Two name parts joined, leaving out an empty one."""
    return separator.join(part for part in (first, second) if part)


def _merge_parts(parts: Sequence[Sequence[str]]) -> tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]:
    """Join adjacent small word lists into lists of their combinations: (size, names, key slugs).

    Entry ``a + len(first) * b`` of a joined list is entry ``a`` of the first
    list followed by entry ``b`` of the second, so mixed-radix digits read
    the same; a name then takes one lookup per remaining list.
    """
    merged: list[tuple[list[str], list[str]]] = []
    for part in parts:
        names, slugs = list(part), [_slug(word) for word in part]
        if merged and len(merged[-1][0]) * len(names) <= _MERGE_LIMIT:
            before_names, before_slugs = merged[-1]
            names = [_join(" ", a, b) for b in names for a in before_names]
            slugs = [_join("-", a, b) for b in slugs for a in before_slugs]
            merged[-1] = (names, slugs)
        else:
            merged.append((names, slugs))
    if not all(all(names) and all(slugs) for names, slugs in merged):
        raise ValueError("every combination of name parts must give a non-empty name")
    return tuple((len(names), tuple(names), tuple(slugs)) for names, slugs in merged)


@dataclass(frozen=True, slots=True)
class _Namer:
    """Unique readable names for the entities of one kind, by number.

    Entity ``i`` gets the combination of word-list entries whose mixed-radix
    digits are ``(i * multiplier + offset) mod capacity``, a permutation, so
    neighbours get unrelated names; past ``capacity`` a lap number is added.
    """

    prefix: str
    sizes: tuple[int, ...]
    tables: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]
    capacity: int
    multiplier: int
    offset: int

    @classmethod
    def build(cls, kind: Kind, parts: Sequence[Sequence[str]], rng: random.Random) -> _Namer:
        """A namer over the word lists ``parts`` with a permutation drawn from ``rng``."""
        capacity = math.prod(len(p) for p in parts)
        multiplier = rng.randrange(capacity // 3, capacity) | 1
        while math.gcd(multiplier, capacity) != 1:
            multiplier += 2
        sizes = tuple(len(p) for p in parts)
        return cls(f"{kind.prefix}/", sizes, _merge_parts(parts), capacity, multiplier, rng.randrange(capacity))

    def _position(self, index: int) -> tuple[int, int]:
        """The lap and the permuted combination number of entity ``index``."""
        lap, within = divmod(index, self.capacity)
        return lap, (within * self.multiplier + self.offset) % self.capacity

    def digits(self, index: int) -> list[int]:
        """The position in each word list of the words naming entity ``index``."""
        value = self._position(index)[1]
        found = []
        for size in self.sizes:
            value, digit = divmod(value, size)
            found.append(digit)
        return found

    def label(self, index: int) -> tuple[str, str]:
        """Key and name of entity ``index``."""
        lap, value = self._position(index)
        names, slugs = [], []
        for size, words, keys in self.tables:
            value, digit = divmod(value, size)
            names.append(words[digit])
            slugs.append(keys[digit])
        if lap:
            names.append(str(lap + 1))
            slugs.append(str(lap + 1))
        return self.prefix + "-".join(slugs), " ".join(names)


def _namers(rng: random.Random) -> dict[Kind, _Namer]:
    """One namer per kind, each with its own seeded permutation."""
    suffixes = [s for s, _ in _ORG_SUFFIXES]
    return {
        _ORG: _Namer.build(_ORG, [STEMS, suffixes], rng),
        _PER: _Namer.build(_PER, [_FIRST_NAMES, STEMS], rng),
        _MOD: _Namer.build(_MOD, [STEMS, _VERSIONS, _VARIANTS], rng),
        _ORD: _Namer.build(_ORD, [[f for f, _ in _ORDER_FORMS], _ORDER_NUMBERS, ["on"], _TOPICS], rng),
        _INC: _Namer.build(_INC, [STEMS, [p for p, _ in _INCIDENT_PHRASES]], rng),
        _AGR: _Namer.build(_AGR, [STEMS, _AGREEMENT_TOPICS, _AGREEMENT_FORMS], rng),
        _EVT: _Namer.build(_EVT, [STEMS, [n for n, _ in _EVENT_NOUNS], ["on"], _TOPICS], rng),
        _DOC: _Namer.build(_DOC, [STEMS, _HEADLINE_VERBS, _TOPICS], rng),
        _QST: _Namer.build(_QST, [["Will"], STEMS, _QUESTION_PHRASES], rng),
    }


# -- layout ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Chain:
    """A line of entities each related to the next; the head hangs off a special organization."""

    name: str
    type: RelationType
    members: tuple[tuple[Kind, int], ...]
    anchor_type: RelationType
    anchor: int


_CHAIN_PLANS: tuple[tuple[str, RelationType, tuple[Kind, ...], RelationType, int], ...] = (
    ("event-steps", _R.PART_OF, (_EVT,), _R.PART_OF, _CAISI),
    ("trigger-cascade", _R.TRIGGERED, (_INC, _EVT), _R.AFFECTED, _UNCOVERED[-1]),
    ("order-succession", _R.REPLACED, (_ORD,), _R.GRANTS_REVIEW_WINDOW_TO, _AGENCY_IDS[1]),
    ("unit-nesting", _R.PART_OF, (_ORG,), _R.PART_OF, _DEPARTMENT_IDS[1]),
)
"""Chains: name, link type, member kinds in turn, anchor type, anchor organization."""

# Average relations written per entity of each kind, before scaling to the
# overall target, and how many of them are written whatever the menu draws.
_TARGETS = {_ORG: 6.5, _PER: 5.0, _MOD: 4.0, _ORD: 7.0, _INC: 6.0, _AGR: 4.0, _EVT: 6.0, _DOC: 2.6, _QST: 3.0}
_MANDATORY = {_ORG: 0.25, _PER: 1.0, _MOD: 1.45, _ORD: 1.0, _INC: 1.0, _AGR: 2.0, _EVT: 1.0, _DOC: 1.8, _QST: 1.0}


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where every entity is: counts per kind, main and chain ranges, shards, names."""

    entities: int
    seed: int
    shard_entities: int
    counts: dict[Kind, int]
    first: dict[Kind, int]
    main_end: dict[Kind, int]
    chains: tuple[_Chain, ...]
    namers: dict[Kind, _Namer]
    extra_means: dict[Kind, float]
    paragraph_offset: int

    def labeler(self, kind: Kind) -> Callable[[int], tuple[str, str]]:
        """The function giving key and name of entity ``index`` of ``kind``."""
        label = self.namers[kind].label
        if kind is not _ORG:
            return label
        specials = _SPECIAL_LABELS
        count = len(specials)

        def organization(index: int) -> tuple[str, str]:
            return specials[index] if index < count else label(index - count)

        return organization

    def label(self, kind: Kind, index: int) -> tuple[str, str]:
        """Key and name of entity ``index`` of ``kind``."""
        return self.labeler(kind)(index)

    def paragraphs(self, document: int) -> int:
        """How many paragraphs document ``document`` has (6 to 45)."""
        return 6 + (document * 37 + self.paragraph_offset) % 40

    @property
    def shards(self) -> int:
        """How many shards the entities are cut into."""
        return -(-self.entities // self.shard_entities)

    def segments(self, shard: int) -> list[tuple[Kind, int, int]]:
        """The (kind, first, end) entity ranges that make up ``shard``."""
        lo, hi = shard * self.shard_entities, min(self.entities, (shard + 1) * self.shard_entities)
        found, start = [], 0
        for kind in Kind:
            end = start + self.counts[kind]
            if start < hi and lo < end:
                found.append((kind, max(lo, start) - start, min(hi, end) - start))
            start = end
        return found


def _counts(entities: int) -> dict[Kind, int]:
    """Entities per kind: the shares of :data:`KIND_SHARES`, models taking the remainder."""
    counts = {kind: entities * share // 100 for kind, share in KIND_SHARES.items()}
    counts[_MOD] += entities - sum(counts.values())
    return counts


def _chain_length(entities: int) -> int:
    """Chain length: :data:`CHAIN_LENGTH`, shorter in small graphs (at least 12)."""
    return min(CHAIN_LENGTH, max(12, entities // 40))


def _chains(counts: dict[Kind, int], length: int) -> tuple[tuple[_Chain, ...], dict[Kind, int]]:
    """Place the chains at the end of each kind's range; return them and where main entities end."""
    end = dict(counts)
    members: dict[str, list[tuple[Kind, int]]] = {}
    for name, _type, kinds, _anchor_type, _anchor in _CHAIN_PLANS:
        members[name] = []
        for position in range(length):
            kind = kinds[position % len(kinds)]
            end[kind] -= 1
            members[name].append((kind, end[kind]))
    chains = tuple(
        _Chain(name, type_, tuple(members[name]), anchor_type, anchor)
        for name, type_, _kinds, anchor_type, anchor in _CHAIN_PLANS
    )
    return chains, end


def _extra_means(first: dict[Kind, int], main_end: dict[Kind, int], entities: int, fixed: int) -> dict[Kind, float]:
    """Mean menu draws per owner of each kind so that the whole graph averages the target."""
    planned = sum((main_end[k] - first[k]) * _TARGETS[k] for k in Kind)
    scale = (RELATIONS_PER_ENTITY * entities - fixed) / planned
    return {k: max(0.0, _TARGETS[k] * scale - _MANDATORY[k]) for k in Kind}


@cache
def _layout(entities: int, seed: int, shard_entities: int) -> _Layout:
    """The layout of a graph; a pure function of its arguments (cached per process)."""
    if entities < MIN_ENTITIES:
        raise ValueError(f"entities must be at least {MIN_ENTITIES}, got {entities}")
    if shard_entities < 1:
        raise ValueError(f"shard_entities must be positive, got {shard_entities}")
    rng = random.Random(f"bench-layout:{seed}")
    counts = _counts(entities)
    length = _chain_length(entities)
    chains, main_end = _chains(counts, length)
    first = {kind: len(_SPECIALS) if kind is _ORG else 0 for kind in Kind}
    fixed = len(chains) * length + len(_SPECIAL_RELATIONS)
    return _Layout(
        entities=entities,
        seed=seed,
        shard_entities=shard_entities,
        counts=counts,
        first=first,
        main_end=main_end,
        chains=chains,
        namers=_namers(rng),
        extra_means=_extra_means(first, main_end, entities, fixed),
        paragraph_offset=rng.randrange(40),
    )


# -- output ---------------------------------------------------------------------------


class _Sink:
    """A JSON Lines file being written, counting its lines and bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0
        self.bytes = 0
        self._file: BinaryIO = open(path, "wb", buffering=1 << 20)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a line with sorted keys."""
        line = orjson.dumps(record, option=_DUMP_OPTIONS)
        self._file.write(line)
        self.lines += 1
        self.bytes += len(line)

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


# -- relation ownership -----------------------------------------------------------------

_SUBJECT_OWNED = frozenset(
    {
        _R.PART_OF, _R.HOUSED_IN, _R.OVERSEES, _R.HOLDS_POSITION, _R.LEADS, _R.RIVALS, _R.SUBMITTED_TO,
        _R.NEARLY_MATCHES, _R.NEGOTIATES_WITH, _R.PRESSED, _R.ADDRESSED_TO, _R.CONCERNS, _R.DID_NOT_COMMENT_ON,
        _R.REPLACED, _R.DISPUTES, _R.GIVES_RESPONSIBILITY_TO, _R.GRANTS_REVIEW_WINDOW_TO, _R.SETS_DEADLINE_FOR,
        _R.ESTABLISHES, _R.AFFECTED, _R.TRIGGERED, _R.SEEKS_ROLE_IN, _R.FOLLOWED, _R.ASKS,
        _R.NEARLY_MATCHES_MODELS_OF, _R.NO_LONGER_SEES_AS_CONCERN, _R.CAME_AMID,
    }
)  # fmt: skip
"""Types written by their subject; the others (CREATED, DEVELOPED, MADE, SIGNED...) by their object.

The owner of a relation is its only ordinary end when the other end is a
special organization (specials write only relations among themselves),
else the end this set names. Every relation thus has exactly one owner,
and an owner never writes the same relation twice, so no two records
share a relation key.
"""


# -- the shard generator --------------------------------------------------------------

_Label = tuple[str, str]
_Menu = tuple[tuple[Callable[[_Label], None], int], ...]


@dataclass(frozen=True, slots=True)
class _ShardResult:
    """What one shard wrote."""

    entity_counts: dict[str, int]
    relation_counts: dict[str, int]
    files: dict[str, int]
    lines: dict[str, int]


class _Shard:
    """Writes the entities of one shard and the relations they own.

    Each ``_<kind>`` method writes one entity of that kind with its own
    mandatory relations; extra relations are drawn from the kind's menu
    (``_menus``). The first ordinary entity of each kind writes one of
    every menu entry, so that every relation type appears at any size.
    Chain members write their entity and their chain links only.
    """

    def __init__(self, layout: _Layout, shard: int, out_dir: Path) -> None:
        self.layout = layout
        self.shard = shard
        self.rng = random.Random(f"bench-shard:{layout.seed}:{shard}")
        self.random = self.rng.random
        self.entity_counts = dict.fromkeys(Kind, 0)
        self.relation_counts = dict.fromkeys((t.name for t in RelationType), 0)
        self.seen: set[tuple[str, str, str]] = set()
        self.muted = False
        self.entities = _Sink(out_dir / _ENTITY_FILE.format(shard))
        self.relations = _Sink(out_dir / _RELATION_FILE.format(shard))
        self.chain_next = self._chain_links()
        self.labels = {kind: layout.labeler(kind) for kind in Kind}
        self.any_org = self.picker(_ORG)
        self.any_person = self.picker(_PER)
        self.any_model = self.picker(_MOD)
        self.any_actor = self.picker(_ORG, _PER)
        self.anything = self.picker(*Kind)
        self.document_label = self.labels[_DOC]
        self.documents = layout.counts[_DOC]
        self.menus = self._menus()
        self.draws = {kind: [m for m, weight in menu for _ in range(weight)] for kind, menu in self.menus.items()}
        self.writers: dict[Kind, Callable[[int, _Label, bool], None]] = {
            _ORG: self._organization,
            _PER: self._person,
            _MOD: self._model,
            _ORD: self._order,
            _INC: self._incident,
            _AGR: self._agreement,
            _EVT: self._event,
            _DOC: self._document,
            _QST: self._question,
        }

    # -- driving ---------------------------------------------------------------
    def run(self) -> _ShardResult:
        """Write the shard's two files and report what they hold."""
        try:
            for kind, lo, hi in self.layout.segments(self.shard):
                for index in range(lo, hi):
                    self._owner(kind, index)
        finally:
            self.entities.close()
            self.relations.close()
        sinks = (self.entities, self.relations)
        return _ShardResult(
            entity_counts={k.section: n for k, n in self.entity_counts.items()},
            relation_counts=dict(self.relation_counts),
            files={s.path.name: s.bytes for s in sinks},
            lines={s.path.name: s.lines for s in sinks},
        )

    def _owner(self, kind: Kind, index: int) -> None:
        """Write entity ``index`` of ``kind`` and the relations it owns."""
        self.seen.clear()
        label = self.labels[kind](index)
        if kind is _ORG and index < len(_SPECIALS):
            self._special(index, label)
        elif index >= self.layout.main_end[kind]:
            self._chain_member(kind, index, label)
        else:
            showcase = index == self.layout.first[kind]
            self.writers[kind](index, label, showcase)
            self._extras(kind, label, showcase)

    def _extras(self, kind: Kind, label: _Label, showcase: bool) -> None:
        """Draw the owner's extra relations from its kind's menu."""
        if showcase:
            for method, _weight in self.menus[kind]:
                method(label)
        draws = self.draws[kind]
        mean = self.layout.extra_means[kind]
        for _ in range(int(self.random() * (2 * mean + 1))):
            draws[int(self.random() * len(draws))](label)

    # -- choosing ends ---------------------------------------------------------
    def picker(self, *kinds: Kind) -> Callable[[], _Label]:
        """A function drawing an ordinary entity of one of ``kinds``, in proportion to their numbers."""
        layout, random_ = self.layout, self.random
        spans = [(self.labels[k], layout.first[k], layout.main_end[k] - layout.first[k]) for k in kinds]
        if len(spans) == 1:
            label, first, size = spans[0]
            return lambda: label(first + int(random_() * size))
        cumulative = [sum(size for _l, _f, size in spans[: i + 1]) for i in range(len(spans))]
        total = cumulative[-1]
        starts = [(label, first - (cumulative[i - 1] if i else 0)) for i, (label, first, _s) in enumerate(spans)]

        def pick() -> _Label:
            at = int(random_() * total)
            label, shift = starts[bisect.bisect_right(cumulative, at)]
            return label(at + shift)

        return pick

    def special(self, choices: Sequence[int]) -> _Label:
        """A random special organization among ``choices``."""
        return _SPECIAL_LABELS[choices[int(self.random() * len(choices))]]

    def choose(self, options: Sequence[Any]) -> Any:
        """A random element of ``options``."""
        return options[int(self.random() * len(options))]

    # -- records ---------------------------------------------------------------
    def _date(self, first_year: int = 2018, years: int = 9) -> tuple[str | dict[str, Any], int]:
        """A partial date of random precision, sometimes with inferred parts, and its year."""
        r = self.random
        year = first_year + int(r() * years)
        precision = r()
        if precision < 0.2:
            text, parts = f"{year}", ["year"]
        elif precision < 0.5:
            text, parts = f"{year}-{1 + int(r() * 12):02d}", ["year", "month"]
        else:
            text, parts = f"{year}-{1 + int(r() * 12):02d}-{1 + int(r() * 28):02d}", ["year", "month", "day"]
        inferred = r()
        if inferred < 0.12:
            return {"date": text, "inferred": ["year"]}, year
        if inferred < 0.16 and len(parts) > 1:
            return {"date": text, "inferred": parts[1:]}, year
        return text, year

    def _citations(self, claim: str) -> list[dict[str, Any]]:
        """One citation, sometimes two, into random documents."""
        found = [self._citation(claim)]
        if self.random() < 0.2:
            found.append(self._citation(claim))
        return found

    def _citation(self, claim: str) -> dict[str, Any]:
        """A citation of a random paragraph of a random document."""
        document = int(self.random() * self.documents)
        confidence, attribution = self._attribution()
        return {
            "document": self.document_label(document)[0],
            "paragraph": 1 + int(self.random() * self.layout.paragraphs(document)),
            "claim": claim,
            "confidence": confidence,
            "attribution": attribution,
        }

    def _attribution(self) -> tuple[str, dict[str, Any]]:
        """A confidence and an attribution, in the mix a news source gives."""
        draw = self.random()
        if draw < 0.52:
            return "REPORTED", {"kind": "REPORTING"}
        if draw < 0.62:
            return "INFERRED", {"kind": "REPORTING"}
        if draw < 0.66:
            return "UNCLEAR", {"kind": "REPORTING"}
        if draw < 0.80:
            return self._anonymous("ANONYMOUS_SOURCES")
        if draw < 0.83:
            return self._anonymous("UNCLEAR")
        if draw < 0.93:
            speaker, _name = self.any_person()
            return "ON_THE_RECORD", self._named("NAMED_PERSON", speaker, ("in an interview", "in a statement"))
        speaker, _name = self.any_org()
        return "ON_THE_RECORD", self._named("NAMED_ORGANIZATION", speaker, ("a spokeswoman", "a spokesman"))

    def _anonymous(self, confidence: str) -> tuple[str, dict[str, Any]]:
        """Unnamed sources, with their number when the source gives it."""
        text, count = self.choose(_ANONYMOUS_SOURCES)
        attribution: dict[str, Any] = {"kind": "ANONYMOUS_SOURCES", "text": text}
        if count is not None:
            attribution["count"] = count
        return confidence, attribution

    def _named(self, kind: str, speaker: str, texts: Sequence[str]) -> dict[str, Any]:
        """A named speaker in the graph, sometimes with how the source describes them."""
        attribution = {"kind": kind, "speaker": speaker}
        if self.random() < 0.5:
            attribution["text"] = self.choose(texts)
        return attribution

    def _entity(self, kind: Kind, label: _Label, description: str, fields: dict[str, Any]) -> None:
        """Write an entity record; every kind but documents cites where it comes from."""
        key, name = label
        record: dict[str, Any] = {"record": kind.section, "key": key, "name": name, "description": description}
        record.update(fields)
        if kind is not _DOC:
            citations = record["citation"] = self._citations(description)
            # The fact fields given are what the description states: the first
            # citation supports them, unless it is an inference, in which case
            # they are marked inferred (the loader's unsupported-field rule).
            inferred = record.get("inferred", [])
            facts = [name for name in FACT_FIELDS[kind] if name in fields and name not in inferred]
            if facts:
                if citations[0]["confidence"] == "INFERRED":
                    record["inferred"] = [*inferred, *facts]
                else:
                    citations[0]["supports"] = facts
        self.entities.write(record)
        self.entity_counts[kind] += 1

    def rel(self, subject: _Label, type_: RelationType, obj: _Label, valid_from: Any = None) -> None:
        """Write a relation unless muted, or it joins an entity to itself, or was already written."""
        spec = _SPECS[type_]
        triple = (subject[0], spec.name, obj[0])
        if self.muted or subject[0] == obj[0] or triple in self.seen:
            return
        self.seen.add(triple)
        record: dict[str, Any] = {
            "record": "relation",
            "subject": subject[0],
            "type": spec.name,
            "object": obj[0],
            "citation": self._citations(f"{type_.sentence(subject[1], obj[1])}."),
        }
        first = record["citation"][0]
        if all(c["confidence"] == "INFERRED" for c in record["citation"]):
            # An inference no paragraph states is the editors' background
            # knowledge (the loader's inferred-only rule).
            first["attribution"] = {"kind": "BACKGROUND_KNOWLEDGE"}
        qualifiers = spec.qualifiers(self) if spec.qualifiers is not None else None
        if qualifiers:
            record["qualifiers"] = qualifiers
        self._validity(record, spec, valid_from)
        self.relations.write(record)
        self.relation_counts[spec.name] += 1

    def _validity(self, record: dict[str, Any], spec: _Spec, valid_from: Any) -> None:
        """Set ``valid_from`` (given, or on a fraction of relations) and sometimes a later ``valid_to``."""
        if valid_from is not None:
            record["valid_from"] = valid_from
            return
        if self.random() >= spec.dated_share:
            return
        record["valid_from"], year = self._date()
        if self.random() < 0.35:
            record["valid_to"], _year = self._date(year + 1, 3)

    # -- special organizations and chains --------------------------------------
    def _special(self, index: int, label: _Label) -> None:
        """A hub or government organization and the relations among them."""
        special = _SPECIALS[index]
        fields: dict[str, Any] = {"category": special.category.name, "country": "US"}
        if special.aliases:
            fields["aliases"] = list(special.aliases)
        if special.major:
            fields["major_ai_developer"] = True
        self._entity(_ORG, label, f"{special.name} is {_CATEGORY_TEXT[special.category]}.", fields)
        for subject, type_, obj in _SPECIAL_RELATIONS:
            if subject == index:
                self.rel(label, type_, _SPECIAL_LABELS[obj])

    def _chain_links(self) -> dict[tuple[Kind, int], tuple[_Chain, int]]:
        """Each chain member's chain and position."""
        return {member: (chain, i) for chain in self.layout.chains for i, member in enumerate(chain.members)}

    def _chain_member(self, kind: Kind, index: int, label: _Label) -> None:
        """A chain member: the entity, its link to the next member, and the head's anchor."""
        chain, position = self.chain_next[(kind, index)]
        # Only the entity: its ordinary relations would give the chain shortcuts.
        self.muted = True
        self.writers[kind](index, label, False)
        self.muted = False
        if position + 1 < len(chain.members):
            next_kind, next_index = chain.members[position + 1]
            self.rel(label, chain.type, self.labels[next_kind](next_index))
        if position == 0:
            self.rel(label, chain.anchor_type, _SPECIAL_LABELS[chain.anchor])

    # -- entities of each kind -------------------------------------------------
    def _organization(self, index: int, label: _Label, showcase: bool) -> None:
        """An organization; its category follows its name ("... Bureau" is an agency)."""
        digits = self.layout.namers[_ORG].digits(index - len(_SPECIALS))
        category = _ORG_SUFFIXES[digits[1]][1]
        fields: dict[str, Any] = {"category": category.name}
        if self.random() < 0.7:
            fields["country"] = self.choose(_COUNTRIES)
            if self.random() < 0.05:
                fields["inferred"] = ["country"]
        if category is OrgCategory.COMPANY and self.random() < 0.2:
            fields["aliases"] = [STEMS[digits[0]]]
        if category is OrgCategory.COMPANY and self.random() < 0.1:
            fields["major_ai_developer"] = False
        self._entity(_ORG, label, f"{label[1]} is {_CATEGORY_TEXT[category]}.", fields)
        if category is OrgCategory.GOVERNMENT_AGENCY or showcase:
            self.rel(label, _R.HOUSED_IN, self.special(_DEPARTMENT_IDS))
        if self.random() < 0.03:
            self.rel(self.special(_AGENCY_DRAW), _R.OVERSEES, label)

    def _person(self, index: int, label: _Label, showcase: bool) -> None:
        """A person and the post they hold."""
        digits = self.layout.namers[_PER].digits(index)
        fields: dict[str, Any] = {}
        draw = self.random()
        if draw < 0.15:
            fields["aliases"] = [f"{_FIRST_NAMES[digits[0]][0]}. {STEMS[digits[1]]}"]
        elif draw < 0.19:
            fields["inferred"] = ["name"]
        role = _PERSON_ROLES[(digits[0] + digits[1]) % len(_PERSON_ROLES)]
        self._entity(_PER, label, f"{label[1]} is {role} in coverage of AI oversight.", fields)
        employer = self.special(_AGENCY_IDS + _MAJOR_IDS) if self.random() < 0.05 else self.any_org()
        self.rel(label, _R.HOLDS_POSITION, employer)

    def _model(self, index: int, label: _Label, showcase: bool) -> None:
        """A model, its developer and, if it was released, the release."""
        digits = self.layout.namers[_MOD].digits(index)
        status = self.choose(_ACCESS_DRAW)
        fields: dict[str, Any] = {"access_status": status.name}
        released = status in (AccessStatus.PUBLIC, AccessStatus.RESTRICTED, AccessStatus.SUSPENDED)
        release_date = None
        if released and self.random() < 0.9:
            release_date, _year = self._date(2020, 7)
            fields["release_date"] = release_date
        if self.random() < 0.15:
            fields["aliases"] = [f"{STEMS[digits[0]]}-{_VERSIONS[digits[1]]}"]
        self._entity(_MOD, label, f"{label[1]} is an AI model ({status.description.lower().rstrip('.')}).", fields)
        developer = self.special(_MAJOR_IDS) if self.random() < 0.2 else self.any_org()
        self.rel(developer, _R.DEVELOPED, label)
        if released and (self.random() < 0.7 or showcase):
            self.rel(developer, _R.RELEASED, label, valid_from=release_date)

    def _order(self, index: int, label: _Label, showcase: bool) -> None:
        """An order and who signed it."""
        digits = self.layout.namers[_ORD].digits(index)
        order_kind = _ORDER_FORMS[digits[0]][1]
        fields: dict[str, Any] = {"order_kind": order_kind.name}
        signed = None
        if self.random() < 0.9:
            signed, _year = self._date()
            fields["date_signed"] = signed
        self._entity(_ORD, label, f"{label[1]} is {order_kind.description.lower().rstrip('.')}.", fields)
        self.rel(self.any_person(), _R.SIGNED, label, valid_from=signed)

    def _incident(self, index: int, label: _Label, showcase: bool) -> None:
        """An incident and what it affected."""
        digits = self.layout.namers[_INC].digits(index)
        incident_kind = _INCIDENT_PHRASES[digits[1]][1]
        fields: dict[str, Any] = {"incident_kind": incident_kind.name}
        if self.random() < 0.85:
            fields["occurred"] = self._date()[0]
        self._entity(_INC, label, f"{label[1]} is an incident: {incident_kind.description.lower()}", fields)
        target = self.special(_MAJOR_IDS) if self.random() < 0.1 else self.any_model()
        self.rel(label, _R.AFFECTED, target)

    def _agreement(self, index: int, label: _Label, showcase: bool) -> None:
        """An agreement and its two sides."""
        counterparty, party, status = self._agreement_sides(index)
        fields: dict[str, Any] = {"status": status.name}
        if status in (AgreementStatus.SIGNED, AgreementStatus.TERMINATED) and self.random() < 0.9:
            fields["date_signed"] = self._date()[0]
        self._entity(_AGR, label, f"{label[1]} is a voluntary model-review agreement.", fields)
        self.rel(_SPECIAL_LABELS[counterparty], _R.COUNTERPARTY_TO, label)
        self.rel(party, _R.PARTY_TO, label)

    def _agreement_sides(self, index: int) -> tuple[int, _Label, AgreementStatus]:
        """Counterparty, party and status: the first six fix who has signed with CAISI."""
        if index < len(_MAJOR_IDS):
            major = _MAJOR_IDS[index]
            status = AgreementStatus.SIGNED if major in _COVERED else AgreementStatus.NEGOTIATING
            return _CAISI, _SPECIAL_LABELS[major], status
        counterparty = self.choose(_AGENCY_DRAW) if self.random() < 0.8 else self.choose(_DEPARTMENT_IDS)
        developer = self.choose(_MAJOR_IDS) if self.random() < 0.25 else None
        party = _SPECIAL_LABELS[developer] if developer is not None else self.any_org()
        unsigned = developer in _UNCOVERED and counterparty == _CAISI
        status = self.choose(_UNSIGNED_DRAW if unsigned else _STATUS_DRAW)
        return counterparty, party, status

    def _event(self, index: int, label: _Label, showcase: bool) -> None:
        """An event and who made or initiated it."""
        digits = self.layout.namers[_EVT].digits(index)
        event_kind = _EVENT_NOUNS[digits[1]][1]
        fields: dict[str, Any] = {"event_kind": event_kind.name}
        if self.random() < 0.8:
            fields["occurred"] = self._date()[0]
        self._entity(_EVT, label, f"{label[1]} is an event: {event_kind.description.lower()}", fields)
        actor = self.special(_AGENCY_DRAW) if self.random() < 0.1 else self.any_actor()
        starts = event_kind in (EventKind.POLICY, EventKind.PROCESS)
        self.rel(actor, _R.INITIATED if starts else _R.MADE, label)

    def _document(self, index: int, label: _Label, showcase: bool) -> None:
        """A document, its outlet and usually its author."""
        outlet = self.special(_OUTLET_IDS)
        fields: dict[str, Any] = {"title": label[1], "paragraphs": self.layout.paragraphs(index)}
        if self.random() < 0.95:
            fields["published"], year = self._date()
            if self.random() < 0.8:
                fields["url"] = f"https://{outlet[0][4:]}.example/{year}/{label[0][4:]}"
        self._entity(_DOC, label, f"{label[1]} is an article published by {outlet[1]}.", fields)
        self.rel(outlet, _R.PUBLISHED, label)
        if self.random() < 0.8:
            self.rel(self.any_person(), _R.AUTHORED, label)

    def _question(self, index: int, label: _Label, showcase: bool) -> None:
        """An open question and what it concerns."""
        status = QuestionStatus.ANSWERED if self.random() < 0.15 else QuestionStatus.OPEN
        self._entity(_QST, label, f"{label[1]} is a question the sources leave open.", {"status": status.name})
        self.rel(label, _R.CONCERNS, self.anything())

    # -- menus -----------------------------------------------------------------
    def _menus(self) -> dict[Kind, _Menu]:
        """Extra relations an owner of each kind may draw, with weights."""
        any_kind = tuple(Kind)
        contestable = tuple(k for k in Kind if k not in (_PER, _DOC))

        def out(type_: RelationType, *kinds: Kind) -> Callable[[_Label], None]:
            assert type_ in _SUBJECT_OWNED, f"{type_.name} is written by its object"
            pick = self.picker(*kinds)
            return lambda owner: self.rel(owner, type_, pick())

        def into(type_: RelationType, *kinds: Kind) -> Callable[[_Label], None]:
            assert type_ not in _SUBJECT_OWNED, f"{type_.name} is written by its subject"
            pick = self.picker(*kinds)
            return lambda owner: self.rel(pick(), type_, owner)

        def to_special(type_: RelationType, choices: Sequence[int]) -> Callable[[_Label], None]:
            return lambda owner: self.rel(owner, type_, self.special(choices))

        def from_special(type_: RelationType, choices: Sequence[int]) -> Callable[[_Label], None]:
            return lambda owner: self.rel(self.special(choices), type_, owner)

        actor_common: _Menu = (
            (out(_R.OVERSEES, _ORG, _EVT), 12),
            (out(_R.LEADS, _ORG, _EVT), 6),
            (out(_R.NEGOTIATES_WITH, _ORG, _PER), 12),
            (to_special(_R.NEGOTIATES_WITH, _AGENCY_DRAW), 1),
            (out(_R.PRESSED, _ORG, _PER), 12),
            (out(_R.DID_NOT_COMMENT_ON, *any_kind), 12),
            (out(_R.DISPUTES, *contestable), 6),
            (out(_R.NO_LONGER_SEES_AS_CONCERN, _ORG, _MOD), 2),
        )
        return {
            _ORG: (
                *actor_common,
                (out(_R.PART_OF, _ORG), 18),
                (out(_R.HOUSED_IN, _ORG), 6),
                (out(_R.RIVALS, _ORG), 12),
                (to_special(_R.RIVALS, _MAJOR_IDS), 1),
                (to_special(_R.SUBMITTED_TO, _AGENCY_DRAW), 1),
                (out(_R.SEEKS_ROLE_IN, _EVT), 6),
                (into(_R.CREATED, _ORG, _PER), 6),
            ),
            _PER: (*actor_common, (out(_R.HOLDS_POSITION, _ORG), 4)),
            _MOD: (
                (to_special(_R.SUBMITTED_TO, _AGENCY_DRAW), 1),
                (out(_R.NEARLY_MATCHES, _MOD), 30),
                (out(_R.NEARLY_MATCHES_MODELS_OF, _ORG), 12),
                (to_special(_R.NEARLY_MATCHES_MODELS_OF, _MAJOR_IDS), 1),
                (out(_R.SUBMITTED_TO, _ORG), 12),
            ),
            _ORD: (
                (to_special(_R.GIVES_RESPONSIBILITY_TO, _AGENCY_DRAW), 1),
                (out(_R.GIVES_RESPONSIBILITY_TO, _ORG, _PER), 9),
                (to_special(_R.GRANTS_REVIEW_WINDOW_TO, _AGENCY_DRAW), 1),
                (out(_R.GRANTS_REVIEW_WINDOW_TO, _ORG), 6),
                (out(_R.SETS_DEADLINE_FOR, _ORG, _EVT), 9),
                (out(_R.ESTABLISHES, _EVT), 9),
                (out(_R.ASKS, _ORG), 6),
                (out(_R.CONCERNS, *any_kind), 15),
                (out(_R.REPLACED, _ORD), 6),
                (into(_R.SIGNED, _PER), 3),
            ),
            _INC: (
                (into(_R.ORDERED, _ORG, _PER), 6),
                (from_special(_R.ORDERED, (_EXEC,)), 1),
                (into(_R.DISCLOSED, _ORG, _PER), 6),
                (into(_R.SHOWED, _EVT), 3),
                (out(_R.TRIGGERED, _INC, _EVT, _ORD), 6),
                (out(_R.CONCERNS, *any_kind), 6),
                (out(_R.CAME_AMID, _EVT), 3),
                (out(_R.AFFECTED, _MOD, _ORG), 6),
            ),
            _AGR: (
                (out(_R.CONCERNS, _MOD), 9),
                (out(_R.CONCERNS, *any_kind), 3),
                (out(_R.REPLACED, _AGR), 3),
                (into(_R.PARTY_TO, _ORG), 3),
            ),
            _EVT: (
                (out(_R.ADDRESSED_TO, _ORG, _PER), 18),
                (to_special(_R.ADDRESSED_TO, _MAJOR_IDS), 1),
                (out(_R.CONCERNS, *any_kind), 18),
                (out(_R.PART_OF, _EVT), 12),
                (out(_R.TRIGGERED, _INC, _EVT, _ORD), 12),
                (out(_R.REPLACED, _EVT), 6),
                (out(_R.FOLLOWED, _EVT), 6),
                (into(_R.PROMOTED, _ORG, _PER), 3),
                (into(_R.TAKES_PART_IN, _ORG, _PER), 6),
                (from_special(_R.OVERSEES, _AGENCY_DRAW), 1),
                (from_special(_R.LEADS, _AGENCY_DRAW), 1),
                (into(_R.CREATED, _ORG, _PER), 6),
                (into(_R.MADE, _ORG, _PER), 6),
                (into(_R.INITIATED, _ORG, _PER), 6),
            ),
            _DOC: ((into(_R.CONTRIBUTED_TO, _PER), 1),),
            _QST: ((out(_R.CONCERNS, *any_kind), 3), (out(_R.CONCERNS, _ORG), 1)),
        }


_ANONYMOUS_SOURCES: tuple[tuple[str, int | None], ...] = (
    ("two government officials", 2),
    ("three people familiar with the talks", 3),
    ("a person briefed on the plan", 1),
    ("four people with knowledge of the request", 4),
    ("people familiar with the matter", None),
    ("several industry executives", None),
)
_ACCESS_DRAW = (
    (AccessStatus.PUBLIC,) * 9
    + (AccessStatus.RESTRICTED,) * 3
    + (AccessStatus.SUSPENDED,)
    + (AccessStatus.UNRELEASED,) * 4
    + (AccessStatus.UNKNOWN,) * 3
)
_STATUS_DRAW = (
    (AgreementStatus.SIGNED,) * 9
    + (AgreementStatus.NEGOTIATING,) * 5
    + (AgreementStatus.PROPOSED,) * 4
    + (AgreementStatus.TERMINATED,) * 2
)
_UNSIGNED_DRAW = tuple(s for s in _STATUS_DRAW if s not in (AgreementStatus.SIGNED, AgreementStatus.AGREED))


def _q_role(shard: _Shard) -> dict[str, Any]:
    return {"role": shard.choose(_ROLES)}


def _q_pressed(shard: _Shard) -> dict[str, Any]:
    return {"channel": shard.choose(_CHANNELS), "purpose": shard.choose(_PURPOSES)}


def _q_channel(shard: _Shard) -> dict[str, Any]:
    return {"channel": shard.choose(_CHANNELS)}


def _q_window(shard: _Shard) -> dict[str, Any]:
    return {"days_allowed": shard.choose(_DAYS_ALLOWED)}


def _q_ordered(shard: _Shard) -> dict[str, Any]:
    # Sources often give only a bound ("less than 90 minutes").
    limit = "minutes_less_than" if shard.random() < 0.3 else "minutes_allowed"
    return {limit: shard.choose(_MINUTES_ALLOWED), "reason": shard.choose(_REASONS)}


def _q_deadline(shard: _Shard) -> dict[str, Any]:
    return {"deadline": shard._date(2024, 4)[0]}


def _q_note(shard: _Shard) -> dict[str, Any]:
    return {"note": shard.choose(_NOTES)}


def _q_maybe_purpose(shard: _Shard) -> dict[str, Any] | None:
    return {"purpose": shard.choose(_PURPOSES)} if shard.random() < 0.5 else None


def _q_maybe_reason(shard: _Shard) -> dict[str, Any] | None:
    return {"reason": shard.choose(_REASONS)} if shard.random() < 0.3 else None


_QUALIFIERS: dict[RelationType, Callable[[_Shard], dict[str, Any] | None]] = {
    _R.HOLDS_POSITION: _q_role,
    _R.PRESSED: _q_pressed,
    _R.ADDRESSED_TO: _q_channel,
    _R.DISCLOSED: _q_channel,
    _R.GRANTS_REVIEW_WINDOW_TO: _q_window,
    _R.ASKS: _q_window,
    _R.ORDERED: _q_ordered,
    _R.SETS_DEADLINE_FOR: _q_deadline,
    _R.GIVES_RESPONSIBILITY_TO: _q_note,
    _R.NEGOTIATES_WITH: _q_maybe_purpose,
    _R.DISPUTES: _q_maybe_reason,
}
"""Qualifiers written with each relation type (drawn per relation)."""


@dataclass(frozen=True, slots=True)
class _Spec:
    """How relations of one type are written."""

    name: str
    phrase: str
    qualifiers: Callable[[_Shard], dict[str, Any] | None] | None
    dated_share: float


def _dated_share(type_: RelationType) -> float:
    """The share of relations of ``type_`` given a random ``valid_from``.

    Releases and signatures are dated by the model's or order's own date
    (or not at all); positions and leadership change over time.
    """
    if type_ in (_R.RELEASED, _R.SIGNED):
        return 0.0
    return 0.6 if type_ in (_R.HOLDS_POSITION, _R.LEADS) else 0.15


_SPECS = {t: _Spec(t.name, t.phrase, _QUALIFIERS.get(t), _dated_share(t)) for t in RelationType}

# -- the whole graph -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ShardTask:
    """Everything a worker process needs to write one shard."""

    entities: int
    seed: int
    shard_entities: int
    shard: int
    out_dir: str


def _run_shard(task: _ShardTask) -> _ShardResult:
    """Write one shard (in this or a worker process)."""
    layout = _layout(task.entities, task.seed, task.shard_entities)
    return _Shard(layout, task.shard, Path(task.out_dir)).run()


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What :func:`generate` wrote, and entities worth benchmarking on.

    Everything but ``seconds`` is saved as ``summary.json``, which is
    therefore as deterministic as the data.

    Attributes
    ----------
    entities, seed
        The arguments.
    relations
        Relation records written (each a distinct relation).
    entity_counts, relation_counts
        Per kind (``organization``...) and per relation type (``PART_OF``...).
    files
        Data file name → size in bytes; ``total_bytes`` is their sum.
    file_lines
        Data file name → number of lines (records).
    hub
        ``org/caisi``, the busiest agency (for neighbourhood benchmarks).
    hubs, agencies, major_developers
        The hub organizations.
    developers_without_agreement
        Major developers with no SIGNED agreement with ``org/caisi``.
    far_pair, far_pair_length
        The far ends of two chains and the length of the only shortest
        path between them.
    chains
        Each chain: name, head, tail, number of entities.
    sample_keys, search_terms
        One ordinary entity per kind (for lookups), and names and words
        that find a few entities only (for search).
    seconds
        Wall-clock time of the generation.
    """

    entities: int
    seed: int
    relations: int
    entity_counts: dict[str, int]
    relation_counts: dict[str, int]
    files: dict[str, int]
    file_lines: dict[str, int]
    total_bytes: int
    hub: str
    hubs: tuple[str, ...]
    agencies: tuple[str, ...]
    major_developers: tuple[str, ...]
    developers_without_agreement: tuple[str, ...]
    far_pair: tuple[str, str]
    far_pair_length: int
    chains: tuple[dict[str, Any], ...]
    sample_keys: dict[str, str]
    search_terms: tuple[str, ...]
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> bytes:
        """The summary as indented JSON with sorted keys, without the timing."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "seconds"}
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)

    def line(self, out_dir: Path) -> str:
        """A one-line report of the run."""
        return (
            f"{self.entities:,} entities, {self.relations:,} relations "
            f"({self.relations / self.entities:.2f} per entity), {len(self.files)} files, "
            f"{self.total_bytes / 1e6:,.1f} MB in {self.seconds:.1f}s -> {out_dir}"
        )


def _workers(requested: int | None, tasks: int) -> int:
    """How many processes to use: as requested, else one per available core, at most one per shard."""
    if requested is None:
        affinity = getattr(os, "sched_getaffinity", None)
        requested = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(requested, tasks))


def _run_tasks(tasks: list[_ShardTask], workers: int) -> list[_ShardResult]:
    """Run the shard tasks, in worker processes when more than one is allowed."""
    if workers == 1:
        return [_run_shard(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_run_shard, tasks))


def _clear(out_dir: Path) -> None:
    """Remove the files an earlier run wrote, so no stale shard is left behind."""
    for pattern in _OUTPUT_PATTERNS:
        for path in sorted(out_dir.glob(pattern)):
            path.unlink()


def _merge_counts(results: list[_ShardResult], attribute: str) -> dict[str, int]:
    """Add up one count table of every shard, keeping the table's order."""
    total: dict[str, int] = {}
    for result in results:
        for name, count in getattr(result, attribute).items():
            total[name] = total.get(name, 0) + count
    return total


def _samples(layout: _Layout) -> tuple[dict[str, str], tuple[str, ...]]:
    """One ordinary entity per kind from the middle of its range, and search terms that find them."""
    keys: dict[str, str] = {}
    names: dict[Kind, str] = {}
    for kind in Kind:
        index = (layout.first[kind] + layout.main_end[kind]) // 2
        keys[kind.section], names[kind] = layout.label(kind, index)
    surname = names[_PER].split()[-1]
    return keys, (names[_ORG], surname, names[_MOD], names[_EVT].split()[0])


def _summarize(layout: _Layout, results: list[_ShardResult], seconds: float) -> GenerationSummary:
    """The summary of a finished run."""
    relation_counts = _merge_counts(results, "relation_counts")
    files = {name: size for result in results for name, size in result.files.items()}
    chains = tuple(
        {
            "name": chain.name,
            "head": layout.label(*chain.members[0])[0],
            "tail": layout.label(*chain.members[-1])[0],
            "entities": len(chain.members),
        }
        for chain in layout.chains
    )
    first, second = layout.chains[0], layout.chains[1]
    # tail → head along one chain, head → anchor, anchor → anchor (one special
    # relation), anchor → head and head → tail along the other.
    far_length = (len(first.members) - 1) + 3 + (len(second.members) - 1)
    sample_keys, search_terms = _samples(layout)
    specials = [s.key for s in (*_AGENCIES, *_MAJORS, *_OUTLETS)]
    return GenerationSummary(
        entities=layout.entities,
        seed=layout.seed,
        relations=sum(relation_counts.values()),
        entity_counts=_merge_counts(results, "entity_counts"),
        relation_counts=relation_counts,
        files=dict(sorted(files.items())),
        file_lines=dict(sorted((name, n) for result in results for name, n in result.lines.items())),
        total_bytes=sum(files.values()),
        hub=_AGENCIES[0].key,
        hubs=tuple(specials),
        agencies=tuple(s.key for s in _AGENCIES),
        major_developers=tuple(s.key for s in _MAJORS),
        developers_without_agreement=tuple(_SPECIALS[i].key for i in _UNCOVERED),
        far_pair=(str(chains[0]["tail"]), str(chains[1]["tail"])),
        far_pair_length=far_length,
        chains=chains,
        sample_keys=sample_keys,
        search_terms=search_terms,
        seconds=seconds,
    )


def generate(
    entities: int,
    out_dir: Path,
    seed: int = 42,
    *,
    workers: int | None = None,
    shard_entities: int = SHARD_ENTITIES,
) -> GenerationSummary:
    """Write a synthetic graph of ``entities`` entities to ``out_dir``.

    Parameters
    ----------
    entities
        How many entities; at least :data:`MIN_ENTITIES`.
    out_dir
        The directory to write; created if missing. Files of an earlier
        run there (``entities-*.jsonl``, ``relations-*.jsonl``,
        ``summary.json``) are replaced; other files are left alone.
    seed
        Different seeds give different graphs of the same shape.
    workers
        Processes to write shards with; by default one per available
        core. The output does not depend on it.
    shard_entities
        Entities per shard (and per pair of files); the output depends on it.

    Raises
    ------
    ValueError
        If ``entities`` is below :data:`MIN_ENTITIES` or ``shard_entities`` is not positive.
    """
    started = time.perf_counter()
    layout = _layout(entities, seed, shard_entities)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    tasks = [_ShardTask(entities, seed, shard_entities, shard, str(out_dir)) for shard in range(layout.shards)]
    results = _run_tasks(tasks, _workers(workers, len(tasks)))
    summary = _summarize(layout, results, time.perf_counter() - started)
    (out_dir / _SUMMARY_FILE).write_bytes(summary.to_json())
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate a graph, print a one-line summary, write ``summary.json``."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description="Write a synthetic benchmark graph.")
    parser.add_argument("--entities", type=int, required=True, help=f"number of entities (at least {MIN_ENTITIES})")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default %(default)s)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: available cores)")
    args = parser.parse_args(argv)
    try:
        summary = generate(args.entities, args.out, args.seed, workers=args.workers)
    except ValueError as error:
        parser.error(str(error))
    print(summary.line(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
