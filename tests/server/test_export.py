"""``/export/{format}``: media types, file names, streamed bodies equal to the exporters', JSON errors."""

from __future__ import annotations

import io
import zipfile

import pytest
from starlette.testclient import TestClient

from oversight_graph.exports import FORMATS, Snapshot
from oversight_graph.server.app import create_app


@pytest.fixture(scope="module")
def client(seed_store):
    with TestClient(create_app(seed_store)) as c:
        yield c


@pytest.mark.parametrize(
    ("name", "media", "filename"),
    [
        ("jsonld", "application/ld+json; charset=utf-8", "oversight-graph.jsonld"),
        ("turtle", "text/turtle; charset=utf-8", "oversight-graph.ttl"),
        ("ntriples", "application/n-triples; charset=utf-8", "oversight-graph.nt"),
        ("graphml", "application/graphml+xml; charset=utf-8", "oversight-graph.graphml"),
        ("csv", "application/zip", "oversight-graph-csv.zip"),
        ("toml", "application/toml; charset=utf-8", "oversight-graph.toml"),
    ],
)
def test_each_format_is_served_with_its_media_type_and_file_name(client, seed_store, name, media, filename):
    response = client.get(f"/export/{name}", headers={"x-request-id": "export-1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["x-request-id"] == "export-1"
    assert response.headers["x-graph-version"] == str(seed_store.version)
    if name == "csv":  # zip member timestamps differ between two runs; the contents do not
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        local = zipfile.ZipFile(io.BytesIO(b"".join(FORMATS[name].stream(Snapshot.of(seed_store)))))
        assert [archive.read(n) for n in archive.namelist()] == [local.read(n) for n in local.namelist()]
    else:  # every other format is deterministic
        assert response.content == b"".join(FORMATS[name].stream(Snapshot.of(seed_store)))


def test_compressed_exports_are_still_streamed_whole(client, seed_store):
    response = client.get("/export/ntriples", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == b"".join(FORMATS["ntriples"].stream(Snapshot.of(seed_store)))


def test_head_gives_the_headers_alone(client):
    response = client.head("/export/turtle")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle")


def test_an_unknown_format_is_a_json_404_naming_the_formats(client):
    response = client.get("/export/xlsx", headers={"x-request-id": "abc"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "requestId": "abc"}
    assert "'xlsx'" in error["message"] and "jsonld, turtle, ntriples, graphml, csv, toml" in error["message"]


def test_other_methods_get_a_json_405(client):
    response = client.post("/export/turtle")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert len(error["extensions"]["requestId"]) == 32 == len(response.headers["x-request-id"])
