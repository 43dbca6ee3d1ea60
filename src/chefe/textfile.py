"""Read a user's text file (YAML, CSV) whole, or say in one line why it cannot be read.

Every input file chefe reads from a user goes through :func:`read_text`: a missing file, a
folder, a file in another encoding (a latin-1 byte, UTF-16 from a spreadsheet), a binary file,
a file beyond the size limit or a line beyond the line limit is an :class:`InputError` naming
the file, the line and byte offset and what to do instead. A UTF-8 byte-order mark (what
spreadsheets write) is accepted and removed.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from .errors import InputError

#: the longest line accepted (characters): a candidate row with a few hundred columns is < 10 kB
MAX_LINE = 1 << 20
#: the largest file accepted (bytes): a CSV of a few million candidates
MAX_BYTES = 4 << 30


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _longest_line(data: bytes) -> tuple[int, int]:
    """(length, 1-based line number) of the longest line, for data larger than MAX_LINE only."""
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    k = int(np.argmax(lengths))
    return int(lengths[k]), k + 1


def read_text(path: str | Path, *, what: str = "file", max_bytes: int = MAX_BYTES,
              max_line: int = MAX_LINE) -> str:
    """The text of ``path`` (UTF-8, an optional byte-order mark removed; CRLF kept).

    Args:
        what: what the file is, for the messages ("energies file", "candidates table").
        max_bytes, max_line: size limits; beyond them the file is refused before it is parsed.

    Raises:
        InputError: one line naming the file and what to do instead.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{what} {str(path)!r} does not exist")
    if path.is_dir():
        raise InputError(f"{what} {str(path)!r} is a folder, not a file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size:,} bytes, more than the {max_bytes:,} accepted for a {what}; "
                             "split it into several files")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{path}: the file is UTF-16 (as some spreadsheets save it); save it as UTF-8 "
                         "(in Excel: 'CSV UTF-8'), or convert it: iconv -f UTF-16 -t UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul)
        raise InputError(f"{path}: a NUL byte at line {line}, column {column} (byte offset {nul}): "
                         f"this is not a text file; give the {what} as UTF-8 text")
    if len(data) > max_line:
        longest, line = _longest_line(data)
        if longest > max_line:
            raise InputError(f"{path}: line {line} is {longest:,} characters long, more than the "
                             f"{max_line:,} accepted; is this the {what} you meant?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(data, exc.start)
        byte = data[exc.start]
        guess = bytes([byte]).decode("latin-1")
        raise InputError(
            f"{path}: byte 0x{byte:02x} at line {line}, column {column} (byte offset {exc.start}) is not "
            f"UTF-8 (in latin-1 it would be {guess!r}); save the file as UTF-8, e.g. "
            f"iconv -f latin1 -t utf-8 {path.name} > fixed_{path.name}") from None


def _unique_loader():
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise InputError(f"line {key_node.start_mark.line + 1}: a key must be a name, "
                                 f"not {type(key).__name__} {key!r}") from None
            if key in keys:
                raise InputError(
                    f"duplicate key {key!r} at line {key_node.start_mark.line + 1}: "
                    "each catalyst, species and step may appear once"
                )
            keys.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return UniqueKeyLoader


def parse_yaml(text: str, source: str) -> Any:
    """``yaml.safe_load`` of ``text`` that rejects duplicate keys; errors name ``source``."""
    import yaml

    try:
        return yaml.load(text, Loader=_unique_loader())  # noqa: S506 - SafeLoader subclass
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise InputError(f"{source}: the YAML nests too deeply to be an input file") from None


def read_yaml(path: str | Path, *, what: str = "YAML file", lines: bool = False) -> Any:
    """A YAML file read with a safe loader that rejects duplicate keys; errors name the file.

    With ``lines=True``, returns ``(data, {key path: line number})`` for error messages.
    """
    from .schema import yaml_key_lines

    text = read_text(path, what=what)
    data = parse_yaml(text, str(path))
    return (data, yaml_key_lines(text)) if lines else data


def _yaml_problem(exc) -> str:
    """A YAML error in one line: where, what, and the usual fix."""
    mark = getattr(exc, "problem_mark", None)
    problem = (getattr(exc, "problem", None) or str(exc).splitlines()[0]).strip()
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    hint = ""
    if "'\\t'" in problem or "\t" in problem:
        hint = ": a tab; indent YAML with spaces"
    elif "mapping values are not allowed" in problem:
        hint = ": a ':' inside a value; quote the value, or put a space after the key's ':'"
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = ": check the indentation of this line and the one before"
    elif "found undefined alias" in problem or "found unhashable key" in problem:
        hint = ""
    context = getattr(exc, "context", None)
    extra = f" ({context})" if context and not hint else ""
    return f"malformed YAML{where}: {problem}{extra}{hint}"
