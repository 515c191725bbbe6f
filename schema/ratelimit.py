"""The ``RateLimit`` type: what a request cost and what is left of its client's budget."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

__all__ = ["RateLimit"]


@strawberry.type(description="A request's estimated cost and its client's cost budget (per token, else per address).")
class RateLimit:
    cost: int = strawberry.field(description="Estimated cost of this request (0 when answered from the cache).")
    limit: int = strawberry.field(description="Cost the client may spend per window.")
    remaining: int = strawberry.field(description="Cost left in the current window, this request included.")
    reset_at: str = strawberry.field(description="When the window ends and the budget refills (ISO 8601, UTC).")

    @classmethod
    def from_budget(cls, budget: Any) -> RateLimit | None:
        """The type for a budget with ``cost``, ``limit``, ``remaining`` and ``reset_at`` (Unix time); None for none."""
        if budget is None:
            return None
        reset = datetime.fromtimestamp(budget.reset_at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(cost=budget.cost, limit=budget.limit, remaining=budget.remaining, reset_at=reset)
