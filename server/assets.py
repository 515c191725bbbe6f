"""Third-party browser assets: pinned npm releases, fetched and checked at set-up.

GraphiQL and the explorer run on React, GraphiQL, its explorer plugin and
Cytoscape.js. None of them is committed: ``web/assets.lock.json`` pins each
package by version and by the sha512 ``integrity`` the npm registry publishes
(as a ``package-lock.json`` does), and ``oversight assets fetch`` downloads the
tarballs, refuses any whose digest differs, and extracts only the files the
pages use into a git-ignored directory (``web/vendor/`` unless
``OVERSIGHT_ASSETS`` says otherwise). It also writes ``manifest.json`` there,
recording each extracted file's sha384 digest; the pages put those digests in
``integrity`` attributes, so the browser refuses a file changed afterwards.

The server never fetches anything: when the directory is missing, or does not
match the lock, the pages say which command to run (:data:`FETCH_COMMAND`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "DEFAULT_ASSETS",
    "DEFAULT_REGISTRY",
    "FETCH_COMMAND",
    "LOCK_FILE",
    "AssetError",
    "Manifest",
    "Package",
    "fetch",
    "load_manifest",
    "read_lock",
    "sri",
    "write_manifest",
]

WEB = Path(__file__).resolve().parent.parent / "web"
LOCK_FILE = WEB / "assets.lock.json"
"""The committed pins: name, version, sha512 integrity and the files used, per package."""

DEFAULT_ASSETS = WEB / "vendor"
"""Where fetched files go (git-ignored), unless ``OVERSIGHT_ASSETS`` names another directory."""

DEFAULT_REGISTRY = "https://registry.npmjs.org"
MANIFEST = "manifest.json"
FETCH_COMMAND = ".venv/bin/oversight assets fetch"
"""What a user runs to install the assets; the pages show it when they are missing."""

Download = Callable[[str], bytes]


class AssetError(Exception):
    """The lock file, a download or an extracted file is not what it should be; the message says which."""


@dataclass(frozen=True, slots=True)
class Package:
    """One pinned npm release and the files the pages use from it."""

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]

    @property
    def directory(self) -> str:
        """The folder (under the assets directory and ``/assets/vendor/``) holding its files.

        >>> Package("@graphiql/plugin-explorer", "3.2.6", "sha512-x", ()).directory
        '@graphiql/plugin-explorer@3.2.6'
        """
        return f"{self.name}@{self.version}"

    def tarball_url(self, registry: str = DEFAULT_REGISTRY) -> str:
        """The registry address of the release's tarball (npm's own layout).

        >>> Package("@graphiql/plugin-explorer", "3.2.6", "sha512-x", ()).tarball_url()
        'https://registry.npmjs.org/@graphiql/plugin-explorer/-/plugin-explorer-3.2.6.tgz'
        """
        base = self.name.rsplit("/", 1)[-1]
        return f"{registry.rstrip('/')}/{self.name}/-/{base}-{self.version}.tgz"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a fetch installed: each package's folder and its files' sha384 digests (SRI form)."""

    directory: Path
    files: Mapping[str, Mapping[str, str]]
    """Package name → {file path → ``sha384-...``}."""
    folders: Mapping[str, str]
    """Package name → folder under the assets directory (``name@version``)."""

    def url(self, package: str, file: str) -> str:
        """The URL path the server gives ``file`` of ``package``."""
        return f"/assets/vendor/{self.folders[package]}/{file}"

    def integrity(self, package: str, file: str) -> str:
        """The ``integrity`` attribute value for ``file`` of ``package``."""
        return self.files[package][file]


def _text(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value:
        raise AssetError(f"{where}: '{field}' must be a non-empty string")
    return value


def read_lock(path: Path = LOCK_FILE) -> list[Package]:
    """Read the pinned packages from ``path``.

    Raises
    ------
    AssetError
        If the file is not JSON or a package lacks a field, naming the package's index and the field.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AssetError(f"{path}: cannot read the asset lock: {error}") from None
    entries = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AssetError(f"{path}: 'packages' must be a list")
    packages = []
    for index, entry in enumerate(entries):
        where = f"{path}: packages[{index}]"
        if not isinstance(entry, dict):
            raise AssetError(f"{where} must be an object")
        integrity = _text(entry, "integrity", where)
        if not integrity.startswith("sha512-"):
            raise AssetError(f"{where}: 'integrity' must be a sha512 digest ('sha512-...'), got {integrity!r}")
        files = entry.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
            raise AssetError(f"{where}: 'files' must be a non-empty list of paths")
        for file in files:
            parts = PurePosixPath(file).parts
            if file.startswith("/") or ".." in parts:
                raise AssetError(f"{where}: file {file!r} must be a relative path inside the package")
        packages.append(Package(_text(entry, "name", where), _text(entry, "version", where), integrity, tuple(files)))
    return packages


def sri(algorithm: str, data: bytes) -> str:
    """A Subresource Integrity value (``sha384-<base64 digest>``) of ``data``.

    >>> sri("sha256", b"")
    'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode("ascii")


def check_integrity(package: Package, data: bytes) -> None:
    """Raise :class:`AssetError` unless ``data`` has the package's pinned sha512 digest.

    >>> check_integrity(Package("p", "1.0.0", sri("sha512", b"tarball"), ("f",)), b"tarball")
    >>> check_integrity(Package("p", "1.0.0", sri("sha512", b"tarball"), ("f",)), b"other")
    Traceback (most recent call last):
    ...
    server.assets.AssetError: p@1.0.0: the tarball's digest sha512-... is not the pinned sha512-...
    """
    actual = sri("sha512", data)
    if actual != package.integrity:
        raise AssetError(f"{package.directory}: the tarball's digest {actual} is not the pinned {package.integrity}")


def _extract(package: Package, data: bytes) -> dict[str, bytes]:
    """The package's listed files from its (checked) tarball, by path."""
    wanted = {f"package/{file}": file for file in package.files}
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive:
            file = wanted.get(member.name)
            if file is None:
                continue
            if not member.isfile():
                raise AssetError(f"{package.directory}: {file} is not a regular file in the tarball")
            extracted = archive.extractfile(member)
            assert extracted is not None  # a regular file always has content
            found[file] = extracted.read()
    missing = sorted(set(package.files) - set(found))
    if missing:
        raise AssetError(f"{package.directory}: the tarball has no {', '.join(missing)}")
    return found


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
    return data


def fetch(
    destination: Path = DEFAULT_ASSETS,
    lock: Path = LOCK_FILE,
    registry: str = DEFAULT_REGISTRY,
    download: Download = _download,
    log: Callable[[str], None] = lambda line: None,
) -> Manifest:
    """Download, check and extract every pinned package into ``destination``; write its manifest.

    Packages already installed as pinned are not downloaded again, so a
    second run works offline. Nothing is written for a package whose tarball
    fails its check.

    Raises
    ------
    AssetError
        If the lock is malformed, a download fails, a digest differs or a listed file is missing.
    """
    packages = read_lock(lock)
    files: dict[str, dict[str, str]] = {}
    for package in packages:
        folder = destination / package.directory
        recorded = _installed(destination, package)
        if recorded is not None:
            log(f"{package.directory}: already installed")
            files[package.name] = recorded
            continue
        url = package.tarball_url(registry)
        log(f"{package.directory}: downloading {url}")
        try:
            data = download(url)
        except OSError as error:
            raise AssetError(f"{package.directory}: cannot download {url}: {error}") from None
        check_integrity(package, data)
        extracted = _extract(package, data)
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        for file, content in extracted.items():
            target = staging / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, folder)
        files[package.name] = {file: sri("sha384", content) for file, content in extracted.items()}
        log(f"{package.directory}: {len(extracted)} files checked and extracted")
    return write_manifest(destination, packages, files, lock)


def write_manifest(
    destination: Path, packages: list[Package], files: Mapping[str, Mapping[str, str]], lock: Path = LOCK_FILE
) -> Manifest:
    """Record what is installed in ``destination`` (``files``: name → {path → sha384}) for ``lock``.

    :func:`fetch` calls this after extracting; tests use it to lay out stand-in assets.
    """
    manifest = {
        "lock": sri("sha256", lock.read_bytes()),
        "packages": {
            package.name: {
                "version": package.version,
                "integrity": package.integrity,
                "folder": package.directory,
                "files": dict(files[package.name]),
            }
            for package in packages
        },
    }
    destination.mkdir(parents=True, exist_ok=True)
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Manifest(destination, {name: dict(f) for name, f in files.items()}, {p.name: p.directory for p in packages})


def _installed(destination: Path, package: Package) -> dict[str, str] | None:
    """The package's files' digests if a previous fetch left them all in place, else None."""
    try:
        previous = json.loads((destination / MANIFEST).read_text(encoding="utf-8"))["packages"][package.name]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if previous.get("integrity") != package.integrity or previous.get("folder") != package.directory:
        return None
    digests: dict[str, str] = {}
    for file in package.files:
        try:
            content = (destination / package.directory / file).read_bytes()
        except OSError:
            return None
        digests[file] = sri("sha384", content)
        if previous.get("files", {}).get(file) != digests[file]:
            return None
    return digests


def load_manifest(directory: Path, lock: Path = LOCK_FILE) -> Manifest | None:
    """The manifest of a fetch into ``directory`` made from the current ``lock``, or None.

    None means the pages cannot be served from it: nothing was fetched, or the
    lock has changed since (a version was bumped), or a file is missing.
    """
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if data["lock"] != sri("sha256", lock.read_bytes()):
            return None
        files = {name: dict(entry["files"]) for name, entry in data["packages"].items()}
        folders = {name: str(entry["folder"]) for name, entry in data["packages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for name, entries in files.items():
        if not all((directory / folders[name] / file).is_file() for file in entries):
            return None
    return Manifest(directory, files, folders)
