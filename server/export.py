"""``GET /export/{format}``: the whole graph in one response, streamed.

The response is written as it is produced (:class:`StreamingResponse`), so
the server never holds the whole export; the records come from a
:class:`~exports.Snapshot` taken when the request arrives, so a graph that
changes meanwhile still gives a consistent file. ``HEAD`` gives the headers
alone. Errors (an unknown format, another method) are JSON in the API's
error shape with the request id, like every other response.
"""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from oversight_graph.exports import FORMATS, Snapshot
from oversight_graph.graph.store import GraphStore
from oversight_graph.server.safety import error_response, request_id_of

__all__ = ["ExportEndpoint"]

_ALLOW = "GET, HEAD"


class ExportEndpoint:
    """Serves the export formats of one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point; requests of every method reach :meth:`handle`."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Answer ``/export/{format}``."""
        request_id = request_id_of(request.scope)
        name = request.path_params["format"]
        if request.method not in ("GET", "HEAD"):
            return error_response(
                405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed; use GET", request_id, {"allow": _ALLOW}
            )
        fmt = FORMATS.get(name)
        if fmt is None:
            return error_response(
                404,
                "NOT_FOUND",
                f"no export format {name!r}; the formats are {', '.join(FORMATS)}",
                request_id,
            )
        headers = {
            "content-disposition": f'attachment; filename="{fmt.filename}"',
            "x-request-id": request_id,
            "x-graph-version": str(self.store.version),
        }
        media_type = fmt.media_type + ("; charset=utf-8" if not fmt.media_type.endswith("zip") else "")
        if request.method == "HEAD":
            return Response(b"", headers={**headers, "content-type": media_type})
        # Taken here, on the event loop, before any chunk is produced in a worker thread.
        snapshot = Snapshot.of(self.store)
        return StreamingResponse(_coalesced(fmt.stream(snapshot)), media_type=media_type, headers=headers)


_PIECE_BYTES = 1 << 18
"""Smallest piece handed to the server: each piece is produced in a worker thread and sent on the event loop."""


def _coalesced(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The same bytes in pieces of at least :data:`_PIECE_BYTES` (the last may be smaller).

    Exporters yield small pieces (a TOML record, a few hundred CSV rows);
    sending each alone would cost a thread hand-over and a trip through the
    middleware apiece.
    """
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= _PIECE_BYTES:
            yield b"".join(pending)
            pending.clear()
            size = 0
    if pending:
        yield b"".join(pending)
