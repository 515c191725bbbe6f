"""uvicorn's HTTP protocol with the guards a public server needs against its clients.

uvicorn bounds neither how long a client may take to send its headers nor
how large they may grow, and it answers a connection over its concurrency
cap or a malformed request in plain text. :func:`guarded_protocol` builds a
subclass of uvicorn's httptools protocol that

- answers ``408 REQUEST_TIMEOUT`` and closes a connection whose request
  headers have not all arrived ``header_timeout`` seconds after it opened
  (or after the request's first byte, on a kept-alive connection): slowloris
  clients and silent connections cannot hold the server's sockets;
- answers ``431 HEADERS_TOO_LARGE`` and closes once a request's headers pass
  ``max_header_bytes``: an endless header cannot grow the process;
- answers ``503 SERVICE_UNAVAILABLE`` with ``Retry-After`` when the process
  already holds ``limit_concurrency`` connections or requests, before it
  runs out of file descriptors;
- answers a request it cannot parse with ``400 BAD_REQUEST``;

each in the API's JSON error shape with a request id. The request body is
bounded by the endpoint itself (``body_timeout``, ``max_body_bytes``).
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from oversight_graph.server.safety import error_body, new_request_id
from oversight_graph.server.settings import Settings

__all__ = ["concurrency_cap", "guarded_protocol", "json_unavailable"]

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
_RETRY_AFTER = 1
"""Seconds a client refused at the concurrency cap is asked to wait."""
_RESERVED_DESCRIPTORS = 64
"""File descriptors kept free of connections: the listening socket, logs, data files, the journal."""


def concurrency_cap(settings: Settings) -> int:
    """Connections one process holds at most: the setting, or (``0``) what its descriptor limit allows.

    Examples
    --------
    >>> concurrency_cap(Settings(limit_concurrency=100))
    100
    >>> concurrency_cap(Settings()) > 0
    True
    """
    if settings.limit_concurrency:
        return settings.limit_concurrency
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(16, min(10_000, soft - _RESERVED_DESCRIPTORS))


async def json_unavailable(scope: Any, receive: Any, send: Any) -> None:
    """The ASGI app answering requests over the concurrency cap: a JSON 503 with ``Retry-After``."""
    request_id = new_request_id()
    body = error_body(
        "SERVICE_UNAVAILABLE",
        "the server is at its limit of concurrent connections; retry shortly",
        request_id,
        retryAfter=_RETRY_AFTER,
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(_RETRY_AFTER).encode()),
                (b"x-request-id", request_id.encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _raw_response(status: int, code: str, message: str) -> bytes:
    request_id = new_request_id()
    body = error_body(code, message, request_id)
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: %d\r\n"
        b"x-request-id: %s\r\nconnection: close\r\n\r\n"
    ) % (status, _REASONS[status], len(body), request_id.encode())
    return head + body


def guarded_protocol(settings: Settings) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's ``http`` setting, with ``settings``' limits built in."""
    header_timeout = settings.header_timeout
    max_header_bytes = settings.max_header_bytes
    cap = concurrency_cap(settings)

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with header timeout, header size and concurrency guards."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.limit_concurrency = None  # checked below, to answer in JSON
            self._header_timer: asyncio.TimerHandle | None = None
            self._header_bytes = 0
            self._in_headers = True

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._in_headers and not self.transport.is_closing():
                self._header_bytes += len(data)
                if self._header_bytes > max_header_bytes:
                    self._refuse(431, "HEADERS_TOO_LARGE", f"the request's headers exceed {max_header_bytes} bytes")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_headers = True
            self._header_bytes = 0
            if self._header_timer is None:
                self._arm()

        def on_headers_complete(self) -> None:
            self._in_headers = False
            self._disarm()
            if len(self.connections) > cap or len(self.tasks) >= cap:
                app, self.app = self.app, json_unavailable
                try:
                    super().on_headers_complete()
                finally:
                    self.app = app
            else:
                super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            self._disarm()
            self.transport.write(_raw_response(400, "BAD_REQUEST", f"the request is not valid HTTP/1.1: {msg}"))
            self.transport.close()

        def _arm(self) -> None:
            self._disarm()
            if header_timeout:
                self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self._in_headers and not self.transport.is_closing():
                self._refuse(
                    408, "REQUEST_TIMEOUT", f"the request's headers did not arrive within {header_timeout:g} s"
                )

        def _refuse(self, status: int, code: str, message: str) -> None:
            self._disarm()
            self._in_headers = False
            if self.cycle is None or self.cycle.response_complete:
                self.transport.write(_raw_response(status, code, message))
            self.transport.close()

    return GuardedHttpToolsProtocol
