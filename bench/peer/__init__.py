"""Oversight Graph against a peer: PostGraphile over PostgreSQL, on the same generated graph.

See ``bench/peer/README.md`` and :mod:`bench.peer.run`.
"""
