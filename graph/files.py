"""Finding the data files under a directory, following symbolic links safely.

A data directory may be assembled from links (a shared ``relations/``
directory linked into several datasets, say), so links are followed, to
directories and to files alike. What cannot be followed is reported as a
:class:`~graph.errors.Problem` rather than skipped, so no data is ever
dropped silently:

- a link whose target does not exist (dangling) or that points to itself
  through other links;
- a link to a directory that contains it (a loop, which would otherwise be
  walked forever);
- a second path to a directory or file already read, which would read the
  same records twice.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from oversight_graph.graph.errors import DataError, Problem, ValidationFailed

__all__ = ["DATA_SUFFIXES", "data_files"]

DATA_SUFFIXES = (".toml", ".jsonl")
"""File endings the loader reads; other files (a README) are ignored."""


class _Walk:
    """One walk of a directory tree: the files found and the problems met."""

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        self.root = root
        self.problems = problems
        self.files: list[tuple[Path, Path]] = []  # (relative name, path to open)
        self.directories: dict[str, str] = {}  # real path → relative name where first read
        self.seen_files: dict[str, str] = {}

    def report(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, "symbolic link", "", message))

    def directory(self, path: Path, relative: Path, ancestors: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as error:
            name = relative.as_posix() if relative.parts else "."
            self.problems.append(Problem(name, "directory", "", f"cannot be listed: {error.strerror or error}"))
            return
        for entry in entries:
            self.entry(entry, relative / entry.name, ancestors)

    def entry(self, entry: os.DirEntry[str], relative: Path, ancestors: tuple[str, ...]) -> None:
        name = relative.as_posix()
        linked = entry.is_symlink()
        if linked and not self._link_resolves(entry.path, name):
            return
        real = os.path.realpath(entry.path)
        if entry.is_dir():
            if real in ancestors:
                back = self._name_of(real)
                self.report(name, f"is a symbolic link loop: it leads back to {back}, which contains it; not followed")
            elif real in self.directories:
                first = self.directories[real]
                self.report(name, f"leads to the same directory as {first}, which is already read; remove one of them")
            else:
                self.directories[real] = name
                self.directory(Path(entry.path), relative, (*ancestors, real))
        elif entry.is_file() and relative.suffix in DATA_SUFFIXES:
            if real in self.seen_files:
                first = self.seen_files[real]
                self.report(name, f"is the same file as {first}, which is already read; remove one of them")
            else:
                self.seen_files[real] = name
                self.files.append((relative, Path(entry.path)))

    def _link_resolves(self, path: str, name: str) -> bool:
        try:
            os.stat(path)
        except OSError as error:
            target = os.readlink(path)
            if error.errno == errno.ELOOP:
                self.report(name, f"is a symbolic link to {target!r} that leads back to itself; not followed")
            else:
                self.report(name, f"is a symbolic link to {target!r}, which does not exist")
            return False
        return True

    def _name_of(self, real: str) -> str:
        if real == os.path.realpath(self.root):
            return "the data directory itself"
        return self.directories.get(real, real)


def data_files(path: str | os.PathLike[str], problems: list[Problem]) -> list[tuple[str, Path]]:
    """Every data file under ``path``, as (name relative to ``path``, path to open), in path order.

    Symbolic links are followed; links that cannot be followed, and second
    paths to what is already read, are appended to ``problems``.

    Raises
    ------
    ValidationFailed
        If it holds no data files, only links that could not be followed.
    DataError
        If ``path`` is not a directory, or holds no data files at all.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "a.toml").write_text("")
    ...     os.symlink("missing", Path(tmp) / "b.toml")
    ...     problems = []
    ...     [name for name, _ in data_files(tmp, problems)], [str(p) for p in problems]
    0
    (['a.toml'], ["b.toml: symbolic link: is a symbolic link to 'missing', which does not exist"])
    """
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root} is not a directory")
    walk = _Walk(root, problems)
    walk.directories[os.path.realpath(root)] = "."
    walk.directory(root, Path(), (os.path.realpath(root),))
    walk.files.sort(key=lambda item: item[0])
    if not walk.files:
        if problems:
            raise ValidationFailed(problems)
        raise DataError(f"{root} holds no data files (*.toml or *.jsonl)")
    return [(relative.as_posix(), opened) for relative, opened in walk.files]
