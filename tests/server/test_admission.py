"""Admission control: cost budgets per client, the rateLimit field, load shedding and the cheap lane's priority."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import anyio
import pytest
from starlette.testclient import TestClient

from oversight_graph.graph import deadline
from oversight_graph.server import admission
from oversight_graph.server.admission import Budgets, Lanes, client_key
from oversight_graph.server.app import create_app
from oversight_graph.server.settings import Settings


@pytest.fixture()
def client(seed_store):
    with TestClient(create_app(seed_store, Settings(rate_limit_cost=50, rate_limit_window=60))) as c:
        yield c


def page(n: int) -> dict:
    # Cost 1 + 10 (a connection of ten objects); the alias makes each uncached.
    return {"query": f"{{ a{n}: organizations(first: 10) {{ edges {{ node {{ key }} }} }} }}"}


def test_each_client_spends_its_budget_then_gets_429(client):
    seen = []
    for n in range(4):
        response = client.post("/graphql", json=page(n))
        assert response.status_code == 200
        seen.append(int(response.headers["x-ratelimit-remaining"]))
        assert response.headers["x-query-cost"] == "11" and response.headers["x-ratelimit-limit"] == "50"
    assert seen == [39, 28, 17, 6]
    refused = client.post("/graphql", json=page(99))
    assert refused.status_code == 429
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["remaining"] == 6 and error["extensions"]["cost"] == 11
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-request-id"] == error["extensions"]["requestId"]
    # Cheap enough still fits; a cached answer costs nothing.
    for _sight in range(2):  # a response is kept from its second sight
        assert client.post("/graphql", json={"query": "{ stats { version } }"}).status_code == 200
    again = client.post("/graphql", json={"query": "{ stats { version } }"})
    assert again.status_code == 200 and again.headers["x-query-cost"] == "0"


def test_the_rate_limit_field_reports_the_budget(client):
    client.post("/graphql", json=page(1))
    response = client.post("/graphql", json={"query": "{ rateLimit { cost limit remaining resetAt } }"})
    body = response.json()["data"]["rateLimit"]
    assert body["limit"] == 50 and body["cost"] == int(response.headers["x-query-cost"]) == 1
    assert body["remaining"] == int(response.headers["x-ratelimit-remaining"]) == 50 - 11 - 1
    assert body["resetAt"].endswith("Z")
    # Never answered from the cache: the next one sees its own remaining budget.
    later = client.post("/graphql", json={"query": "{ rateLimit { cost limit remaining resetAt } }"}).json()
    assert later["data"]["rateLimit"]["remaining"] == body["remaining"] - 1


def test_without_budgets_the_field_is_null_and_no_headers(seed_store):
    with TestClient(create_app(seed_store, Settings(rate_limit_cost=0))) as c:
        response = c.post("/graphql", json={"query": "{ rateLimit { cost } }"})
    assert response.json() == {"data": {"rateLimit": None}}
    assert "x-ratelimit-limit" not in response.headers


def test_budgets_are_per_token_when_authenticated_else_per_address():
    request = SimpleNamespace(client=SimpleNamespace(host="192.0.2.7"))
    assert client_key(SimpleNamespace(), request) == "address:192.0.2.7"
    assert client_key(SimpleNamespace(actor=None), request) == "address:192.0.2.7"
    assert client_key(SimpleNamespace(actor=SimpleNamespace(name="lab")), request) == "token:lab"
    budgets = Budgets(limit=10, window=60, clock=lambda: 1000.0)
    assert budgets.charge("token:lab", 10).remaining == 0
    assert budgets.charge("token:lab", 1).refused
    assert not budgets.charge("address:192.0.2.7", 1).refused


def test_budgets_refill_after_their_window():
    now = [1000.0]
    budgets = Budgets(limit=10, window=60, clock=lambda: now[0])
    assert budgets.charge("c", 10).remaining == 0 and budgets.charge("c", 1).refused
    now[0] += 60
    assert budgets.charge("c", 1).remaining == 9


def test_expensive_work_beyond_the_queue_is_shed():
    lanes = Lanes(threads=1, shed_queue=1)
    release = threading.Event()
    states: list[bool] = []

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lanes.run_expensive, lambda _: release.wait(10), None)
            tasks.start_soon(lanes.run_expensive, lambda _: None, None)
            await anyio.sleep(0.2)
            states.append(lanes.full())  # one running, one waiting: full
            release.set()
        states.append(lanes.full())

    anyio.run(main)
    assert states == [True, False]


def _three_slices(_: object) -> None:
    """Expensive work: three slices, each ending at a checkpoint."""
    for _ in range(3):
        began = time.monotonic()
        while time.monotonic() - began < admission._SLICE:
            pass  # a slice of work
        deadline.check()


def test_expensive_work_gives_way_while_cheap_requests_are_in_progress(monkeypatch):
    lanes = Lanes(threads=1, shed_queue=1)
    pauses: list[float] = []
    monkeypatch.setattr(admission.time, "sleep", pauses.append)

    lanes._paced(_three_slices, None)
    assert pauses == []
    lanes.cheap_started()
    lanes._paced(_three_slices, None)
    assert pauses == [admission._PAUSE] * 3


def test_expensive_work_pauses_once_per_slice_not_at_every_checkpoint(monkeypatch):
    lanes = Lanes(threads=1, shed_queue=1)
    pauses: list[float] = []
    monkeypatch.setattr(admission.time, "sleep", pauses.append)
    lanes.cheap_started()

    def work(_: object) -> None:
        for _ in range(100):
            deadline.check()  # far less than a slice of work between them

    lanes._paced(work, None)
    assert len(pauses) <= 1


def test_expensive_work_does_not_give_way_to_expensive_requests_passing_through(monkeypatch):
    lanes = Lanes(threads=1, shed_queue=1)
    pauses: list[float] = []
    monkeypatch.setattr(admission.time, "sleep", pauses.append)

    # Another expensive request arrives, is admitted and leaves for the expensive lane.
    lanes.cheap_started()
    lanes.cheap_finished(was_cheap=False)
    lanes._paced(_three_slices, None)
    assert pauses == []
    # A cheap request that just finished is likely followed by the next: give way to it. "Just" is
    # stretched to a minute here, so that a busy machine's scheduling cannot age the request out.
    monkeypatch.setattr(admission, "_RECENT", 60.0)
    lanes.cheap_started()
    lanes.cheap_finished()
    lanes._paced(_three_slices, None)
    assert pauses == [admission._PAUSE] * 3


def test_expensive_work_does_not_pause_while_a_change_set_waits_for_it(monkeypatch):
    waiting = [False]
    lanes = Lanes(threads=1, shed_queue=1, hurry=lambda: waiting[0])
    pauses: list[float] = []
    monkeypatch.setattr(admission.time, "sleep", pauses.append)
    monkeypatch.setattr(admission, "_RECENT", 60.0)

    lanes.cheap_started()  # cheap traffic in progress: expensive work gives way to it...
    lanes._paced(_three_slices, None)
    assert pauses == [admission._PAUSE] * 3
    pauses.clear()
    waiting[0] = True  # ...unless a change set waits for the readers to finish
    lanes._paced(_three_slices, None)
    assert pauses == []
