"""Writes over HTTP: every mutation against every role, tokens, conflicts, validation, history and restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.settings import Settings

SEED = Path(__file__).resolve().parents[2] / "seed"
DOC = "doc/nyt-meta-ai-reviews"
CITE = f'{{document: "{DOC}", paragraph: 3, claim: "An editor\'s note.", confidence: REPORTED, attribution: {{kind: REPORTING}}}}'

# One document per mutation; each succeeds on the seed for an editor (merge: for an admin).
MUTATIONS = {
    "createEntity": f'createEntity(input: {{kind: ORGANIZATION, key: "org/example-lab", name: "Example Lab", description: "A lab.", category: COMPANY, citations: [{CITE}]}}, reason: "r")',
    "updateEntity": 'updateEntity(id: "org/meta", set: {description: "A large AI developer."}, reason: "r")',
    "retractEntity": 'retractEntity(id: "question/who-leads-model-reviews", reason: "r")',
    "addRelation": f'addRelation(input: {{subject: "org/meta", type: RIVALS, object: "org/xai", citations: [{CITE}]}}, reason: "r")',
    "updateRelation": 'updateRelation(id: "org/anthropic|DEVELOPED|model/fable-5", set: {qualifiers: {note: "its newest"}}, reason: "r")',
    "retractRelation": 'retractRelation(id: "org/anthropic|DEVELOPED|model/fable-5", reason: "r")',
    "addCitation": f'addCitation(target: "org/anthropic|DEVELOPED|model/fable-5", citation: {CITE}, reason: "r")',
    "removeCitation": 'removeCitation(target: "org/meta", document: "doc/nyt-meta-ai-reviews", paragraph: 4, reason: "r")',
    "addDocument": 'addDocument(input: {key: "doc/second-report", name: "Second report", description: "Another source.", title: "A second report", paragraphs: 10}, reason: "r")',
    "mergeEntities": 'mergeEntities(keep: "org/openai", merge: "org/xai", reason: "r")',
    "applyChanges": 'applyChanges(operations: [{retractRelation: {id: "org/anthropic|DEVELOPED|model/fable-5"}}], reason: "r")',
}


@pytest.fixture
def server(tmp_path: Path):
    settings = Settings(data=SEED, db=tmp_path / "graph.db", snapshot_every=0)
    writer = open_writer(settings)
    tokens = {role: create_token(writer.journal, role.value, role) for role in Role}
    with TestClient(create_app(settings=settings, writer=writer)) as client:
        yield client, tokens, writer
    writer.journal.close()


def gql(client: TestClient, query: str, token: str | None = None, variables: dict | None = None):
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return client.post("/graphql", content=json.dumps({"query": query, "variables": variables}), headers=headers)


def _mutation(name: str) -> str:
    return f"mutation {{ {MUTATIONS[name]} {{ version changeSet {{ version actor {{ name role }} reason }} }} }}"


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@pytest.mark.parametrize("role", [None, Role.READER, Role.EDITOR, Role.ADMIN])
def test_every_mutation_against_every_role(server, name: str, role: Role | None) -> None:
    client, tokens, writer = server
    if name == "removeCitation":  # give Meta a citation that supports none of its facts, to remove
        assert (
            gql(
                client,
                f'mutation {{ addCitation(target: "org/meta", citation: {CITE.replace("paragraph: 3", "paragraph: 4")}, reason: "r") {{ version }} }}',
                tokens[Role.EDITOR],
            ).status_code
            == 200
        )
    before = writer.model.version
    response = gql(client, _mutation(name), tokens[role] if role else None)
    body = response.json()
    if role is None:
        assert response.status_code == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    elif role is Role.READER or (name == "mergeEntities" and role is Role.EDITOR):
        assert response.status_code == 403
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    else:
        assert response.status_code == 200, body
        assert "errors" not in body, body
        payload = body["data"][name]
        assert payload["version"] == before + 1
        assert payload["changeSet"]["actor"] == {"name": role.value, "role": role.name}
        assert writer.model.version == before + 1
        return
    assert writer.model.version == before  # refused: nothing changed
    assert "x-request-id" in response.headers


def test_bad_and_revoked_tokens_get_401(server) -> None:
    client, tokens, writer = server
    for header in ("Basic abc", "Bearer", "Bearer og_not-a-token"):
        response = client.post("/graphql", json={"query": "{ stats { version } }"}, headers={"authorization": header})
        assert response.status_code == 401, header
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    writer.journal.revoke_token(Role.EDITOR.value)
    response = gql(client, _mutation("updateEntity"), tokens[Role.EDITOR])
    assert response.status_code == 401
    assert writer.model.version == 1


def test_reads_may_require_a_token(tmp_path: Path) -> None:
    settings = Settings(data=SEED, db=tmp_path / "graph.db", require_token=True)
    writer = open_writer(settings)
    token = create_token(writer.journal, "reader", Role.READER)
    with TestClient(create_app(settings=settings, writer=writer)) as client:
        assert gql(client, "{ stats { version } }").status_code == 401
        assert gql(client, "{ stats { version } }", token).json() == {"data": {"stats": {"version": 1}}}
    writer.journal.close()


def test_invalid_input_lists_every_problem_with_its_path(server) -> None:
    client, tokens, writer = server
    query = (
        'mutation { addRelation(input: {subject: "org/meta", type: DEVELOPED, object: "org/nobody", citations: '
        f'[{CITE.replace("paragraph: 3", "paragraph: 99")}]}}, reason: "r") {{ version }} }}'
    )
    body = gql(client, query, tokens[Role.EDITOR]).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    problems = {p["path"]: p["message"] for p in error["extensions"]["problems"]}
    assert "no paragraph 99" in problems["input.citations[0].paragraph"]
    assert "org/nobody" in problems["input.object"]
    assert body["data"] == {"addRelation": None}
    assert writer.model.version == 1


def test_unknown_keys_and_malformed_inputs(server) -> None:
    client, tokens, _writer = server
    editor = tokens[Role.EDITOR]
    body = gql(client, 'mutation { retractEntity(id: "org/nobody", reason: "r") { version } }', editor).json()
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert "org/nobody" in body["errors"][0]["extensions"]["problems"][0]["message"]
    body = gql(client, 'mutation { retractEntity(id: "Not a key!", reason: "r") { version } }', editor).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"
    body = gql(
        client, 'mutation { updateEntity(id: "org/meta", set: {title: "x"}, reason: "r") { version } }', editor
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "title is not a field of organization" in body["errors"][0]["message"]
    body = gql(client, 'mutation { updateEntity(id: "org/meta", set: {name: "M"}) { version } }', editor).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # reason is required
    body = gql(
        client, 'mutation { updateEntity(id: "org/meta", set: {name: "M"}, reason: "  ") { version } }', editor
    ).json()
    assert body["errors"][0]["extensions"]["problems"][0]["path"] == "input.reason"


def test_a_stale_expected_version_conflicts(server) -> None:
    client, tokens, writer = server
    editor = tokens[Role.EDITOR]
    ok = gql(
        client,
        'mutation { updateEntity(id: "org/meta", set: {name: "Meta Platforms"}, reason: "r", expectedVersion: 1) { version } }',
        editor,
    )
    assert ok.json()["data"]["updateEntity"]["version"] == 2
    late = gql(
        client,
        'mutation { updateEntity(id: "org/meta", set: {name: "Meta Inc."}, reason: "r", expectedVersion: 1) { version } }',
        editor,
    ).json()
    assert late["errors"][0]["extensions"] | {"code": "VERSION_CONFLICT"} == late["errors"][0]["extensions"]
    assert late["errors"][0]["extensions"]["expectedVersion"] == 1
    assert late["errors"][0]["extensions"]["actualVersion"] == 2
    assert writer.model.store.entity("org/meta").name == "Meta Platforms"


def test_mutations_are_not_run_over_get_nor_answered_from_cache(server) -> None:
    client, tokens, writer = server
    editor = tokens[Role.EDITOR]
    query = _mutation("updateEntity")
    response = client.get("/graphql", params={"query": query}, headers={"authorization": f"Bearer {editor}"})
    assert response.status_code == 405
    assert writer.model.version == 1
    first = gql(client, query, editor).json()
    again = gql(client, query, editor).json()  # not a cached copy of the first answer
    assert first["data"]["updateEntity"]["version"] == 2
    assert again["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert "changes nothing" in again["errors"][0]["extensions"]["problems"][0]["message"]


def test_reads_see_each_change_and_the_version(server) -> None:
    client, tokens, _writer = server
    read = '{ stats { version } entity(key: "org/meta") { description } }'
    assert gql(client, read).json()["data"]["stats"]["version"] == 1
    gql(client, _mutation("updateEntity"), tokens[Role.EDITOR])
    data = gql(client, read).json()["data"]
    assert data == {"stats": {"version": 2}, "entity": {"description": "A large AI developer."}}
    health = client.get("/healthz").json()
    assert health["graphVersion"] == 2


def test_history_feed_and_provenance(server) -> None:
    client, tokens, _writer = server
    gql(client, _mutation("updateEntity"), tokens[Role.EDITOR])
    gql(client, _mutation("retractRelation"), tokens[Role.ADMIN])
    feed = gql(
        client,
        "{ changes(since: 1) { edges { cursor node { version actor { name } reason changes { operation action key before after } } } pageInfo { hasNextPage endCursor } } }",
    ).json()["data"]["changes"]
    versions = [e["node"]["version"] for e in feed["edges"]]
    assert versions == [2, 3]
    retracted = feed["edges"][1]["node"]["changes"][0]
    assert retracted["action"] == "RETRACTED" and retracted["after"] is None
    assert retracted["before"]["type"] == "DEVELOPED"
    page = gql(
        client, "{ changes(first: 1) { edges { node { version } } pageInfo { hasNextPage endCursor } } }"
    ).json()["data"]["changes"]
    assert [e["node"]["version"] for e in page["edges"]] == [1] and page["pageInfo"]["hasNextPage"]
    rest = gql(
        client,
        "query($a: String) { changes(first: 5, after: $a) { edges { node { version } } } }",
        variables={"a": page["pageInfo"]["endCursor"]},
    ).json()
    assert [e["node"]["version"] for e in rest["data"]["changes"]["edges"]] == [2, 3]
    history = gql(client, '{ history(id: "model/fable-5") { edges { node { version reason } } } }').json()["data"][
        "history"
    ]
    assert [e["node"]["version"] for e in history["edges"]] == [1, 3]
    meta = gql(
        client,
        '{ entity(key: "org/meta") { createdIn { version actor { name } } updatedIn { version actor { name role } reason } } }',
    ).json()
    assert meta["data"]["entity"]["createdIn"] == {"version": 1, "actor": {"name": "import"}}
    assert meta["data"]["entity"]["updatedIn"] == {
        "version": 2,
        "actor": {"name": "editor", "role": "EDITOR"},
        "reason": "r",
    }
    gone = gql(client, '{ relation: node(id: "org/anthropic|DEVELOPED|model/fable-5") { id } }').json()
    assert gone["data"]["relation"] is None and gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_merged_keys_redirect(server) -> None:
    client, tokens, _writer = server
    gql(client, _mutation("mergeEntities"), tokens[Role.ADMIN])
    data = gql(
        client, '{ entity(key: "org/xai") { key aliases } node(id: "org/xai") { ... on Entity { key } } }'
    ).json()["data"]
    assert data["entity"]["key"] == "org/openai" and "xAI" in data["entity"]["aliases"]
    assert data["node"]["key"] == "org/openai"


def test_changes_survive_a_restart(tmp_path: Path) -> None:
    settings = Settings(data=SEED, db=tmp_path / "graph.db")
    writer = open_writer(settings)
    token = create_token(writer.journal, "ana", Role.EDITOR)
    with TestClient(create_app(settings=settings, writer=writer)) as client:
        assert gql(client, _mutation("updateEntity"), token).status_code == 200
    writer.journal.close()
    again = open_writer(settings)
    with TestClient(create_app(settings=settings, writer=again)) as client:
        data = gql(client, '{ stats { version } entity(key: "org/meta") { description } }').json()["data"]
    assert data == {"stats": {"version": 2}, "entity": {"description": "A large AI developer."}}
    again.journal.close()


def test_a_fixed_graph_refuses_writes(seed_store) -> None:
    with TestClient(create_app(seed_store)) as client:
        response = client.post("/graphql", json={"query": _mutation("updateEntity")})
    assert response.status_code == 401  # no journal, so no token can be valid
