"""Word search through a rare anchor character: the same answers as bytes.find / rfind."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from chefe.io.scan import anchor_of, count_word, find_word, rfind_word

OUTCAR = Path(__file__).parent / "files" / "vasp" / "Fe2O2_relax" / "OUTCAR.gz"
WORDS = [b"Iteration", b"free  energy   TOTEN", b"TOTAL-FORCE (eV/Angst)",
         b"direct lattice vectors", b"reached required accuracy", b"General timing", b"e", b"--",
         b"  ", b"LOOP", b"no such word"]


def test_anchor_is_a_rare_letter():
    assert anchor_of(b"Iteration") == 0
    assert anchor_of(b"free  energy   TOTEN") == 15  # T: not E (an exponent), not lower case
    assert anchor_of(b"energy") == 1  # n: the first letter that is not e/d
    assert anchor_of(b"--") == 0


@pytest.mark.parametrize("word", WORDS)
def test_same_answers_as_bytes_methods_on_a_real_outcar(word):
    data = gzip.decompress(OUTCAR.read_bytes())
    rng = np.random.default_rng(len(word))
    bounds = [(0, len(data)), (0, len(data) + 10)]
    bounds += [tuple(sorted(rng.integers(0, len(data) + 5, 2))) for _ in range(40)]
    for start, end in bounds:
        start, end = int(start), int(end)
        assert rfind_word(data, word, start, end) == data.rfind(word, start, end)
        assert find_word(data, word, start, end) == data.find(word, start, end)
        for k in range(len(word)):  # any anchor gives the same answer
            assert rfind_word(data, word, start, end, anchor=k) == data.rfind(word, start, end)
            assert find_word(data, word, start, end, anchor=k) == data.find(word, start, end)
        if len(word) > 2:  # non-overlapping counts agree for words that cannot overlap
            assert count_word(data, word, start, end) == data.count(word, start, end)


def test_edges():
    word = b"Iteration"
    for data in (b"", b"I", word, b"xxIterationIteration", b"IIIIIIIIIIIIIIIIIIIteration"):
        for start in range(len(data) + 2):
            for end in range(start, len(data) + 2):
                assert rfind_word(data, word, start, end) == data.rfind(word, start, end)
                assert find_word(data, word, start, end) == data.find(word, start, end)


def test_count_in_a_file_read_by_blocks(tmp_path):
    """The block reader counts a word cut in two by a block boundary once, and stops at ``end``."""
    from chefe.io.vasp import _count

    word = b"<calculation>"
    data = bytearray(b"x" * (3 * 2**20))
    starts = [0, 2**20 - 5, 2**20 + 100, 2 * 2**20 - 12, len(data) - len(word)]
    for i in starts:
        data[i: i + len(word)] = word
    path = tmp_path / "vasprun.xml"
    path.write_bytes(bytes(data))
    assert _count(path, word) == len(starts) == bytes(data).count(word)
    for end in (0, 1, 2**20, 2**20 + 8, 2**20 + 200, len(data) - 1, len(data)):
        assert _count(path, word, end) == bytes(data).count(word, 0, end)
