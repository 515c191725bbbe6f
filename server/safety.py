"""The safety net: every response is JSON in the API's error shape, with a request id.

:class:`SafetyNet` is the outermost ASGI middleware. For each HTTP request it

- fixes the request id (the client's ``X-Request-Id`` when well formed, else
  a new one), keeps it in ``scope["state"]["request_id"]`` for the app and
  sends it back as ``X-Request-Id`` on every response;
- rewrites any error response that is not JSON (Starlette's plain-text 404
  and 405, the CORS middleware's refused preflight, anything a library
  sends) into ``{"errors": [{"message", "extensions": {"code", "requestId"}}]}``
  with the same status and headers;
- turns an exception that escapes the app into a JSON 500 with a masked
  message, after logging its traceback under the request id;
- treats a client that leaves in the middle of its request
  (:class:`~starlette.requests.ClientDisconnect`) as what it is: not a
  server error, logged at debug level.

:func:`http_exception_handler` answers Starlette's ``HTTPException`` (unknown
path, method not allowed on ``/healthz``) in the same shape directly.
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Mapping

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "STATUS_CODES",
    "SafetyNet",
    "error_body",
    "error_response",
    "http_exception_handler",
    "new_request_id",
    "request_id_of",
]

log = logging.getLogger("oversight.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

STATUS_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    404: "PATH_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    431: "HEADERS_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
"""The code given to an error response of each status that did not come with one."""

_FALLBACK_CODE = "HTTP_ERROR"
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")
_DETAIL_BYTES = 512  # of a refused response's own text, kept in the message


_IDS = random.Random()  # seeded from the system's randomness, again in each forked worker
os.register_at_fork(after_in_child=_IDS.seed)


def new_request_id() -> str:
    """A fresh random request id (32 hexadecimal digits).

    Request ids name a request in logs and errors; they are not secrets, so
    they come from a generator of the process's own, seeded from the
    system's randomness (again after a fork, so that workers never share a
    sequence), rather than from a system call per request.
    """
    return f"{_IDS.getrandbits(128):032x}"


def request_id_of(scope: Scope) -> str:
    """The request id :class:`SafetyNet` gave this request (a new one outside it)."""
    state = scope.setdefault("state", {})
    found = state.get("request_id")
    if not isinstance(found, str):
        found = state["request_id"] = _incoming_id(scope) or new_request_id()
    return found


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None


def error_body(code: str, message: str, request_id: str | None = None, **extensions: object) -> bytes:
    """The JSON body of one error in the API's shape.

    Examples
    --------
    >>> error_body("BAD_REQUEST", "no query", "r1")
    b'{"errors":[{"message":"no query","extensions":{"code":"BAD_REQUEST","requestId":"r1"}}]}'
    """
    fields: dict[str, object] = {"code": code}
    if request_id is not None:
        fields["requestId"] = request_id
    fields.update(extensions)
    return orjson.dumps({"errors": [{"message": message, "extensions": fields}]})


def error_response(
    status: int,
    code: str,
    message: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> Response:
    """A JSON error response in the API's shape, carrying the request id in body and header."""
    return Response(
        error_body(code, message, request_id, **extensions),
        status_code=status,
        headers={
            **(headers or {}),
            "content-type": "application/json; charset=utf-8",
            "x-request-id": request_id,
        },
    )


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's ``HTTPException`` (404, 405...) in the API's error shape."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = STATUS_CODES.get(status, _FALLBACK_CODE)
    if status == 404:
        message = f"nothing is served at {request.url.path}; the API is at /graphql"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(status, code, message, request_id_of(request.scope), exc.headers)


class SafetyNet:
    """Outermost middleware: JSON errors with a request id for every response, whatever happens."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header_id = request_id.encode("latin-1")
        started = False
        rewriting: dict[str, object] | None = None
        detail = bytearray()

        async def guarded(message: Message) -> None:
            nonlocal started, rewriting
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"x-request-id"]
                headers.append((b"x-request-id", header_id))
                status = message["status"]
                media = next((v for k, v in headers if k == b"content-type"), b"")
                if status >= 400 and media.split(b";")[0].strip().lower() not in _JSON_TYPES:
                    # Hold the start until the body is known: it is replaced.
                    kept = [(k, v) for k, v in headers if k not in (b"content-type", b"content-length")]
                    rewriting = {**message, "headers": kept}
                    return
                await send({**message, "headers": headers})
                return
            if message["type"] == "http.response.body" and rewriting is not None:
                if len(detail) < _DETAIL_BYTES:
                    detail.extend(message.get("body", b"")[: _DETAIL_BYTES - len(detail)])
                if message.get("more_body", False):
                    return
                await _send_rewritten(send, scope, rewriting, bytes(detail), request_id)
                return
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except ClientDisconnect:
            log.debug("request %s: the client left before sending its whole request", request_id)
        except Exception:
            log.exception("request %s: unexpected error", request_id)
            if not started:
                response = error_response(
                    500, "INTERNAL_SERVER_ERROR", f"Internal server error (request {request_id}).", request_id
                )
                await response(scope, receive, send)


async def _send_rewritten(send: Send, scope: Scope, start: dict[str, object], detail: bytes, request_id: str) -> None:
    status = int(start["status"])  # type: ignore[call-overload]
    code = STATUS_CODES.get(status, _FALLBACK_CODE)
    text = detail.decode("utf-8", "replace").strip()
    if scope.get("method") == "OPTIONS" and any(k == b"access-control-request-method" for k, _ in scope["headers"]):
        code = "CORS_REJECTED"
        text = f"cross-origin request refused: {text or 'origin, method or headers not allowed'}"
    body = error_body(code, text or f"HTTP {status}", request_id)
    headers = [
        *start["headers"],  # type: ignore[misc]
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
