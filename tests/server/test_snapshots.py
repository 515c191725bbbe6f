"""Automatic snapshots in a real server with two worker processes sharing one journal and one snapshot folder."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.settings import Settings
from tests.server.serving import ROOT, Server, wait_for

SEED = ROOT / "seed"
UPDATE = """mutation($d: String!) { updateEntity(id: "org/meta", set: {description: $d}, reason: "snapshot test")
  { version } }"""


def _post(port: int, token: str, description: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"query": UPDATE, "variables": {"d": description}})
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
        connection.request("POST", "/graphql", body, headers)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def test_two_workers_write_each_snapshot_once_and_a_restart_uses_it(tmp_path: Path) -> None:
    db = tmp_path / "graph.db"
    token = subprocess.run(
        [sys.executable, "-m", "oversight_graph.server.cli", "token", "create", "--db", str(db)]
        + ["--name", "ana", "--role", "editor"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    folder = tmp_path / "graph.db.snapshots"
    with Server(tmp_path / "server.log", workers=2, db=db, data=SEED, snapshot_every=4, follow_interval=0.05) as server:
        for number in range(4):
            answer = _post(server.port, token, f"Changed {number}.")
            assert answer["data"]["updateEntity"]["version"] == number + 2, answer
        assert wait_for(lambda: (folder / f"{5:012d}.snapshot").exists(), 30), server.log_text()
        # Both workers follow every change set to version 5; give the second time to reach it and count.
        assert wait_for(lambda: server.request()[2]["graphVersion"] == 5, 10)
        _post(server.port, token, "Changed once more.")  # version 6: within 4 of the snapshot, for both workers
        assert wait_for(lambda: "snapshot of version 5 written" in server.log_text(), 30)
        assert server.stop() == 0
    text = (tmp_path / "server.log").read_text()
    assert re.findall(r"snapshot of version (\d+) written", text) == ["5"], text
    assert sorted(path.name for path in folder.iterdir()) == [".writing", f"{5:012d}.snapshot"]
    with Server(tmp_path / "again.log", db=db, data=SEED, snapshot_every=4) as again:
        status, _, health = again.request()
        assert status == 200 and health["graphVersion"] == 6
        log = again.log_text()
    assert "snapshot" in log and "000000000005.snapshot" in log, log


@pytest.mark.parametrize("background", [True, False])
def test_the_setting_chooses_where_snapshots_are_written(tmp_path: Path, background: bool) -> None:
    settings = Settings(data=SEED, db=tmp_path / "graph.db", snapshot_every=2, snapshot_in_background=background)
    writer = open_writer(settings)
    app = create_app(settings=settings, writer=writer)
    try:
        with TestClient(app):
            snapshots = app.state.snapshots
            assert snapshots.fork is background and snapshots.every == 2
            assert snapshots._applied in writer.model.listeners  # counting while serving
        assert snapshots._applied not in writer.model.listeners
    finally:
        writer.journal.close()
