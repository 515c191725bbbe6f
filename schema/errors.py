"""Error codes: every GraphQL error the API returns carries ``extensions.code``.

The codes are stable; clients may switch on them.

=============================  ===================================================
code                           meaning
=============================  ===================================================
``GRAPHQL_PARSE_FAILED``       the document is not valid GraphQL syntax
``GRAPHQL_VALIDATION_FAILED``  the document does not fit the schema (unknown field,
                               wrong argument type, missing variable...)
``BAD_USER_INPUT``             an argument or variable value is out of range or
                               malformed (``extensions.argument`` names it)
``INVALID_ID``                 an id is neither a global id nor a key of this API
``INVALID_CURSOR``             an ``after`` cursor was not issued by this list
``INVALID_DATE``               a date is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
``NOT_FOUND``                  a well-formed id or key names nothing in the graph
``INTERNAL_SERVER_ERROR``      an unexpected failure; the message is masked and
                               ``extensions.requestId`` identifies the logged
                               traceback
``UNAUTHENTICATED``            a mutation without a valid API token (HTTP 401)
``FORBIDDEN``                  the token's role does not allow the change (HTTP 403)
``VALIDATION_FAILED``          a change breaks the data rules; ``extensions.problems``
                               lists each problem with the path of the input
``VERSION_CONFLICT``           ``expectedVersion`` is behind the graph's version
``JOURNAL_UNAVAILABLE``        the server cannot record changes (no journal, or its
                               database failed); nothing was changed
``STALE_REPLICA``              the graph did not reach the version of the request's
                               ``Oversight-Min-Version`` header in time (HTTP 503)
=============================  ===================================================

Limits (query depth, cost, page size...) add their own codes; see
:mod:`schema.limits`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from oversight_graph.graph.errors import InvalidArgument, InvalidCursor, InvalidDate, NotFound
from oversight_graph.journal.errors import (
    EditRejected,
    Forbidden,
    JournalError,
    JournalUnavailable,
    Unauthenticated,
    VersionConflict,
)

__all__ = ["CODES", "ApiError", "ErrorCodes", "InvalidId", "bad_input", "code_error"]

log = logging.getLogger("oversight.errors")

CODES = {
    "GRAPHQL_PARSE_FAILED": "The document is not valid GraphQL syntax.",
    "GRAPHQL_VALIDATION_FAILED": "The document does not fit the schema.",
    "BAD_USER_INPUT": "An argument or variable value is out of range or malformed.",
    "INVALID_ID": "An id is neither a global id nor an entity key of this API.",
    "INVALID_CURSOR": "A pagination cursor was not issued by this list.",
    "INVALID_DATE": "A date is not YYYY, YYYY-MM or YYYY-MM-DD.",
    "NOT_FOUND": "A well-formed id or key names nothing in the graph.",
    "INTERNAL_SERVER_ERROR": "An unexpected failure; the details are in the server log under the request id.",
    "UNAUTHENTICATED": "Changing the graph needs a valid API token (Authorization: Bearer ...).",
    "FORBIDDEN": "The token's role does not allow this change.",
    "VALIDATION_FAILED": "A change breaks the data rules; extensions.problems lists every problem with its input path.",
    "VERSION_CONFLICT": "expectedVersion is behind the graph's current version; nothing was changed.",
    "JOURNAL_UNAVAILABLE": "The server cannot record changes now; nothing was changed.",
    "STALE_REPLICA": "The server's graph did not reach the version asked for (Oversight-Min-Version) in time.",
}
"""Every error code of the core API, with its meaning."""


class ApiError(InvalidArgument):
    """A client error raised by a resolver, with its code and the argument at fault."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class InvalidId(ApiError):
    """An id argument could not be decoded."""

    code = "INVALID_ID"


def bad_input(message: str, argument: str) -> ApiError:
    """A ``BAD_USER_INPUT`` error naming the argument at fault."""
    return ApiError(message, argument)


def _root_cause(error: GraphQLError) -> BaseException | None:
    """The innermost non-GraphQL exception behind an error (graphql-core nests them)."""
    original: BaseException | None = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original


_COERCION_MODULE = "graphql.execution.values"
_ARGUMENT_NAME = re.compile(r"^Argument '([^']+)'")


def _innermost(error: GraphQLError) -> GraphQLError:
    while isinstance(error.original_error, GraphQLError):
        error = error.original_error
    return error


def _from_coercion(error: GraphQLError) -> bool:
    """Whether graphql-core raised ``error`` coercing an argument or directive value.

    Such errors carry no exception of ours, and during execution they get a
    path like any resolver failure; only where they were raised tells them
    apart from the server's own faults (a value a scalar cannot serialize).
    """
    inner = _innermost(error)
    if inner.original_error is not None:
        return False
    trace = inner.__traceback__
    while trace is not None:
        if trace.tb_frame.f_globals.get("__name__") == _COERCION_MODULE:
            return True
        trace = trace.tb_next
    return False


MAX_MESSAGE = 500
"""Longest error message sent; longer ones (echoing a huge value) are cut."""


def _shortened(message: str) -> str:
    """``message`` cut to :data:`MAX_MESSAGE` characters, saying how much was left out.

    Examples
    --------
    >>> _shortened("short")
    'short'
    >>> _shortened("x" * 1000)[-40:]
    'xxxxxxxxxx… (600 more characters left out)'
    """
    if len(message) <= MAX_MESSAGE:
        return message
    kept = MAX_MESSAGE - 100
    return f"{message[:kept]}… ({len(message) - kept} more characters left out)"


def _journal_code(error: JournalError) -> str:
    if isinstance(error, Unauthenticated):
        return "UNAUTHENTICATED"
    if isinstance(error, Forbidden):
        return "FORBIDDEN"
    if isinstance(error, EditRejected):
        return "VALIDATION_FAILED"
    if isinstance(error, VersionConflict):
        return "VERSION_CONFLICT"
    if isinstance(error, JournalUnavailable):
        return "JOURNAL_UNAVAILABLE"
    return "INTERNAL_SERVER_ERROR"


def _journal_extensions(error: BaseException | None) -> dict[str, object]:
    """What clients need to act on a write error: each problem's input path, or the versions in conflict."""
    if isinstance(error, EditRejected):
        from oversight_graph.schema.edit_inputs import input_path

        return {
            "problems": [
                {
                    "path": input_path(p.file, p.field),
                    "message": p.message,
                    **({"record": p.record} if p.record else {}),
                }
                for p in error.problems
            ]
        }
    if isinstance(error, VersionConflict):
        return {"expectedVersion": error.expected, "actualVersion": error.actual}
    return {}


def _code_of(error: GraphQLError, parsed: bool, executed: bool) -> str:
    original = _root_cause(error)
    existing = (error.extensions or {}).get("code")
    if existing:
        return str(existing)
    if isinstance(original, ApiError):
        return original.code
    if isinstance(original, JournalError):
        return _journal_code(original)
    if isinstance(original, InvalidDate):
        return "INVALID_DATE"
    if isinstance(original, InvalidCursor):
        return "INVALID_CURSOR"
    if isinstance(original, NotFound):
        return "NOT_FOUND"
    if isinstance(original, InvalidArgument):
        return "BAD_USER_INPUT"
    if not parsed:
        return "GRAPHQL_PARSE_FAILED"
    if not executed:
        return "GRAPHQL_VALIDATION_FAILED"
    if original is None and (not error.path or _from_coercion(error)):
        # graphql-core's own request errors (variables that do not coerce, an
        # unknown operation name) and arguments it could not coerce (a null
        # variable for a non-null argument with a default).
        return "BAD_USER_INPUT"
    # Anything else raised while resolving a field (including graphql-core's
    # own complaints about a resolver's result) is the server's fault.
    return "INTERNAL_SERVER_ERROR"


def code_error(error: GraphQLError, *, parsed: bool, executed: bool, request_id: str | None) -> GraphQLError:
    """``error`` with ``extensions.code`` set; unexpected errors masked and logged.

    Parameters
    ----------
    parsed
        Whether the document parsed (else the error is a syntax error).
    executed
        Whether execution started (else the error came from validation).
    request_id
        Reported with masked errors and written to the log with the traceback.
    """
    code = _code_of(error, parsed, executed)
    extensions = dict(error.extensions or {})
    extensions["code"] = code
    if code == "INTERNAL_SERVER_ERROR":
        original = _root_cause(error)
        log.error(
            "request %s: unexpected error at %s",
            request_id,
            ".".join(map(str, error.path or [])) or "(no path)",
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )
        extensions["requestId"] = request_id
        return GraphQLError(
            f"Internal server error (request {request_id}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
    cause = _root_cause(error)
    message = _shortened(error.message)
    argument = getattr(cause, "argument", None)
    if argument is None and code == "BAD_USER_INPUT" and cause is None:
        named = _ARGUMENT_NAME.match(_innermost(error).message)
        argument = named.group(1) if named else None
    if argument:
        extensions["argument"] = argument
    extensions.update(_journal_extensions(cause))
    if isinstance(cause, EditRejected):
        message = str(cause).split(":\n", 1)[0]  # the problems are in extensions.problems
    if code == "INVALID_DATE" and isinstance(cause, InvalidDate):
        # graphql-core's wording nests our message in quotes; say it plainly.
        prefix = message.split(": ", 1)[0] + ": " if message.startswith("Variable") else ""
        message = _shortened(f"{prefix}Invalid PartialDate: {cause}")
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    """Give every error a stable ``extensions.code``; mask unexpected ones.

    Used when the schema is run through Strawberry's own ``execute``;
    :class:`schema.engine.Engine` applies :func:`code_error` directly.
    Expected errors (bad input, unknown ids) keep their message. Anything
    else is logged with its traceback and replaced by a generic message
    carrying the request id, so that no internal detail reaches clients.
    """

    def on_operation(self) -> Iterator[None]:
        self._executed = False
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        parsed = self.execution_context.graphql_document is not None
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [code_error(e, parsed=parsed, executed=self._executed, request_id=request_id) for e in errors]

    def on_execute(self) -> Iterator[None]:
        # Reached only when the document parsed and validated.
        self._executed = True
        yield
