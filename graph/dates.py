"""Partial dates: ISO 8601 dates with reduced precision and inferred parts.

News reporting rarely gives full dates. "In April" has month precision and
no stated year; "on June 2" has a day but the year is inferred from context.
:class:`PartialDate` keeps exactly what is known and says which parts were
inferred rather than stated, so a client never mistakes an editor's guess
for a reported fact.

A partial date stands for an interval of days: ``2026-04`` covers April 1 to
April 30. Comparisons therefore come in two flavours, :meth:`earliest` and
:meth:`latest`, and ordering uses :attr:`sort_key` (earliest day first, then
coarser precision first).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from oversight_graph.graph.errors import InvalidDate

__all__ = ["DatePart", "DatePrecision", "PartialDate"]


class DatePrecision(Enum):
    """How much of a date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"

    @property
    def description(self) -> str:
        return _PRECISION_TEXT[self]


class DatePart(Enum):
    """A component of a date, used to mark which parts were inferred."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"

    @property
    def description(self) -> str:
        return f"The {self.value} component of a date."


_PRECISION_TEXT = {
    DatePrecision.YEAR: "Only the year is known (e.g. 2026).",
    DatePrecision.MONTH: "Year and month are known (e.g. 2026-04).",
    DatePrecision.DAY: "The exact day is known (e.g. 2026-06-02).",
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to year, month or day precision.

    Parameters
    ----------
    year, month, day
        The known components; ``month`` and ``day`` may be ``None``.
    inferred
        The components that were inferred by the editors rather than stated
        by a source (for instance the year of "on June 2").

    Examples
    --------
    >>> d = PartialDate.parse("2026-06-02", inferred=["year"])
    >>> d.isoformat(), d.precision.value, d.is_inferred
    ('2026-06-02', 'day', True)
    >>> PartialDate.parse("2026-04").latest()
    datetime.date(2026, 4, 30)
    """

    year: int
    month: int | None = None
    day: int | None = None
    inferred: frozenset[DatePart] = frozenset()

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise InvalidDate(f"year {self.year} is out of range 1-9999")
        if self.month is None and self.day is not None:
            raise InvalidDate("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidDate(f"month {self.month} is out of range 1-12")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month or 1)[1]
            if not 1 <= self.day <= last:
                raise InvalidDate(f"day {self.day} is out of range for {self.year}-{self.month:02d}")
        known = {DatePart.YEAR}
        if self.month is not None:
            known.add(DatePart.MONTH)
        if self.day is not None:
            known.add(DatePart.DAY)
        unknown = set(self.inferred) - known
        if unknown:
            names = ", ".join(sorted(p.value for p in unknown))
            raise InvalidDate(f"cannot mark {names} as inferred: the date does not give it")

    @classmethod
    def parse(cls, text: str, inferred: Iterable[str] = ()) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

        Parameters
        ----------
        text
            The ISO 8601 text with reduced precision.
        inferred
            Names of the inferred parts (``"year"``, ``"month"``, ``"day"``).

        Raises
        ------
        InvalidDate
            If the text is not such a date or a part name is unknown.

        Examples
        --------
        >>> PartialDate.parse("2026")
        PartialDate(year=2026, month=None, day=None, inferred=frozenset())
        >>> PartialDate.parse("June 2")
        Traceback (most recent call last):
        ...
        oversight_graph.graph.errors.InvalidDate: 'June 2' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD
        """
        if not isinstance(text, str):
            raise InvalidDate(f"expected a date string, got {type(text).__name__}")
        match = _ISO.match(text.strip())
        if match is None:
            raise InvalidDate(f"{text!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        parts: set[DatePart] = set()
        if isinstance(inferred, (str, bytes)) or not hasattr(inferred, "__iter__"):
            raise InvalidDate('inferred parts must be a list such as ["year"]')
        for name in inferred:
            try:
                parts.add(DatePart(name))
            except ValueError:
                raise InvalidDate(f"unknown date part {name!r}; expected one of year, month, day") from None
        assert year is not None
        return cls(year, month, day, frozenset(parts))

    @classmethod
    def from_date(cls, value: _dt.date) -> PartialDate:
        """A day-precision partial date from a :class:`datetime.date`."""
        return cls(value.year, value.month, value.day)

    @property
    def precision(self) -> DatePrecision:
        """The finest component that is known."""
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    @property
    def is_inferred(self) -> bool:
        """Whether any part of the date was inferred rather than stated."""
        return bool(self.inferred)

    def isoformat(self) -> str:
        """The ISO 8601 text with the date's own precision."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def earliest(self) -> _dt.date:
        """The first day the partial date may stand for."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> _dt.date:
        """The last day the partial date may stand for."""
        if self.month is None:
            return _dt.date(self.year, 12, 31)
        if self.day is None:
            return _dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return _dt.date(self.year, self.month, self.day)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological order: earliest day first, coarser precision first.

        ``2026`` sorts before ``2026-01`` which sorts before ``2026-01-01``.
        """
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        return self.isoformat()
