from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight_graph.graph.names import NameIndex
from oversight_graph.graph.text import fold


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


def _brute_candidates(names: dict[str, list[str]], query: str) -> set[str]:
    """Keys whose folded names have, for each query word, that word (short words) or a word starting with it."""
    words = fold(query).split()
    if not words:
        return set()
    found = set()
    for key, key_names in names.items():
        own = {w for name in key_names for w in fold(name).split()}
        if all(word in own if len(word) <= 2 else any(w.startswith(word) for w in own) for word in words):
            found.add(key)
    return found


def test_a_rare_word_with_a_common_one_checks_the_few_candidates():
    # "technologies" is in every name, "yor" in two: the candidates come from
    # the rare word and are checked for the common one, with the same result
    # as intersecting both word lists.
    names = {f"org/{i}": [f"Company {i} Technologies"] for i in range(500)}
    names["org/yorar"] = ["Yorarford Technologies"]
    names["org/yorb"] = ["Yorbin Tech", "Yorbin Technologies Group"]
    names["org/yorc"] = ["Yorc Labs"]
    index = NameIndex()
    for key, key_names in names.items():
        index.add(key, key_names)
    for query in ["yor technologies", "technologies yor", "yorar tech", "yor lab", "company 7 technologies", "yor zzz"]:
        assert index.candidates(fold(query)) == _brute_candidates(names, query), query
    assert [m.key for m in index.search("yorarford technologies")] == ["org/yorar"]


_WORDS = st.sampled_from(["ai", "air", "meta", "metal", "tech", "technologies", "yorar", "yo", "labs", "model", "7"])


@given(
    st.dictionaries(
        st.text(alphabet="abcdefgh", min_size=1, max_size=4),
        st.lists(st.lists(_WORDS, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=3),
        max_size=40,
    ),
    st.lists(
        st.sampled_from(["ai", "air", "met", "meta", "tec", "technologies", "yo", "yor", "labs", "7", "x"]), max_size=3
    ),
)
def test_candidates_are_exactly_the_names_having_every_query_word(names, query_words):
    index = NameIndex()
    for key, key_names in names.items():
        index.add(key, key_names)
    query = " ".join(query_words)
    assert index.candidates(fold(query)) == _brute_candidates(names, query)
