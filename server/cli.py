"""The ``oversight`` command line.

Subcommands::

    oversight check DIR          validate a data directory; print counts or every problem
    oversight serve [options]    serve the GraphQL API over a data directory
    oversight schema             print the GraphQL schema (SDL)
    oversight assets fetch       download the pinned browser assets GraphiQL and /explore use
    oversight export --format F OUT   write the graph as JSON-LD, Turtle, N-Triples, GraphML, CSV or TOML
    oversight import DIR         apply a data directory to the journal as one change set
    oversight snapshot           write a snapshot of the journal's graph now
    oversight token create|list|revoke   manage API tokens
    oversight cluster            run several replicas on one machine over one journal

Exit status: 0 on success, 1 when the data is invalid, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from oversight_graph.server.flags import add_setting_flags

__all__ = ["main"]

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "seed"
"""The bundled seed directory, used when no ``--data`` is given."""

_FORMAT_NAMES = ("jsonld", "turtle", "ntriples", "graphml", "csv", "toml")
"""The export formats (the keys of ``exports.FORMATS``; listed here so ``--help`` need not import rdflib)."""


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.graph.queries import stats
    from oversight_graph.server.loading import load_or_report

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
    from oversight_graph.server.app import run
    from oversight_graph.server.config import settings_from
    from oversight_graph.server.flags import overrides
    from oversight_graph.server.settings import SettingsError

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
    from oversight_graph.exports import FORMATS, ExportError, Snapshot, write

    writer = _with_writer(args, err)
    if writer is None:
        return 1
    fmt = FORMATS[args.format]
    try:
        written = write(Snapshot.of(writer.model.store), fmt, args.out)
    except (ExportError, OSError) as error:
        print(f"oversight export: {error}", file=err)
        return 2
    finally:
        writer.journal.close()
    if str(args.out) != "-":
        for path, size in written:
            print(f"{path}: {size} bytes", file=out)
    return 0


def _journal(args: argparse.Namespace, err: TextIO) -> Any:
    """The journal named by --db (or OVERSIGHT_DB, or the default), or ``None`` after printing why not."""
    from oversight_graph.journal.errors import JournalError
    from oversight_graph.journal.startup import open_journal
    from oversight_graph.server.settings import Settings, SettingsError

    try:
        settings = Settings.from_env().replace(
            db=args.db, data=getattr(args, "data", None), snapshots=getattr(args, "snapshots", None)
        )
        return open_journal(settings.db, settings.snapshots), settings
    except (JournalError, SettingsError) as error:
        print(f"oversight {args.command}: {error}", file=err)
        return None


def _with_writer(args: argparse.Namespace, err: TextIO) -> Any:
    from oversight_graph.graph.errors import DataError, ValidationFailed
    from oversight_graph.journal.errors import JournalError
    from oversight_graph.journal.startup import start_model
    from oversight_graph.journal.writer import Writer
    from oversight_graph.server.loading import report_problems

    opened = _journal(args, err)
    if opened is None:
        return None
    journal, settings = opened
    consequence = {"export": "nothing exported", "import": "nothing imported"}.get(args.command, "nothing done")
    try:
        model = start_model(journal, settings.data, chosen=getattr(args, "data", None) is not None)
    except ValidationFailed as failure:  # a new journal's first import: reported as `check` reports it
        report_problems(settings.data, failure.problems, consequence, err)
        journal.close()
        return None
    except (DataError, JournalError) as error:
        print(f"oversight {args.command}: {error}; {consequence}", file=err)
        journal.close()
        return None
    return Writer(journal, model)


def _import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.graph.errors import DataError
    from oversight_graph.journal.changes import Actor, Role
    from oversight_graph.journal.errors import EditRejected, JournalError
    from oversight_graph.journal.startup import import_directory
    from oversight_graph.server.loading import report_problems

    writer = _with_writer(args, err)
    if writer is None:
        return 1
    try:
        change = import_directory(writer, args.directory, args.reason, Actor(args.actor, Role.ADMIN))
    except EditRejected as rejected:
        report_problems(args.directory, rejected.problems, "nothing imported", err)
        return 1
    except (DataError, JournalError) as error:
        print(f"{args.directory}: {error}; nothing imported", file=err)
        return 1
    finally:
        writer.journal.close()
    added = sum(1 for e in change.effects if e.action == "ADDED")
    changed = len(change.effects) - added
    print(f"{args.directory}: imported as version {change.version}: {added} added, {changed} changed", file=out)
    return 0


def _snapshot(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.journal.snapshot import write_snapshot

    writer = _with_writer(args, err)
    if writer is None:
        return 1
    try:
        path = write_snapshot(writer.model, writer.journal)
    finally:
        writer.journal.close()
    print(f"snapshot of version {writer.model.version} written to {path}", file=out)
    return 0


def _token(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.journal.changes import Role
    from oversight_graph.journal.tokens import create_token

    opened = _journal(args, err)
    if opened is None:
        return 1
    journal = opened[0]
    try:
        if args.action == "create":
            try:
                token = create_token(journal, args.name, Role.of(args.role))
            except ValueError as error:
                print(f"oversight token create: {error}", file=err)
                return 1
            print(f"token {args.name!r} ({args.role}) created; it is shown only once:", file=out)
            print(token, file=out)
        elif args.action == "list":
            for info in journal.tokens():
                state = f"revoked {info.revoked:%Y-%m-%d %H:%M}" if info.revoked else "active"
                print(f"{info.name}\t{info.role.value}\tcreated {info.created:%Y-%m-%d %H:%M}\t{state}", file=out)
        else:
            if not journal.revoke_token(args.name):
                print(f"oversight token revoke: no active token named {args.name!r}", file=err)
                return 1
            print(f"token {args.name!r} revoked", file=out)
        return 0
    finally:
        journal.close()


def _cluster(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.server.cluster import run_cluster
    from oversight_graph.server.settings import Settings, SettingsError

    try:
        db = str(args.db or Settings.from_env().db)
    except SettingsError as error:
        print(f"oversight cluster: {error}", file=err)
        return 2
    if args.replicas < 1:
        print("oversight cluster: --replicas must be at least 1", file=err)
        return 2
    serve_args = args.serve_args[1:] if args.serve_args[:1] == ["--"] else args.serve_args
    return run_cluster(
        args.replicas,
        db,
        host=args.host,
        port=args.port,
        snapshots=args.snapshots,
        serve_args=serve_args,
        out=out,
        err=err,
    )


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.schema import schema

    out.write(schema.as_str() + "\n")
    return 0


def _assets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from oversight_graph.server.assets import AssetError, fetch
    from oversight_graph.server.settings import Settings, SettingsError

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
        "--db",
        default=None,
        help="the change journal whose graph to write, a file or a postgresql:// address (default: oversight.db; OVERSIGHT_DB)",
    )
    export.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data directory recorded first if the journal is new (default: the bundled seed)",
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
    db_help = "the change journal, an SQLite file or a postgresql:// address (default: oversight.db; OVERSIGHT_DB)"
    imported = commands.add_parser("import", help="apply a data directory to the journal as one change set")
    imported.add_argument("directory", type=Path, help="directory of data files (*.toml, *.jsonl)")
    imported.add_argument("--reason", required=True, help="why, like an edit summary (shown in the history)")
    imported.add_argument("--actor", default="import", help="name recorded as the change's author (default: import)")
    imported.add_argument("--db", default=None, help=db_help)
    imported.set_defaults(run=_import)

    snap = commands.add_parser("snapshot", help="write a snapshot of the graph now, so restarts replay less")
    snap.add_argument("--db", default=None, help=db_help)
    snap.add_argument(
        "--snapshots",
        type=Path,
        default=None,
        help="folder of the snapshots (default as for serve; OVERSIGHT_SNAPSHOTS)",
    )
    snap.set_defaults(run=_snapshot)

    token = commands.add_parser("token", help="manage API tokens (create prints the token once, as its last line)")
    token_actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = token_actions.add_parser("create", help="create a token")
    create.add_argument("--name", required=True, help="who the token is for; recorded as the author of its changes")
    create.add_argument("--role", required=True, choices=["reader", "editor", "admin"], help="what it may do")
    token_actions.add_parser("list", help="list tokens (names, roles, dates; never the tokens)")
    revoke = token_actions.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name", help="the token's name")
    for action in token_actions.choices.values():
        action.add_argument("--db", default=None, help=db_help)
    token.set_defaults(run=_token)

    cluster = commands.add_parser(
        "cluster",
        help="run several replicas on consecutive ports, sharing one journal (a PostgreSQL database)",
        description="Start N `oversight serve` replicas on ports PORT, PORT+1... over the same --db, each with its "
        "own snapshot folder (SNAPSHOTS/replica-N); restart any that exits; stop them all on Ctrl-C or SIGTERM. "
        "Options after `--` go to every `oversight serve`.",
    )
    cluster.add_argument("--replicas", type=int, default=3, help="how many replicas (default 3)")
    cluster.add_argument("--db", default=None, help="the shared journal, e.g. postgresql://user@host/db (OVERSIGHT_DB)")
    cluster.add_argument("--host", default="127.0.0.1", help="interface the replicas listen on (default 127.0.0.1)")
    cluster.add_argument("--port", type=int, default=8000, help="port of the first replica (default 8000)")
    cluster.add_argument(
        "--snapshots",
        type=Path,
        default=Path("oversight-snapshots"),
        help="folder holding each replica's snapshot folder (default oversight-snapshots)",
    )
    cluster.add_argument("serve_args", nargs=argparse.REMAINDER, help="-- then options for every oversight serve")
    cluster.set_defaults(run=_cluster)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    status: int = args.run(args, out or sys.stdout, err or sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
