"""The access log and request metrics: one observation per HTTP request.

:class:`AccessLog` is the outermost middleware. It times each request, sees
the status it was answered with, and then

- writes one access line (logger ``oversight.access``, level info; warning
  for a 5xx) with the fields ``request_id``, ``method``, ``path`` (never the
  query string, which may hold a GraphQL document's variables), ``status``,
  ``duration_ms``, ``outcome``, ``error_codes`` and, for GraphQL,
  ``operation`` (or ``operations`` for a batch), ``cache`` and ``cost``;
- feeds :class:`~server.metrics.Metrics`.

The GraphQL endpoint tells it about each operation with
:func:`note_operation`; for any other error response the code is read from
its JSON body. Headers (``Authorization`` above all) and variables are
never recorded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight_graph.server.logs import FIELDS
from oversight_graph.server.metrics import Metrics
from oversight_graph.server.safety import request_id_of

__all__ = ["OUTCOMES", "AccessLog", "OperationNote", "error_codes", "note_operation"]

log = logging.getLogger("oversight.access")

OUTCOMES = ("ok", "field_error", "request_error", "timeout", "refused")
"""How a GraphQL operation ended: data without errors, data with field errors, not run
(syntax, validation, variables, limits), stopped at the time limit, refused by the HTTP layer."""

_STATE_KEY = "operations"
_SNIFF_BYTES = 4096  # of an error response's body, to find its code
_NAME_CHARS = 200  # of a client-chosen operation name, in a log line


@dataclass(frozen=True, slots=True)
class OperationNote:
    """What the endpoint knows about one GraphQL operation of a request."""

    name: str | None
    outcome: str
    codes: tuple[str, ...]
    cache: str | None  # "hit", "miss", or None when the response cannot be cached
    cost: int | None
    seconds: float


def note_operation(scope: Scope, note: OperationNote) -> None:
    """Record a GraphQL operation of the request in ``scope`` for its access line and the metrics."""
    scope.setdefault("state", {}).setdefault(_STATE_KEY, []).append(note)


def error_codes(body: bytes) -> tuple[str, ...]:
    """The ``extensions.code`` of each error in a GraphQL or error response body (of a batch, too).

    Examples
    --------
    >>> error_codes(b'{"data":null,"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}}]}')
    ('NOT_FOUND',)
    >>> error_codes(b'{"data":{"stats":{"version":3}}}')
    ()
    >>> error_codes(b'{"data":{"a":1,"errors":[{"extensions":{"code":"X"}}]}}')  # an alias in the data
    ()
    """
    at = body.rfind(b'"errors":[')
    if at < 0:
        return ()
    try:
        if body[:1] == b"{":
            # One result: its errors come after its data, so read only them, not
            # a large page of data. Anything else named "errors" is in the data,
            # before them: found last, it is not followed by a valid ending.
            parsed = orjson.loads(b"{" + body[at:])
        else:
            parsed = orjson.loads(body)  # a batch
    except orjson.JSONDecodeError:
        return ()
    codes: list[str] = []
    for result in parsed if isinstance(parsed, list) else [parsed]:
        errors = result.get("errors") if isinstance(result, dict) else None
        for error in errors if isinstance(errors, list) else ():
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if isinstance(code, str):
                codes.append(code)
    return tuple(codes)


class AccessLog:
    """Outermost middleware: an access line and the request metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status: int | None = None
        sniffing = False
        body = bytearray()

        async def watched(message: Message) -> None:
            nonlocal status, sniffing
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if status >= 400:
                    headers = dict(message.get("headers", ()))
                    sniffing = b"content-encoding" not in headers and b"json" in headers.get(b"content-type", b"")
            elif sniffing and message["type"] == "http.response.body" and len(body) < _SNIFF_BYTES:
                body.extend(message.get("body", b"")[: _SNIFF_BYTES - len(body)])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            self._observe(scope, status, time.perf_counter() - began, bytes(body))

    def _observe(self, scope: Scope, status: int | None, seconds: float, body: bytes) -> None:
        notes: list[OperationNote] = scope.get("state", {}).get(_STATE_KEY, [])
        for note in notes:
            self.metrics.operation(note.name, note.outcome, note.seconds, note.cache, note.codes)
        codes = [code for note in notes for code in note.codes]
        if not codes and body:
            codes = list(error_codes(body))
        self.metrics.request(scope.get("path", ""), status, seconds, codes)
        level = logging.WARNING if status is not None and status >= 500 else logging.INFO
        if not log.isEnabledFor(level):
            return
        method = scope.get("method", "")
        path = scope.get("path", "")
        fields: dict[str, Any] = {
            "request_id": request_id_of(scope),
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "outcome": _outcome(status, notes),
            "error_codes": list(dict.fromkeys(codes)),
        }
        client = scope.get("client")
        if client:
            fields["client"] = client[0]
        if len(notes) == 1:
            fields.update(_note_fields(notes[0]))
        elif notes:
            fields["operations"] = [_note_fields(note) for note in notes]
        operation = f" {fields['operation']}" if fields.get("operation") else ""
        log.log(
            level,
            "%s %s%s %s %.1f ms",
            method,
            path,
            operation,
            status if status is not None else "(client left)",
            seconds * 1000,
            extra={FIELDS: fields},
        )


def _note_fields(note: OperationNote) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "operation": note.name[:_NAME_CHARS] if note.name is not None else None,
        "outcome": note.outcome,
    }
    if note.cache is not None:
        fields["cache"] = note.cache
    if note.cost is not None:
        fields["cost"] = note.cost
    return fields


def _outcome(status: int | None, notes: list[OperationNote]) -> str:
    """A request's outcome: its operation's, else ``ok``, ``error`` or ``client_left``."""
    if len(notes) == 1:
        return notes[0].outcome
    if status is None:
        return "client_left"
    return "ok" if status < 400 else "error"
