from __future__ import annotations

import datetime as dt

import pytest

from oversight_graph.graph.dates import DatePart, DatePrecision, PartialDate
from oversight_graph.graph.errors import InvalidDate


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2026", DatePrecision.YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-02", DatePrecision.MONTH, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2024-02", DatePrecision.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-06-02", DatePrecision.DAY, dt.date(2026, 6, 2), dt.date(2026, 6, 2)),
    ],
)
def test_parse_keeps_precision_and_interval(text, precision, earliest, latest):
    date = PartialDate.parse(text)
    assert date.precision is precision
    assert date.isoformat() == text
    assert (date.earliest(), date.latest()) == (earliest, latest)
    assert not date.is_inferred


def test_inferred_parts_are_kept():
    date = PartialDate.parse("2026-06-02", inferred=["year"])
    assert date.inferred == frozenset({DatePart.YEAR})
    assert date.is_inferred


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("June 2", "not a date"),
        ("2026-13", "month 13"),
        ("2026-02-30", "day 30"),
        ("2026-6-2", "not a date"),
        ("0000", "year 0"),
        ("", "not a date"),
    ],
)
def test_malformed_dates_are_rejected_with_the_reason(text, message):
    with pytest.raises(InvalidDate, match=message):
        PartialDate.parse(text)


def test_cannot_infer_a_part_the_date_does_not_have():
    with pytest.raises(InvalidDate, match="day"):
        PartialDate.parse("2026-04", inferred=["day"])


def test_unknown_part_name_is_rejected():
    with pytest.raises(InvalidDate, match="unknown date part 'decade'"):
        PartialDate.parse("2026", inferred=["decade"])


def test_sort_key_puts_coarse_dates_first():
    dates = [PartialDate.parse(t) for t in ["2026-06-02", "2026-06", "2026", "2025-12-31"]]
    assert [d.isoformat() for d in sorted(dates, key=lambda d: d.sort_key)] == [
        "2025-12-31",
        "2026",
        "2026-06",
        "2026-06-02",
    ]
