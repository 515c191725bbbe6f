"""graph/ is the bottom layer: it must not pull in GraphQL or HTTP code."""

from __future__ import annotations

import subprocess
import sys


def test_graph_imports_no_graphql_or_web_module():
    code = (
        "import sys, graph, graph.load, graph.queries, graph.paths, graph.timeline, graph.sample\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'strawberry', 'graphql', 'starlette', 'uvicorn', 'schema', 'server'})\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
