"""Partial dates written flat: the inferred parts as a list, in calendar order."""

from __future__ import annotations

from oversight_graph.graph.dates import DatePart, PartialDate

__all__ = ["inferred_parts"]

_PART_ORDER = (DatePart.YEAR, DatePart.MONTH, DatePart.DAY)


def inferred_parts(date: PartialDate) -> list[str]:
    """The inferred parts of ``date`` in calendar order (``["year"]``).

    Examples
    --------
    >>> inferred_parts(PartialDate.parse("2026-06-02", ["day", "year"]))
    ['year', 'day']
    """
    return [part.value for part in _PART_ORDER if part in date.inferred]
