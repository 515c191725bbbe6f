"""The journals: numbering, durability, history, tokens (both implementations); refusing bad files (SQLite)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor, Effect, Role, Target
from oversight_graph.journal.errors import JournalUnavailable
from oversight_graph.journal.sqlite import SQLiteJournal
from oversight_graph.journal.tokens import authenticate, create_token

ANA = Actor("ana", Role.EDITOR)


def _effect(key: str) -> Effect:
    return Effect("createEntity", Target.ENTITY, key, None, {"key": key})


def test_versions_grow_from_one_without_gaps_and_survive_reopening(open_journal: Callable[[], Journal]) -> None:
    journal = open_journal()
    for number in range(3):
        with journal.exclusive() as appender:
            change = appender.append(ANA, f"edit {number}", [_effect(f"org/x{number}")])
        assert change.version == number + 1
    journal.set_note("origin", "/data")
    journal.close()
    again = open_journal()
    assert again.head() == 3
    assert [c.version for c in again.read(0)] == [1, 2, 3]
    assert [c.reason for c in again.read(1)] == ["edit 1", "edit 2"]
    assert [c.version for c in again.read(0, 2)] == [1, 2]
    assert again.get(2).effects == (_effect("org/x1"),)  # type: ignore[union-attr]
    assert again.get(4) is None
    assert again.journal_id == journal.journal_id
    assert again.note("origin") == "/data" and again.note("other") is None
    first = again.get(1)
    assert first is not None and first.actor == ANA and first.at.utcoffset() is not None


def test_a_failed_block_records_nothing(journal: Journal) -> None:
    with pytest.raises(RuntimeError), journal.exclusive() as appender:
        appender.append(ANA, "half", [_effect("org/a")])
        raise RuntimeError("stop")
    assert journal.head() == 0
    assert journal.history("org/a") == []


def test_history_lists_the_change_sets_of_a_key_and_of_a_relations_ends(journal: Journal) -> None:
    relation = Effect(
        "addRelation", Target.RELATION, "org/a|RIVALS|org/b", None, {"subject": "org/a", "object": "org/b"}
    )
    with journal.exclusive() as appender:
        appender.append(ANA, "one", [_effect("org/a")])
    with journal.exclusive() as appender:
        appender.append(ANA, "two", [relation])
    assert journal.history("org/a") == [1, 2]
    assert journal.history("org/b") == [2]
    assert journal.history("org/a|RIVALS|org/b") == [2]
    assert journal.history("org/a", after=1) == [2]


def test_headers_count_effects_and_pages_read_them(journal: Journal) -> None:
    with journal.exclusive() as appender:
        appender.append(ANA, "many", [_effect(f"org/e{i}") for i in range(5)])
    header = journal.get(1, effects=False)
    assert header is not None and header.effects == () and header.count == 5
    assert [e.key for e in journal.effects(1, 2, 2)] == ["org/e2", "org/e3"]


def test_tokens_are_stored_as_digests_checked_and_revoked(journal: Journal) -> None:
    token = create_token(journal, "ana", Role.EDITOR)
    assert authenticate(journal, token) == Actor("ana", Role.EDITOR)
    assert authenticate(journal, token + "x") is None
    with pytest.raises(ValueError, match="exists already"):
        create_token(journal, "ana", Role.ADMIN)
    with pytest.raises(ValueError, match="not a token name"):
        create_token(journal, "no spaces", Role.ADMIN)
    assert journal.revoke_token("ana") is True
    assert journal.revoke_token("ana") is False
    assert authenticate(journal, token) is None
    [info] = journal.tokens()
    assert info.name == "ana" and info.revoked is not None


def test_sqlite_keeps_only_a_tokens_digest(tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "journal.db")
    token = create_token(journal, "ana", Role.EDITOR)
    raw = (tmp_path / "journal.db").read_bytes() + (tmp_path / "journal.db-wal").read_bytes()
    assert token.encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw
    journal.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = _digest(path)
    with pytest.raises(JournalUnavailable, match="not a usable Oversight Graph journal"):
        SQLiteJournal(path)
    assert _digest(path) == before


def test_a_damaged_journal_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    journal = SQLiteJournal(path)
    for number in range(50):
        with journal.exclusive() as appender:
            appender.append(ANA, "x" * 500, [_effect(f"org/x{number}")])
    journal.close()
    data = bytearray(path.read_bytes())
    data[4096:] = os.urandom(len(data) - 4096)  # every page past the first
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(JournalUnavailable, match=r"damaged|not a usable"):
        opened = SQLiteJournal(path)
        list(opened.read(0))  # damage in the large tables shows when they are read
    assert _digest(path) == before


def test_another_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    with pytest.raises(JournalUnavailable, match="not an Oversight Graph journal"):
        SQLiteJournal(path)


def test_a_read_only_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    SQLiteJournal(path).close()
    path.chmod(0o444)
    before = _digest(path)
    with pytest.raises(JournalUnavailable, match="not writable"):
        SQLiteJournal(path)
    assert _digest(path) == before


def test_a_journal_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "j.db"
    SQLiteJournal(path).close()
    for extra in folder.glob("j.db-*"):
        extra.unlink()
    folder.chmod(0o555)
    try:
        with pytest.raises(JournalUnavailable, match="not writable"):
            SQLiteJournal(path)
    finally:
        folder.chmod(0o755)


def test_an_sqlite_journal_needs_no_database_driver(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from oversight_graph.journal.startup import open_journal\n"
        "import oversight_graph.server.app\n"
        f"open_journal({str(tmp_path / 'j.db')!r}).close()\n"
        "assert 'psycopg' not in sys.modules, 'psycopg was loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
