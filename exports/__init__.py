"""Exports of the knowledge graph: RDF (JSON-LD, Turtle, N-Triples), GraphML, CSV and seed-format TOML.

A layer of its own above :mod:`graph` (which it reads and never changes)
and beside the GraphQL schema, which it knows nothing of: it needs rdflib,
and ``graph/`` imports only the standard library and networkx. The command
line (``oversight export``) and the HTTP endpoints (``/export/{format}``)
both call :func:`write` or a format's ``stream`` on a :class:`Snapshot`.
"""

from __future__ import annotations

from oversight_graph.exports.formats import FORMATS, ExportError, ExportFormat, write
from oversight_graph.exports.snapshot import Snapshot

__all__ = ["FORMATS", "ExportError", "ExportFormat", "Snapshot", "write"]
