"""The exceptions the graph package raises.

One small tree, so callers can catch as broadly or as narrowly as they need::

    OversightError
    ├── DataError                 a seed directory cannot be loaded
    │   └── ValidationFailed      ... because records break the rules (carries every Problem)
    ├── NotFound                  no entity or relation under that key (also a KeyError)
    │   ├── UnknownEntity
    │   └── UnknownRelation
    └── InvalidArgument           a query argument is out of range or malformed (also a ValueError)
        ├── InvalidDate
        └── InvalidCursor
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataError",
    "InvalidArgument",
    "InvalidCursor",
    "InvalidDate",
    "NotFound",
    "OversightError",
    "Problem",
    "UnknownEntity",
    "UnknownRelation",
    "ValidationFailed",
]


class OversightError(Exception):
    """Base class of every error raised by the graph package."""


class DataError(OversightError):
    """A data directory or file cannot be read."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input data, located as precisely as possible.

    Attributes
    ----------
    file
        Path of the file, relative to the loaded directory.
    record
        Which record: its key when it has one, else its position
        (``relation #3``, ``line 12``).
    field
        Dotted path of the offending field (``citation[0].paragraph``), or
        ``""`` when the problem concerns the whole record or file.
    message
        What is wrong, in a sentence that names the bad value.
    """

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class ValidationFailed(DataError):
    """The data breaks one or more rules; nothing was loaded.

    ``problems`` lists every problem found, not only the first.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {count - 50} more" if count > 50 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the data:\n{lines}{more}")


class NotFound(OversightError, KeyError):
    """No record exists under the given key."""

    def __init__(self, key: str, what: str = "record") -> None:
        self.key = key
        self.what = what
        super().__init__(key)

    def __str__(self) -> str:
        return f"no {self.what} with key {self.key!r}"


class UnknownEntity(NotFound):
    """No entity has the given key."""

    def __init__(self, key: str) -> None:
        super().__init__(key, "entity")


class UnknownRelation(NotFound):
    """No relation has the given key."""

    def __init__(self, key: str) -> None:
        super().__init__(key, "relation")


class InvalidArgument(OversightError, ValueError):
    """A query argument is malformed or out of range."""


class InvalidDate(InvalidArgument):
    """Text that should be a (partial) ISO 8601 date is not one."""


class InvalidCursor(InvalidArgument):
    """A pagination cursor was not produced by this service."""
