"""Loading a data directory for a command, with its problems reported to the user."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TextIO

from oversight_graph.graph.errors import DataError, Problem, ValidationFailed
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.store import GraphStore

__all__ = ["load_or_report", "report_problems"]


def report_problems(where: object, problems: Sequence[Problem], consequence: str, err: TextIO) -> None:
    """Print ``where``, how many problems and the ``consequence``, then every problem on its own line."""
    count = len(problems)
    print(f"{where}: {count} problem{'s' if count != 1 else ''}; {consequence}", file=err)
    for problem in problems:
        print(f"  {problem}", file=err)


def load_or_report(directory: str | os.PathLike[str], err: TextIO, consequence: str) -> GraphStore | None:
    """Load ``directory``, or print why not to ``err`` and return ``None``.

    The first line names the directory, how many problems it has and the
    ``consequence`` ("nothing loaded", "not serving"); every problem follows
    on its own line with its file, record and field.
    """
    try:
        return load_directory(directory)
    except ValidationFailed as failure:
        report_problems(directory, failure.problems, consequence, err)
    except DataError as error:
        print(f"{directory}: {error}", file=err)
    return None
