"""The folded form of a name that search and duplicate detection compare: case, spacing and
accents ignored, so "Zoe" finds "Zoë" and "NGUYEN" finds "Nguyễn".

Migration 0018 holds a frozen copy of `fold` to rewrite stored keys; change both together.
"""

from __future__ import annotations

import unicodedata

# Letters with a stroke or ligature that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def fold(text: str) -> str:
    """`text` compatibility-decomposed (NFKD), without combining marks, casefolded, with runs of
    white space made one space. Pure; the same text always gives the same key."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Casefold again: decomposition can produce capitals (e.g. from compatibility characters).
    return " ".join(bare.casefold().translate(_UNDECOMPOSED).split())


def normalise_key(text: str | None, limit: int = 160) -> str | None:
    """Case-, space- and accent-insensitive form of a name (`fold`), for search and duplicate
    detection; cut to `limit`, the key column's length (folding can lengthen)."""
    if not text:
        return None
    # A name of nothing but marks folds to nothing; it keeps its marks rather than lose its key.
    return (fold(text) or " ".join(text.casefold().split()))[:limit] or None
