"""API tokens: creation, storage as a digest, and checking.

A token is 32 random bytes (``og_`` followed by URL-safe base64). Only its
SHA-256 digest is stored: tokens are random and long, so a slow password
hash would add nothing but latency. The digest found in the journal is
compared with :func:`hmac.compare_digest`, so a check takes the same time
however much of it matches.

Examples
--------
>>> token = new_token()
>>> token.startswith("og_") and len(token) > 40
True
>>> digest(token) == digest(token)
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from oversight_graph.journal.base import Journal
from oversight_graph.journal.changes import Actor, Role

__all__ = ["TOKEN_NAME", "authenticate", "create_token", "digest", "new_token"]

TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
"""What a token's name may look like: it is shown as the actor of every change it makes."""


def new_token() -> str:
    """A fresh random token."""
    return "og_" + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(journal: Journal, name: str, role: Role) -> str:
    """Create a token for ``name`` with ``role`` and return it (it cannot be shown again).

    Raises
    ------
    ValueError
        If the name is malformed or already taken.
    """
    if not TOKEN_NAME.match(name):
        raise ValueError(f"{name!r} is not a token name: use 1-64 letters, digits, '.', '_', '@' or '-'")
    token = new_token()
    journal.add_token(name, role, digest(token))
    return token


def authenticate(journal: Journal, token: str) -> Actor | None:
    """The actor an active token stands for, or ``None`` for an unknown or revoked one."""
    wanted = digest(token)
    found = journal.token_by_digest(wanted)
    if found is None:
        return None
    name, role, stored = found
    return Actor(name, role) if hmac.compare_digest(stored, wanted) else None
