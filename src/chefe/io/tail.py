"""Read only the bytes needed: the head of a file, or its tail grown until a marker appears."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from .scan import find_word, rfind_word

#: First tail block; doubled until the marker is found or the whole file is read.
TAIL_BLOCK = 256 * 1024


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def gunzip(raw: bytes, where: str | Path = "") -> bytes:
    """The content of gzip data (every member), through ISA-L (``isal``, about 3x zlib) when
    installed, else zlib. A stream cut short raises EOFError naming ``where``, as gzip does."""
    try:
        from isal import isal_zlib as engine
    except ImportError:  # no wheel for this platform: the standard library
        import zlib as engine
    out = []
    while raw:
        d = engine.decompressobj(31)  # 16 + MAX_WBITS: a gzip header
        out.append(d.decompress(raw))
        if not d.eof:
            raise EOFError(f"{where or 'gzip data'}: compressed file ended before the end-of-stream "
                           "marker was reached")
        raw = d.unused_data.lstrip(b"\x00")  # the next member (padding zeros end some files)
    return b"".join(out)


def read_head(path: str | Path, nbytes: int) -> bytes:
    """First ``nbytes`` of a file (gzip is decompressed on the fly)."""
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as handle:
        return handle.read(nbytes)


def read_all(path: str | Path) -> bytes:
    """The whole content of a file, a gzip file decompressed (once, by :func:`gunzip`)."""
    with open(path, "rb") as handle:
        raw = handle.read()
    return gunzip(raw, path) if raw[:2] == b"\x1f\x8b" else raw


def read_tail(path: str | Path, marker: bytes | None = None, block: int = TAIL_BLOCK) -> tuple[bytes, bool]:
    """Last bytes of a file, at least one ``block``, grown (doubling) until ``marker`` is inside.

    Returns ``(data, whole)``; ``whole`` is True when the entire file was read. Each round
    reads and searches only the new bytes. A gzip stream cannot be read from its end, so it
    is decompressed whole.
    """
    if is_gzip(path):
        return read_all(path), True
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - block)
        data = os.pread(fd, size - start, start)
        if start == 0 or marker is None or rfind_word(data, marker) >= 0:
            return data, start == 0
        data, whole, _ = _extend(fd, size, data, marker)
        return data, whole
    finally:
        os.close(fd)


def read_ends(path: str | Path, head_markers: tuple[bytes, ...], tail_marker: bytes,
              block: int = 32 * 1024, head_max: int = 3 * 2**20, head_after: int = 2048,
              then: bytes | None = None) -> tuple[bytes, bytes, bool, int]:
    """Head and tail of a file through one descriptor: ``(head, tail, whole_tail, at)``.

    The head grows (doubling from ``block``) until one of ``head_markers`` is inside, or up to
    ``head_max`` bytes, and ends ``head_after`` bytes after that marker; the tail grows
    (doubling) until ``tail_marker`` is inside and, when ``then`` is given, until ``then``
    occurs before the last ``tail_marker``; ``at`` is where that growth found ``then`` (-1 if
    the tail did not grow for it). Gzip files are decompressed whole.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        head = os.pread(fd, block, 0)
        if head[:2] == b"\x1f\x8b":
            data = read_all(path)
            return _cut_head(data, head_markers, head_after) or data, data, True, -1
        # grow by doubling; each round reads and searches only the new bytes (plus an overlap
        # for a marker cut in two), so every byte is read and scanned once
        overlap = max(len(m) for m in head_markers) - 1
        searched = 0
        while True:
            cut = _cut_head(head, head_markers, head_after, searched)
            if cut is not None:
                head = cut
                break
            if len(head) >= size or len(head) >= head_max:
                break
            searched = max(0, len(head) - overlap)
            head += os.pread(fd, min(len(head), head_max - len(head)), len(head))
        start = max(0, size - block)
        tail = os.pread(fd, size - start, start)
        whole, at = start == 0, -1
        last = rfind_word(tail, tail_marker)
        if last < 0 and not whole:
            tail, whole, last = _extend(fd, size, tail, tail_marker)
        if then is not None and last >= 0 and not whole and rfind_word(tail, then, 0, last) < 0:
            tail, whole, at = _extend(fd, size, tail, then)
    finally:
        os.close(fd)
    return head, tail, whole, at


def _extend(fd: int, size: int, tail: bytes, marker: bytes) -> tuple[bytes, bool, int]:
    """Grow ``tail``, the end of the file of ``size`` bytes open as ``fd``, by doubling until
    ``marker`` is inside; only the new bytes are read and searched.

    Returns ``(tail, whole, at)``: ``at`` is the position in the new tail of the last
    ``marker`` among the bytes added (-1 if none), i.e. the last one before the old tail.
    """
    pieces = [tail]
    have = len(tail)
    start = size - have
    at = -1
    k = len(marker) - 1
    while start > 0:
        new_start = max(0, start - have)
        piece = os.pread(fd, start - new_start, new_start)
        # the last occurrence: one cut in two by the old start, else one inside the new piece
        end = piece[-k:] if k else b""
        seam = (end + pieces[0][:k]).rfind(marker) if k else -1
        at = len(piece) - len(end) + seam if seam >= 0 else rfind_word(piece, marker)
        pieces.insert(0, piece)
        have += len(piece)
        start = new_start
        if at >= 0:
            break
    return b"".join(pieces), start <= 0, at


def _cut_head(data: bytes, markers: tuple[bytes, ...], after: int, start: int = 0) -> bytes | None:
    """``data`` up to ``after`` bytes past the first of ``markers`` found (searched from
    ``start``, in the order given), or None."""
    for marker in markers:
        i = find_word(data, marker, start)
        if i >= 0:
            return data[: i + after]
    return None


def decode_output(raw: bytes) -> tuple[str, tuple[str, str] | None]:
    """Text of a code's output file and, when it needed care, ``(flag or "", message)``.

    UTF-16 (a BOM, or every second byte NUL, as Windows editors and PowerShell redirections
    write) is decoded as such; a tail of NUL bytes (a file system that lost the end of the file
    in a crash) is cut and the file flagged ``truncated``; NUL bytes inside the text (a binary
    block) flag it ``unreadable``.
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) >= 64 and raw[1:64:2].count(0) > 28):
        try:
            text = raw.decode("utf-16")
            return text, ("", "UTF-16 encoded; read as UTF-16 (convert with: iconv -f UTF-16 -t UTF-8)")
        except UnicodeDecodeError:
            return raw.decode("utf-16", "replace"), ("unreadable", "UTF-16 encoded with broken characters")
    stripped = raw.rstrip(b"\x00")
    text = stripped.decode("utf-8", "replace")
    if len(stripped) < len(raw):
        return text, ("truncated", f"ends in {len(raw) - len(stripped)} NUL bytes (its end was lost while written)")
    if b"\x00" in stripped:
        return text, ("unreadable", "NUL bytes or a binary block inside the text")
    return text, None
