"""Subscription events run under the request time limit, each on its own."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson

import oversight_graph.schema.engine as engine_module
from oversight_graph.graph import deadline
from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.engine import Engine, Ready
from oversight_graph.schema.limits import Limits
from oversight_graph.server.app import open_writer
from oversight_graph.server.settings import Settings
from tests.journal.conftest import EDITOR

SEED = Path(__file__).resolve().parents[2] / "seed"


def test_an_event_past_the_time_limit_gets_a_timeout_and_the_stream_goes_on(tmp_path: Path, monkeypatch) -> None:
    writer = open_writer(Settings(data=SEED, db=tmp_path / "graph.db"))
    for n in range(2):  # versions 2 and 3
        writer.submit(
            EDITOR, "edit", [EditRequest("updateEntity", {"key": "org/meta", "set": {"description": f"{n}"}})]
        )
    original = engine_module.execute_subscription_event
    slow = {2}  # the versions whose execution outlasts the limit

    def execute(per_event):
        result = original(per_event)
        if per_event.root_value.version in slow:
            time.sleep(0.05)
            deadline.check()  # a resolver's checkpoint, past the event's deadline
        return result

    monkeypatch.setattr(engine_module, "execute_subscription_event", execute)
    engine = Engine(build_schema(), Limits(time_limit=0.02))

    async def run() -> list[dict]:
        feed = ChangeFeed(writer.journal, writer.model)
        feed.start(asyncio.get_running_loop())
        context = Context(store=writer.model.store, writer=writer, feed=feed)
        ready = engine.start(
            "subscription { changes(since: 1) { version } }", context, allowed=frozenset(engine_module.OperationType)
        )
        assert isinstance(ready, Ready)
        stream = engine.stream(ready)
        bodies = [orjson.loads(await asyncio.wait_for(anext(stream), 10)) for _ in range(2)]
        await stream.aclose()
        feed.stop()
        return bodies

    try:
        first, second = asyncio.run(run())
    finally:
        writer.journal.close()
    (error,) = first["errors"]
    assert error["extensions"]["code"] == "TIMEOUT" and error["extensions"]["limit"] == 0.02
    assert second == {"data": {"changes": {"version": 3}}}
