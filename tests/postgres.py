"""Throwaway PostgreSQL databases for tests, on the server at 127.0.0.1:5432 (user postgres, no password).

Each test gets a database of its own with a unique name, dropped afterwards.
``OVERSIGHT_TEST_POSTGRES`` may name another server's maintenance database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ADMIN_URL = os.environ.get("OVERSIGHT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str, admin_url: str = ADMIN_URL) -> str:
    """The address of database ``name`` on the server of ``admin_url``."""
    params = conninfo_to_dict(admin_url)
    host, port, user = params.get("host", "127.0.0.1"), params.get("port", "5432"), params.get("user", "postgres")
    return f"postgresql://{user}@{host}:{port}/{name}"


@contextmanager
def fresh_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Create a uniquely named empty database; yield its address; drop it (closing any connection left)."""
    name = f"oversight_test_{uuid.uuid4().hex[:12]}"
    admin = make_conninfo(admin_url, connect_timeout=5)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name, admin_url)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PrivateServer:
    """A PostgreSQL server of a test's own, in a temporary folder, that the test may stop and start.

    The machine's shared server is never restarted; this one runs the same
    binaries as the ``postgres`` operating-system user (``initdb`` refuses
    root) on a free port, with the data folder owned by that user.
    """

    def __init__(self, port: int) -> None:
        import shutil
        import tempfile

        self.port = port
        self.bin = _postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="oversight-pg-", dir="/tmp"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self._as_postgres(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"]
        )
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _as_postgres(self, command: list[str]) -> None:
        import subprocess

        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + command, check=True, capture_output=True, cwd=self.folder)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect every client at once)."""
        self._as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def remove(self) -> None:
        import shutil

        try:
            self.stop("immediate")
        except Exception:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin (install postgresql)")
    return found[-1].parent
