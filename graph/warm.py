"""Build the derived indexes a server needs, ahead of the first request.

The store builds these lazily, once (the sorted timeline of the
whole graph, each organization's agreements, the sorted entity lists...).
On a large graph the first to be built can take seconds; a server calls
:func:`warm` right after loading so that no request has to wait for it.
"""

from __future__ import annotations

from oversight_graph.graph.edges import sorted_relations
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.timeline import timeline

__all__ = ["warm"]


def warm(store: GraphStore) -> None:
    """Build the store's derived indexes now.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> warm(sample_store())
    """
    store.prepare()  # the name index and the sorted entity lists
    store.major_ai_developers()
    timeline(store, limit=1)
    sorted_relations(store)  # the root relation list and the exports walk it
