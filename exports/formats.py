"""The export formats: how each is named, served and written.

Each :class:`ExportFormat` can produce the whole graph as one stream of
bytes (what the HTTP endpoint sends) and, for the formats that are several
files (CSV, TOML), as a directory. :func:`write` is what the command line
calls.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from oversight_graph.exports.graphml import graphml_stream
from oversight_graph.exports.rdf import jsonld_stream, ntriples_stream, turtle_stream
from oversight_graph.exports.snapshot import Snapshot
from oversight_graph.exports.tables import csv_files, csv_zip
from oversight_graph.exports.toml_files import toml_files, toml_stream

__all__ = ["FORMATS", "ExportError", "ExportFormat", "write"]

Files = Callable[[Snapshot], Iterator[tuple[str, Iterator[bytes]]]]


class ExportError(Exception):
    """An export cannot be written where it was asked to go; the message says why."""


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format.

    Attributes
    ----------
    name
        What ``--format`` and the URL call it (``turtle``).
    media_type
        The media type of the single stream.
    filename
        The file name offered for the single stream (``Content-Disposition``).
    description
        One line for help texts.
    stream
        Produces the whole graph as one stream of bytes.
    files
        For formats written as a directory: produces ``(file name, contents)`` pairs.
    """

    name: str
    media_type: str
    filename: str
    description: str
    stream: Callable[[Snapshot], Iterator[bytes]]
    files: Files | None = None


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonld",
            "application/ld+json",
            "oversight-graph.jsonld",
            "JSON-LD (RDF) with schema.org terms and the og: vocabulary",
            jsonld_stream,
        ),
        ExportFormat("turtle", "text/turtle", "oversight-graph.ttl", "Turtle (RDF)", turtle_stream),
        ExportFormat("ntriples", "application/n-triples", "oversight-graph.nt", "N-Triples (RDF)", ntriples_stream),
        ExportFormat(
            "graphml", "application/graphml+xml", "oversight-graph.graphml", "GraphML (networkx)", graphml_stream
        ),
        ExportFormat(
            "csv",
            "application/zip",
            "oversight-graph-csv.zip",
            "CSV tables entities.csv, relations.csv, citations.csv (a directory; a zip over HTTP)",
            csv_zip,
            csv_files,
        ),
        ExportFormat(
            "toml",
            "application/toml",
            "oversight-graph.toml",
            "seed-format TOML that `oversight check` accepts (a directory; one file over HTTP)",
            toml_stream,
            toml_files,
        ),
    )
}
"""Every export format by name."""


def _write_file(path: Path, chunks: Iterator[bytes]) -> int:
    size = 0
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    return size


def write(snapshot: Snapshot, fmt: ExportFormat, out: str | os.PathLike[str]) -> list[tuple[Path, int]]:
    """Write ``snapshot`` in ``fmt`` to ``out``; return the files written with their sizes.

    ``out`` is a directory for the formats that have files (created if
    missing; files of the same names are replaced), a file for the others,
    and ``-`` writes the single stream to standard output.

    Raises
    ------
    ExportError
        If ``out`` is an existing file where a directory is needed, or the reverse.
    """
    if str(out) == "-":
        size = 0
        for chunk in fmt.stream(snapshot):
            sys.stdout.buffer.write(chunk)
            size += len(chunk)
        sys.stdout.buffer.flush()
        return [(Path("-"), size)]
    path = Path(out)
    if fmt.files is None:
        if path.is_dir():
            raise ExportError(f"{path} is a directory; {fmt.name} is written to a file")
        return [(path, _write_file(path, fmt.stream(snapshot)))]
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is a file; {fmt.name} is written to a directory")
    path.mkdir(parents=True, exist_ok=True)
    return [(path / name, _write_file(path / name, chunks)) for name, chunks in fmt.files(snapshot)]
