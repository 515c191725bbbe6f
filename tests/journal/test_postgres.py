"""What only the PostgreSQL journal does: ordering writers of several servers, one seed import, notifications."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from oversight_graph.journal.changes import Actor, Effect, Role, Target
from oversight_graph.journal.edits import EditRequest
from oversight_graph.journal.errors import JournalUnavailable, VersionConflict
from oversight_graph.journal.postgres import PostgresJournal
from oversight_graph.journal.startup import Follower, open_journal, start_model
from oversight_graph.journal.writer import Writer
from tests.journal.conftest import EDITOR, SEED, citation

ANA = Actor("ana", Role.EDITOR)


def _effect(key: str) -> Effect:
    return Effect("createEntity", Target.ENTITY, key, None, {"key": key})


def test_open_journal_selects_postgresql_by_address(postgres_url: str, tmp_path: Path) -> None:
    journal = open_journal(postgres_url, tmp_path / "snaps")
    try:
        assert isinstance(journal, PostgresJournal)
        assert journal.snapshot_dir == tmp_path / "snaps"
        assert journal.location == postgres_url
    finally:
        journal.close()


def test_writers_of_several_servers_get_consecutive_versions(postgres_url: str, tmp_path: Path) -> None:
    servers = [PostgresJournal(postgres_url, tmp_path / str(n)) for n in range(4)]
    versions: list[int] = []

    def write(journal: PostgresJournal, number: int) -> None:
        for step in range(10):
            with journal.exclusive() as appender:
                seen = appender.head()
                change = appender.append(ANA, f"{number}.{step}", [_effect(f"org/s{number}-{step}")])
                assert change.version == seen + 1
            versions.append(change.version)

    threads = [threading.Thread(target=write, args=(journal, n)) for n, journal in enumerate(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(versions) == list(range(1, 41))
        assert [c.version for c in servers[0].read(0)] == list(range(1, 41))
    finally:
        for journal in servers:
            journal.close()


def test_servers_starting_together_on_an_empty_database_import_the_seed_once(postgres_url: str, tmp_path: Path) -> None:
    models = []

    def start(number: int) -> None:
        journal = PostgresJournal(postgres_url, tmp_path / str(number))
        try:
            models.append(start_model(journal, SEED))
        finally:
            journal.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal = PostgresJournal(postgres_url, tmp_path / "check")
    try:
        assert journal.head() == 1
        assert [model.version for model in models] == [1, 1, 1, 1]
        assert {len(model.store) for model in models} == {len(models[0].store)}
    finally:
        journal.close()


def test_expected_version_conflicts_across_servers(postgres_url: str, tmp_path: Path) -> None:
    one, two = (PostgresJournal(postgres_url, tmp_path / name) for name in ("one", "two"))
    first = Writer(one, start_model(one, SEED))
    second = Writer(two, start_model(two, SEED))
    record = {
        "key": "org/example-lab",
        "name": "Example Lab",
        "description": "A test lab.",
        "category": "COMPANY",
        "citation": [citation()],
    }
    try:
        change = first.submit(EDITOR, "add", [EditRequest("createEntity", {"record": record})], expected_version=1)
        assert change.version == 2
        with pytest.raises(VersionConflict) as conflict:
            second.submit(EDITOR, "stale", [EditRequest("retractEntity", {"key": "org/meta"})], expected_version=1)
        assert conflict.value.actual == 2
        # The second server caught up while it checked: it holds the first server's change set now.
        assert second.model.version == 2 and second.model.store.entity("org/example-lab").name == "Example Lab"
        update = [EditRequest("updateEntity", {"key": "org/example-lab", "set": {"description": "Changed."}})]
        assert second.submit(EDITOR, "edit", update, expected_version=2).version == 3
    finally:
        one.close()
        two.close()


def test_a_commit_wakes_a_listening_follower_at_once(postgres_url: str, tmp_path: Path) -> None:
    writing, following = (PostgresJournal(postgres_url, tmp_path / name) for name in ("w", "f"))
    writer = Writer(writing, start_model(writing, SEED))
    model = start_model(following, SEED)
    seen: list[tuple[int, float]] = []
    model.listeners.append(lambda change: seen.append((change.version, time.monotonic())))
    follower = Follower(following, model, interval=30)  # a poll would come far too late to pass
    follower.start()
    try:
        time.sleep(0.5)  # listening
        update = [EditRequest("updateEntity", {"key": "org/meta", "set": {"description": "Changed."}})]
        acknowledged = time.monotonic()
        writer.submit(EDITOR, "edit", update)
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.005)
        assert seen and seen[0][0] == 2
        assert seen[0][1] - acknowledged < 2
        assert model.store.entity("org/meta").description == "Changed."
        assert follower.reachable and follower.lag == 0
    finally:
        follower.stop()
        writing.close()
        following.close()


def test_an_unreachable_database_is_refused_with_its_address(tmp_path: Path) -> None:
    with pytest.raises(JournalUnavailable, match=r"postgresql://ana:\*\*\*@127\.0\.0\.1:1/none"):
        PostgresJournal("postgresql://ana:secret@127.0.0.1:1/none", tmp_path, timeout=1)


def test_tables_of_another_format_are_refused_and_left(postgres_url: str, tmp_path: Path) -> None:
    PostgresJournal(postgres_url, tmp_path).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE oversight_meta SET value = '99' WHERE name = 'format'")
    with pytest.raises(JournalUnavailable, match="format '99'"):
        PostgresJournal(postgres_url, tmp_path)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT value FROM oversight_meta WHERE name = 'format'").fetchone() == ("99",)


class _Deaf(PostgresJournal):
    """A journal that never hears a notification, as if every one were lost."""

    def wait_for_change(self, timeout: float, stop: threading.Event) -> int | None:
        stop.wait(timeout)
        return None


def test_a_lost_notification_delays_a_change_set_by_the_poll_interval_only(postgres_url: str, tmp_path: Path) -> None:
    writing = PostgresJournal(postgres_url, tmp_path / "w")
    deaf = _Deaf(postgres_url, tmp_path / "d")
    writer = Writer(writing, start_model(writing, SEED))
    model = start_model(deaf, SEED)
    follower = Follower(deaf, model, interval=0.2)
    follower.start()
    try:
        for number in range(3):
            update = [EditRequest("updateEntity", {"key": "org/meta", "set": {"description": f"Changed {number}."}})]
            writer.submit(EDITOR, "edit", update)
        deadline = time.monotonic() + 5
        while model.version < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert model.version == 4 and model.store.entity("org/meta").description == "Changed 2."
        assert follower.database_version == 4
    finally:
        follower.stop()
        writing.close()
        deaf.close()
