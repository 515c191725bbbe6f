"""GraphQL over Server-Sent Events: the graphql-sse protocol's distinct connections mode.

Strawberry ships this transport's encoding
(:class:`strawberry.http.streaming.SSETransport`: ``event: next`` with one
result per event, ``event: complete`` at the end, ``: ping`` comments as a
heartbeat every 15 seconds) but serves it only from its own HTTP views; the
server has its own HTTP layer (:mod:`server.http`), so this module runs it
there, on a Starlette :class:`~starlette.responses.StreamingResponse`:

- a ``GET`` or ``POST`` to ``/graphql`` whose ``Accept`` names
  ``text/event-stream`` gets a stream: one ``next`` event per result (a
  query's single result, or each event of a subscription), then
  ``complete``. Each request is its own stream (the protocol's *distinct
  connections* mode; the *single connection* mode with reservations is not
  served);
- the request is read and checked as any other (``Authorization`` header,
  ``require_token``, body limits, persisted queries); refusals before the
  stream starts are JSON in the API's error shape, with their HTTP status,
  including ``503 TOO_MANY_CONNECTIONS`` past ``max_subscription_connections``;
- errors of the operation itself (validation, limits, a bad argument) come
  in the stream as a ``next`` event with ``errors``, as Strawberry's own
  views send them, followed by ``complete``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse
from strawberry.http.streaming import SSETransport, merge_stream_with_heartbeat

from oversight_graph.schema.context import Context
from oversight_graph.server.subscriptions import Subscriptions

__all__ = ["accepts_events", "event_stream"]

_TRANSPORT = SSETransport()


def accepts_events(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for ``text/event-stream``."""
    return bool(accept) and _TRANSPORT.accepts(accept)  # type: ignore[arg-type]


def _encode(value: object) -> str:
    return orjson.dumps(value).decode()


def event_stream(
    subscriptions: Subscriptions,
    query: str,
    variables: Any,
    operation_name: Any,
    context: Context,
) -> StreamingResponse:
    """The response streaming one operation's results; the connection is counted until it ends.

    The caller has counted the connection (:meth:`Subscriptions.connect`);
    this response releases it when the stream ends or the client leaves.
    """

    released = False

    def release() -> None:
        # Once, whichever comes first: the stream's end, or the response's end when the
        # client left before the stream even started.
        nonlocal released
        if not released:
            released = True
            subscriptions.disconnect()

    async def results() -> AsyncGenerator[str, None]:
        try:
            outcome = subscriptions.start(query, variables, operation_name, context)
            if isinstance(outcome, list):
                yield _TRANSPORT.encode_event("next", _encode({"errors": outcome}))
            else:
                bodies: AsyncIterator[bytes] = outcome
                try:
                    async for body in bodies:
                        yield _TRANSPORT.encode_event("next", body.decode())
                finally:
                    await bodies.aclose()  # type: ignore[attr-defined]
            yield _TRANSPORT.encode_complete()
        finally:
            release()

    stream = merge_stream_with_heartbeat(
        results,
        lambda: _TRANSPORT.heartbeat_message(_encode),
        _TRANSPORT.heartbeat_interval,
        send_initial_heartbeat=_TRANSPORT.send_initial_heartbeat,
    )
    headers = {**_TRANSPORT.headers, "x-request-id": context.request_id}
    return StreamingResponse(stream(), headers=headers, background=BackgroundTask(release))
