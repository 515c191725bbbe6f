"""The examples in the docstrings of graph/, journal/ and exports/ run as tests.

They run against the installed modules (``oversight_graph.*``), the ones every
other test and the server use, so an example's classes and errors are the real
ones and not a second copy of the module imported by file path.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import oversight_graph.exports
import oversight_graph.graph
import oversight_graph.journal

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    found: list[doctest.DocTest] = []
    for package in (oversight_graph.graph, oversight_graph.journal, oversight_graph.exports):
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            module = importlib.import_module(info.name)
            found.extend(test for test in finder.find(module) if test.examples)
    return sorted(found, key=lambda test: test.name)


EXAMPLES = _examples()


def test_the_packages_have_examples() -> None:
    # The finder really walks the packages: a broken walk would leave nothing to run.
    names = {test.name for test in EXAMPLES}
    assert "oversight_graph.graph.dates.PartialDate.parse" in names
    for package in ("graph", "journal", "exports"):
        assert any(name.startswith(f"oversight_graph.{package}.") for name in names), package


@pytest.mark.parametrize("example", EXAMPLES, ids=[test.name for test in EXAMPLES])
def test_docstring_example(example: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    runner.run(example, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
