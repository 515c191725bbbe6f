"""Page-size arguments, checked against the request's limits."""

from __future__ import annotations

from oversight_graph.schema.context import Info
from oversight_graph.schema.errors import bad_input

__all__ = ["page_size"]


def page_size(info: Info, first: int | None, argument: str = "first") -> int:
    """The page size to use for a ``first`` argument.

    ``None`` gives the default page size.

    Raises
    ------
    ApiError
        ``BAD_USER_INPUT`` when ``first`` is negative or above the maximum.
    """
    limits = info.context.limits
    if first is None:
        return limits.default_page_size
    if first < 0 or first > limits.max_page_size:
        raise bad_input(f"{argument} must be between 0 and {limits.max_page_size}, got {first}", argument)
    return first
