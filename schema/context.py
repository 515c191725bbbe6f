"""What every resolver receives: the store, the limits and the request.

There is no module-level graph. The server builds a :class:`Context` per
request around the store it serves; tests build one around any store.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry

from oversight_graph.graph.store import GraphStore
from oversight_graph.journal.changes import Actor
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.journal.writer import Writer

__all__ = ["Context", "Info", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one request may ask for; each is a server setting.

    The document limits (size, tokens, operations, depth, aliases, cost)
    reject a request before it runs; see :mod:`schema.limits` for how depth
    and cost are counted and why the defaults are what they are.

    Attributes
    ----------
    max_page_size
        Largest ``first`` any list accepts.
    default_page_size
        ``first`` when a connection is asked for without one.
    max_path_length
        Largest ``maxLength`` of ``path``.
    max_neighborhood_depth
        Largest ``depth`` of ``neighborhood``.
    max_neighborhood_entities
        Entities a neighbourhood returns before it is cut off (``truncated``).
    max_ids
        Largest number of ids ``nodes`` accepts.
    max_document_bytes
        Largest GraphQL document, in UTF-8 bytes.
    max_tokens
        Most lexical tokens a document may have.
    max_operations
        Most operations one document may define.
    max_depth
        Deepest field nesting an operation may have (introspection excepted).
    max_aliases
        Most aliased fields a document may have.
    max_cost
        Highest estimated cost of an operation (see :mod:`schema.limits`).
    max_input_items
        Most items of any list in an argument (``where.some``, ``types``...).
    max_string_length
        Longest string in any argument, in characters.
    time_limit
        Seconds a request's GraphQL work (validation, admission, execution)
        may take before it is stopped (0: no limit).
    """

    max_page_size: int = 100
    default_page_size: int = 20
    max_path_length: int = 8
    max_neighborhood_depth: int = 3
    max_neighborhood_entities: int = 500
    max_ids: int = 100
    max_document_bytes: int = 32_768
    max_tokens: int = 1000
    max_operations: int = 20
    max_depth: int = 12
    max_aliases: int = 15
    max_cost: int = 5000
    max_input_items: int = 100
    max_string_length: int = 1000
    time_limit: float = 5.0


@dataclass(slots=True)
class Context:
    """Per-request context: the store to read, the limits, the request id, and who is asking.

    ``writer`` is the write path (``None`` on a server without a journal,
    which then refuses mutations); ``actor`` is the authenticated token's
    name and role, or ``None`` for an anonymous request; ``feed`` streams
    change sets to subscriptions.
    """

    store: GraphStore
    limits: Limits = field(default_factory=Limits)
    request_id: str = field(default_factory=lambda: secrets.token_hex(16))
    request: Any = None
    rate_limit: Any = None  # the client's cost budget after this request (server.admission.Budget), if any
    writer: Writer | None = None
    actor: Actor | None = None
    feed: ChangeFeed | None = None  # live change sets for subscriptions; None without a journal


Info: TypeAlias = strawberry.Info[Context, None]
