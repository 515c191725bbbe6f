"""Custom scalars: ``PartialDate``."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.errors import InvalidDate

__all__ = ["SCALARS"]


def _parse(value: Any) -> PartialDate:
    if not isinstance(value, str):
        raise InvalidDate(f'expected a date string such as "2026-06", got {type(value).__name__}')
    return PartialDate.parse(value)


def _serialize(value: PartialDate) -> str:
    return value.isoformat()


SCALARS: dict[object, ScalarDefinition] = {
    PartialDate: strawberry.scalar(
        name="PartialDate",
        description=(
            "An ISO 8601 calendar date with reduced precision: a year (`2026`), a month (`2026-04`) "
            "or a day (`2026-06-02`). As an argument it stands for every day it covers. Output dates "
            "come wrapped in `DateValue`, which also says which parts were inferred."
        ),
        specified_by_url="https://www.iso.org/iso-8601-date-and-time-format.html",
        serialize=_serialize,
        parse_value=_parse,
    )
}
"""Python type → scalar definition, for ``StrawberryConfig.scalar_map``."""
