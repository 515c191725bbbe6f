"""Command-line flags of ``oversight serve``, generated from :data:`SETTINGS_DOC`.

Every setting gets a flag named after it (``max_page_size`` →
``--max-page-size``), with its description and its environment variable
in the help; booleans get ``--x``/``--no-x``, lists take comma-separated
values and may be repeated (also under a singular name, so the older
``--cors-origin`` still works). Being generated, the flags cannot drift
from the settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from oversight_graph.server.settings import SETTINGS_DOC, SettingsError, parse_setting

__all__ = ["add_setting_flags", "flag_of", "overrides"]


_METAVARS = {Path: "FILE", int: "INT", float: "NUMBER", str: "TEXT"}


def flag_of(name: str) -> str:
    """The command-line flag of the setting ``name``.

    Examples
    --------
    >>> flag_of("max_page_size")
    '--max-page-size'
    """
    return "--" + name.replace("_", "-")


def _converter(name: str) -> Any:
    def convert(text: str) -> Any:
        try:
            return parse_setting(name, text, flag_of(name))
        except SettingsError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = SETTINGS_DOC[name][0].__name__
    return convert


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """Add a flag for every setting to ``parser``, each defaulting to ``None`` (not given)."""
    group = parser.add_argument_group(
        "settings", "each also comes from its environment variable or a config file; a flag wins over both"
    )
    for name, (kind, description) in SETTINGS_DOC.items():
        help_text = f"{description.replace('%', '%%')} [env: OVERSIGHT_{name.upper()}]"
        flag = flag_of(name)
        if kind is bool:
            group.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif kind is tuple:
            names = [flag, flag.removesuffix("s")] if flag.endswith("s") else [flag]
            group.add_argument(
                *names, dest=name, action="append", type=_converter(name), default=None, metavar="A,B", help=help_text
            )
        else:
            metavar = "DIR" if name == "data" else _METAVARS[kind]
            group.add_argument(flag, dest=name, type=_converter(name), default=None, metavar=metavar, help=help_text)


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, by name (repeated list flags joined)."""
    values: dict[str, Any] = {}
    for name, (kind, _description) in SETTINGS_DOC.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if kind is tuple:
            value = tuple(item for part in value for item in part)
        values[name] = value
    return values
