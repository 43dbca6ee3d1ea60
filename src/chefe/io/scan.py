"""Find a word in DFT output fast: jump between occurrences of one rare character of it.

``bytes.find``/``rfind`` with a multi-character word skip ahead only when the byte next to the
window cannot occur in the word (a 64-bit Bloom mask of ``byte & 63``): the digits 2 and 4 and
'.' share their mask bits with 'r', 't' and 'n', so over the number blocks of an OUTCAR
(eigenvalues, forces) ``rfind(b"Iteration")`` advances mostly one byte at a time (~6 GB/s).
A single character is found with ``memchr``/``memrchr`` (tens of GB/s); an upper-case letter
hardly ever occurs in those blocks, so finding the word's anchor letter and checking the
word there is ~15x faster over them; after a few false hits (text, where the letter is common)
the plain search takes over.
"""

from __future__ import annotations

from functools import lru_cache

#: Anchor hits checked before falling back to the plain search (the anchor is common in text).
_TRIES = 2


@lru_cache(maxsize=256)
def anchor_of(word: bytes) -> int:
    """Index of the character of ``word`` to search for.

    The first upper-case letter other than E and D (which occur in floats as exponents), else
    the first letter other than e/d, else 0.
    """
    for accept in (lambda c: 65 <= c <= 90 and c not in (68, 69),
                   lambda c: 97 <= c <= 122 and c not in (100, 101)):
        for k, c in enumerate(word):
            if accept(c):
                return k
    return 0


def rfind_word(data: bytes, word: bytes, start: int = 0, end: int | None = None,
               anchor: int | None = None, tries: int = _TRIES) -> int:
    """Like ``data.rfind(word, start, end)``: the highest index, or -1 (``start``, ``end`` >= 0).

    Found through the occurrences of one character of ``word`` (:func:`anchor_of` unless
    ``anchor`` is given); ``tries`` false hits of it before the plain search takes over.
    """
    return _search(data, word, start, end, anchor, backward=True, tries=tries)


def find_word(data: bytes, word: bytes, start: int = 0, end: int | None = None,
              anchor: int | None = None) -> int:
    """Like ``data.find(word, start, end)``: the lowest index, or -1 (``start``, ``end`` >= 0)."""
    return _search(data, word, start, end, anchor, backward=False)


def count_word(data: bytes, word: bytes, start: int = 0, end: int | None = None) -> int:
    """Like ``data.count(word, start, end)`` (non-overlapping occurrences; ``word`` not empty)."""
    end = len(data) if end is None else min(end, len(data))
    n, i = 0, find_word(data, word, start, end)
    while i >= 0:
        n += 1
        i = find_word(data, word, i + len(word), end)
    return n


def _search(data: bytes, word: bytes, start: int, end: int | None, anchor: int | None,
            backward: bool, tries: int = _TRIES) -> int:
    end = len(data) if end is None else min(end, len(data))
    k = anchor_of(word) if anchor is None else anchor
    char = word[k: k + 1]
    lo, hi = start + k, end - len(word) + k + 1  # where the anchor of a whole match can sit
    if hi <= lo:
        return -1
    i = data.rfind(char, lo, hi) if backward else data.find(char, lo, hi)
    for _ in range(tries):
        if i < 0:
            return -1
        if data.startswith(word, i - k):
            return i - k
        i = data.rfind(char, lo, i) if backward else data.find(char, i + 1, hi)
    if i < 0:
        return -1
    # text, where the anchor is common: the plain search over what is left
    return data.rfind(word, start, i - k + len(word)) if backward else data.find(word, i - k, end)
