"""Batched requests: a POST body that is a JSON array of GraphQL requests.

Apollo Client's batch link and gql's batching transports send several
operations in one HTTP request; the answer is a JSON array of their
results, in order. Batching is off unless the ``batching`` setting is on,
and a batch holds at most ``max_batch_size`` requests: each item is a
whole operation, so a batch multiplies the work one request may ask for.
An item that is itself malformed gets its own error in its place; the
others still run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BATCH_CODES", "BatchRefused", "batch_items", "join_results"]

BATCH_CODES = {
    "BATCHING_NOT_ENABLED": "HTTP 400: the body is a JSON array (a batch), but this server does not accept batches (setting `batching`).",
    "BATCH_TOO_LARGE": "HTTP 400: a batch holds more requests than `max_batch_size`; `extensions.limit` and `actual` give both.",
}
"""Codes of errors about a batch as a whole, with their meaning."""


class BatchRefused(Exception):
    """A batch refused as a whole; ``extensions`` go into the error."""

    def __init__(self, code: str, message: str, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions = extensions or {}


def batch_items(body: list[Any], *, enabled: bool, max_size: int) -> list[Any]:
    """The requests of a batch body, checked against the settings.

    Raises
    ------
    BatchRefused
        If batching is off, the batch is empty, or it is larger than ``max_size``.

    Examples
    --------
    >>> batch_items([{"query": "{ a }"}], enabled=True, max_size=2)
    [{'query': '{ a }'}]
    >>> batch_items([{}, {}, {}], enabled=True, max_size=2)
    Traceback (most recent call last):
    ...
    server.batch.BatchRefused: the batch holds 3 requests; at most 2 are accepted
    """
    if not enabled:
        raise BatchRefused(
            "BATCHING_NOT_ENABLED", "the body is a JSON array (a batch) but this server does not accept batches"
        )
    if not body:
        raise BatchRefused("BAD_REQUEST", "the batch is empty: send at least one request object")
    if len(body) > max_size:
        raise BatchRefused(
            "BATCH_TOO_LARGE",
            f"the batch holds {len(body)} requests; at most {max_size} are accepted",
            {"limit": max_size, "actual": len(body)},
        )
    return body


def join_results(bodies: list[bytes]) -> bytes:
    """One JSON array of already-serialized results.

    Examples
    --------
    >>> join_results([b'{"data":1}', b'{"data":2}'])
    b'[{"data":1},{"data":2}]'
    """
    return b"[" + b",".join(bodies) + b"]"
