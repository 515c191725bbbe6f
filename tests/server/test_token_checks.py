"""A token lookup that waits on the database holds up only its own request."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from starlette.testclient import TestClient

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.settings import Settings

SEED = Path(__file__).resolve().parents[2] / "seed"
READ = '{ entity(key: "org/meta") { name } stats { version } }'


def gql(client: TestClient, query: str, **headers: str):
    sent = {"content-type": "application/json", **headers}
    return client.post("/graphql", content=json.dumps({"query": query}), headers=sent)


def test_a_token_check_stuck_on_the_database_does_not_stall_other_requests(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data=SEED, db=postgres_url, snapshots=tmp_path / "snapshots", rate_limit_cost=0)
    writer = open_writer(settings)
    token = create_token(writer.journal, "ana", Role.READER)
    try:
        with TestClient(create_app(settings=settings, writer=writer)) as client, ThreadPoolExecutor(2) as pool:
            assert gql(client, READ, authorization=f"Bearer {token}").status_code == 200
            with psycopg.connect(postgres_url) as locker:
                # Another session holds the token table: the lookup waits until it lets go.
                locker.execute("LOCK TABLE oversight_token IN ACCESS EXCLUSIVE MODE")
                stuck = pool.submit(gql, client, READ, authorization=f"Bearer {token}")
                time.sleep(0.5)
                assert not stuck.done()
                # Meanwhile requests without a token are answered by the same process (a stalled
                # event loop would leave them waiting for the lock too: the timeout fails the test).
                for _ in range(3):
                    answer = pool.submit(gql, client, READ).result(timeout=10)
                    assert answer.status_code == 200
                    assert answer.json()["data"]["entity"]["name"] == "Meta"
                assert pool.submit(client.get, "/healthz").result(timeout=10).status_code == 200
                assert not stuck.done()
                locker.rollback()
            # Once the table is free the waiting request is answered as usual.
            assert stuck.result(timeout=30).status_code == 200
    finally:
        writer.journal.close()
