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


def read_ends(path: str | Path, head_markers: tuple[bytes, ...], tail_marker: bytes,
              block: int = 32 * 1024, head_max: int = 3 * 2**20, head_after: int = 2048
              ) -> tuple[bytes, bytes, bool]:
    """Head and tail of a file through one descriptor: ``(head, tail, whole_tail)``.

    The head grows (doubling from ``block``) until one of ``head_markers`` is inside, or up to
    ``head_max`` bytes, and ends ``head_after`` bytes after that marker; the tail grows until
    ``tail_marker`` is inside (as :func:`read_tail`). Gzip files are decompressed whole.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        n = block
        head = os.pread(fd, n, 0)
        if head[:2] == b"\x1f\x8b":
            data = read_all(path)
            return _cut_head(data, head_markers, head_after), data, True
        while True:
            cut = _cut_head(head, head_markers, head_after, None)
            if cut is not None:
                head = cut
                break
            if len(head) < n or n >= head_max:
                break
            n *= 2
            head = os.pread(fd, n, 0)
        n = block
        while True:
            start = max(0, size - n)
            tail = os.pread(fd, size - start, start)
            if start == 0 or tail_marker in tail:
                return head, tail, start == 0
            n *= 2
    finally:
        os.close(fd)


def _cut_head(data: bytes, markers: tuple[bytes, ...], after: int, default=...):
    for marker in markers:
        i = data.find(marker)
        if i >= 0:
            return data[: i + after]
    return data if default is ... else default
