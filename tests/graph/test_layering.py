"""graph/ is the bottom layer: it must not pull in GraphQL or HTTP code."""

from __future__ import annotations

import subprocess
import sys

ALLOWED_THIRD_PARTY = {"networkx", "orjson", "rapidfuzz", "cython_runtime"}
"""Beyond the standard library, graph/ may use networkx (the graph), orjson (the bulk seed parser) and
rapidfuzz (typo-tolerant search, graph/fuzzy.py); ``cython_runtime`` is the interpreter's record of a
Cython-compiled extension having loaded, not a package."""


def _loaded_after_importing_graph() -> set[str]:
    code = (
        "import sys\n"
        "import oversight_graph.graph.load, oversight_graph.graph.queries, oversight_graph.graph.paths\n"
        "import oversight_graph.graph.timeline, oversight_graph.graph.fuzzy\n"
        "from oversight_graph.graph.queries import search\n"
        "from oversight_graph.graph.sample import sample_store\n"
        "search(sample_store(), 'antropic')\n"
        "names = {'.'.join(m.split('.')[:2]) if m.startswith('oversight_graph.') else m.split('.')[0] for m in sys.modules}\n"
        "print(','.join(sorted(names)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(result.stdout.strip().split(","))


def test_graph_imports_no_graphql_or_web_module():
    loaded = _loaded_after_importing_graph()
    assert "oversight_graph.graph" in loaded
    assert not loaded & {
        "strawberry",
        "graphql",
        "starlette",
        "uvicorn",
        "oversight_graph.schema",
        "oversight_graph.server",
        "oversight_graph.journal",
    }


def test_graph_imports_only_the_standard_library_networkx_and_rapidfuzz():
    loaded = _loaded_after_importing_graph()
    third_party = {name for name in loaded if name not in sys.stdlib_module_names and not name.startswith("_")}
    assert "rapidfuzz" in third_party  # the fuzzy search really ran
    assert third_party - {"oversight_graph", "oversight_graph.graph"} <= ALLOWED_THIRD_PARTY, third_party
