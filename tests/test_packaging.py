"""What the installed distribution puts on the import path: one namespace, nothing at the top level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PACKAGES = ("graph", "journal", "schema", "server", "exports")


def _importable(names: list[str], cwd: Path) -> dict[str, bool]:
    code = (
        "import importlib.util, json, sys\n"
        f"names = {names!r}\n"
        "print(json.dumps({n: importlib.util.find_spec(n) is not None for n in names}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd)
    return json.loads(result.stdout)


def test_installed_packages_live_under_the_project_namespace(tmp_path: Path) -> None:
    # Run from an empty directory, so only what is installed can be found.
    found = _importable([f"oversight_graph.{name}" for name in PACKAGES], tmp_path)
    assert found == {f"oversight_graph.{name}": True for name in PACKAGES}


def test_nothing_is_installed_under_a_bare_top_level_name(tmp_path: Path) -> None:
    found = _importable(list(PACKAGES), tmp_path)
    assert not any(found.values()), found


def test_the_console_script_points_into_the_namespace() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "oversight"]
    assert script.value == "oversight_graph.server.cli:main"
