"""HTTP caching of GET query responses: ``ETag``, ``Cache-Control``, ``304`` and ``HEAD``.

A GET request only runs queries and its answer depends only on the URL,
the ``Accept`` header and the graph, so a successful one may be cached:
it carries ``Cache-Control: public, max-age=N`` (``cache_max_age``;
``no-cache`` when 0, so clients revalidate every time) and a weak
``ETag`` drawn from the body, which changes whenever the graph does. A
request whose ``If-None-Match`` names the current tag gets ``304 Not
Modified`` with no body (HTTP forbids one), the tag and the caching
headers. The tag is weak because the same result may be sent with
different content codings. ``HEAD`` gets a GET's headers without its body.
"""

from __future__ import annotations

import hashlib

from starlette.responses import Response

__all__ = ["cache_headers", "conditional", "etag_of", "matches"]


def etag_of(body: bytes) -> str:
    """A weak entity tag for ``body``.

    Examples
    --------
    >>> etag_of(b'{"data":{}}')
    'W/"...'
    >>> etag_of(b"a") == etag_of(b"a") != etag_of(b"b")
    True
    """
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches any).

    Examples
    --------
    >>> matches('"abc", W/"def"', 'W/"def"'), matches('W/"abc"', '"abc"'), matches("*", 'W/"x"')
    (True, True, True)
    >>> matches(None, 'W/"x"'), matches('"y"', 'W/"x"')
    (False, False)
    """
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def cache_headers(max_age: int) -> dict[str, str]:
    """``Cache-Control`` and ``Vary`` of a cacheable GET response.

    Examples
    --------
    >>> cache_headers(60)["cache-control"], cache_headers(0)["cache-control"]
    ('public, max-age=60', 'no-cache')
    """
    control = f"public, max-age={max_age}" if max_age > 0 else "no-cache"
    return {"cache-control": control, "vary": "Accept"}


def conditional(method: str, if_none_match: str | None, body: bytes, headers: dict[str, str], max_age: int) -> Response:
    """The response to a successful GET or HEAD: 200 with ``body``, an empty 304, or HEAD's bodiless 200."""
    etag = etag_of(body)
    headers = {**headers, **cache_headers(max_age), "etag": etag}
    if matches(if_none_match, etag):
        headers.pop("content-type", None)
        return Response(status_code=304, headers=headers)
    if method == "HEAD":
        return Response(b"", status_code=200, headers={**headers, "content-length": str(len(body))})
    return Response(body, status_code=200, headers=headers)
