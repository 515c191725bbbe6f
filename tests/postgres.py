"""Throwaway PostgreSQL databases for tests, on the server at 127.0.0.1:5432 (user postgres, no password).

Each test gets a database of its own with a unique name, dropped afterwards.
``OVERSIGHT_TEST_POSTGRES`` may name another server's maintenance database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
