"""Read only the bytes needed: the head of a file, or its tail grown until a marker appears."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

#: First tail block; doubled until the marker is found or the whole file is read.
TAIL_BLOCK = 256 * 1024


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def read_head(path: str | Path, nbytes: int) -> bytes:
    """First ``nbytes`` of a file (gzip is decompressed on the fly)."""
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as handle:
        return handle.read(nbytes)


def read_all(path: str | Path) -> bytes:
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as handle:
        return handle.read()


def read_tail(path: str | Path, marker: bytes | None = None, block: int = TAIL_BLOCK) -> tuple[bytes, bool]:
    """Last bytes of a file, at least one ``block``, grown (doubling) until ``marker`` is inside.

    Returns ``(data, whole)``; ``whole`` is True when the entire file was read. A gzip stream
    cannot be read from its end, so it is decompressed whole.
    """
    if is_gzip(path):
        return read_all(path), True
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        n = block
        while True:
            start = max(0, size - n)
            handle.seek(start)
            data = handle.read(size - start)
            if start == 0 or marker is None or marker in data:
                return data, start == 0
            n *= 2
