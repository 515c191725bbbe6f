"""Schemathesis checks for the Oversight Graph's GraphQL responses.

Loaded by ``.ci/compliance`` through ``SCHEMATHESIS_HOOKS``. Schemathesis's
own ``not_a_server_error`` also judges GraphQL *bodies*, and it only knows
Apollo's and graphql-java's error codes: it reports any error it cannot
classify that carries a ``path`` (this API's ``NOT_FOUND``, ``INVALID_ID``,
``INVALID_CURSOR``... for a generated key or cursor) as a server error. These
checks apply the API's documented contract instead (README, "Errors"):

``graphql_not_a_server_error``
    no 5xx status; no ``INTERNAL_SERVER_ERROR`` (a masked unexpected
    exception); no error without a stable ``extensions.code`` (an exception
    that escaped the coding of errors).
``graphql_error_contract``
    the body is a JSON object of ``data``/``errors``/``extensions``; every
    error has a message and a documented code; the content type is the one
    the request's ``Accept`` negotiates; with
    ``application/graphql-response+json`` a response with ``data`` is 200 and
    one without is 400 (GraphQL over HTTP), with ``application/json`` every
    GraphQL result is 200.

The module also gives schemathesis a strategy for the ``PartialDate`` scalar.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from oversight_graph.schema.errors import CODES
from oversight_graph.schema.limits import LIMIT_CODES
from oversight_graph.server.http import HTTP_CODES

DOCUMENTED_CODES = frozenset(CODES) | frozenset(LIMIT_CODES) | frozenset(HTTP_CODES)
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

# `PartialDate` is a custom scalar: without a strategy schemathesis leaves
# every date argument out. Mostly real dates around the seed's, some at the
# edges of the range or impossible (2026-02-30, month 13), some arbitrary text.
_years = st.one_of(st.integers(1990, 2030), st.sampled_from([0, 1, 9999]))
_months = st.one_of(st.integers(1, 12), st.sampled_from([0, 13]))
_days = st.one_of(st.integers(1, 28), st.sampled_from([0, 29, 30, 31, 32]))
_partial_dates = st.one_of(
    _years.map(lambda y: f"{y:04d}"),
    st.tuples(_years, _months).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(_years, _months, _days).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.text(max_size=12),
)
schemathesis.graphql.scalar("PartialDate", _partial_dates.map(nodes.String))


def _header(headers: Any, name: str) -> str:
    values = headers.get(name) or headers.get(name.title()) or []
    if isinstance(values, str):
        return values
    return values[0] if values else ""


def _body(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"the body is not JSON ({error}): {response.content[:200]!r}") from None


def _errors(body: Any) -> list[Any]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, list) else []


@schemathesis.check
def graphql_not_a_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, no masked internal error, no error that escaped the error coding."""
    if response.status_code >= 500:
        raise AssertionError(f"server error: HTTP {response.status_code}: {response.content[:300]!r}")
    for error in _errors(_body(response)):
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if code == "INTERNAL_SERVER_ERROR":
            raise AssertionError(
                f"masked unexpected exception (see the server log for request {extensions.get('requestId')}): {error}"
            )
        if not isinstance(code, str) or not code:
            raise AssertionError(f"an error without extensions.code (an exception escaped the error coding): {error}")


@schemathesis.check
def graphql_error_contract(ctx: Any, response: Any, case: Any) -> None:
    """Body shape, documented codes, negotiated media type and status per GraphQL over HTTP."""
    if response.status_code >= 500:
        return  # graphql_not_a_server_error reports it
    body = _body(response)
    if not isinstance(body, dict) or not body.keys() <= {"data", "errors", "extensions"}:
        raise AssertionError(f"not a GraphQL response object: {str(body)[:300]}")
    if "data" not in body and not _errors(body):
        raise AssertionError("a response with neither data nor errors")
    for error in _errors(body):
        if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not error["message"]:
            raise AssertionError(f"an error without a message: {error}")
        code = (error.get("extensions") or {}).get("code")
        if code not in DOCUMENTED_CODES:
            raise AssertionError(f"undocumented error code {code!r}: {error}")
    accept = (case.headers or {}).get("Accept") or (case.headers or {}).get("accept") or ""
    media = _header(response.headers, "content-type").split(";")[0].strip().lower()
    expected = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON
    if media != expected:
        raise AssertionError(f"Accept {accept!r} was answered with {media!r}, expected {expected!r}")
    if expected == GRAPHQL_RESPONSE:
        want = 200 if "data" in body else 400
    else:
        want = 200
    if response.status_code != want:
        has = "with" if "data" in body else "without"
        raise AssertionError(
            f"a {media} response {has} data has status {response.status_code}, expected {want}: {str(body)[:300]}"
        )
