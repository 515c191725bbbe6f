"""Text folding for name search.

Names are compared after folding: accents removed, case folded, dots and
apostrophes dropped inside words ("A.I." and "AI" both become ``ai``;
"Meta’s" becomes ``metas``), every other run of punctuation or spacing
turned into one space.
"""

from __future__ import annotations

import string
import unicodedata

__all__ = ["fold", "tokens"]

# Characters dropped without leaving a space: they sit inside words.
_DROPPED = ".'’`´ʼ"
# ASCII fast path: drop the in-word marks, turn other punctuation into spaces.
_ASCII_TABLE = str.maketrans(
    {**{c: None for c in _DROPPED if c.isascii()}, **{c: " " for c in string.punctuation if c not in _DROPPED}}
)


def fold(text: str) -> str:
    """Fold text for comparison: no accents, no case, no punctuation.

    Parameters
    ----------
    text
        Any string; characters that are neither letters nor digits become
        separators.

    Returns
    -------
    str
        Lowercase words separated by single spaces.

    Examples
    --------
    >>> fold("Center for A.I. Standards & Innovation")
    'center for ai standards innovation'
    >>> fold("  Müller-Lüdenscheidt ")
    'muller ludenscheidt'
    """
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).lower().split())
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) or ch in _DROPPED:
            continue
        category = unicodedata.category(ch)
        out.append(ch if category[0] in "LN" else " ")
    return " ".join("".join(out).casefold().split())


def tokens(text: str) -> list[str]:
    """The folded words of ``text``.

    Examples
    --------
    >>> tokens("Howard Lutnick's office")
    ['howard', 'lutnicks', 'office']
    """
    return fold(text).split()
