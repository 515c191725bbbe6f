"""The ``oversight`` command line.

Subcommands::

    oversight check DIR          validate a data directory; print counts or every problem
    oversight serve [options]    serve the GraphQL API over a data directory
    oversight schema             print the GraphQL schema (SDL)
    oversight assets fetch       download the pinned browser assets GraphiQL and /explore use
    oversight export --format F OUT   write the graph as JSON-LD, Turtle, N-Triples, GraphML, CSV or TOML

Exit status: 0 on success, 1 when the data is invalid, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from server.flags import add_setting_flags

__all__ = ["main"]

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "seed"
"""The bundled seed directory, used when no ``--data`` is given."""

_FORMAT_NAMES = ("jsonld", "turtle", "ntriples", "graphml", "csv", "toml")
"""The export formats (the keys of ``exports.FORMATS``; listed here so ``--help`` need not import rdflib)."""


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from graph.queries import stats
    from server.loading import load_or_report

    store = load_or_report(args.directory, err, "nothing loaded")
    if store is None:
        return 1
    counts = stats(store)
    print(
        f"{args.directory}: valid: {counts.entity_total} entities, {counts.relation_total} relations, "
        f"{counts.citations} citations from {counts.documents} document{'s' if counts.documents != 1 else ''}",
        file=out,
    )
    print("entities by kind:", file=out)
    for kind, number in counts.entities.items():
        print(f"  {kind.name:<26}{number:>6}", file=out)
    print("relations by type:", file=out)
    for type_, number in counts.relations.items():
        if number:
            print(f"  {type_.name:<26}{number:>6}", file=out)
    return 0


def _serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from server.app import run
    from server.config import settings_from
    from server.flags import overrides
    from server.settings import SettingsError

    try:
        settings = settings_from(overrides(args), args.config)
    except SettingsError as error:
        print(f"oversight serve: {error}", file=err)
        return 2
    try:
        return run(settings, out=out, err=err)
    except SettingsError as error:  # a setting's file (the trusted documents) is read as the app is built
        print(f"oversight serve: {error}", file=err)
        return 2


def _export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from exports import FORMATS, ExportError, Snapshot, write
    from server.loading import load_or_report

    data = args.data or DEFAULT_DATA
    store = load_or_report(data, err, "nothing exported")
    if store is None:
        return 1
    fmt = FORMATS[args.format]
    try:
        written = write(Snapshot.of(store), fmt, args.out)
    except (ExportError, OSError) as error:
        print(f"oversight export: {error}", file=err)
        return 2
    if str(args.out) != "-":
        for path, size in written:
            print(f"{path}: {size} bytes", file=out)
    return 0


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from schema import schema

    out.write(schema.as_str() + "\n")
    return 0


def _assets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from server.assets import AssetError, fetch
    from server.settings import Settings, SettingsError

    try:
        destination = args.dest or Settings.from_env().assets
        fetch(destination, registry=args.registry, log=lambda line: print(line, file=out))
    except (AssetError, SettingsError) as error:
        print(f"oversight assets fetch: {error}", file=err)
        return 1
    print(f"browser assets ready in {destination}", file=out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oversight", description="Oversight Graph: a cited knowledge graph of AI oversight."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate a data directory and print its counts")
    check.add_argument("directory", type=Path, help="directory of seed files (*.toml, *.jsonl)")
    check.set_defaults(run=_check)

    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve the GraphQL API. Every setting below can also come from its environment variable or a config file.",
    )
    serve.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file of settings by name (e.g. port = 8080) [env: OVERSIGHT_CONFIG]",
    )
    add_setting_flags(serve)
    serve.set_defaults(run=_serve)

    export = commands.add_parser(
        "export",
        help="write the whole graph in an export format",
        description="Write the whole graph as a file (JSON-LD, Turtle, N-Triples, GraphML; '-' for standard output) "
        "or a directory (CSV tables, seed-format TOML that `oversight check` accepts).",
    )
    export.add_argument(
        "--format", required=True, choices=_FORMAT_NAMES, help="jsonld, turtle, ntriples, graphml, csv or toml"
    )
    export.add_argument(
        "--data", type=Path, default=None, help=f"data directory (default: the bundled seed, {DEFAULT_DATA})"
    )
    export.add_argument("out", metavar="OUT", help="file, directory (csv, toml) or '-' for standard output")
    export.set_defaults(run=_export)

    sdl = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    sdl.set_defaults(run=_schema)

    assets = commands.add_parser("assets", help="manage the browser assets of GraphiQL and /explore")
    assets_commands = assets.add_subparsers(dest="action", required=True, metavar="ACTION")
    fetch = assets_commands.add_parser(
        "fetch", help="download the pinned npm releases (web/assets.lock.json), check their sha512 and extract them"
    )
    fetch.add_argument(
        "--dest", type=Path, default=None, help="directory to install into (default: OVERSIGHT_ASSETS or web/vendor)"
    )
    fetch.add_argument("--registry", default="https://registry.npmjs.org", help="npm registry to download from")
    fetch.set_defaults(run=_assets)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    status: int = args.run(args, out or sys.stdout, err or sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
