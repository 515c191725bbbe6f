"""Text folding for name search.

Names are compared after folding: accents removed, case folded, dots and
apostrophes dropped inside words ("A.I." and "AI" both become ``ai``;
"Meta’s" becomes ``metas``), every other run of punctuation or spacing
turned into one space.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "tokens"]

# Characters dropped without leaving a space: they sit inside words.
_DROPPED = ".'’`´ʼ"
# ASCII fast path: keep letters and digits (lowercased), drop the in-word
# marks, turn everything else (punctuation, control characters) into spaces.
_ASCII_TABLE = str.maketrans(
    {
        chr(code): (chr(code).lower() if chr(code).isalnum() else None if chr(code) in _DROPPED else " ")
        for code in range(128)
    }
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
        return " ".join(text.translate(_ASCII_TABLE).split())
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
