"""What every resolver receives: the store, the limits and the request.

There is no module-level graph. The server builds a :class:`Context` per
request around the store it serves; tests build one around any store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry

from graph.store import GraphStore

__all__ = ["Context", "Info", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one request may ask for; each is a server setting.

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
    """

    max_page_size: int = 100
    default_page_size: int = 20
    max_path_length: int = 8
    max_neighborhood_depth: int = 3
    max_neighborhood_entities: int = 500
    max_ids: int = 100


@dataclass(slots=True)
class Context:
    """Per-request context: the store to read, the limits, and the request id."""

    store: GraphStore
    limits: Limits = field(default_factory=Limits)
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None


Info: TypeAlias = strawberry.Info[Context, None]
