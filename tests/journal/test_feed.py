"""The change feed: catching up from the journal, then live, each change set once and in order."""

from __future__ import annotations

import asyncio

import pytest

from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.errors import JournalUnavailable
from oversight_graph.journal.feed import ChangeFeed
from oversight_graph.journal.writer import Writer
from tests.journal.conftest import EDITOR


def _edit(writer: Writer, key: str, text: str) -> int:
    request = EditRequest("updateEntity", {"key": key, "set": {"description": text}})
    return writer.submit(EDITOR, f"describe {key}", [request]).version


async def _take(stream, count: int) -> list[int]:
    return [(await asyncio.wait_for(anext(stream), 10)).version for _ in range(count)]


def test_catch_up_then_live_without_gap_or_duplicate(writer: Writer) -> None:
    async def run() -> None:
        feed = ChangeFeed(writer.journal, writer.model, buffer=100)
        feed.start(asyncio.get_running_loop())
        for i in range(3):
            await asyncio.to_thread(_edit, writer, "org/meta", f"before {i}")  # versions 2-4
        stream = feed.follow(since=1)
        first = await _take(stream, 1)
        # Writes land while the subscriber is still catching up: they are buffered and deduplicated.
        writes = asyncio.gather(*(asyncio.to_thread(_edit, writer, "org/caisi", f"during {i}") for i in range(5)))
        rest = await _take(stream, 7)
        await writes
        assert first + rest == list(range(2, 10))
        await stream.aclose()
        assert feed.subscribers == 0
        feed.stop()

    asyncio.run(run())


def test_from_now_on_gets_only_new_change_sets(writer: Writer) -> None:
    async def run() -> None:
        feed = ChangeFeed(writer.journal, writer.model)
        feed.start(asyncio.get_running_loop())
        await asyncio.to_thread(_edit, writer, "org/meta", "old")
        stream = feed.follow()
        pending = asyncio.ensure_future(_take(stream, 2))
        await asyncio.sleep(0.05)  # the subscriber is registered before the writes
        for i in range(2):
            await asyncio.to_thread(_edit, writer, "org/meta", f"new {i}")
        assert await pending == [3, 4]
        await stream.aclose()

    asyncio.run(run())


def test_a_subscriber_behind_its_buffer_reads_the_journal_and_misses_nothing(writer: Writer) -> None:
    async def run() -> None:
        feed = ChangeFeed(writer.journal, writer.model, buffer=2)
        feed.start(asyncio.get_running_loop())
        stream = feed.follow(since=1)
        pending = asyncio.ensure_future(_take(stream, 1))
        await asyncio.to_thread(_edit, writer, "org/meta", "first")
        assert await pending == [2]
        # Eight change sets arrive while the subscriber reads nothing: its buffer of two overflows.
        for i in range(8):
            await asyncio.to_thread(_edit, writer, "org/meta", f"burst {i}")
        await asyncio.sleep(0.05)
        assert await _take(stream, 8) == list(range(3, 11))
        await asyncio.to_thread(_edit, writer, "org/meta", "after")
        assert await _take(stream, 1) == [11]
        await stream.aclose()

    asyncio.run(run())


def test_following_one_key(writer: Writer) -> None:
    async def run() -> None:
        feed = ChangeFeed(writer.journal, writer.model)
        feed.start(asyncio.get_running_loop())
        await asyncio.to_thread(_edit, writer, "org/meta", "caught up")  # 2
        await asyncio.to_thread(_edit, writer, "org/caisi", "not meta")  # 3
        stream = feed.follow(since=0, key="org/meta")
        assert await _take(stream, 2) == [1, 2]  # the seed import touched it too
        pending = asyncio.ensure_future(_take(stream, 1))
        await asyncio.to_thread(_edit, writer, "org/caisi", "still not meta")  # 4
        await asyncio.to_thread(_edit, writer, "org/meta", "live")  # 5
        assert await pending == [5]
        await stream.aclose()

    asyncio.run(run())


def test_closing_ends_every_stream_with_the_version_to_resume_from(writer: Writer) -> None:
    async def run() -> None:
        feed = ChangeFeed(writer.journal, writer.model)
        feed.start(asyncio.get_running_loop())
        stream = feed.follow(since=0)
        assert await _take(stream, 1) == [1]
        pending = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.05)
        feed.close()
        with pytest.raises(JournalUnavailable, match="since: 1"):
            await pending
        with pytest.raises(JournalUnavailable, match="stopping"):
            await anext(feed.follow())
        assert feed.subscribers == 0

    asyncio.run(run())
