"""The browser pages and their files: GraphiQL, /explore, /assets/..., and what they ask of the API."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from oversight_graph.server.app import create_app
from oversight_graph.server.assets import FETCH_COMMAND, read_lock, sri, write_manifest
from oversight_graph.server.pages import EXPLORE_MODULES, GRAPHIQL_ASSETS, example_queries, explorer_queries
from oversight_graph.server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HTML = {"accept": "text/html,application/xhtml+xml"}


def stand_in_assets(directory: Path) -> dict[str, dict[str, str]]:
    """Lay out a file for every pinned file, with a manifest, as a fetch would; return the digests."""
    packages = read_lock()
    digests: dict[str, dict[str, str]] = {}
    for package in packages:
        digests[package.name] = {}
        for file in package.files:
            content = f"/* stand-in for {package.name} {file} */".encode()
            target = directory / package.directory / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            digests[package.name][file] = sri("sha384", content)
    write_manifest(directory, packages, digests)
    return digests


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    directory = tmp_path_factory.mktemp("vendor")
    return directory, stand_in_assets(directory)


@pytest.fixture(scope="module")
def client(seed_store, assets):
    with TestClient(create_app(seed_store, Settings(assets=assets[0]))) as c:
        yield c


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert match, "the page carries its data"
    return json.loads(match.group(1))


def test_graphiql_loads_every_asset_locally_with_its_digest(client, assets):
    response = client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    html = response.text
    for package, file in GRAPHIQL_ASSETS:
        folder = next(p.directory for p in read_lock() if p.name == package)
        tag = f'/assets/vendor/{folder}/{file}" integrity="{assets[1][package][file]}"'
        assert tag in html, f"{package} {file} is not loaded with its digest"
    assert not re.search(r'(src|href)="(https?:)?//', html), "the page refers to another host"


def test_graphiql_opens_with_the_examples(client):
    examples = page_data(client.get("/graphql", headers=HTML).text)["examples"]
    names = [e["name"] for e in examples]
    assert names[0] == "Welcome"
    assert {"CompaniesWithoutAgreement", "PathAmazonToShutdown", "ExecutiveOrder"} <= set(names)
    assert {"Neighbourhood", "AsOfDate", "Timeline", "Citations"} <= set(names)
    assert "Welcome to Oversight Graph" in examples[0]["query"]


def test_pages_allow_only_this_server(client):
    for path, headers in (("/graphql", HTML), ("/explore", {})):
        policy = client.get(path, headers=headers).headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "connect-src 'self'" in policy
        assert "http" not in policy


def test_explore_resolves_its_modules_with_an_import_map_the_policy_allows(client, assets):
    response = client.get("/explore")
    assert response.status_code == 200
    match = re.search(r'<script type="importmap">(.*?)</script>', response.text, re.S)
    assert match
    importmap = json.loads(match.group(1))
    for name, (package, file) in EXPLORE_MODULES.items():
        url = importmap["imports"][name]
        assert url.startswith("/assets/vendor/") and url.endswith(file)
        assert importmap["integrity"][url] == assets[1][package][file]
    digest = base64.b64encode(hashlib.sha256(match.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["content-security-policy"]
    assert set(page_data(response.text)["queries"]) == {
        "search",
        "neighborhood",
        "entity",
        "relation",
        "path",
        "timeline",
    }


def test_vendor_files_are_cached_for_a_year_and_revalidate(client):
    url = re.search(r'src="(/assets/vendor/react@[^"]+)"', client.get("/graphql", headers=HTML).text).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    again = client.get(url, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_own_files_are_revalidated(client):
    for path, media in (
        ("/assets/explore/explore.js", "text/javascript"),
        ("/assets/explore/explore.css", "text/css"),
        ("/assets/graphiql/graphiql.js", "text/javascript"),
        ("/assets/graphiql/operations.js", "text/javascript"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media)
        assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/nothing.js",
        "/assets/explore/missing.js",
        "/assets/explore/index.html",
        "/assets/assets.lock.json",
        "/assets/vendor/manifest.json",
        "/assets/vendor/react@18.3.1/LICENSE",
        "/assets/vendor/react@0.0.1/umd/react.production.min.js",
        "/assets/explore/..%2f..%2fpyproject.toml",
        "/assets/vendor/.hidden.js",
    ],
)
def test_unknown_assets_are_json_404s(client, path):
    response = client.get(path, headers={"x-request-id": "req-42"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-request-id"] == "req-42"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PATH_NOT_FOUND"
    assert error["extensions"]["requestId"] == "req-42"
    assert "/assets/" in error["message"]


def test_missing_assets_name_the_command(seed_store, tmp_path):
    with TestClient(create_app(seed_store, Settings(assets=tmp_path))) as c:
        for path, headers in (("/graphql", HTML), ("/explore", {})):
            response = c.get(path, headers=headers)
            assert response.status_code == 200
            assert response.headers["x-oversight-assets"] == "missing"
            assert FETCH_COMMAND in response.text
            assert "<script" not in response.text
        # Fetching while the server runs is picked up without a restart.
        stand_in_assets(tmp_path)
        assert "x-oversight-assets" not in c.get("/explore").headers


def test_assets_from_an_older_lock_count_as_missing(seed_store, tmp_path):
    stand_in_assets(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["lock"] = "sha256-older"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with TestClient(create_app(seed_store, Settings(assets=tmp_path))) as c:
        assert c.get("/explore").headers["x-oversight-assets"] == "missing"


def test_no_page_or_module_refers_to_a_cdn():
    pattern = re.compile(r"unpkg|jsdelivr|cdnjs|esm\.sh|skypack|googleapis|cdn\.", re.I)
    files = [*ROOT.joinpath("web").rglob("*.*"), *ROOT.joinpath("server").glob("*.py")]
    offenders = [
        str(f.relative_to(ROOT))
        for f in files
        if "node_modules" not in f.parts
        and "vendor" not in f.parts
        and "artefacts" not in f.parts
        and f.suffix in {".html", ".js", ".mjs", ".css", ".py", ".json"}
        and pattern.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def run(client: TestClient, query: str, variables: dict | None) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("example", example_queries(), ids=lambda e: e["name"])
def test_every_example_runs_within_the_limits(client, example):
    variables = json.loads(example["variables"]) if example["variables"] else None
    body = run(client, example["query"], variables)
    assert "errors" not in body, body.get("errors")
    assert all(value not in (None, [], {}) for value in body["data"].values())


EXPLORER_VARIABLES = {
    "search": [{"text": "Anthropic"}],
    "neighborhood": [{"id": "org/anthropic"}, {"id": "org/meta", "asOf": "2025"}],
    "entity": [{"key": "org/anthropic"}],
    "relation": [],  # filled from the neighbourhood below
    "path": [{"from": "org/amazon", "to": "incident/fable-5-access-shutdown"}],
    "timeline": [{"entity": "org/anthropic"}],
}


def test_the_explorers_queries_run_within_the_limits(client):
    queries = explorer_queries()
    assert set(queries) == set(EXPLORER_VARIABLES)
    relations = run(client, queries["neighborhood"], {"id": "org/anthropic"})["data"]["neighborhood"]["relations"]
    cases = {**EXPLORER_VARIABLES, "relation": [{"id": relation["id"]} for relation in relations]}
    for name, variable_sets in cases.items():
        assert variable_sets, name
        for variables in variable_sets:
            body = run(client, queries[name], variables)
            assert "errors" not in body, (name, variables, body.get("errors"))
            assert next(iter(body["data"].values())), (name, variables)


def test_the_explorer_sees_citations_on_every_relation(client):
    queries = explorer_queries()
    relations = run(client, queries["neighborhood"], {"id": "org/anthropic"})["data"]["neighborhood"]["relations"]
    for relation in relations:
        node = run(client, queries["relation"], {"id": relation["id"]})["data"]["node"]
        assert node["citations"], relation["summary"]
        for citation in node["citations"]:
            assert citation["paragraph"] >= 1 and citation["claim"] and citation["document"]["name"]
