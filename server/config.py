"""Settings from a TOML config file.

A config file holds settings by their names in :data:`SETTINGS_DOC`, at
the top level::

    port = 8080
    cors_origins = ["https://app.example", "https://admin.example"]
    batching = true

Where a setting comes from, weakest first: its default, the config file
(``--config FILE`` or ``OVERSIGHT_CONFIG``), its ``OVERSIGHT_*`` variable,
its command-line flag. A key that is no setting, or a value of the wrong
type, is an error naming the file, the key and the value.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oversight_graph.server.settings import SETTINGS_DOC, Settings, SettingsError, env_values

__all__ = ["CONFIG_VARIABLE", "load_config", "settings_from"]

CONFIG_VARIABLE = "OVERSIGHT_CONFIG"
"""Environment variable naming a config file, when ``--config`` is not given."""

_KIND_NAMES = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a string",
    Path: "a path (a string)",
    tuple: "a list of strings",
}


def load_config(path: Path) -> dict[str, Any]:
    """Read the settings in the TOML file ``path``, checked against :data:`SETTINGS_DOC`.

    Raises
    ------
    SettingsError
        If the file cannot be read or parsed, or a key or value is wrong;
        the message names the file and the key.
    """
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise SettingsError(f"config file {path}: cannot be read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"config file {path}: not valid TOML: {error}") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SETTINGS_DOC:
            close = difflib.get_close_matches(key.replace("-", "_"), SETTINGS_DOC, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SettingsError(f"config file {path}: unknown setting {key!r}{hint}")
        kind = SETTINGS_DOC[key][0]
        values[key] = _checked(kind, value, path, key)
    return values


def _checked(kind: type, value: Any, path: Path, key: str) -> Any:
    ok: bool
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif kind is tuple:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        value = tuple(value) if ok else value
    elif kind is Path:
        ok = isinstance(value, str)
        # A relative path in a config file is relative to the file, not to where the server started.
        value = (path.parent / value) if ok and value else None
    else:
        ok = isinstance(value, str)
    if not ok:
        raise SettingsError(f"config file {path}: {key} = {value!r} is not {_KIND_NAMES[kind]}")
    return value


def settings_from(
    overrides: Mapping[str, Any], config: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the config file, the environment and ``overrides`` (strongest), in that order.

    Parameters
    ----------
    overrides
        Values from the command line; ``None`` values are ignored.
    config
        A config file; if ``None``, the one named by ``OVERSIGHT_CONFIG``, if any.
    environ
        The environment (default: the process's).

    Raises
    ------
    SettingsError
        If any source has a bad key or value, naming it and where it came from.
    """
    env = os.environ if environ is None else environ
    if config is None and env.get(CONFIG_VARIABLE):
        config = Path(env[CONFIG_VARIABLE])
    values = load_config(config) if config is not None else {}
    values.update(env_values(env))
    values.update({name: value for name, value in overrides.items() if value is not None})
    return Settings().replace(**values)
