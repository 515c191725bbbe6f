"""The exceptions the write path raises.

One small tree under the graph package's :class:`~graph.errors.OversightError`::

    JournalError
    ├── JournalUnavailable    the journal's database cannot be opened or used
    ├── VersionConflict       the graph has moved past the version a writer expected
    ├── EditRejected          a change set breaks the data rules (carries every problem)
    ├── NotPermitted          the actor may not make this change
    │   ├── Unauthenticated   ... because no valid token was given
    │   └── Forbidden         ... because the token's role is too low
    └── SnapshotError         a snapshot file is damaged or belongs to another journal
"""

from __future__ import annotations

from oversight_graph.graph.errors import OversightError, Problem

__all__ = [
    "EditRejected",
    "Forbidden",
    "JournalError",
    "JournalUnavailable",
    "NotPermitted",
    "SnapshotError",
    "Unauthenticated",
    "VersionConflict",
]


class JournalError(OversightError):
    """Base class of the write path's errors."""


class JournalUnavailable(JournalError):
    """The journal's database cannot be opened, read or written; the message says why and where."""


class VersionConflict(JournalError):
    """A change set named an ``expectedVersion`` that the graph has moved past."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the graph is at version {actual}, not {expected}: reload what you edit and try again; nothing was changed"
        )
        self.expected = expected
        self.actual = actual


class EditRejected(JournalError):
    """A change set breaks the data rules; nothing of it was applied.

    ``problems`` lists every problem, each with the path of the input it
    concerns (``Problem.file`` holds the operation, ``Problem.field`` the field).
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the change set; nothing was changed:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


class NotPermitted(JournalError):
    """The actor may not make this change."""


class Unauthenticated(NotPermitted):
    """No valid token: changing the graph needs one."""


class Forbidden(NotPermitted):
    """The token's role does not allow this change."""


class SnapshotError(JournalError):
    """A snapshot cannot be used: damaged, of another format, or of another journal."""
