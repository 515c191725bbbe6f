"""Prometheus metrics at /metrics: what moves, with which labels, and what stays bounded."""

from __future__ import annotations

import doctest
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

import oversight_graph.server.access
import oversight_graph.server.logs
import oversight_graph.server.metrics
from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.settings import Settings
from tests.server.serving import Server, wait_for

SEED = Path(__file__).resolve().parents[2] / "seed"


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def gql(client: TestClient, body: dict, token: str | None = None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return client.post("/graphql", content=json.dumps(body), headers=headers)


@pytest.fixture
def served(tmp_path: Path):
    settings = Settings(data=SEED, db=tmp_path / "graph.db", snapshot_every=0, follow_interval=0.05)
    writer = open_writer(settings)
    token = create_token(writer.journal, "ops-editor", Role.EDITOR)
    with TestClient(create_app(settings=settings, writer=writer)) as client:
        yield client, token
    writer.journal.close()


def test_queries_errors_and_a_write_move_the_counters(served):
    client, token = served
    before = samples(client)
    query = {"query": "query Version { stats { version } }"}
    assert gql(client, query).status_code == 200
    assert gql(client, query).status_code == 200  # seen again: its response is kept now
    assert gql(client, query).status_code == 200  # from the response cache
    assert gql(client, {"query": "{ nope }"}).status_code == 200  # validation error (application/json)
    assert gql(client, {"query": 'query Missing { entity(key: "org/none") { key } }'}).status_code == 200
    assert client.get("/nowhere").status_code == 404
    unauthenticated = gql(
        client, {"query": 'mutation Write { retractEntity(id: "org/meta", reason: "r") { version } }'}
    )
    assert unauthenticated.status_code == 401
    wrote = gql(
        client,
        {
            "query": 'mutation Write { updateEntity(id: "org/meta", set: {description: "Changed."}, reason: "r") { version } }'
        },
        token,
    )
    assert wrote.status_code == 200, wrote.text
    version = wrote.json()["data"]["updateEntity"]["version"]
    after = samples(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "oversight_graphql_operations_total"
    assert moved(ops, operation="Version", outcome="ok") == 3
    assert moved(ops, operation="anonymous", outcome="request_error") == 1
    # An operation that never ran earns no label of its own.
    assert moved(ops, operation="other", outcome="refused") == 1
    assert moved(ops, operation="Write", outcome="ok") == 1
    # An entity that is not there: data, with a field error.
    assert (
        moved(ops, operation="other", outcome="field_error") + moved(ops, operation="Missing", outcome="field_error")
        == 1
    )
    assert moved("oversight_graphql_operation_duration_seconds_count", operation="Version") == 3
    assert moved("oversight_response_cache_hits_total") == 1
    assert moved("oversight_response_cache_misses_total") >= 3  # Version twice, then Missing
    assert moved("oversight_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert moved("oversight_errors_total", code="NOT_FOUND") == 1
    assert moved("oversight_errors_total", code="UNAUTHENTICATED") == 1
    assert moved("oversight_errors_total", code="PATH_NOT_FOUND") == 1
    assert moved("oversight_http_requests_total", route="/graphql", status="200") == 6
    assert moved("oversight_http_requests_total", route="/graphql", status="401") == 1
    assert moved("oversight_http_requests_total", route="other", status="404") == 1
    assert moved("oversight_http_request_duration_seconds_count", route="/graphql") == 7
    assert moved("oversight_change_sets_applied_total") == 1
    # The version gauge is the version the API reports.
    stats = gql(client, {"query": "{ stats { version } }"}).json()["data"]["stats"]["version"]
    assert stats == version
    assert value(after, "oversight_graph_version") == version
    assert value(after, "oversight_replica_lag_versions") == 0
    assert value(after, "oversight_subscriptions_open") == 0


def test_the_subscription_hook_counts_open_subscriptions(served):
    client, _token = served
    metrics = client.app.state.metrics
    with metrics.subscription():
        metrics.subscription_opened()
        assert value(samples(client), "oversight_subscriptions_open") == 2
        metrics.subscription_closed()
    assert value(samples(client), "oversight_subscriptions_open") == 0


def test_the_replica_hook_reports_lag(seed_store):
    with TestClient(create_app(seed_store)) as client:  # a fixed graph: nothing else sets the gauges
        assert value(samples(client), "oversight_database_reachable") == 1
        client.app.state.metrics.set_replica(database_version=12, replica_version=9, reachable=False)
        found = samples(client)
    assert value(found, "oversight_replica_lag_versions") == 3
    assert value(found, "oversight_graph_version") == 9
    assert value(found, "oversight_database_reachable") == 0


def test_admission_rejections_are_counted(seed_store):
    with TestClient(create_app(seed_store, Settings(rate_limit_cost=5))) as client:
        query = {"query": "{ organizations(first: 10) { edges { node { key } } } }"}
        assert gql(client, query).status_code == 429
        found = samples(client)
    assert value(found, "oversight_admission_rejections_total", reason="rate_limited") == 1
    assert value(found, "oversight_errors_total", code="RATE_LIMITED") == 1


def test_client_chosen_operation_names_stay_bounded(seed_store):
    with TestClient(create_app(seed_store, Settings(metrics_operations=3))) as client:
        for number in range(10):
            assert gql(client, {"query": f"query Op{number} {{ stats {{ version }} }}"}).status_code == 200
        long_name = "N" * 65
        assert gql(client, {"query": f"query {long_name} {{ stats {{ version }} }}"}).status_code == 200
        found = samples(client)
    labels = {dict(labels).get("operation") for name, labels in found if name == "oversight_graphql_operations_total"}
    assert labels == {"Op0", "Op1", "Op2", "other"}
    assert value(found, "oversight_graphql_operations_total", operation="other", outcome="ok") == 8


def test_with_trusted_documents_only_their_names_are_labels(seed_store, tmp_path):
    trusted = "query Trusted { stats { version } }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({hashlib.sha256(trusted.encode()).hexdigest(): trusted}))
    with TestClient(create_app(seed_store, Settings(trusted_documents=manifest))) as client:
        assert gql(client, {"query": trusted}).status_code == 200
        untrusted = {"query": "query Mine { stats { version } }", "operationName": "Mine"}
        assert gql(client, untrusted).status_code == 403
        found = samples(client)
    assert value(found, "oversight_graphql_operations_total", operation="Trusted", outcome="ok") == 1
    assert value(found, "oversight_graphql_operations_total", operation="other", outcome="refused") == 1
    assert value(found, "oversight_errors_total", code="OPERATION_NOT_TRUSTED") == 1


def test_metrics_need_no_token_and_can_be_turned_off(seed_store):
    with TestClient(create_app(seed_store, Settings(require_token=True))) as client:
        assert gql(client, {"query": "{ stats { version } }"}).status_code == 401
        assert client.get("/metrics").status_code == 200
        refused = client.post("/metrics")
        assert refused.status_code == 405
        assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    with TestClient(create_app(seed_store, Settings(metrics=False))) as client:
        missing = client.get("/metrics")
        assert missing.status_code == 404
        assert missing.json()["errors"][0]["extensions"]["code"] == "PATH_NOT_FOUND"
        assert gql(client, {"query": "{ stats { version } }"}).status_code == 200


@pytest.mark.parametrize(
    "module", [oversight_graph.server.metrics, oversight_graph.server.logs, oversight_graph.server.access]
)
def test_the_examples_in_the_docstrings_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def _post(server: Server, body: dict, token: str | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        connection.request("POST", "/graphql", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _scrape(server: Server) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        assert response.status == 200
        text = response.read().decode()
    finally:
        connection.close()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _answering_pids(server: Server) -> set[int]:
    pids = set()
    for line in server.log_text().splitlines():
        if line.startswith("{") and '"oversight.access"' in line and '"operation":"Counted"' in line:
            pids.add(json.loads(line)["pid"])
    return pids


def test_every_worker_reports_the_whole_server(tmp_path):
    db = tmp_path / "graph.db"
    writer = open_writer(Settings(data=SEED, db=db, snapshot_every=0))
    token = create_token(writer.journal, "ops-editor", Role.EDITOR)
    writer.journal.close()
    with Server(tmp_path / "log", workers=2, db=db, follow_interval=0.2) as server:
        sent = 0
        # New connections are spread over the workers by the kernel: go on until both have answered.
        while sent < 20 or (len(_answering_pids(server)) < 2 and sent < 400):
            status, _ = _post(server, {"query": "query Counted { stats { version } }"})
            assert status == 200
            sent += 1
        assert wait_for(lambda: len(_answering_pids(server)) == 2, 5), "one worker answered everything"
        status, body = _post(
            server,
            {
                "query": 'mutation { updateEntity(id: "org/meta", set: {description: "Changed."}, reason: "r") { version } }'
            },
            token,
        )
        assert status == 200, body
        version = body["data"]["updateEntity"]["version"]
        # Whichever worker answers the scrape, it reports both workers' counts.
        for _ in range(8):
            found = _scrape(server)
            assert value(found, "oversight_graphql_operations_total", operation="Counted", outcome="ok") == sent
            assert value(found, "oversight_http_requests_total", route="/graphql", status="200") == sent + 1
        # Each worker applies the change set: the one that wrote it, and the other as it follows the journal.
        assert wait_for(lambda: value(_scrape(server), "oversight_change_sets_applied_total") == 2, 10)
        assert value(_scrape(server), "oversight_graph_version") == version
        # The lag is checked every follow_interval: the follower's worker catches up, then says so.
        assert wait_for(lambda: value(_scrape(server), "oversight_replica_lag_versions") == 0, 10)
        # A worker that dies takes its live gauges along, but its counts stay in the totals.
        victim = min(server.workers_now())
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(server.workers_now() - {victim}) == 2 and server.healthy(), 30), server.log_text()
        for _ in range(4):
            found = _scrape(server)
            assert value(found, "oversight_graphql_operations_total", operation="Counted", outcome="ok") == sent
            assert value(found, "oversight_graph_version") == version


def test_the_metrics_directory_is_removed_and_so_are_those_of_killed_servers(tmp_path, monkeypatch):
    monkeypatch.setattr(oversight_graph.server.metrics.tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"oversight-metrics-{int(dead.stdout)}-abc"
    orphan.mkdir()
    alive = tmp_path / f"oversight-metrics-{os.getppid()}-abc"  # a live process's: left alone
    alive.mkdir()
    with oversight_graph.server.metrics.multiprocess_directory() as path:
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == path
        assert Path(path).is_dir() and Path(path).name.startswith(f"oversight-metrics-{os.getpid()}-")
        assert not orphan.exists() and alive.exists()
    assert not Path(path).exists()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
