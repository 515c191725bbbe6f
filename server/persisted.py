"""Persisted queries: Apollo's automatic persisted queries and trusted documents.

**Automatic persisted queries** (the protocol of Apollo Client's
persisted-queries link and urql's persisted exchange). A client first
sends only ``extensions.persistedQuery = {"version": 1, "sha256Hash": H}``.
If the server remembers ``H`` it runs that document; if not it answers
``PersistedQueryNotFound`` (code ``PERSISTED_QUERY_NOT_FOUND``) and the
client sends the document with the hash, which the server checks
(``PERSISTED_QUERY_HASH_MISMATCH`` if SHA-256 of the document is not
``H``) and remembers, in a bounded least-recently-used store. With the
setting off, a hash-only request gets ``PersistedQueryNotSupported``,
which tells these clients to stop sending hashes.

**Trusted documents.** With ``trusted_documents`` naming a manifest, only
the operations listed there run: by hash alone, or by a document whose
hash is listed. Anything else is refused with ``OPERATION_NOT_TRUSTED``.
The manifest is Apollo's persisted query manifest
(``{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id", "body", "name", "type"}]}``) or a plain object of
hash to document (GraphQL Code Generator's and Relay's form); every
hash is checked when it is loaded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from oversight_graph.schema.cache import LRU
from oversight_graph.server.settings import Settings, SettingsError

__all__ = ["PERSISTED_CODES", "DocumentRegistry", "PersistedQueryError", "load_manifest", "sha256_hex"]

PERSISTED_CODES = {
    "PERSISTED_QUERY_NOT_FOUND": "A request sent only a persisted query hash the server does not know (message `PersistedQueryNotFound`): send the document with the hash.",
    "PERSISTED_QUERY_NOT_SUPPORTED": "A request sent only a persisted query hash, but automatic persisted queries are off (message `PersistedQueryNotSupported`).",
    "PERSISTED_QUERY_HASH_MISMATCH": "HTTP 400: `extensions.persistedQuery.sha256Hash` is not the SHA-256 of the document sent with it.",
    "OPERATION_NOT_TRUSTED": "HTTP 403: the server runs only the operations of its trusted documents manifest, and this is not one of them.",
}
"""Codes of persisted-query errors, with their meaning."""

_HASH = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run; ``status`` is for ``application/graphql-response+json``.

    ``json_status`` is the status when the client asked for
    ``application/json``, where errors that leave the request unexecuted
    still get 200 (the persisted-query clients read either).
    """

    def __init__(self, status: int, code: str, message: str, json_status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.json_status = status if json_status is None else json_status


def sha256_hex(document: str) -> str:
    """The lower-case hex SHA-256 of ``document`` in UTF-8, as persisted-query clients compute it.

    Examples
    --------
    >>> sha256_hex("{ __typename }")
    '7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b'
    """
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """The trusted documents of the manifest at ``path``, by hash.

    Raises
    ------
    SettingsError
        If the file cannot be read, is not one of the two manifest forms,
        or lists a hash that is not its document's SHA-256; the message
        names the file and the operation.
    """
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as error:
        raise SettingsError(f"trusted documents {path}: cannot be read: {error.strerror or error}") from None
    except orjson.JSONDecodeError as error:
        raise SettingsError(f"trusted documents {path}: not valid JSON: {error}") from None
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        operations = data.get("operations")
        if data.get("version") != 1 or not isinstance(operations, list):
            raise SettingsError(
                f"trusted documents {path}: an Apollo manifest needs version 1 and a list of operations"
            )
        pairs = []
        for position, operation in enumerate(operations):
            if not isinstance(operation, dict):
                raise SettingsError(f"trusted documents {path}: operations[{position}] is not an object")
            where = f"operations[{position}] ({operation.get('name') or 'unnamed'})"
            pairs.append((operation.get("id"), operation.get("body"), where))
    elif isinstance(data, dict):
        pairs = [(key, value, f"entry {key!r}") for key, value in data.items()]
    else:
        raise SettingsError(f"trusted documents {path}: expected a JSON object (a manifest, or hash to document)")
    documents: dict[str, str] = {}
    for digest, body, where in pairs:
        if not isinstance(digest, str) or not _HASH.match(digest):
            raise SettingsError(f"trusted documents {path}: {where}: the id must be a lower-case hex SHA-256")
        if not isinstance(body, str) or not body.strip():
            raise SettingsError(f"trusted documents {path}: {where}: the body must be a GraphQL document")
        if sha256_hex(body) != digest:
            raise SettingsError(f"trusted documents {path}: {where}: {digest} is not the SHA-256 of its body")
        documents[digest] = body
    if not documents:
        raise SettingsError(f"trusted documents {path}: lists no operation, so nothing could run")
    return documents


class DocumentRegistry:
    """Turns a request's query and persisted-query extension into the document to run."""

    def __init__(self, settings: Settings) -> None:
        self.automatic = settings.persisted_queries
        self.trusted = load_manifest(settings.trusted_documents) if settings.trusted_documents else None
        self._remembered: LRU[str, str] = LRU(settings.persisted_queries_size)

    def __len__(self) -> int:
        return len(self._remembered)

    def document(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The document a request runs.

        Raises
        ------
        PersistedQueryError
            Unknown or mismatched hash, persisted queries off, or an
            operation outside the trusted documents.
        ValueError
            If ``extensions.persistedQuery`` is malformed (the message says how).
        """
        digest = _requested_hash(extensions)
        if self.trusted is not None:
            return self._trusted(query, digest)
        if digest is None:
            if query is None:
                raise ValueError("the request has no query: send a GraphQL document as the query parameter")
            return query
        if query is not None:
            _check_hash(query, digest)
            if self.automatic:
                self._remembered.put(digest, query)
            return query
        if not self.automatic:
            raise PersistedQueryError(400, "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported", 200)
        remembered = self._remembered.get(digest)
        if remembered is None:
            raise PersistedQueryError(400, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
        return remembered

    def _trusted(self, query: str | None, digest: str | None) -> str:
        assert self.trusted is not None
        if query is not None:
            if digest is not None:
                _check_hash(query, digest)
            digest = sha256_hex(query)
        if digest is None:
            raise ValueError("the request has no query: send a GraphQL document or the hash of a trusted one")
        document = self.trusted.get(digest)
        if document is None:
            raise PersistedQueryError(
                403,
                "OPERATION_NOT_TRUSTED",
                f"operation {digest} is not among this server's trusted documents: only registered operations run",
            )
        return document


def _requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, Mapping):
        raise ValueError("extensions.persistedQuery must be an object with version and sha256Hash")
    if persisted.get("version") != 1:
        raise ValueError(f"extensions.persistedQuery.version must be 1, got {persisted.get('version')!r}")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.match(digest.lower()):
        raise ValueError("extensions.persistedQuery.sha256Hash must be a hex SHA-256 (64 characters)")
    return digest.lower()


def _check_hash(query: str, digest: str) -> None:
    actual = sha256_hex(query)
    if actual != digest:
        raise PersistedQueryError(
            400,
            "PERSISTED_QUERY_HASH_MISMATCH",
            f"extensions.persistedQuery.sha256Hash is {digest}, but the query's SHA-256 is {actual}",
        )
