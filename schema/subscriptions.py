"""The subscription root: change sets as they happen.

Thin resolvers over :class:`journal.feed.ChangeFeed`, which the server puts in
the context (``Context.feed``); the feed does the catching up, buffering and
ordering. Each event is a :class:`~schema.history.ChangeSet`, the type of the
``changes`` query feed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import strawberry

from oversight_graph.journal.errors import JournalUnavailable
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.schema.context import Info
from oversight_graph.schema.errors import bad_input
from oversight_graph.schema.history import ChangeSet
from oversight_graph.schema.ids import key_from_id

__all__ = ["Subscription"]

SinceArg = Annotated[
    int | None,
    strawberry.argument(
        description="Start after this graph version: the change sets since then come first, then the live ones "
        "(default: from now on). Pass the last version you received to resume without a gap."
    ),
]


def _feed(info: Info, since: int | None) -> ChangeFeed:
    if since is not None and since < 0:
        raise bad_input("since must be 0 or more", "since")
    feed = info.context.feed
    if feed is None:
        raise JournalUnavailable("this server has no journal, so no change sets to follow")
    return feed  # type: ignore[no-any-return]


@strawberry.type(description="Live updates: each event is one change set, in version order, each exactly once.")
class Subscription:
    @strawberry.subscription(
        description="Every change set after `since` (or from now on), oldest first, then each new one as it is applied."
    )
    def changes(self, info: Info, since: SinceArg = None) -> AsyncIterator[ChangeSet]:
        return _feed(info, since).follow(since)  # type: ignore[return-value]

    @strawberry.subscription(
        description="The change sets that touch one entity (including its relations) or one relation, "
        "as `history` lists them, from `since` (or from now on)."
    )
    async def entity_changed(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="An entity or relation: global id or key.")],
        since: SinceArg = None,
    ) -> AsyncIterator[ChangeSet]:
        key = info.context.store.resolve(key_from_id(id, "id"))
        return _feed(info, since).follow(since, key)  # type: ignore[return-value]
