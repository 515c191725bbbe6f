"""Global ids and cursors.

A global id is the Relay convention: base64 of ``TypeName:key``, where the
key is the entity's stable key (``org/meta``) or a relation's key. Every
id argument also accepts the plain key, which is easier to type in GraphiQL
and never changes.

Cursors are opaque to clients: base64 of a small JSON array naming the list
order and the sort key of the item they point after.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import orjson

from oversight_graph.graph.enums import Kind
from oversight_graph.graph.errors import InvalidCursor
from oversight_graph.graph.model import kind_of_key
from oversight_graph.schema.errors import InvalidId

__all__ = ["TYPE_NAMES", "decode_cursor", "encode_cursor", "global_id", "key_from_id"]

TYPE_NAMES = {
    Kind.ORGANIZATION: "Organization",
    Kind.PERSON: "Person",
    Kind.AI_MODEL: "AIModel",
    Kind.ORDER: "Order",
    Kind.INCIDENT: "Incident",
    Kind.AGREEMENT: "Agreement",
    Kind.EVENT: "Event",
    Kind.DOCUMENT: "Document",
    Kind.QUESTION: "Question",
}
"""The GraphQL object type of each entity kind."""

RELATION_TYPE_NAME = "Relation"


def global_id(type_name: str, key: str) -> str:
    """The Relay global id of ``key`` under ``type_name``."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def _is_relation_key(key: str) -> bool:
    parts = key.split("|")
    return 3 <= len(parts) <= 4 and kind_of_key(parts[0]) is not None and kind_of_key(parts[2]) is not None


def key_from_id(value: str, argument: str) -> str:
    """The entity or relation key an id argument names.

    Accepts a global id or a plain key. Whether anything exists under the
    key is for the caller to check (``NOT_FOUND``); this only rejects what
    cannot be a key of this API.

    Raises
    ------
    InvalidId
        If ``value`` is neither form, naming ``argument`` in the message.
    """
    if kind_of_key(value) is not None or _is_relation_key(value):
        return value
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
        type_name, key = decoded.split(":", 1)
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidId(f"{argument}: {value!r} is not a global id or an entity key", argument) from None
    if type_name == RELATION_TYPE_NAME and _is_relation_key(key):
        return key
    kind = kind_of_key(key)
    if kind is None or TYPE_NAMES[kind] != type_name:
        raise InvalidId(f"{argument}: {value!r} is not a global id or an entity key", argument)
    return key


def encode_cursor(order: str, values: Sequence[Any]) -> str:
    """An opaque cursor for the item with sort key ``values`` in list order ``order``."""
    return base64.urlsafe_b64encode(orjson.dumps([order, *values])).decode("ascii")


def decode_cursor(cursor: str, order: str, shape: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a cursor carries.

    Parameters
    ----------
    cursor
        The ``after`` argument.
    order
        The list and order the cursor must have been issued for.
    shape
        The types of the sort key's values, in order.

    Raises
    ------
    InvalidCursor
        If the cursor is malformed, was issued for another list or order, or
        does not carry a sort key of the expected shape.
    """
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidCursor(f"after: {cursor!r} is not a cursor issued by this API") from None
    if not isinstance(payload, list) or not payload or payload[0] != order:
        raise InvalidCursor(f"after: the cursor {cursor!r} belongs to a different list or order")
    values = tuple(payload[1:])
    if len(values) != len(shape) or not all(
        type(value) is expected for value, expected in zip(values, shape, strict=True)
    ):
        raise InvalidCursor(f"after: {cursor!r} is not a cursor issued by this API")
    return values
