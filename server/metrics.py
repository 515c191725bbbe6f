"""Prometheus metrics: what the server counts, and ``/metrics``.

One :class:`Metrics` per app holds every metric (the README's "Metrics and
logs" lists them). The request middleware (:mod:`server.access`) feeds it
each HTTP request and GraphQL operation; the read model's listeners feed it
each change set applied; other parts report through small hooks:

- :meth:`Metrics.set_replica` — the version of the journal or database
  against the version of this process's graph (the lag), and whether the
  database answers (the app passes on what its follower last heard);
- :meth:`Metrics.subscription_opened` / :meth:`Metrics.subscription_closed`
  (or the :meth:`Metrics.subscription` context manager) — open subscriptions.

With several worker processes every worker writes its values to files in a
directory the serving process creates (:func:`multiprocess_directory`,
prometheus-client's multiprocess mode), so ``/metrics`` on any worker
reports the whole server. prometheus-client chooses that mode when it is
first imported, which is why this module imports it only inside functions:
:func:`multiprocess_directory` must run first.

Operation names are chosen by clients, so they are not used as labels
as they come (:class:`OperationNames`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = [
    "ANONYMOUS",
    "OTHER",
    "Metrics",
    "OperationNames",
    "multiprocess_directory",
    "process_dead",
    "route_of",
]

_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_PREFIX = "oversight-metrics-"  # then the serving process's id

ANONYMOUS = "anonymous"
"""The operation label of an operation without a name."""
OTHER = "other"
"""The operation label of a name that gets no label of its own."""

_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_ROUTES = frozenset({"graphql", "healthz", "metrics", "export", "explore", "assets"})

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: most answers take about a millisecond, the time limit is 5 s by default."""


def route_of(path: str) -> str:
    """The route label of a request path: its first segment when the server serves it, else ``other``.

    Examples
    --------
    >>> route_of("/graphql"), route_of("/export/turtle"), route_of("/"), route_of("/wp-admin/x.php")
    ('/graphql', '/export', '/', 'other')
    """
    if path == "/":
        return "/"
    first = path.split("/", 2)[1] if path.startswith("/") else ""
    return f"/{first}" if first in _ROUTES else OTHER


def error_code_label(code: str) -> str:
    """An error code as a label (the codes are the server's own; anything unexpected is ``OTHER``)."""
    return code if _CODE.fullmatch(code) else "OTHER"


class OperationNames:
    """Which operation names get a label of their own, so that clients cannot grow the label set.

    With trusted documents only the names of the trusted operations do.
    Otherwise a name (letters, digits and ``_``, at most 64 characters)
    earns a label once an operation of that name has run, until ``limit``
    names have; later names, and names of operations that did not run,
    count as ``other``. Operations without a name count as ``anonymous``.

    Examples
    --------
    >>> names = OperationNames(limit=1)
    >>> names.label("Dashboard", ran=False), names.label("Dashboard", ran=True), names.label("Dashboard", ran=False)
    ('other', 'Dashboard', 'Dashboard')
    >>> names.label("Second", ran=True), names.label(None, ran=True), names.label("bad-name", ran=True)
    ('other', 'anonymous', 'other')
    >>> OperationNames(limit=10, trusted=["Dashboard"]).label("Other", ran=True)
    'other'
    """

    def __init__(self, limit: int, trusted: Iterable[str] | None = None) -> None:
        self.limit = limit
        self.trusted = trusted is not None
        self._known: set[str] = set(trusted or ())
        self._lock = threading.Lock()

    def label(self, name: str | None, *, ran: bool) -> str:
        """The label of an operation called ``name`` (``ran``: it was executed)."""
        if name is None:
            return ANONYMOUS
        if name in self._known:
            return name
        if self.trusted or not ran or not _NAME.fullmatch(name):
            return OTHER
        with self._lock:
            if len(self._known) >= self.limit:
                return OTHER
            self._known.add(name)
        return name


class Metrics:
    """The server's metrics (a no-op when ``enabled`` is false, so hooks can always be called).

    Parameters
    ----------
    enabled
        Whether to count anything.
    names
        How operation names become labels.
    """

    def __init__(self, enabled: bool = True, names: OperationNames | None = None) -> None:
        self.enabled = enabled
        self.names = names or OperationNames(limit=100)
        if not enabled:
            return
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, values

        self.multiprocess = _DIRECTORY_VARIABLE in os.environ
        if self.multiprocess and not values.ValueClass._multiprocess:
            raise RuntimeError(
                "prometheus_client was imported before its multiprocess directory was set up; "
                "metrics.multiprocess_directory() must come first"
            )
        self.registry = CollectorRegistry()
        registry = self.registry
        self.http_requests: Counter = Counter(
            "oversight_http_requests",
            "HTTP requests answered, by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self.http_duration: Histogram = Histogram(
            "oversight_http_request_duration_seconds",
            "Seconds from a request's arrival to the end of its response, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.operations: Counter = Counter(
            "oversight_graphql_operations",
            "GraphQL operations, by operation name and outcome (ok, field_error, request_error, timeout, refused).",
            ["operation", "outcome"],
            registry=registry,
        )
        self.operation_duration: Histogram = Histogram(
            "oversight_graphql_operation_duration_seconds",
            "Seconds the endpoint spent on a GraphQL operation (after reading the request), by operation name.",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors: Counter = Counter("oversight_errors", "Errors in responses, by code.", ["code"], registry=registry)
        self.admission_rejections: Counter = Counter(
            "oversight_admission_rejections",
            "Operations refused by admission control: rate_limited (429) or shed (503).",
            ["reason"],
            registry=registry,
        )
        self.cache_hits: Counter = Counter(
            "oversight_response_cache_hits", "Queries answered from the response cache.", registry=registry
        )
        self.cache_misses: Counter = Counter(
            "oversight_response_cache_misses",
            "Cacheable queries not in the response cache, so executed.",
            registry=registry,
        )
        self.change_sets: Counter = Counter(
            "oversight_change_sets_applied",
            "Change sets applied to the in-memory graph (each worker process applies every change set).",
            registry=registry,
        )
        self.graph_version: Gauge = Gauge(
            "oversight_graph_version",
            "Version of the graph served (the highest among worker processes).",
            registry=registry,
            multiprocess_mode="livemax",
        )
        self.replica_lag: Gauge = Gauge(
            "oversight_replica_lag_versions",
            "Change sets recorded in the journal that the graph has not applied yet (the most among worker processes).",
            registry=registry,
            multiprocess_mode="livemax",
        )
        self.database_reachable: Gauge = Gauge(
            "oversight_database_reachable",
            "1 while the journal's database answers, 0 while the server serves reads without it (the least among worker processes).",
            registry=registry,
            multiprocess_mode="livemin",
        )
        self.database_reachable.set(1)
        self.subscriptions: Gauge = Gauge(
            "oversight_subscriptions_open",
            "Subscriptions open now.",
            registry=registry,
            multiprocess_mode="livesum",
        )

    # Hooks for other parts of the server.

    def set_replica(self, database_version: int, replica_version: int, *, reachable: bool = True) -> None:
        """Report the journal's (or database's) newest version, the version this process serves, and whether the database answers."""
        if not self.enabled:
            return
        self.graph_version.set(replica_version)
        self.replica_lag.set(max(0, database_version - replica_version))
        self.database_reachable.set(1 if reachable else 0)

    def change_set_applied(self, version: int) -> None:
        """Count a change set applied to this process's graph, now at ``version``."""
        if not self.enabled:
            return
        self.change_sets.inc()
        self.graph_version.set(version)

    def subscription_opened(self) -> None:
        """Count a subscription that started."""
        if self.enabled:
            self.subscriptions.inc()

    def subscription_closed(self) -> None:
        """Count a subscription that ended (however it ended)."""
        if self.enabled:
            self.subscriptions.dec()

    @contextlib.contextmanager
    def subscription(self) -> Iterator[None]:
        """Count a subscription as open for the duration of the block."""
        self.subscription_opened()
        try:
            yield
        finally:
            self.subscription_closed()

    # Fed by server.access.

    def request(self, path: str, status: int | None, seconds: float, codes: Iterable[str]) -> None:
        """Count one HTTP request (``status`` ``None``: the client left before an answer)."""
        if not self.enabled:
            return
        route = route_of(path)
        self.http_requests.labels(route, str(status) if status is not None else "none").inc()
        self.http_duration.labels(route).observe(seconds)
        for code in codes:
            self.errors.labels(error_code_label(code)).inc()

    def operation(
        self, name: str | None, outcome: str, seconds: float, cache: str | None, codes: Iterable[str]
    ) -> None:
        """Count one GraphQL operation (``cache``: ``hit``, ``miss`` or ``None`` when not cacheable)."""
        if not self.enabled:
            return
        label = self.names.label(name, ran=outcome in ("ok", "field_error"))
        self.operations.labels(label, outcome).inc()
        self.operation_duration.labels(label).observe(seconds)
        if cache == "hit":
            self.cache_hits.inc()
        elif cache == "miss":
            self.cache_misses.inc()
        if outcome == "refused":
            for code in codes:
                if code == "RATE_LIMITED":
                    self.admission_rejections.labels("rate_limited").inc()
                elif code == "SERVICE_UNAVAILABLE":
                    self.admission_rejections.labels("shed").inc()

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of every metric (of every worker process) and its media type."""
        from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        if not self.enabled:
            return b"", CONTENT_TYPE_PLAIN_0_0_4
        registry: CollectorRegistry = self.registry
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[str]:
    """A fresh directory for the worker processes' metrics, set in ``PROMETHEUS_MULTIPROC_DIR``; removed after.

    Only the process that made it removes it: worker processes forked inside
    the block leave through it too. Its name carries that process's id, so
    that a later server removes it if the process was killed first.
    """
    owner = os.getpid()
    _remove_orphans()
    path = tempfile.mkdtemp(prefix=f"{_PREFIX}{owner}-")
    previous = os.environ.get(_DIRECTORY_VARIABLE)
    os.environ[_DIRECTORY_VARIABLE] = path
    try:
        yield path
    finally:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)
            if previous is None:
                os.environ.pop(_DIRECTORY_VARIABLE, None)
            else:
                os.environ[_DIRECTORY_VARIABLE] = previous


def _remove_orphans() -> None:
    """Remove the directories of servers that were killed before they could (their process is gone)."""
    for found in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = found.name.removeprefix(_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and Path("/proc/self").exists():
            shutil.rmtree(found, ignore_errors=True)


def process_dead(pid: int) -> None:
    """Forget the live gauges of a worker process that exited (its counters keep counting in the totals)."""
    if _DIRECTORY_VARIABLE not in os.environ:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
