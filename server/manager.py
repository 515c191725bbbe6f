"""Serving with gunicorn as the process manager and uvicorn workers.

The graph is loaded once, in the manager, before any worker is forked
(gunicorn's ``preload_app``): the workers share its memory copy-on-write
(see :func:`server.app.settle`). gunicorn then

- replaces a worker that dies, whatever killed it;
- kills and replaces a worker whose event loop stops answering the
  manager's heartbeat for ``worker_timeout`` seconds (a stuck worker);
- on ``SIGTERM``/``SIGINT`` stops accepting, gives requests in progress
  ``graceful_timeout`` seconds, then kills what is left;
- exits non-zero when it cannot serve (the port is taken, the workers
  cannot boot).

Each worker runs uvicorn with the guarded protocol
(:mod:`server.protocol`). A worker whose manager disappears (killed with
``SIGKILL``) is sent ``SIGTERM`` by the kernel and shuts down gracefully, so
no worker outlives its manager holding the port.

The manager never executes queries; each worker serves from its own view
of the store, so anything that changes the store must reach every worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import signal
import sys
import threading
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from starlette.types import ASGIApp
from uvicorn_worker import UvicornWorker

from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.warm import warm
from oversight_graph.server.logs import formatter
from oversight_graph.server.metrics import process_dead
from oversight_graph.server.protocol import guarded_protocol
from oversight_graph.server.settings import Settings

__all__ = ["SWITCH_INTERVAL", "serve"]

log = logging.getLogger("oversight")

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the interpreter lock while another waits for it, when serving."""

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to send this process SIGTERM when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _warm(store: GraphStore) -> None:
    """Build the store's derived indexes, then keep them out of the garbage collector's sight.

    They are built after the graph was loaded and frozen (:func:`server.app.settle`):
    left in view, every full collection would walk them again (at 10k entities
    7 ms a time, at 100k entities 82 ms, growing with the graph) while every request of the
    process waits.
    """
    warm(store)
    gc.freeze()


def _worker_class(settings: Settings, warm_store: GraphStore | None) -> type[UvicornWorker]:
    """The gunicorn worker class: uvicorn with the guarded protocol and ``settings``' timeouts."""

    class OversightWorker(UvicornWorker):
        """A uvicorn worker that follows its manager and guards its connections."""

        CONFIG_KWARGS: dict[str, Any] = {  # noqa: RUF012 - gunicorn reads it from the class
            "loop": "auto",
            "http": guarded_protocol(settings),
            "timeout_graceful_shutdown": max(1, int(settings.graceful_timeout)),
            "h11_max_incomplete_event_size": settings.max_header_bytes,
            "server_header": False,
            # The app writes its own access lines (server.access), with the request id and outcome.
            "access_log": False,
            # A WebSocket message is at most as large as a request body may be.
            "ws_max_size": settings.max_body_bytes,
            "ws_per_message_deflate": settings.websocket_compression,
        }

        def init_process(self) -> None:
            _die_with_parent()
            if os.getppid() != self.ppid:  # the manager died before the request above
                sys.exit(0)
            sys.setswitchinterval(SWITCH_INTERVAL)
            if warm_store is not None:
                # One worker: answer at once, build the indexes meanwhile.
                threading.Thread(target=_warm, args=(warm_store,), name="warm-indexes", daemon=True).start()
            super().init_process()

        async def callback_notify(self) -> None:
            if os.getppid() != self.ppid:
                # Where the kernel cannot tell us (not Linux), notice on the heartbeat.
                os.kill(os.getpid(), signal.SIGTERM)
            self.notify()

    return OversightWorker


def _logger_class(log_format: str) -> type[Logger]:
    """gunicorn's logger, writing its lines (and uvicorn's, which share its handlers) in ``log_format``."""

    class OversightLogger(Logger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(formatter(log_format))

    return OversightLogger


def _worker_exited(arbiter: Any, worker: Any) -> None:
    # Its open-subscription count and other live gauges must not linger in /metrics.
    process_dead(worker.pid)


class _Manager(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code, serving an app built before the fork."""

    def __init__(self, app: ASGIApp, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            if name == "control_socket_disable" and name not in self.cfg.settings:
                continue  # gunicorn before 27 has no control socket
            self.cfg.set(name, value)

    def load(self) -> ASGIApp:
        return self._app


def serve(app: ASGIApp, store: GraphStore, settings: Settings) -> int:
    """Serve ``app`` (over ``store``) with gunicorn and ``settings.workers`` uvicorn workers; return the exit status.

    Several workers get the store's derived indexes built before they are
    forked, so that they share them; a single worker builds them in a
    background thread and answers meanwhile.
    """
    # Offloaded operations hold the interpreter lock until asked to let go;
    # asking sooner than Python's default 5 ms gets the event loop back
    # quickly, which keeps cheap requests fast while an expensive one runs.
    sys.setswitchinterval(SWITCH_INTERVAL)
    if settings.workers > 1:
        _warm(store)
    options: dict[str, Any] = {
        "bind": [f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}"],
        "workers": settings.workers,
        "worker_class": _worker_class(settings, store if settings.workers == 1 else None),
        "preload_app": True,
        "timeout": max(1, round(settings.worker_timeout)),
        "graceful_timeout": max(1, round(settings.graceful_timeout)),
        "keepalive": 5,
        "loglevel": "debug" if settings.log_level.lower() == "trace" else settings.log_level.lower(),
        "accesslog": None,
        "errorlog": "-",
        "logger_class": _logger_class(settings.log_format),
        "child_exit": _worker_exited,
        "proc_name": "oversight",
        # gunicorn 27 opens an admin socket at one path per user ($HOME/.gunicorn/gunicorn.ctl),
        # which every server on the machine would share; nothing here uses it.
        "control_socket_disable": True,
    }
    try:
        _Manager(app, options).run()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
