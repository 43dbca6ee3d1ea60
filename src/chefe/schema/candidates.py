"""The schema of a candidate table's header (``chefe screen candidates.csv``).

Columns: a name column (``name``, ``catalyst`` or ``candidate``), one column per step id of the
network (ΔG° at U = 0, pH 0, in the table's unit), optional ``dG_H`` (ΔG*H), ``class`` and
``flags``, and any number of descriptor columns. A column that looks like a misspelt step id or
special column (``NO_N0H``, ``no3_ads``, ``dG_h``, ``Class``) is an error naming the close match,
never a silent descriptor.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError

NAME_COLUMNS = ("name", "catalyst", "candidate")
SPECIAL_COLUMNS = ("dG_H", "class", "flags")


@dataclass(frozen=True)
class CandidateColumns:
    """What each column of a candidate table is."""

    name: str
    steps: tuple[str, ...]
    dG_H: str | None
    labels: tuple[str, ...]
    descriptors: tuple[str, ...]
    #: step ids of the network with no column
    absent_steps: tuple[str, ...]


def _looks_like(column: str, targets: Sequence[str]) -> str | None:
    folded = {t.lower().replace("-", "_").replace(" ", "_"): t for t in targets}
    key = column.strip().lower().replace("-", "_").replace(" ", "_")
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(column, list(targets), n=1, cutoff=0.8)
    return close[0] if close else None


def candidate_columns(header: Sequence[str], step_ids: Sequence[str], *, source: str,
                      network: str = "") -> CandidateColumns:
    """Classify the header of a candidate table, or raise one :class:`InputError` line.

    Raises:
        InputError: an unnamed or repeated column, no name column, no step column, or a column
            that looks like a misspelt step id or special column (naming the close match).
    """
    header = [str(c) for c in header]
    for j, column in enumerate(header):
        if not column.strip():
            raise InputError(f"{source}: column {j + 1} of the header has no name")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputError(f"{source}: column {repeated[0]!r} appears {header.count(repeated[0])} times in the header")
    name = next((c for c in NAME_COLUMNS if c in header), None)
    if name is None:
        near = next((c for c in header if _looks_like(c, NAME_COLUMNS)), None)
        hint = f" ({near!r} is close: rename it to 'name')" if near else ""
        raise InputError(f"{source}: needs a 'name' (or 'catalyst') column{hint}; the header is {header}")
    steps, labels, descriptors = [], [], []
    dG_H = None
    known = set(step_ids)
    for column in header:
        if column == name:
            continue
        if column in known:
            steps.append(column)
        elif column == "dG_H":
            dG_H = column
        elif column in SPECIAL_COLUMNS:
            labels.append(column)
        elif column in NAME_COLUMNS:
            descriptors.append(column)  # a second name-like column: kept as text
        else:
            near = _looks_like(column, [*step_ids, *SPECIAL_COLUMNS])
            if near is not None:
                what = "step id" if near in known else "column"
                raise InputError(
                    f"{source}: column {column!r} looks like the {what} {near!r} misspelt; rename it to "
                    f"{near!r}, or give a descriptor a name less like it")
            descriptors.append(column)
    if not steps:
        raise InputError(f"{source}: no column matches a step id of {network!r}; its steps are {list(step_ids)}")
    absent = tuple(s for s in step_ids if s not in set(steps))
    return CandidateColumns(name, tuple(steps), dG_H, tuple(labels), tuple(descriptors), absent)
