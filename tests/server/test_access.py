"""Logs of a real server: one JSON object per line, an access line per request, never a token or a variable."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from pathlib import Path

from starlette.testclient import TestClient

from oversight_graph.journal.changes import Role
from oversight_graph.journal.tokens import create_token
from oversight_graph.server.app import create_app, open_writer
from oversight_graph.server.logs import JsonFormatter, TextFormatter
from oversight_graph.server.settings import Settings
from tests.server.serving import Server

SEED = Path(__file__).resolve().parents[2] / "seed"
SECRET_VALUE = "variable-value-that-must-not-be-logged"
BANNER = ("Oversight Graph:", "GraphQL and GraphiQL at", "(browser assets missing")


def _request(server: Server, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        sent = {"content-type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_log_lines_are_json_with_the_request_fields_and_no_secrets(tmp_path):
    db = tmp_path / "graph.db"
    writer = open_writer(Settings(data=SEED, db=db, snapshot_every=0))
    token = create_token(writer.journal, "log-editor", Role.EDITOR)
    writer.journal.close()
    search = "query Find($text: String!) { search(text: $text) { score } }"
    with Server(tmp_path / "log", db=db) as server:
        assert _request(server, "POST", "/graphql", {"query": search, "variables": {"text": SECRET_VALUE}}) == 200
        query_string = urllib.parse.urlencode({"query": search, "variables": json.dumps({"text": SECRET_VALUE})})
        assert _request(server, "GET", f"/graphql?{query_string}") == 200
        mutation = (
            'mutation Edit { updateEntity(id: "org/meta", set: {description: "Changed."}, reason: "r") { version } }'
        )
        assert _request(server, "POST", "/graphql", {"query": mutation}, {"authorization": f"Bearer {token}"}) == 200
        wrong = {"authorization": f"Bearer {token}x", "x-request-id": "trace-me-1"}
        # The token is checked before the document is read: the name comes from operationName.
        assert _request(server, "POST", "/graphql", {"query": mutation, "operationName": "Edit"}, wrong) == 401
        assert _request(server, "GET", "/nowhere") == 404
        server.stop()
    text = (tmp_path / "log").read_text()
    assert token not in text
    assert SECRET_VALUE not in text
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(BANNER)]
    records = [json.loads(line) for line in lines]  # every log line is one JSON object
    assert all({"time", "level", "logger", "pid", "message"} <= record.keys() for record in records)
    assert {"gunicorn.error", "uvicorn.error", "oversight"} <= {record["logger"] for record in records}
    access = [record for record in records if record["logger"] == "oversight.access"]
    fields = {"request_id", "method", "path", "status", "duration_ms", "outcome", "error_codes"}
    assert all(fields <= record.keys() for record in access)
    by_path = {(r["method"], r["path"], r["status"], r.get("operation")): r for r in access}
    found = by_path[("POST", "/graphql", 200, "Find")]
    assert found["operation"] == "Find" and found["outcome"] == "ok" and found["error_codes"] == []
    assert found["cache"] == "miss" and found["cost"] >= 1 and found["duration_ms"] > 0
    assert by_path[("GET", "/graphql", 200, "Find")]["outcome"] == "ok"
    refused = by_path[("POST", "/graphql", 401, "Edit")]
    assert refused["request_id"] == "trace-me-1"
    assert refused["outcome"] == "refused"
    assert refused["error_codes"] == ["UNAUTHENTICATED"]
    missing = by_path[("GET", "/nowhere", 404, None)]
    assert missing["error_codes"] == ["PATH_NOT_FOUND"] and missing["outcome"] == "error"
    assert len(missing["request_id"]) == 32
    assert by_path[("POST", "/graphql", 200, "Edit")]["outcome"] == "ok"


def test_access_lines_carry_the_response_request_id(seed_store, caplog):
    with TestClient(create_app(seed_store)) as client, caplog.at_level(logging.INFO, logger="oversight.access"):
        response = client.post(
            "/graphql",
            content=json.dumps(
                {"query": "query Q($k: String!) { entity(key: $k) { key } }", "variables": {"k": "x/y"}}
            ),
            headers={"content-type": "application/json"},
        )
    (record,) = [r for r in caplog.records if r.name == "oversight.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["operation"] == "Q" and line["outcome"] in ("field_error", "request_error")
    assert "x/y" not in JsonFormatter().format(record)
    assert TextFormatter().format(record).endswith(" ms")
    assert " info oversight.access: POST /graphql Q 200 " in TextFormatter().format(record)
