"""Candidate tables (``chefe screen candidates.csv``): what spreadsheets write, read; what is wrong, refused.

A candidate table has a name column, one column per step id (ΔG° at U = 0, pH 0, in the
table's unit), optional ``dG_H``, ``class`` and ``flags`` columns and any descriptor columns
(see :mod:`chefe.schema.candidates`). Forgiven: a UTF-8 byte-order mark, ``;`` or tab as the
delimiter (with ``;``, decimal commas), CRLF line ends. Refused with one line naming the row,
candidate and column: a misspelt step column, a non-number, NaN/inf, a row longer or shorter
than the header, a quote never closed, a repeated or empty name. An empty cell is reported per
candidate and column, and that candidate's routes through the step are skipped.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from .errors import InputError
from .network import Network

DELIMITERS = (",", ";", "\t")


def _delimiter(header_line: str) -> str:
    """The delimiter of a table: the one of , ; TAB that the header line uses most (ties: comma)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _number(field: str, decimal_comma: bool) -> float:
    text = field.strip()
    if decimal_comma and "," in text:
        text = text.replace(",", ".")
    return float(text)


def candidates_from_columns(columns, network: Network, *, source: str = "<table>", units: str = "eV") -> dict:
    """Candidates from any column mapping (a pandas DataFrame, a dict of arrays): same columns
    and rules as :func:`load_candidates_csv`."""
    from .schema import candidate_columns, energy_units

    keys = [str(k) for k in columns.keys()]
    spec = candidate_columns(keys, network.step_ids, source=source, network=network.name)
    names = [str(v) for v in list(columns[spec.name])]
    dup = sorted({v for v in names if names.count(v) > 1}) if len(names) < 200_000 else []
    if dup:
        raise InputError(f"{source}: duplicate candidates {dup[:10]}")
    factor = energy_units()[units]
    dG0 = np.full((len(network.steps), len(names)), np.nan)
    for c in spec.steps:
        dG0[network.index(c)] = np.asarray(columns[c], dtype=float) * factor
    return {"names": names, "dG0": dG0,
            "dG_H": np.asarray(columns["dG_H"], dtype=float) * factor if spec.dG_H else None,
            "classes": [str(v) for v in columns["class"]] if "class" in spec.labels else None,
            "flags": [str(v) for v in columns["flags"]] if "flags" in spec.labels else None,
            "unknown_columns": list(spec.descriptors),
            "descriptors": {c: _column_values(list(columns[c])) for c in spec.descriptors},
            "notes": _absent_note(spec, network, source)}


def _column_values(values: list) -> np.ndarray:
    """A descriptor column: floats (empty cells NaN) when every cell is a number, else text."""
    try:
        return np.array([float(v) if str(v).strip() else np.nan for v in values])
    except (TypeError, ValueError):
        return np.array([str(v) for v in values], dtype=object)


def _absent_note(spec, network: Network, source: str) -> list[str]:
    """One line for step columns the table lacks: an error when no route can be completed."""
    if not spec.absent_steps:
        return []
    absent = set(spec.absent_steps)
    needs = []
    for r in network.routes_to(None):
        route = network.routes[r]
        lacking = [network.steps[i].id for i in route.unique_steps if network.steps[i].id in absent]
        if not lacking:
            return [f"{source}: no column for steps {sorted(absent)}: routes through them are not considered"]
        needs.append(lacking)
    fewest = min(needs, key=len)
    raise InputError(f"{source}: no route to {network.target} can be completed: the table has no column for "
                     f"{', '.join(fewest)}" + (" (the route needing fewest new columns)" if len(needs) > 1 else ""))


def load_candidates_csv(path: str | Path, network: Network, *, units: str = "eV") -> dict:
    """Candidates from a CSV file (see the module docstring); energies converted from ``units``.

    Returns a dict: ``names``, ``dG0`` (n_steps, n) in eV with NaN for empty cells, ``dG_H``,
    ``classes``, ``flags``, ``unknown_columns`` and ``descriptors`` (the other columns, as
    arrays) and ``notes`` (empty cells per candidate and column, absent step columns).

    A plain comma table (no quotes, no empty or non-finite values, no repeated names) is parsed
    by numpy's C reader; any other goes through the csv module row by row.
    """
    from .schema import candidate_columns, energy_units
    from .textfile import read_text

    path = Path(path)
    text = read_text(path, what="candidates table")
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(first)
    decimal_comma = delimiter == ";"
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: malformed CSV header: {exc}") from None
    if not header or not text.split("\n", 1)[-1].strip():
        raise InputError(f"{path}: no candidates" + ("" if header else " (the file is empty)"))
    spec = candidate_columns(header, network.step_ids, source=str(path), network=network.name)
    notes = _absent_note(spec, network, str(path))
    if delimiter != ",":
        notes.append(f"{path}: read with {'tab' if delimiter == chr(9) else repr(delimiter)} as the delimiter"
                     + ("; decimal commas read as points" if decimal_comma else ""))
    factor = energy_units()[units]
    if units != "eV":
        notes.append(f"{path}: energies in {units}, converted to eV (ase.units)")
    numeric = list(spec.steps) + ([spec.dG_H] if spec.dG_H else [])
    strings = [spec.name, *spec.labels]
    table = _plain_table(text, header, numeric, strings) if delimiter == "," and not spec.descriptors else None
    if table is not None:
        values, columns = table
        dG0 = np.full((len(network.steps), values.shape[0]), np.nan)
        for j, c in enumerate(spec.steps):
            dG0[network.index(c)] = values[:, j] * factor
        return {"names": columns[spec.name], "dG0": dG0,
                "dG_H": values[:, len(spec.steps)] * factor if spec.dG_H else None,
                "classes": columns.get("class"), "flags": columns.get("flags"),
                "unknown_columns": list(spec.descriptors), "descriptors": {}, "notes": notes}
    return _read_rows(path, text, delimiter, decimal_comma, header, spec, network, factor, notes)


def _read_rows(path, text, delimiter, decimal_comma, header, spec, network, factor, notes) -> dict:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        next(reader)
        records = []
        for row in reader:
            if row:
                records.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV: {exc}") from None
    if not records:
        raise InputError(f"{path}: no candidates")
    n = len(records)
    position = {c: j for j, c in enumerate(header)}
    dG0 = np.full((len(network.steps), n), np.nan)
    dG_H = np.full(n, np.nan) if spec.dG_H else None
    names, seen, empty = [], set(), []
    text_columns = {c: [] for c in (*spec.labels, *spec.descriptors)}
    for k, (line, row) in enumerate(records):
        if any("\n" in f for f in row):
            raise InputError(f"{path}: a quote opened before line {line} is never closed, so the rest of "
                             "the file would be one cell; close it or remove it")
        if len(row) != len(header):
            raise InputError(f"{path}: line {line} has {len(row)} fields but the header has {len(header)}"
                             + (f" (is there a '{delimiter}' inside a name? quote it)" if len(row) > len(header) else ""))
        name = row[position[spec.name]].strip()
        if not name:
            raise InputError(f"{path}: line {line}: the candidate has no name")
        if name in seen:
            raise InputError(f"{path} line {line}: duplicate candidate {name!r}")
        seen.add(name)
        names.append(name)
        missing = []
        for c in (*spec.steps, *([spec.dG_H] if spec.dG_H else [])):
            field = row[position[c]].strip()
            if field == "":
                missing.append(c)
                continue
            try:
                value = _number(field, decimal_comma)
            except ValueError:
                raise InputError(f"{path} line {line} ({name}): {c} = {field!r} is not a number") from None
            if not math.isfinite(value):
                raise InputError(f"{path} line {line} ({name}): {c} is {value}; leave the cell empty if "
                                 "there is no value")
            if c == spec.dG_H:
                dG_H[k] = value * factor
            else:
                dG0[network.index(c), k] = value * factor
        if missing:
            empty.append(f"{name}: empty cell(s) in {', '.join(missing)}")
        for c in text_columns:
            text_columns[c].append(row[position[c]])
    if empty:
        notes.extend(empty[:1000])
        if len(empty) > 1000:
            notes.append(f"... and {len(empty) - 1000} more candidates with empty cells")
    return {"names": names, "dG0": dG0, "dG_H": dG_H,
            "classes": text_columns.get("class"), "flags": text_columns.get("flags"),
            "unknown_columns": list(spec.descriptors),
            "descriptors": {c: _column_values(text_columns[c]) for c in spec.descriptors},
            "notes": notes}


def _plain_table(text: str, header: list[str], numeric: list[str], strings: list[str]):
    """Columns of a plain comma table: ``(values, {column: [str, ...]})``, or None for any other.

    Plain: no quotes, unique header names, every row with all ``numeric`` fields present and
    finite, and no repeats in the first of ``strings`` (the names). ``values`` has one column
    per name in ``numeric``, parsed by numpy's C reader (the same doubles as ``float()``).
    """
    if '"' in text or len(set(header)) != len(header):
        return None
    if "\r" in text:  # CRLF only (a lone CR also ends a csv row)
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = [line for line in text.split("\n")[1:] if line]  # the csv module skips empty lines
    if not lines or any(not line.strip() for line in lines):
        return None
    if any(line.count(",") != len(header) - 1 for line in lines):  # short or long rows: the row reader says which
        return None
    position = {c: j for j, c in enumerate(header)}
    try:
        values = np.loadtxt(lines, delimiter=",", usecols=[position[c] for c in numeric],
                            dtype=float, comments=None, ndmin=2)
    except ValueError:  # an empty or non-numeric field
        return None
    if values.shape[0] != len(lines) or not np.isfinite(values).all():
        return None
    last = max(position[c] for c in strings)
    fields = [line.split(",", last + 1) for line in lines]
    columns = {c: [f[position[c]] for f in fields] for c in strings}
    names = columns[strings[0]]
    if len(set(names)) != len(lines) or any(not n.strip() or n != n.strip() for n in names):
        return None
    return values, columns
