"""Server settings: defaults, environment variables and command-line overrides.

Every setting has a default, an ``OVERSIGHT_*`` environment variable and a
line in :data:`SETTINGS_DOC` (the README's settings table is checked
against it by a test). The command line overrides the environment.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oversight_graph.schema.context import Limits
from oversight_graph.server.assets import DEFAULT_ASSETS

__all__ = ["SETTINGS_DOC", "Settings", "SettingsError", "env_values", "parse_setting"]

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "seed"
DEFAULT_DB = Path("oversight.db")
"""The journal's default file: ``oversight.db`` in the current directory."""

DEFAULT_CORS_HEADERS = (
    "accept",
    "content-type",
    "authorization",
    "x-request-id",
    "oversight-min-version",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
)
"""Request headers a browser may send cross-origin by default: GraphQL's, a bearer token, read-your-writes, Apollo Client's."""


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server can be configured with."""

    data: Path = DEFAULT_DATA
    db: Path | str = DEFAULT_DB
    snapshots: Path | None = None
    snapshot_every: int = 1000
    snapshot_in_background: bool = True
    follow_interval: float = 1.0
    min_version_wait: float = 2.0
    require_token: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    cors_origins: tuple[str, ...] = ()
    cors_allow_headers: tuple[str, ...] = DEFAULT_CORS_HEADERS
    cors_expose_headers: tuple[str, ...] = ("x-request-id", "etag")
    cors_allow_credentials: bool = False
    cors_max_age: int = 600
    graphiql: bool = True
    assets: Path = DEFAULT_ASSETS
    introspection: bool = True
    suggestions: bool = True
    log_level: str = "info"
    log_format: str = "json"
    metrics: bool = True
    metrics_operations: int = 100
    max_body_bytes: int = 262_144
    offload_cost: int = 200
    offload_threads: int = 1
    persisted_queries: bool = True
    persisted_queries_size: int = 1000
    trusted_documents: Path | None = None
    batching: bool = False
    max_batch_size: int = 10
    compression_min_bytes: int = 1024
    cache_max_age: int = 60
    shed_queue: int = 32
    rate_limit_cost: int = 100_000
    rate_limit_window: float = 60.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_header_bytes: int = 16_384
    limit_concurrency: int = 0
    worker_timeout: float = 30.0
    graceful_timeout: float = 10.0
    max_subscription_connections: int = 10_000
    max_subscriptions_per_connection: int = 100
    subscription_buffer: int = 1000
    websocket_compression: bool = True
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``OVERSIGHT_*`` variables, defaults for the rest.

        Raises
        ------
        SettingsError
            If a variable's value does not parse, naming the variable.
        """
        return cls().replace(**env_values(environ))

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; ``None`` values are ignored.

        Limit names (``max_page_size``...) may be given directly.
        """
        changes = {k: v for k, v in changes.items() if v is not None}
        limit_changes = {k: changes.pop(k) for k in list(changes) if k in _LIMIT_NAMES}
        if limit_changes:
            changes["limits"] = dataclasses.replace(self.limits, **limit_changes)
        updated = dataclasses.replace(self, **changes)
        updated.check()
        return updated

    def check(self) -> None:
        """Raise :class:`SettingsError` for values out of range."""
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be between 1 and 65535, got {self.port}")
        if self.workers < 1:
            raise SettingsError(f"workers must be at least 1, got {self.workers}")
        if self.limits.max_neighborhood_entities < 1:
            raise SettingsError("max_neighborhood_entities must be at least 1: the centre entity always counts")
        if self.cors_max_age < 0:
            raise SettingsError(f"cors_max_age must not be negative, got {self.cors_max_age}")
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise SettingsError(
                "cors_allow_credentials cannot be combined with cors_origins '*': list the origins that may send credentials"
            )
        if self.persisted_queries_size < 1:
            raise SettingsError(f"persisted_queries_size must be at least 1, got {self.persisted_queries_size}")
        if self.max_batch_size < 1:
            raise SettingsError(f"max_batch_size must be at least 1, got {self.max_batch_size}")
        if self.compression_min_bytes < 0:
            raise SettingsError(f"compression_min_bytes must not be negative, got {self.compression_min_bytes}")
        if self.cache_max_age < 0:
            raise SettingsError(f"cache_max_age must not be negative, got {self.cache_max_age}")
        for name in ("header_timeout", "body_timeout", "worker_timeout", "graceful_timeout"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be a positive number of seconds, got {getattr(self, name)}")
        if self.shed_queue < 0 or self.rate_limit_cost < 0:
            raise SettingsError("shed_queue and rate_limit_cost must not be negative")
        if self.rate_limit_window <= 0:
            raise SettingsError(f"rate_limit_window must be a positive number of seconds, got {self.rate_limit_window}")
        if self.max_header_bytes < 1024:
            raise SettingsError(f"max_header_bytes must be at least 1024, got {self.max_header_bytes}")
        if self.limit_concurrency < 0:
            raise SettingsError(f"limit_concurrency must not be negative, got {self.limit_concurrency}")
        if self.log_format not in ("json", "text"):
            raise SettingsError(f"log_format must be json or text, got {self.log_format!r}")
        if self.metrics_operations < 0:
            raise SettingsError(f"metrics_operations must not be negative, got {self.metrics_operations}")
        for name in ("max_subscription_connections", "max_subscriptions_per_connection", "subscription_buffer"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.snapshot_every < 0:
            raise SettingsError(f"snapshot_every must not be negative, got {self.snapshot_every}")
        if self.min_version_wait < 0:
            raise SettingsError(f"min_version_wait must not be negative, got {self.min_version_wait}")
        if self.follow_interval <= 0:
            raise SettingsError(f"follow_interval must be above 0, got {self.follow_interval}")
        if self.offload_threads < 1:
            raise SettingsError(f"offload_threads must be at least 1, got {self.offload_threads}")
        for name in _LIMIT_NAMES:
            if getattr(self.limits, name) < 0:
                raise SettingsError(f"{name} must not be negative, got {getattr(self.limits, name)}")
        if self.limits.default_page_size > self.limits.max_page_size:
            raise SettingsError("default_page_size must not exceed max_page_size")


def env_values(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings given by ``OVERSIGHT_*`` variables, parsed, by setting name.

    Raises
    ------
    SettingsError
        If a variable's value does not parse, naming the variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (kind, _doc) in SETTINGS_DOC.items():
        variable = f"OVERSIGHT_{name.upper()}"
        if variable in env:
            values[name] = _parse(kind, env[variable], variable)
    return values


def parse_setting(name: str, text: str, source: str) -> Any:
    """Parse ``text`` as a value of the setting ``name``; errors name ``source`` (a variable or flag).

    Examples
    --------
    >>> parse_setting("cors_origins", "https://a.example, https://b.example", "--cors-origins")
    ('https://a.example', 'https://b.example')
    >>> parse_setting("port", "eighty", "--port")
    Traceback (most recent call last):
    ...
    server.settings.SettingsError: --port='eighty' is not a valid int
    """
    return _parse(SETTINGS_DOC[name][0], text, source)


def _parse(kind: type, text: str, variable: str) -> Any:
    try:
        if kind is bool:
            lowered = text.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(text)
            return lowered in {"1", "true", "yes", "on"}
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind is Path:
            return Path(text) if text.strip() else None
        if kind is tuple:
            return tuple(part.strip() for part in text.split(",") if part.strip())
        return text
    except ValueError:
        raise SettingsError(f"{variable}={text!r} is not a valid {kind.__name__}") from None


SETTINGS_DOC: dict[str, tuple[type, str]] = {
    "data": (
        Path,
        "Directory of seed files imported as the journal's first change set when the journal is new (default: the bundled `seed/`).",
    ),
    "db": (
        str,
        "The change journal: an SQLite file created on first start (default `oversight.db` in the current directory), or a `postgresql://` address of a database that several servers share.",
    ),
    "snapshots": (
        Path,
        "Folder of this server's snapshots of the graph (default: `<db>.snapshots` beside an SQLite journal; `oversight-snapshots` in the current directory for a PostgreSQL journal — give each replica its own).",
    ),
    "snapshot_every": (
        int,
        "Write a snapshot of the graph after this many change sets, so a restart replays few (default `1000`; `0`: never). A forked child writes it while the server goes on serving and writing.",
    ),
    "snapshot_in_background": (
        bool,
        "Write automatic snapshots in a forked child, so that writes go on meanwhile (default on); off: in the server's own process, which needs less memory while writes wait for it.",
    ),
    "follow_interval": (
        float,
        "Seconds between checks for change sets recorded by other processes sharing the journal (default `1`); with PostgreSQL a notification wakes the server sooner, and this is the fallback.",
    ),
    "min_version_wait": (
        float,
        "Seconds a request with an `Oversight-Min-Version` header waits for the graph to reach that version before failing with `STALE_REPLICA` (default `2`).",
    ),
    "require_token": (bool, "Require an API token for reads too (default off: anyone may read)."),
    "host": (str, "Interface to listen on (default `127.0.0.1`)."),
    "port": (int, "Port to listen on (default `8000`)."),
    "workers": (
        int,
        "Worker processes, forked by a gunicorn manager after the graph is loaded; a dead or stuck worker is replaced (default `1`).",
    ),
    "cors_origins": (
        tuple,
        "Comma-separated origins allowed to call the API from a browser (`*` for any; default none).",
    ),
    "cors_allow_headers": (
        tuple,
        "Comma-separated request headers a browser may send cross-origin (default `accept, content-type, authorization, x-request-id, oversight-min-version, apollographql-client-name, apollographql-client-version, apollo-require-preflight`).",
    ),
    "cors_expose_headers": (
        tuple,
        "Comma-separated response headers browser code may read (default `x-request-id, etag`).",
    ),
    "cors_allow_credentials": (
        bool,
        "Let browsers send cookies and `Authorization` cross-origin (`credentials: 'include'`); needs listed origins, not `*` (default off).",
    ),
    "cors_max_age": (int, "Seconds a browser may cache a preflight answer (default `600`)."),
    "graphiql": (bool, "Serve GraphiQL to browsers at `/graphql` (default on)."),
    "assets": (
        Path,
        "Directory of the browser assets GraphiQL and `/explore` use, filled by `oversight assets fetch` (default `web/vendor`).",
    ),
    "introspection": (bool, "Answer introspection queries (default on: the data is public)."),
    "suggestions": (bool, "Let validation errors suggest similar field names (default on)."),
    "log_level": (
        str,
        "Least important log records written: `debug`, `info` (one access line per request), `warning`, `error` (default `info`).",
    ),
    "log_format": (
        str,
        "`json`: one JSON object per log line, for collectors; `text`: a line a person reads, for a terminal (default `json`).",
    ),
    "metrics": (bool, "Serve Prometheus metrics at `/metrics`, without a token (default on)."),
    "metrics_operations": (
        int,
        "Operation names that get a metrics label of their own, first come (trusted documents: theirs); others count as `other` (default `100`).",
    ),
    "max_body_bytes": (int, "Largest request body accepted, in bytes (default `262144`)."),
    "offload_cost": (
        int,
        "Operations estimated to cost more than this run in a worker thread, so the event loop keeps serving others (default `200`).",
    ),
    "offload_threads": (
        int,
        "Worker threads for such operations, per process (default `1`: the threads share one interpreter lock, so more of them only take more of it from the event loop).",
    ),
    "persisted_queries": (
        bool,
        "Accept automatic persisted queries: a request may send only `extensions.persistedQuery.sha256Hash` once the server has seen the query (default on).",
    ),
    "persisted_queries_size": (
        int,
        "Most automatic persisted queries remembered, least recently used forgotten first (default `1000`).",
    ),
    "trusted_documents": (
        Path,
        "A JSON manifest of trusted operations (Apollo's persisted query manifest, or an object of hash to document); when set, only those run (default none: any operation runs).",
    ),
    "batching": (bool, "Accept batched requests: a POST body that is a JSON array of requests (default off)."),
    "max_batch_size": (int, "Most requests in one batch (default `10`)."),
    "compression_min_bytes": (
        int,
        "Responses at least this large are compressed, with brotli or gzip as the client's `Accept-Encoding` prefers (default `1024`; `0` turns compression off).",
    ),
    "cache_max_age": (
        int,
        "`Cache-Control: max-age` in seconds of successful GET query responses, which also carry an `ETag` (default `60`; `0` for `no-cache`).",
    ),
    "shed_queue": (
        int,
        "Expensive operations that may wait for an offload thread; more are refused at once with 503 and `Retry-After` (default `32`).",
    ),
    "rate_limit_cost": (
        int,
        "Estimated cost each client (token, else address) may spend per window; over it requests get 429 `RATE_LIMITED`. `0` turns budgets off (default `100000`).",
    ),
    "rate_limit_window": (float, "Seconds after which a client's cost budget refills (default `60`)."),
    "header_timeout": (
        float,
        "Seconds a client has to send a request's headers, from connecting (or from the request's first byte on a kept-alive connection); then 408 and the connection is closed (default `10`).",
    ),
    "body_timeout": (float, "Seconds a client has to send a request's whole body; then 408 (default `30`)."),
    "max_header_bytes": (
        int,
        "Largest request head (request line and headers), in bytes; larger gets 431 and the connection is closed (default `16384`).",
    ),
    "limit_concurrency": (
        int,
        "Connections (and requests) one worker process holds at once; more get a JSON 503 with `Retry-After`. `0`: the file-descriptor limit less 64 (default `0`).",
    ),
    "worker_timeout": (
        float,
        "Seconds a worker process may stay unresponsive (its event loop blocked) before the manager kills and replaces it (default `30`).",
    ),
    "graceful_timeout": (
        float,
        "Seconds a stopping server gives requests in progress to finish before its workers are killed (default `10`).",
    ),
    "max_subscription_connections": (
        int,
        "Streaming connections (WebSocket connections and Server-Sent Events streams) one worker process holds; more are refused with `TOO_MANY_CONNECTIONS` (default `10000`).",
    ),
    "max_subscriptions_per_connection": (
        int,
        "Operations one WebSocket connection may run at once; more get `TOO_MANY_SUBSCRIPTIONS` (default `100`).",
    ),
    "subscription_buffer": (
        int,
        "Change sets buffered for each subscriber; one that falls further behind reads them from the journal instead, at its own pace (default `1000`).",
    ),
    "websocket_compression": (
        bool,
        "Compress WebSocket messages (permessage-deflate) for clients that offer it; it saves bandwidth and costs CPU for every subscriber of every change set (default on).",
    ),
    "max_page_size": (int, "Largest `first` any list accepts (default `100`)."),
    "default_page_size": (int, "`first` when a list is asked for without one (default `20`)."),
    "max_path_length": (int, "Largest `maxLength` of `path` (default `8`)."),
    "max_neighborhood_depth": (int, "Largest `depth` of `neighborhood` (default `3`)."),
    "max_neighborhood_entities": (int, "Entities a neighbourhood returns before `truncated` (default `500`)."),
    "max_ids": (int, "Most ids `nodes` accepts (default `100`)."),
    "max_document_bytes": (int, "Largest GraphQL document, in UTF-8 bytes (default `32768`)."),
    "max_tokens": (int, "Most lexical tokens in a document (default `1000`)."),
    "max_operations": (int, "Most operations one document may define (default `20`)."),
    "max_depth": (int, "Deepest field nesting of an operation, introspection excepted (default `12`)."),
    "max_aliases": (int, "Most aliased fields in a document (default `15`)."),
    "max_cost": (int, "Highest estimated cost of an operation (default `5000`; see Limits)."),
    "max_input_items": (
        int,
        "Most items of any list in an argument, such as `where.some` (default `100`; `nodes(ids:)` has `max_ids`).",
    ),
    "max_string_length": (int, "Longest string in any argument, in characters (default `1000`)."),
    "time_limit": (
        float,
        "Seconds a request's GraphQL work (validation, admission, filtering, execution) may take before it is stopped; `0` for none (default `5`).",
    ),
}
"""Setting name → (type, description). The variable is ``OVERSIGHT_`` + the upper-case name."""

_LIMIT_NAMES = frozenset(f.name for f in dataclasses.fields(Limits))
