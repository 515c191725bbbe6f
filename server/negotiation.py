"""Reading the weighted lists of content negotiation (``Accept``, ``Accept-Encoding``)."""

from __future__ import annotations

__all__ = ["weighted"]


def weighted(item: str) -> tuple[str, float]:
    """One item of a weighted header: its value, lower-cased, and its quality (``q``, 1 when absent).

    Examples
    --------
    >>> weighted("application/json; q=0.5")
    ('application/json', 0.5)
    >>> weighted("GZIP")
    ('gzip', 1.0)
    >>> weighted("br;q=oops")
    ('br', 0.0)
    """
    value, *params = (part.strip() for part in item.split(";"))
    quality = 1.0
    for param in params:
        name, _, text = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(text)
            except ValueError:
                quality = 0.0
    return value.lower(), quality
