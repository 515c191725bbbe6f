"""Loading a data directory for a command, with its problems reported to the user."""

from __future__ import annotations

import os
from typing import TextIO

from graph.errors import DataError, ValidationFailed
from graph.load import load_directory
from graph.store import GraphStore

__all__ = ["load_or_report"]


def load_or_report(directory: str | os.PathLike[str], err: TextIO, consequence: str) -> GraphStore | None:
    """Load ``directory``, or print why not to ``err`` and return ``None``.

    The first line names the directory, how many problems it has and the
    ``consequence`` ("nothing loaded", "not serving"); every problem follows
    on its own line with its file, record and field.
    """
    try:
        return load_directory(directory)
    except ValidationFailed as failure:
        count = len(failure.problems)
        print(f"{directory}: {count} problem{'s' if count != 1 else ''}; {consequence}", file=err)
        for problem in failure.problems:
            print(f"  {problem}", file=err)
    except DataError as error:
        print(f"{directory}: {error}", file=err)
    return None
