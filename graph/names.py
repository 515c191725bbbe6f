"""The name and alias index behind search.

Every name and alias is folded (:func:`graph.text.fold`) and split into
words. The index maps each word to the entities having it, and keeps the
distinct words sorted so that a query word can match as a prefix with a
binary search. A query therefore touches only the entities that share its
words, never the whole graph.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from oversight_graph.graph.text import fold

__all__ = ["NameIndex", "NameMatch", "score_name"]

# A query word of this length or shorter must match a whole word: a one- or
# two-letter prefix would pull in a large part of a big graph.
_SHORT_WORD = 2
# When a prefix stands for more distinct words than this, only whole-word
# matches are used for it.
_MAX_PREFIX_WORDS = 2000
# Checking one entity's names for a word costs about as much as this many
# set insertions; below that ratio, candidates are checked one by one.
_CHECK_COST = 150


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The best-matching name of one entity for a query."""

    key: str
    score: float
    matched: str


def score_name(query: str, words: list[str], name: str, *, is_alias: bool) -> float:
    """Score how well a folded name matches a folded query, in [0, 1].

    Exact equality ranks first, then a name starting with the query, then
    names containing every query word, then names whose words start with
    the query words; a small bonus favours names the query covers more of,
    and the preferred name beats an alias.

    Examples
    --------
    >>> score_name("meta", ["meta"], "meta", is_alias=False)
    1.0
    >>> score_name("meta", ["meta"], "meta policy team", is_alias=False) < 1.0
    True
    """
    if not name:
        return 0.0
    if name == query:
        base = 0.9
    elif name.startswith(query + " "):
        base = 0.75
    else:
        name_words = name.split()
        if all(w in name_words for w in words):
            base = 0.6
        elif all(any(n.startswith(w) for n in name_words) for w in words):
            base = 0.45
        elif query in name:
            base = 0.3
        else:
            return 0.0
    coverage = len(query) / max(len(name), len(query))
    return round(base + 0.09 * coverage + (0.0 if is_alias else 0.01), 4)


class NameIndex:
    """Word index over entity names and aliases.

    Parameters
    ----------
    names_of
        Gives the names of an indexed key (preferred name first) when a
        match is scored; the index itself keeps only words. By default the
        names passed to :meth:`add` are kept.

    Examples
    --------
    >>> index = NameIndex()
    >>> index.add("org/caisi", ["Center for AI Standards and Innovation", "CAISI"])
    >>> [m.key for m in index.search("center for a.i. standards")]
    ['org/caisi']
    """

    def __init__(self, names_of: Callable[[str], Sequence[str]] | None = None) -> None:
        self._words: dict[str, list[str]] = {}
        self._kept: dict[str, tuple[str, ...]] = {}
        self._names_of = names_of or self._kept.__getitem__
        self._keep = names_of is None
        self._count = 0
        self._sorted: list[str] | None = None

    def __len__(self) -> int:
        return self._count

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in ("_words", "_kept", "_keep", "_count", "_sorted")}
        if not self._keep:
            state["_kept"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._names_of = self._kept.__getitem__

    def bind(self, names_of: Callable[[str], Sequence[str]]) -> None:
        """Read names through ``names_of`` (after unpickling an index that did not keep them)."""
        self._names_of = names_of

    def add(self, key: str, names: Iterable[str]) -> None:
        """Index the names of the entity ``key`` (the preferred name first)."""
        names = tuple(names)
        if self._keep:
            self._kept[key] = names
        self._count += 1
        seen: set[str] = set()
        words = self._words
        ordered = self._sorted
        for name in names:
            for word in fold(name).split():
                if word not in seen:
                    seen.add(word)
                    postings = words.get(word)
                    if postings is None:
                        postings = words[word] = []
                        if ordered is not None:  # kept sorted in place once built: no full re-sort per write
                            bisect.insort(ordered, word)
                    postings.append(key)

    def remove(self, key: str, names: Iterable[str]) -> None:
        """Forget the entity ``key``, indexed under ``names`` (the names it was added with).

        Examples
        --------
        >>> index = NameIndex()
        >>> index.add("org/caisi", ["CAISI"])
        >>> index.remove("org/caisi", ["CAISI"])
        >>> index.search("caisi"), len(index)
        ([], 0)
        """
        self._kept.pop(key, None)
        self._count -= 1
        words = self._words
        for word in {word for name in names for word in fold(name).split()}:
            postings = words.get(word)
            if postings is None:
                continue
            try:
                postings.remove(key)
            except ValueError:
                continue
            if not postings:
                del words[word]
                if self._sorted is not None:
                    at = bisect.bisect_left(self._sorted, word)
                    if at < len(self._sorted) and self._sorted[at] == word:
                        del self._sorted[at]

    def prepare(self) -> None:
        """Build the sorted word list now rather than on the first search."""
        if self._sorted is None:
            self._sorted = sorted(self._words)

    def knows(self, word: str) -> bool:
        """Whether the folded ``word`` matches some indexed word (whole, or as a prefix when long enough)."""
        return bool(self._postings(word)[0])

    def vocabulary(self) -> list[str]:
        """Every indexed word, sorted (shared: do not modify)."""
        self.prepare()
        assert self._sorted is not None
        return self._sorted

    def _postings(self, word: str) -> tuple[list[str], bool]:
        """The indexed words ``word`` matches, and whether it matches them as a prefix.

        A short word, or one that starts too many distinct words, matches
        only itself.
        """
        if len(word) <= _SHORT_WORD:
            return ([word] if word in self._words else []), False
        self.prepare()
        assert self._sorted is not None
        lo = bisect.bisect_left(self._sorted, word)
        hi = bisect.bisect_left(self._sorted, word + "\U0010ffff", lo)
        if hi - lo > _MAX_PREFIX_WORDS:
            return ([word] if word in self._words else []), False
        return self._sorted[lo:hi], True

    def _keys_for(self, words: list[str]) -> set[str]:
        """Entities having any of the indexed ``words``."""
        found: set[str] = set()
        for word in words:
            found.update(self._words[word])
        return found

    def _words_of(self, key: str) -> set[str]:
        """The folded words of every name of ``key``, as indexed."""
        return {word for name in self._names_of(key) for word in fold(name).split()}

    def candidates(self, query: str) -> set[str]:
        """Keys of entities whose names contain every word of the folded ``query``.

        Only the rarest query word's entities are collected from the index;
        when they are few, each is checked for the other words directly, so
        a common word ("technologies") is never turned into a set of every
        entity having it.
        """
        words = query.split()
        if not words:
            return set()
        plans: list[tuple[int, str, list[str], bool]] = []
        for word in dict.fromkeys(words):
            matched, prefix = self._postings(word)
            size = sum(len(self._words[w]) for w in matched)
            if size == 0:
                return set()
            plans.append((size, word, matched, prefix))
        plans.sort(key=lambda plan: plan[0])
        result = self._keys_for(plans[0][2])
        rest = plans[1:]
        if not rest:
            return result
        if len(result) * _CHECK_COST < rest[0][0]:
            checks = [(word, prefix) for _size, word, _matched, prefix in rest]
            kept: set[str] = set()
            for key in result:
                own = self._words_of(key)
                if all(any(w.startswith(word) for w in own) if prefix else word in own for word, prefix in checks):
                    kept.add(key)
            return kept
        for _size, _word, matched, _prefix in rest:
            result &= self._keys_for(matched)
            if not result:
                break
        return result

    def match(self, key: str, query: str) -> NameMatch | None:
        """The best-scoring name of ``key`` for the folded ``query``."""
        words = query.split()
        best: NameMatch | None = None
        for position, name in enumerate(self._names_of(key)):
            score = score_name(query, words, fold(name), is_alias=position > 0)
            if score > 0 and (best is None or score > best.score):
                best = NameMatch(key, score, name)
        return best

    def search(self, text: str) -> list[NameMatch]:
        """Every entity matching ``text``, best first (ties by key)."""
        query = fold(text)
        matches = [m for key in self.candidates(query) if (m := self.match(key, query))]
        matches.sort(key=lambda m: (-m.score, m.key))
        return matches
