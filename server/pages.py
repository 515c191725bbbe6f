"""The browser pages: GraphiQL at ``/graphql``, the visual explorer at ``/explore``, and their files.

Pages are HTML templates from ``web/`` filled with the script and style tags
of the fetched assets (:mod:`server.assets`), each with its ``integrity``
digest, and with the page's data (example queries, the explorer's queries)
as an inline JSON block. A Content-Security-Policy lets the pages load and
call nothing but this server.

``/assets/vendor/...`` serves the fetched third-party files under versioned
paths, cached for a year; ``/assets/...`` serves the pages' own scripts and
styles from ``web/``, revalidated by ``ETag``. Any other path under
``/assets/`` is a JSON 404 in the API's error shape.

When the assets have not been fetched (or no longer match the lock) the
pages are a short HTML page naming the command that installs them, instead
of a page that would wait for ever. (It is a page, not an error: error
statuses always carry the API's JSON error shape, see :mod:`server.safety`.)
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from oversight_graph.server.assets import FETCH_COMMAND, WEB, Manifest, load_manifest
from oversight_graph.server.safety import error_response, request_id_of
from oversight_graph.server.settings import Settings

__all__ = ["Pages", "page_routes"]

_MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
"""Suffixes served from ``/assets/``; anything else there is a 404."""

_VENDOR_CACHE = "public, max-age=31536000, immutable"
_OWN_CACHE = "no-cache"

GRAPHIQL_ASSETS = (
    ("graphiql", "graphiql.min.css"),
    ("@graphiql/plugin-explorer", "dist/style.css"),
    ("react", "umd/react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js"),
    ("graphiql", "graphiql.min.js"),
    ("@graphiql/plugin-explorer", "dist/index.umd.js"),
)
"""What the GraphiQL page loads, in order (React before GraphiQL before the plugin)."""

EXPLORE_MODULES = {"cytoscape": ("cytoscape", "dist/cytoscape.esm.min.mjs")}
"""Bare module names the explorer imports → (package, file), resolved by an import map."""


def _csp(script_hashes: tuple[str, ...] = ()) -> str:
    scripts = " ".join(["'self'", *(f"'{h}'" for h in script_hashes)])
    return (
        "default-src 'none'; "
        f"script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def not_found(request: Request, message: str) -> Response:
    """A 404 in the API's error shape, carrying the request id."""
    return error_response(404, "PATH_NOT_FOUND", message, request_id_of(request.scope))


def _etag(path: Path) -> str:
    stat = path.stat()
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


@dataclass(frozen=True, slots=True)
class _Example:
    name: str
    query: str
    variables: str


def _examples(directory: Path) -> list[_Example]:
    """The GraphiQL example tabs: ``web/examples/NN-name.graphql`` with an optional ``.json`` of variables."""
    examples = []
    for path in sorted(directory.glob("*.graphql")):
        variables = path.with_suffix(".json")
        examples.append(
            _Example(
                path.stem.split("-", 1)[-1],
                path.read_text(encoding="utf-8"),
                variables.read_text(encoding="utf-8").strip() if variables.exists() else "",
            )
        )
    return examples


def example_queries(directory: Path = WEB / "examples") -> list[dict[str, str]]:
    """The example tabs GraphiQL opens with, in order: ``{"name", "query", "variables"}``."""
    return [{"name": e.name, "query": e.query, "variables": e.variables} for e in _examples(directory)]


def explorer_queries(directory: Path = WEB / "explore" / "queries") -> dict[str, str]:
    """The GraphQL documents the explorer sends, by name (``web/explore/queries/NAME.graphql``)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.graphql"))}


def _json_script(data: Any) -> str:
    # "</" could close the script element early; JSON allows it escaped.
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="page-data">{text}</script>'


class Pages:
    """Renders the pages for one app, reading the assets directory named by the settings."""

    def __init__(self, settings: Settings, web: Path = WEB) -> None:
        self.assets = settings.assets
        self.web = web
        self._manifest: Manifest | None = None
        self._manifest_stamp: tuple[int, int] | None = None

    def manifest(self) -> Manifest | None:
        """The current fetch's manifest, re-read when it changes (so a fetch needs no restart)."""
        try:
            stat = (self.assets / "manifest.json").stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if stamp != self._manifest_stamp or (stamp is not None and self._manifest is None):
            self._manifest = load_manifest(self.assets) if stamp else None
            self._manifest_stamp = stamp
        return self._manifest

    def _missing(self, title: str) -> HTMLResponse:
        command = html.escape(FETCH_COMMAND)
        body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}: assets missing</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:4rem auto;padding:0 1rem;color:#1d2433}}
code,pre{{background:#f1f3f7;padding:.2rem .4rem;border-radius:4px}}pre{{padding:1rem}}</style></head>
<body><h1>{html.escape(title)} needs its browser assets</h1>
<p>The pinned JavaScript and CSS files (React, GraphiQL, Cytoscape.js) are not installed in
<code>{html.escape(str(self.assets))}</code>, or they do not match <code>web/assets.lock.json</code>.
Install them from the project's folder with:</p>
<pre id="fetch-command">{command}</pre>
<p>and reload this page. The API itself works without them: POST GraphQL requests to <code>/graphql</code>.</p>
</body></html>"""
        return HTMLResponse(body, headers={"cache-control": "no-store", "x-oversight-assets": "missing"})

    def _page(self, template: str, head: str, data: Any, script_hashes: tuple[str, ...] = ()) -> HTMLResponse:
        text = (self.web / template).read_text(encoding="utf-8")
        text = text.replace("<!-- assets -->", head).replace("<!-- data -->", _json_script(data))
        return HTMLResponse(
            text,
            headers={
                "content-security-policy": _csp(script_hashes),
                "cache-control": "no-cache",
                "x-content-type-options": "nosniff",
                "referrer-policy": "no-referrer",
            },
        )

    def graphiql(self) -> HTMLResponse:
        """The GraphiQL page (or the page naming the fetch command)."""
        manifest = self.manifest()
        if manifest is None:
            return self._missing("GraphiQL")
        tags = []
        for package, file in GRAPHIQL_ASSETS:
            url, integrity = html.escape(manifest.url(package, file)), manifest.integrity(package, file)
            if file.endswith(".css"):
                tags.append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}">')
            else:
                tags.append(f'<script src="{url}" integrity="{integrity}"></script>')
        return self._page(
            "graphiql/index.html", "\n    ".join(tags), {"examples": example_queries(self.web / "examples")}
        )

    def explore(self) -> HTMLResponse:
        """The visual explorer page (or the page naming the fetch command)."""
        manifest = self.manifest()
        if manifest is None:
            return self._missing("The explorer")
        imports = {name: manifest.url(package, file) for name, (package, file) in EXPLORE_MODULES.items()}
        integrity = {
            manifest.url(package, file): manifest.integrity(package, file) for package, file in EXPLORE_MODULES.values()
        }
        importmap = json.dumps({"imports": imports, "integrity": integrity})
        digest = "sha256-" + base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
        preload = "".join(
            f'\n    <link rel="modulepreload" href="{html.escape(url)}" integrity="{integrity[url]}">'
            for url in integrity
        )
        head = f'<script type="importmap">{importmap}</script>{preload}'
        data = {"queries": explorer_queries(self.web / "explore" / "queries")}
        return self._page("explore/index.html", head, data, (digest,))

    async def explore_endpoint(self, request: Request) -> Response:
        """``GET /explore``."""
        return self.explore()

    async def asset_endpoint(self, request: Request) -> Response:
        """``GET /assets/{path}``: a fetched vendor file or one of the pages' own files."""
        path: str = request.path_params["path"]
        parts = path.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return not_found(request, f"no asset at /assets/{path}")
        if parts[0] == "vendor":
            manifest = self.manifest()
            target = self.assets.joinpath(*parts[1:])
            known = manifest is not None and any(
                path == f"vendor/{manifest.folders[name]}/{file}"
                for name, files in manifest.files.items()
                for file in files
            )
            cache = _VENDOR_CACHE
        else:
            target = self.web.joinpath(*parts)
            known = parts[0] in ("graphiql", "explore") and target.suffix in _MEDIA
            cache = _OWN_CACHE
        if not known or not target.is_file():
            return not_found(request, f"no asset at /assets/{path}")
        media = _MEDIA.get(target.suffix)
        if media is None:
            return not_found(request, f"no asset at /assets/{path}")
        etag = _etag(target)
        headers = {"cache-control": cache, "etag": etag, "x-content-type-options": "nosniff"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(target.read_bytes(), media_type=media, headers=headers)


def page_routes(pages: Pages) -> list[Route]:
    """The routes of the explorer page and the asset files (GraphiQL is served by the GraphQL endpoint)."""
    return [
        Route("/explore", pages.explore_endpoint, methods=["GET"]),
        Route("/assets/{path:path}", pages.asset_endpoint, methods=["GET"]),
    ]
