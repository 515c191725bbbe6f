"""Every format comes out piece by piece, so a server can send a large graph without holding the whole file."""

from __future__ import annotations

import pytest

from oversight_graph.exports import FORMATS, Snapshot


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_large_graph_is_produced_in_many_pieces(generated_store, name):
    snapshot = Snapshot.of(generated_store)
    sizes = [len(chunk) for chunk in FORMATS[name].stream(snapshot)]
    total = sum(sizes)
    assert len(sizes) >= 5, sizes
    assert max(sizes) < total / 2
