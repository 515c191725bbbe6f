"""The asset fetcher: pinned npm tarballs checked against their sha512 and partly extracted."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from oversight_graph.server.assets import AssetError, Package, fetch, load_manifest, read_lock, sri
from oversight_graph.server.cli import main


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def registry(tmp_path):
    """A stand-in registry with one scoped and one plain package, and a lock pinning them."""
    tarballs = {
        "https://registry.test/@scope/widget/-/widget-1.2.3.tgz": tarball(
            {"dist/widget.js": b"widget()", "dist/widget.css": b".w{}", "src/big.ts": b"not wanted"}
        ),
        "https://registry.test/plain/-/plain-0.1.0.tgz": tarball({"plain.mjs": b"export default 1", "README.md": b"x"}),
    }
    lock = tmp_path / "assets.lock.json"
    lock.write_text(
        json.dumps(
            {
                "packages": [
                    {
                        "name": "@scope/widget",
                        "version": "1.2.3",
                        "integrity": sri("sha512", tarballs["https://registry.test/@scope/widget/-/widget-1.2.3.tgz"]),
                        "files": ["dist/widget.js", "dist/widget.css"],
                    },
                    {
                        "name": "plain",
                        "version": "0.1.0",
                        "integrity": sri("sha512", tarballs["https://registry.test/plain/-/plain-0.1.0.tgz"]),
                        "files": ["plain.mjs"],
                    },
                ]
            }
        )
    )
    downloads: list[str] = []

    def download(url: str) -> bytes:
        downloads.append(url)
        try:
            return tarballs[url]
        except KeyError:
            raise OSError(f"404 for {url}") from None

    return lock, tarballs, download, downloads


def test_fetch_checks_and_extracts_only_the_listed_files(tmp_path, registry):
    lock, _, download, downloads = registry
    dest = tmp_path / "vendor"
    manifest = fetch(dest, lock=lock, registry="https://registry.test", download=download)
    assert sorted(downloads) == sorted(
        ["https://registry.test/@scope/widget/-/widget-1.2.3.tgz", "https://registry.test/plain/-/plain-0.1.0.tgz"]
    )
    assert (dest / "@scope/widget@1.2.3/dist/widget.js").read_bytes() == b"widget()"
    assert not (dest / "@scope/widget@1.2.3/src").exists()
    assert sorted(p.name for p in (dest / "plain@0.1.0").iterdir()) == ["plain.mjs"]
    assert manifest.url("@scope/widget", "dist/widget.js") == "/assets/vendor/@scope/widget@1.2.3/dist/widget.js"
    assert manifest.integrity("plain", "plain.mjs") == sri("sha384", b"export default 1")
    loaded = load_manifest(dest, lock)
    assert loaded is not None and loaded.files == manifest.files


def test_a_second_fetch_downloads_nothing(tmp_path, registry):
    lock, _, download, downloads = registry
    dest = tmp_path / "vendor"
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    downloads.clear()
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    assert downloads == []


def test_a_changed_file_is_fetched_again(tmp_path, registry):
    lock, _, download, downloads = registry
    dest = tmp_path / "vendor"
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    (dest / "plain@0.1.0/plain.mjs").write_bytes(b"tampered")
    downloads.clear()
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    assert downloads == ["https://registry.test/plain/-/plain-0.1.0.tgz"]
    assert (dest / "plain@0.1.0/plain.mjs").read_bytes() == b"export default 1"


def test_a_tarball_with_another_digest_is_refused_and_nothing_written(tmp_path, registry):
    lock, tarballs, download, _ = registry
    tarballs["https://registry.test/plain/-/plain-0.1.0.tgz"] = tarball({"plain.mjs": b"export default 2"})
    dest = tmp_path / "vendor"
    with pytest.raises(AssetError, match=r"plain@0\.1\.0: the tarball's digest sha512-\S+ is not the pinned sha512-"):
        fetch(dest, lock=lock, registry="https://registry.test", download=download)
    assert not (dest / "plain@0.1.0").exists()
    assert load_manifest(dest, lock) is None


def test_a_listed_file_missing_from_the_tarball_is_named(tmp_path, registry):
    lock, _, download, _ = registry
    data = json.loads(lock.read_text())
    data["packages"][1]["files"].append("dist/absent.js")
    lock.write_text(json.dumps(data))
    with pytest.raises(AssetError, match=r"plain@0\.1\.0: the tarball has no dist/absent\.js"):
        fetch(tmp_path / "vendor", lock=lock, registry="https://registry.test", download=download)


def test_a_download_failure_is_named(tmp_path, registry):
    lock, _, _, _ = registry

    def offline(url: str) -> bytes:
        raise OSError("network unreachable")

    with pytest.raises(AssetError, match=r"@scope/widget@1\.2\.3: cannot download https://registry\.test/\S+: network"):
        fetch(tmp_path / "vendor", lock=lock, registry="https://registry.test", download=offline)


def test_the_manifest_no_longer_counts_once_the_lock_changes(tmp_path, registry):
    lock, _, download, _ = registry
    dest = tmp_path / "vendor"
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    data = json.loads(lock.read_text())
    data["packages"][1]["version"] = "0.2.0"
    lock.write_text(json.dumps(data))
    assert load_manifest(dest, lock) is None


def test_the_manifest_no_longer_counts_when_a_file_is_gone(tmp_path, registry):
    lock, _, download, _ = registry
    dest = tmp_path / "vendor"
    fetch(dest, lock=lock, registry="https://registry.test", download=download)
    (dest / "plain@0.1.0/plain.mjs").unlink()
    assert load_manifest(dest, lock) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"version": "1", "integrity": "sha512-x", "files": ["a"]},
            r"packages\[0\]: 'name' must be a non-empty string",
        ),
        ({"name": "p", "version": "1", "integrity": "sha1-x", "files": ["a"]}, r"'integrity' must be a sha512 digest"),
        ({"name": "p", "version": "1", "integrity": "sha512-x", "files": []}, r"'files' must be a non-empty list"),
        (
            {"name": "p", "version": "1", "integrity": "sha512-x", "files": ["../x"]},
            r"file '\.\./x' must be a relative",
        ),
    ],
)
def test_lock_problems_are_named(tmp_path, entry, message):
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps({"packages": [entry]}))
    with pytest.raises(AssetError, match=message):
        read_lock(lock)


def test_the_committed_lock_pins_every_package_by_sha512():
    packages = read_lock()
    names = {p.name for p in packages}
    assert {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer", "cytoscape"} <= names
    for package in packages:
        assert package.integrity.startswith("sha512-") and len(package.integrity) == len("sha512-") + 88
        assert all(part.isdigit() for part in package.version.split(".")), f"{package.name} is not pinned exactly"


def test_tarball_urls_follow_the_registry_layout():
    assert Package("react", "18.3.1", "sha512-x", ("f",)).tarball_url("https://r.test/") == (
        "https://r.test/react/-/react-18.3.1.tgz"
    )


def test_cli_reports_a_failed_fetch(tmp_path, monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    # An unreachable registry: the fetch fails on the first package and says so.
    status = main(["assets", "fetch", "--dest", str(tmp_path), "--registry", "http://127.0.0.1:9"], out=out, err=err)
    assert status == 1
    assert err.getvalue().startswith("oversight assets fetch: react@18.3.1: cannot download http://127.0.0.1:9/react/")
    assert not Path(tmp_path, "manifest.json").exists()
