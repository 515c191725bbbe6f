"""Data directories built from symbolic links: followed, or refused by name; never dropped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oversight_graph.graph.errors import DataError, ValidationFailed
from oversight_graph.graph.load import load_directory
from tests.graph.test_load import DOCUMENT, ORGS, RELATION, problems_of, write


def entities_and_relations(directory: Path) -> tuple[int, int]:
    store = load_directory(directory)
    return len(store), sum(1 for _ in store.relations())


def test_a_symlinked_subdirectory_is_read(tmp_path):
    shared = write(tmp_path / "shared", **{"a.toml": RELATION})
    data = write(tmp_path / "data", **{"documents.toml": DOCUMENT, "orgs.toml": ORGS})
    os.symlink(shared, data / "relations")
    assert entities_and_relations(data) == (3, 1)


def test_a_symlinked_file_is_read(tmp_path):
    outside = write(tmp_path / "outside", **{"orgs.toml": ORGS})
    data = write(tmp_path / "data", **{"documents.toml": DOCUMENT, "relations/a.toml": RELATION})
    os.symlink(outside / "orgs.toml", data / "orgs.toml")
    assert entities_and_relations(data) == (3, 1)


def test_a_link_back_to_a_containing_directory_is_refused_as_a_loop(tmp_path):
    data = write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS, "relations/a.toml": RELATION})
    os.symlink(data, data / "relations" / "again")
    (problem,) = problems_of(data)
    assert problem == (
        "relations/again: symbolic link: is a symbolic link loop: it leads back to the data directory itself, "
        "which contains it; not followed"
    )


def test_a_dangling_link_is_refused(tmp_path):
    data = write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS})
    os.symlink(tmp_path / "gone", data / "relations")
    (problem,) = problems_of(data)
    assert (
        problem == f"relations: symbolic link: is a symbolic link to {str(tmp_path / 'gone')!r}, which does not exist"
    )


def test_a_link_that_leads_to_itself_is_refused(tmp_path):
    data = write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS})
    os.symlink("b", data / "a")
    os.symlink("a", data / "b")
    problems = problems_of(data)
    assert problems == [
        "a: symbolic link: is a symbolic link to 'b' that leads back to itself; not followed",
        "b: symbolic link: is a symbolic link to 'a' that leads back to itself; not followed",
    ]


def test_two_paths_to_one_directory_are_refused_rather_than_read_twice(tmp_path):
    data = write(tmp_path, **{"documents.toml": DOCUMENT, "orgs.toml": ORGS, "relations/a.toml": RELATION})
    os.symlink(data / "relations", data / "zz-relations")
    (problem,) = problems_of(data)
    assert problem == (
        "zz-relations: symbolic link: leads to the same directory as relations, which is already read; "
        "remove one of them"
    )


def test_only_broken_links_is_a_validation_failure_not_an_empty_directory(tmp_path):
    os.symlink(tmp_path / "nowhere.toml", tmp_path / "data.toml")
    with pytest.raises(ValidationFailed) as failure:
        load_directory(tmp_path)
    assert [p.file for p in failure.value.problems] == ["data.toml"]


def test_no_data_files_at_all(tmp_path):
    (tmp_path / "README.md").write_text("nothing here")
    with pytest.raises(DataError, match="holds no data files"):
        load_directory(tmp_path)
