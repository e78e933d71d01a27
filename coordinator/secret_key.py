"""How hard a SECRET_KEY is to guess: an estimate in bits, not its length.

The key signs every session cookie: whoever guesses it can sign in as anyone. A random token
(`secrets.token_urlsafe(48)`: 384 bits; `secrets.token_hex(32)`: 256) passes with room to spare;
a phrase, a word repeated or a keyboard run is refused however long it is.

The estimate is the cheapest way to write the key down as a series of pieces an attacker
would try, each costing the bits needed to pick it:

- one character at random from the classes the key uses (lower case 26, upper case 26, digits
  10, others 33; a key of hex digits only, 16);
- a copy of text that came before ("abcabc…", "changemechangeme…"): where it starts and how long;
- a run with a steady step ("abcd", "1234", "9753"): its first character, step and length;
- a word from `secret_words.txt` (placeholders, password roots, keyboard rows, everyday words),
  also in capitals or with digits for letters ("Passw0rd"): about 10 bits;
- when the key is made of words (letters between separators or capitals: "correct horse
  battery staple", "Correct-Horse-…"), any word: a Diceware word's 12.9 bits, with the
  separator after it when it is the one the key's first word used.

A key must be at least 32 characters, use at least 10 distinct characters and come to 128 bits.
"""

from __future__ import annotations

import math
import re
import string
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 32
MIN_DISTINCT = 10
MIN_BITS = 128
GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"

_ANALYSED = 256  # a longer key is judged by its start: enough to see any pattern
_MIN_PIECE = 3  # shortest copy, run or word worth naming
_RECENT = 8  # earlier places remembered per three characters (bounds the work on "aaaa…")
_DICEWARE_WORD_BITS = math.log2(7776)
_LEET = str.maketrans("0134579@$!|+", "oieastgasilt")
_TOKENS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[^A-Za-z0-9]+")


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    text = (Path(__file__).with_name("secret_words.txt")).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split() if len(word) >= _MIN_PIECE)


def weakness(secret: str) -> str | None:
    """Why `secret` is too weak to sign sessions, or None when it is strong enough. The reason
    never quotes the key."""
    if len(secret) < MIN_LENGTH:
        return f"it has {len(secret)} characters, at least {MIN_LENGTH} are needed"
    if len(set(secret)) < MIN_DISTINCT:
        return f"it uses only {len(set(secret))} distinct characters, at least {MIN_DISTINCT} are needed"
    bits = estimated_bits(secret)
    if bits < MIN_BITS:
        return (
            f"it is made of guessable parts (repeated text, runs, words or keyboard rows): "
            f"about {int(bits)} bits, at least {MIN_BITS} are needed"
        )
    return None


def estimated_bits(secret: str) -> float:
    """The bits an attacker needs to guess `secret`, by its cheapest description (module doc)."""
    text = secret[:_ANALYSED]
    n = len(text)
    literal = _literal_bits(secret)
    folded = text.lower().translate(_LEET)
    words = _words()
    word_bits = math.log2(len(words)) + 1  # the word, and whether it is capitalised
    free_words = _word_spans(text)
    best = [0.0] + [math.inf] * n
    seen: dict[str, list[int]] = defaultdict(list)

    def relax(end: int, cost: float) -> None:
        if cost < best[end]:
            best[end] = cost

    for i in range(n):
        here = best[i]
        relax(i + 1, here + literal)
        key = text[i : i + _MIN_PIECE]
        for start in seen.get(key, ()):
            length = _match_length(text, start, i)
            for size in range(_MIN_PIECE, length + 1):
                relax(i + size, here + math.log2(i) + math.log2(size))
        if len(key) == _MIN_PIECE:
            places = seen[key]
            places.append(i)
            del places[:-_RECENT]
        run = _run_length(text, i)
        for size in range(_MIN_PIECE, run + 1):
            relax(i + size, here + literal + math.log2(size) + 2)
        for size in range(_MIN_PIECE, min(n - i, 12) + 1):
            if folded[i : i + size] in words:
                relax(i + size, here + word_bits)
        for end in free_words.get(i, ()):
            relax(end, here + _DICEWARE_WORD_BITS)
    return best[n]


def _literal_bits(secret: str) -> float:
    if all(c in string.hexdigits for c in secret) and secret in (secret.lower(), secret.upper()):
        return 4.0
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    size = sum(len(chars) for chars in classes if any(c in chars for c in secret))
    if any(not c.isascii() for c in secret):
        size += 100
    if any(c.isascii() and not c.isalnum() for c in secret):
        size += 33
    return math.log2(size)


def _match_length(text: str, earlier: int, here: int) -> int:
    length = 0
    while here + length < len(text) and text[earlier + length] == text[here + length]:
        length += 1
    return length


def _run_length(text: str, i: int) -> int:
    if i + 1 >= len(text):
        return 1
    step = ord(text[i + 1]) - ord(text[i])
    if step == 0 or abs(step) > 2:
        return 1
    length = 2
    while i + length < len(text) and ord(text[i + length]) - ord(text[i + length - 1]) == step:
        length += 1
    return length


def _word_spans(text: str) -> dict[int, list[int]]:
    """Where each word starts and ends, when the key is made of words: letters in runs of 3 or
    more (split at separators, digits and capitals) hold at least 80% of its letters, with few
    numbers or one- and two-letter fragments between them (random text has many)."""
    pieces = [(m.start(), m.end()) for m in _TOKENS.finditer(text)]
    tokens = [(start, end) for start, end in pieces if text[start].isalpha()]
    wordlike = [(start, end) for start, end in tokens if end - start >= _MIN_PIECE]
    letters = sum(end - start for start, end in tokens)
    if len(wordlike) < 3 or sum(end - start for start, end in wordlike) < 0.8 * letters:
        return {}
    fragments = sum(1 for start, end in pieces if text[start].isdigit() or (text[start].isalpha() and end - start < 3))
    if fragments > max(2, len(wordlike) // 4):  # digits and stray letters between: random text
        return {}
    first = wordlike[0][1]
    separator = text[first] if first < len(text) and not text[first].isalnum() else None
    spans: dict[int, list[int]] = defaultdict(list)
    for start, end in wordlike:
        spans[start].append(end)
        if separator is not None and text[end : end + 1] == separator:
            spans[start].append(end + 1)  # the same separator again tells an attacker nothing new
    return spans
