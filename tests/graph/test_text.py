from __future__ import annotations

import pytest

from graph.names import NameIndex
from graph.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("A.I.", "ai"),
        ("AI", "ai"),
        ("Center for A.I. Standards and Innovation", "center for ai standards and innovation"),
        ("Café Müller", "cafe muller"),
        ("Meta’s policy team", "metas policy team"),
        ("U.S.-led   review", "us led review"),
        ("ÅNGSTRÖM", "angstrom"),
        ("!!!", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_index_ranks_exact_name_above_prefix_above_contains():
    index = NameIndex()
    index.add("org/a", ["Meta"])
    index.add("org/b", ["Meta policy team"])
    index.add("org/c", ["Team of Meta watchers"])
    assert [m.key for m in index.search("meta")] == ["org/a", "org/b", "org/c"]


def test_index_matches_word_prefixes_but_not_mid_word():
    index = NameIndex()
    index.add("person/h", ["Howard Lutnick"])
    assert [m.key for m in index.search("lutn")] == ["person/h"]
    assert index.search("utnick") == []


def test_short_query_words_must_match_whole_words():
    index = NameIndex()
    index.add("org/ai", ["AI Institute"])
    index.add("org/air", ["Air Force"])
    assert [m.key for m in index.search("ai")] == ["org/ai"]


def test_alias_match_reports_the_alias():
    index = NameIndex()
    index.add("org/caisi", ["Center for AI Standards and Innovation", "CAISI"])
    (match,) = index.search("caisi")
    assert match.matched == "CAISI"
