"""Log lines: one JSON object per line, or a human format for a terminal.

Every record of the server (its own, uvicorn's and gunicorn's) goes through
one of two formatters chosen by the ``log_format`` setting:

- :class:`JsonFormatter` (``json``, the default) writes one JSON object per
  line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``pid``,
  ``message``, the structured fields a record carries (an access line's
  ``request_id``, ``method``, ``path``, ``status``... see
  :mod:`server.access`), and ``exception`` with the traceback when there is one;
- :class:`TextFormatter` (``text``) writes ``time level logger: message``.

Tokens and variables are never put in a record: access lines carry the
path without its query string and no header values. As a second guard,
both formatters blank anything that looks like a bearer token in a message
or traceback.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

__all__ = ["FIELDS", "LOG_FORMATS", "JsonFormatter", "TextFormatter", "configure", "formatter"]

LOG_FORMATS = ("json", "text")

FIELDS = "fields"
"""The attribute of a log record (``extra={FIELDS: {...}}``) holding its structured fields."""

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")


def _scrub(text: str) -> str:
    """``text`` with bearer tokens blanked.

    Examples
    --------
    >>> _scrub("sent Authorization: Bearer og_abc123, then left")
    'sent Authorization: Bearer [redacted], then left'
    """
    return _BEARER.sub(r"\1[redacted]", text) if "earer" in text or "EARER" in text else text


def _time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line.

    Examples
    --------
    >>> record = logging.LogRecord("oversight.access", logging.INFO, "", 0, "GET /healthz 200", None, None)
    >>> record.fields = {"request_id": "r1", "status": 200}
    >>> line = orjson.loads(JsonFormatter().format(record))
    >>> line["level"], line["message"], line["request_id"], line["status"]
    ('info', 'GET /healthz 200', 'r1', 200)
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": _scrub(record.getMessage()),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = _scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = _scrub(record.exc_text)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """``2026-12-01T07:00:00.000Z info oversight.access: GET /graphql 200 ...`` (and a traceback when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record.created)} {record.levelname.lower()} {record.name}: {_scrub(record.getMessage())}"
        if record.exc_info:
            line += "\n" + _scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            line += "\n" + _scrub(record.exc_text)
        return line


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of a ``log_format`` setting (``json`` or ``text``)."""
    return TextFormatter() if log_format == "text" else JsonFormatter()


def configure(log_format: str, level: str, stream: TextIO | None = None) -> None:
    """Send every log record at ``level`` or above to ``stream`` (standard error) in ``log_format``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
