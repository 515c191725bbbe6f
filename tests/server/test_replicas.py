"""Two servers on one PostgreSQL journal, in process: shared writes, read-your-writes, /healthz."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.settings import Settings

SEED = Path(__file__).resolve().parents[2] / "seed"
UPDATE = 'mutation($d: String!, $v: Int) { updateEntity(id: "org/meta", set: {description: $d}, reason: "r", expectedVersion: $v) { version } }'
READ = '{ entity(key: "org/meta") { description } stats { version } }'


@pytest.fixture
def replicas(postgres_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, str]]:
    clients, writers = [], []
    for number in (1, 2):
        settings = Settings(
            data=SEED, db=postgres_url, snapshots=tmp_path / f"r{number}", min_version_wait=0.5, rate_limit_cost=0
        )
        writers.append(open_writer(settings))
        clients.append(TestClient(create_app(settings=settings, writer=writers[-1])))
    token = create_token(writers[0].journal, "ana", Role.EDITOR)
    with clients[0] as one, clients[1] as two:
        yield one, two, token
    for writer in writers:
        writer.journal.close()


def gql(client: TestClient, query: str, variables: dict | None = None, **headers: str):
    sent = {"content-type": "application/json", **{k.replace("_", "-"): v for k, v in headers.items()}}
    return client.post("/graphql", content=json.dumps({"query": query, "variables": variables}), headers=sent)


def test_a_write_on_one_replica_is_read_on_the_other_with_min_version(replicas) -> None:
    one, two, token = replicas
    written = gql(one, UPDATE, {"d": "Written on one."}, authorization=f"Bearer {token}").json()
    version = written["data"]["updateEntity"]["version"]
    assert version == 2
    # Without waiting: the header makes the second replica answer from version 2 or later.
    read = gql(two, READ, oversight_min_version=str(version))
    assert read.status_code == 200
    assert read.json()["data"] == {"entity": {"description": "Written on one."}, "stats": {"version": 2}}


def test_expected_version_conflicts_across_replicas(replicas) -> None:
    one, two, token = replicas
    auth = f"Bearer {token}"
    assert gql(one, UPDATE, {"d": "First.", "v": 1}, authorization=auth).json()["data"]["updateEntity"]["version"] == 2
    conflict = gql(two, UPDATE, {"d": "Second.", "v": 1}, authorization=auth).json()
    [error] = conflict["errors"]
    assert error["extensions"]["code"] == "VERSION_CONFLICT" and error["extensions"]["actualVersion"] == 2
    third = gql(two, UPDATE, {"d": "Second.", "v": 2}, authorization=auth).json()
    assert third["data"]["updateEntity"]["version"] == 3
    assert gql(one, READ, oversight_min_version="3").json()["data"]["entity"]["description"] == "Second."


def test_a_version_not_reached_in_time_is_a_stale_replica_error(replicas) -> None:
    _one, two, _token = replicas
    started = time.monotonic()
    answer = gql(two, READ, oversight_min_version="99")
    waited = time.monotonic() - started
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "STALE_REPLICA"
    assert error["extensions"]["minVersion"] == 99 and error["extensions"]["version"] == 1
    assert error["extensions"]["requestId"] == answer.headers["x-request-id"]
    assert 0.5 <= waited < 5
    bad = gql(two, READ, oversight_min_version="soon")
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert gql(two, READ, oversight_min_version="1").status_code == 200


def test_healthz_reports_the_replica_and_database_versions(replicas) -> None:
    one, two, token = replicas
    gql(one, UPDATE, {"d": "Changed."}, authorization=f"Bearer {token}")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        health = two.get("/healthz").json()
        if health["graphVersion"] == 2:
            break
        time.sleep(0.01)
    assert health["status"] == "ok"
    replica = health["replica"]
    assert replica["version"] == 2 and replica["databaseVersion"] == 2 and replica["lag"] == 0
    assert replica["stale"] is False and replica["database"] == "ok"


def test_the_journal_commands_take_a_postgresql_address(postgres_url: str, tmp_path: Path) -> None:
    from io import StringIO

    from oversight_graph.server.cli import main

    def run(*argv: str) -> tuple[int, str]:
        out, err = StringIO(), StringIO()
        status = main(list(argv), out, err)
        return status, out.getvalue() + err.getvalue()

    status, output = run("token", "create", "--name", "ana", "--role", "editor", "--db", postgres_url)
    assert status == 0, output
    status, output = run("token", "list", "--db", postgres_url)
    assert status == 0 and "ana\teditor" in output
    status, output = run("snapshot", "--db", postgres_url, "--snapshots", str(tmp_path / "snaps"))
    assert status == 0 and "version 1" in output, output
    assert list((tmp_path / "snaps").glob("*.snapshot"))
