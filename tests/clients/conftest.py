"""Fixtures for the real-client tests: a running server and the Node.js clients installed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import open_writer
from oversight_graph.server.settings import Settings
from tests.clients.live_server import running_server

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "clients"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The server as client apps would run it: persisted queries on (the default), batching on."""
    with running_server("--batching", "--max-batch-size", "5") as url:
        yield url


@pytest.fixture(scope="session")
def editable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server whose journal has an editor token named ``node``, for clients that make changes: URL and token."""
    db = tmp_path_factory.mktemp("editable") / "graph.db"
    writer = open_writer(Settings(data=ROOT / "seed", db=db))
    try:
        token = create_token(writer.journal, "node", Role.EDITOR)
    finally:
        writer.journal.close()
    with running_server("--db", str(db)) as url:
        yield url, token


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """``clients/`` with its npm packages installed from the lockfile (``npm ci``) if they are not yet."""
    if not (CLIENTS / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENTS, check=True, timeout=600
        )
    return CLIENTS
