"""Change sets: what the journal records for every change to the graph.

A :class:`ChangeSet` is numbered by the graph version it creates, says who
made it (:class:`Actor`: a token's name and role, never the token), when,
and why (a required ``reason``, like a wiki edit summary), and holds its
:class:`Effect` list. An effect is one entity, relation or redirect as it
was before and as it is after, both as seed-format records
(:mod:`graph.serialize`): replaying the effects in order rebuilds the graph,
and a reader of the change feed sees exactly what changed.

Examples
--------
>>> effect = Effect("retractRelation", Target.RELATION, "org/a|RIVALS|org/b", {"subject": "org/a"}, None)
>>> effect.action
'RETRACTED'
>>> Effect.from_json(effect.to_json()) == effect
True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oversight_graph.graph.enums import DescribedEnum
from oversight_graph.graph.model import kind_of_key

__all__ = ["Actor", "ChangeSet", "Effect", "Role", "Target"]


class Role(DescribedEnum):
    """What a token may do; each role may also do everything of the roles before it."""

    READER = ("reader", "May read, also where the server requires a token for reads.")
    EDITOR = ("editor", "May also change data: entities, relations, citations, documents.")
    ADMIN = ("admin", "May also merge entities and manage tokens.")

    @classmethod
    def of(cls, value: str) -> Role:
        """The role named ``value`` (``"editor"``); :class:`ValueError` for any other."""
        for role in cls:
            if role.value == value:
                return role
        raise ValueError(f"{value!r} is not a role; expected one of {', '.join(r.value for r in cls)}")

    @property
    def rank(self) -> int:
        """Order of the roles: reader < editor < admin."""
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank


_RANKS = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: an API token's name and role (the token itself is never kept)."""

    name: str
    role: Role


class Target(enum.Enum):
    """What an effect changes."""

    ENTITY = "entity"
    RELATION = "relation"
    REDIRECT = "redirect"


@dataclass(frozen=True, slots=True)
class Effect:
    """One record's change: its state before and after, as seed-format records.

    Attributes
    ----------
    op
        The operation that made it (``createEntity``, ``mergeEntities``...).
    target
        Whether ``key`` names an entity, a relation, or a merged key's redirect.
    key
        The entity key, relation key, or merged key.
    before, after
        The record before and after; ``None`` when it did not exist before
        (added) or does not after (retracted). A redirect's record is
        ``{"to": key}``.
    """

    op: str
    target: Target
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action(self) -> str:
        """``ADDED``, ``CHANGED`` or ``RETRACTED``."""
        if self.before is None:
            return "ADDED"
        return "RETRACTED" if self.after is None else "CHANGED"

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys whose history this effect belongs to: its own, and a relation's ends."""
        if self.target is Target.RELATION:
            record = self.after or self.before or {}
            ends = tuple(k for k in (record.get("subject"), record.get("object")) if isinstance(k, str))
            return (self.key, *ends)
        return (self.key,)

    def to_json(self) -> dict[str, Any]:
        """The effect as a JSON object (how journals store it)."""
        return {"op": self.op, "target": self.target.value, "key": self.key, "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Effect:
        """The inverse of :meth:`to_json`."""
        return cls(data["op"], Target(data["target"]), data["key"], data["before"], data["after"])

    @property
    def section(self) -> str | None:
        """For an entity effect, the seed record type of the entity (``organization``...)."""
        kind = kind_of_key(self.key) if self.target is Target.ENTITY else None
        return kind.section if kind is not None else None


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """A numbered, attributed, atomic set of effects."""

    version: int
    at: datetime
    actor: Actor
    reason: str
    effects: tuple[Effect, ...]
    size: int | None = None
    """How many effects it has, when ``effects`` was not read (a header only); else ``None``."""

    @property
    def count(self) -> int:
        """How many effects the change set has."""
        return len(self.effects) if self.size is None else self.size

    @property
    def complete(self) -> bool:
        """Whether ``effects`` holds every effect (not a header read without them)."""
        return self.size is None

    @property
    def keys(self) -> frozenset[str]:
        """Every key whose history includes this change set."""
        return frozenset(k for effect in self.effects for k in effect.keys)
