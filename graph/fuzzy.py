"""Typo-tolerant search: close spellings of query words that match no name.

When a query word appears in no indexed name ("antropic"), search tries
the indexed words closest to it ("anthropic") instead. The similarity is
rapidfuzz's normalised Indel ratio (0–100), the one library graph/ uses
beyond networkx: matching spellings well and fast over a large vocabulary
is its whole job, and it pulls in nothing else.

Only words that match nothing are replaced, so a query that finds
something exactly is never widened, and fuzzy hits are always ranked
after exact ones (:func:`graph.queries.search`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from oversight_graph.graph.names import NameIndex, NameMatch

__all__ = ["MIN_SIMILARITY", "MIN_WORD_LENGTH", "FuzzyMatch", "close_words", "fuzzy_matches"]

MIN_SIMILARITY = 80.0
"""Least similarity (0–100) for an indexed word to stand in for a query word."""

MIN_WORD_LENGTH = 4
"""Shorter query words are never replaced: too many words are one letter away from them."""

_ALTERNATIVES = 3
"""Closest indexed words tried for each unknown query word."""


@dataclass(frozen=True, slots=True)
class FuzzyMatch:
    """An entity found through close spellings: its best name match and the query that found it."""

    match: NameMatch
    similarity: float
    corrected: str


def close_words(word: str, vocabulary: Sequence[str], limit: int = _ALTERNATIVES) -> list[tuple[str, float]]:
    """The indexed words most similar to ``word``, with their similarity (0–100), best first.

    Parameters
    ----------
    word
        A folded query word.
    vocabulary
        The indexed words to choose from.
    limit
        At most this many words.

    Examples
    --------
    >>> close_words("antropic", ["anthropic", "antarctic", "meta"])
    [('anthropic', 94.11764705882352)]
    >>> close_words("met", ["meta"])
    []
    """
    if len(word) < MIN_WORD_LENGTH:
        return []
    found = process.extract(word, vocabulary, scorer=fuzz.ratio, limit=limit, score_cutoff=MIN_SIMILARITY)
    return [(choice, score) for choice, score, _position in found]


def fuzzy_matches(index: NameIndex, query: str) -> list[FuzzyMatch]:
    """Entities whose names match ``query`` once its unknown words are respelt, best first.

    Each query word that no indexed name contains is replaced by its
    closest indexed words; every combination is searched, and an entity
    found by several keeps its best. The score of a fuzzy match is its
    name score times the similarity of the respelt words.

    Parameters
    ----------
    index
        The name index to search.
    query
        The folded query.

    Examples
    --------
    >>> index = NameIndex()
    >>> index.add("org/anthropic", ["Anthropic"])
    >>> [(m.match.key, m.corrected) for m in fuzzy_matches(index, "antropic")]
    [('org/anthropic', 'anthropic')]
    >>> fuzzy_matches(index, "anthropic")
    []
    """
    words = query.split()
    choices: list[list[tuple[str, float]]] = []
    respelt = False
    for word in words:
        if index.knows(word):
            choices.append([(word, 100.0)])
            continue
        close = close_words(word, index.vocabulary())
        if not close:
            return []
        choices.append(close)
        respelt = True
    if not respelt:
        return []
    best: dict[str, FuzzyMatch] = {}
    for combination in itertools.product(*choices):
        corrected = " ".join(word for word, _score in combination)
        similarity = min(score for _word, score in combination)
        for key in index.candidates(corrected):
            match = index.match(key, corrected)
            if match is None:
                continue
            found = FuzzyMatch(match, similarity, corrected)
            held = best.get(key)
            if held is None or _rank(found) > _rank(held):
                best[key] = found
    return sorted(best.values(), key=lambda m: (-_rank(m), m.match.key))


def _rank(found: FuzzyMatch) -> float:
    return found.match.score * found.similarity / 100
