"""Apollo Client and urql, under Node.js, against the real server (clients/*.test.mjs)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest


def run_node_tests(clients: Path, script: str, url: str, **env: str) -> str:
    result = subprocess.run(
        ["node", "--test", "--test-reporter=spec", script],
        cwd=clients,
        env={**os.environ, "OVERSIGHT_URL": url, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_node_is_20_or_newer():
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    assert int(re.match(r"v(\d+)", version).group(1)) >= 20, version


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("apollo.test.mjs", 7),
        ("urql.test.mjs", 5),
    ],
)
def test_client_suite_passes(node_clients, server_url, script, expected):
    output = run_node_tests(node_clients, script, server_url)
    # Every test of the suite ran and passed (node --test reports the counts).
    assert re.search(rf"^\S*\s*pass {expected}$", output, re.MULTILINE), output
    assert re.search(r"^\S*\s*fail 0$", output, re.MULTILINE), output


def test_subscription_clients(node_clients, editable_server):
    """graphql-ws and graphql-sse: catch-up then live, entityChanged, errors and a bad token."""
    url, token = editable_server
    output = run_node_tests(node_clients, "subscriptions.test.mjs", url, OVERSIGHT_TOKEN=token)
    assert re.search(r"^\S*\s*pass 6$", output, re.MULTILINE), output
    assert re.search(r"^\S*\s*fail 0$", output, re.MULTILINE), output
