"""The peer's PostgreSQL database: created, loaded from a generated graph, described.

The data is read from the store Oversight Graph loads from the same
directory, so both servers hold the same records: every entity, relation
and citation, names folded as Oversight Graph folds them. Rows go in with
``COPY`` through ``psql`` (the client that comes with PostgreSQL), before
the foreign keys and secondary indexes of ``schema.sql`` are built.

A database is named after the dataset (``oversight_peer_100k``) and kept
between runs; a table ``peer_stamp`` records which dataset it holds, and a
different one is loaded afresh.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.text import fold

__all__ = ["PG_DSN", "Database"]

PG_DSN = os.environ.get("PEER_PG", "postgresql://postgres@127.0.0.1:5432")
"""Where PostgreSQL listens (``PEER_PG`` to change); the benchmark creates its own databases there."""

SCHEMA = Path(__file__).with_name("schema.sql")
_LOAD_MARK = "-- @load"


class Database:
    """One benchmark database on the PostgreSQL server at :data:`PG_DSN`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = f"{PG_DSN}/{name}"

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run ``sql`` with psql (stopping at the first error) and return its unaligned output."""
        url = f"{PG_DSN}/{database or self.name}"
        command = ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def exists(self) -> bool:
        found = self.psql(f"select 1 from pg_database where datname = '{self.name}'", "postgres")
        return found == "1"

    def stamp(self) -> str | None:
        """What the database holds (see :meth:`load`), or ``None`` if it holds nothing complete."""
        if not self.exists():
            return None
        found = self.psql("select stamp from peer_stamp" if self._has_stamp() else "select null")
        return found or None

    def _has_stamp(self) -> bool:
        return self.psql("select to_regclass('public.peer_stamp') is not null") == "t"

    def drop(self) -> None:
        self.psql(f'drop database if exists "{self.name}" with (force)', "postgres")

    def version(self) -> str:
        return self.psql("show server_version", "postgres")

    def load(self, store: GraphStore, stamp: str) -> float:
        """Create the database afresh and load ``store`` into it; return the seconds taken."""
        started = time.perf_counter()
        self.drop()
        self.psql(f'create database "{self.name}"', "postgres")
        before, after = SCHEMA.read_text().split(_LOAD_MARK, 1)
        self._script(before)
        self._copy("peer.entities", _entity_rows(store))
        self._copy("peer.entity_names", _name_rows(store))
        self._copy("peer.relations", _relation_rows(store))
        self._copy("peer.citations", _citation_rows(store))
        self._script(after.split("\n", 1)[1])
        self._script("vacuum analyze")
        self.psql(f"create table peer_stamp (stamp text); insert into peer_stamp values ('{stamp}')")
        return time.perf_counter() - started

    def _script(self, sql: str) -> None:
        command = ["psql", self.url, "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        subprocess.run(command, input=sql, check=True, capture_output=True, text=True)

    def _copy(self, table: str, rows: Iterable[tuple[object, ...]]) -> None:
        command = [
            "psql",
            self.url,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f"copy {table} from stdin (format csv, null '\\N')",
        ]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdin is not None
        lines: list[str] = []
        for row in rows:
            lines.append(",".join(map(_field, row)))
            if len(lines) >= 20_000:
                process.stdin.write(("\n".join(lines) + "\n").encode())
                lines.clear()
        if lines:
            process.stdin.write(("\n".join(lines) + "\n").encode())
        process.stdin.close()
        error = process.stderr.read() if process.stderr else b""
        if process.wait() != 0:
            raise RuntimeError(f"copy into {table} failed: {error.decode(errors='replace')}")


def _field(value: object) -> str:
    """One CSV field: ``\\N`` for null, numbers bare, text quoted."""
    if value is None:
        return "\\N"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def stamp_of(directory: Path) -> str:
    """What identifies a loaded database: a digest of the dataset's summary (same seed and size, same
    bytes) and of ``schema.sql``."""
    digest = hashlib.sha256((directory / "summary.json").read_bytes())
    digest.update(SCHEMA.read_bytes())
    return digest.hexdigest()[:16]


def _array(values: Iterable[str]) -> str:
    """A PostgreSQL array literal of text values."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


def _entity_rows(store: GraphStore) -> Iterator[tuple[object, ...]]:
    for e in store.entities():
        yield e.key, e.kind.name, e.name, fold(e.name), e.description, _array(e.aliases), e.wikidata_id


def _name_rows(store: GraphStore) -> Iterator[tuple[object, ...]]:
    for e in store.entities():
        for position, name in enumerate(e.names):
            yield e.key, position, name, fold(name)


def _relation_rows(store: GraphStore) -> Iterator[tuple[object, ...]]:
    for r in store.relations():
        yield (
            r.key,
            r.subject,
            r.type.name,
            r.object,
            r.valid_from.isoformat() if r.valid_from else None,
            r.valid_to.isoformat() if r.valid_to else None,
        )


def _citation_rows(store: GraphStore) -> Iterator[tuple[object, ...]]:
    for r in store.relations():
        key = r.key
        for position, c in enumerate(r.citations):
            a = c.attribution
            yield (
                key,
                position,
                c.document,
                c.paragraph,
                c.claim,
                c.confidence.name,
                a.kind.name,
                a.text,
                a.source_count,
            )
