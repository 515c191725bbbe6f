"""Response compression: brotli or gzip, as the client's ``Accept-Encoding`` prefers.

Gzip is Starlette's own (the responder behind ``GZipMiddleware``); brotli
is Google's ``brotli`` bindings in a responder built on the same Starlette
base, so both share its handling of streamed bodies, partial (206)
responses, already-encoded bodies and media types that are compressed
already (zip, images...). This module chooses between them, honouring
quality values (``br;q=0`` refuses brotli, ``*`` stands for any coding not
named), and leaves responses smaller than ``compression_min_bytes`` alone
(compressing a few hundred bytes costs more than it saves).
"""

from __future__ import annotations

import anyio.to_thread
import brotli
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

from oversight_graph.server.negotiation import weighted

__all__ = ["BrotliResponder", "CompressionMiddleware", "choose_encoding"]

_PREFERENCE = ("br", "gzip")
"""Codings the server can produce, best first: at the levels below brotli makes this API's JSON
5–8% smaller than gzip (a 29.2 kB page of organizations: 3.36 kB against 3.62 kB)."""

GZIP_LEVEL = 6
"""zlib's default: level 9 is several times slower for a percent or two less."""

BROTLI_QUALITY = 5
"""Brotli's quality: about a millisecond for 30–50 kB of JSON; at 4 it is no denser than gzip."""


THREAD_MINIMUM = 128 * 1024
"""Bodies (or streamed chunks) at least this large are compressed in a worker thread, as Starlette does for gzip."""


class BrotliResponder(IdentityResponder):
    """Brotli-compresses a response's body, whole or streamed (see Starlette's ``IdentityResponder``)."""

    content_encoding = "br"

    def __init__(self, app: ASGIApp, minimum_size: int, quality: int = 5) -> None:
        super().__init__(app, minimum_size)
        self.quality = quality
        self._compressor: brotli.Compressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        """Compress one chunk; the last one (``more_body`` false) finishes the stream."""
        if len(body) >= THREAD_MINIMUM:
            return await anyio.to_thread.run_sync(self._compress, body, more_body)
        return self._compress(body, more_body)

    def _compress(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None:
            self._compressor = brotli.Compressor(quality=self.quality, mode=brotli.MODE_TEXT)
        out: bytes = self._compressor.process(body)
        return out + (self._compressor.flush() if more_body else self._compressor.finish())


def choose_encoding(header: str | None) -> str | None:
    """The coding to use for an ``Accept-Encoding`` header: ``"br"``, ``"gzip"`` or ``None``.

    Among the codings the server has, the one with the highest quality
    wins; on a tie, brotli.

    Examples
    --------
    >>> choose_encoding("gzip, deflate, br")
    'br'
    >>> choose_encoding("br;q=0, gzip")
    'gzip'
    >>> choose_encoding("gzip;q=0.5, br;q=0.4")
    'gzip'
    >>> choose_encoding("*")
    'br'
    >>> choose_encoding("identity") is None, choose_encoding(None) is None
    (True, True)
    """
    if not header:
        return None
    qualities: dict[str, float] = {}
    for item in header.split(","):
        coding, quality = weighted(item)
        if coding:
            qualities[coding] = quality
    wildcard = qualities.get("*", 0.0)
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for rank, coding in enumerate(_PREFERENCE):
        quality = qualities.get(coding, wildcard)
        if quality > 0 and (best is None or (quality, -rank) > best):
            best, chosen = (quality, -rank), coding
    return chosen


class CompressionMiddleware:
    """Compress responses of at least ``minimum_size`` bytes with the client's preferred coding.

    Parameters
    ----------
    app
        The application whose responses are compressed.
    minimum_size
        Smaller responses are sent as they are.
    """

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, compressing the response when the client accepts a coding."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = choose_encoding(Headers(scope=scope).get("accept-encoding"))
        responder: ASGIApp
        if coding == "br":
            responder = BrotliResponder(self.app, self.minimum_size, BROTLI_QUALITY)
        elif coding == "gzip":
            responder = GZipResponder(self.app, self.minimum_size, compresslevel=GZIP_LEVEL)
        else:
            # Still marks compressible responses `Vary: Accept-Encoding` for caches.
            responder = IdentityResponder(self.app, self.minimum_size)
        await responder(scope, receive, send)
