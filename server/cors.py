"""Cross-origin requests from browsers (CORS), as the settings allow them.

Starlette's CORS middleware answers preflights and adds the response
headers; this module only turns the ``cors_*`` settings into its
options. Apollo Client sends ``apollographql-client-name`` and
``-version`` and apps send ``Authorization``, so those are allowed by
default; credentials (cookies, ``credentials: 'include'``) only when
``cors_allow_credentials`` is on, and then only for listed origins.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from oversight_graph.server.settings import Settings

__all__ = ["cors_middleware"]


def cors_middleware(settings: Settings) -> Middleware | None:
    """The CORS middleware for ``settings``, or ``None`` when no origin is allowed.

    Examples
    --------
    >>> cors_middleware(Settings()) is None
    True
    >>> cors_middleware(Settings(cors_origins=("https://app.example",))).kwargs["allow_credentials"]
    False
    """
    if not settings.cors_origins:
        return None
    return Middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=list(settings.cors_allow_headers),
        allow_credentials=settings.cors_allow_credentials,
        expose_headers=list(settings.cors_expose_headers),
        max_age=settings.cors_max_age,
    )
