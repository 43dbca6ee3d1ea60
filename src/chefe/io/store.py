"""Store run records in an ASE database (SQLite file or any ``ase.db`` URL, PostgreSQL included).

Row layout: the final structure with a SinglePointCalculator holding the energy (so ``ase db``
shows it); key-value pairs ``catalyst, species, role, code, reader, run_path, ok, flags,
e_dft, e_kind`` and one ``flag_<name>=True`` per flag (:func:`flag_keys`); data ``settings, frequencies, files (path, digest, size, mtime), messages,
reader version, chefe version``. Rows are identified by ``run_path``: writing a record whose
path is stored replaces that row.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from .record import RunRecord
from .tree import RunKey


def run_ok(role: str, energy, frequencies, flags) -> bool:
    """The ``ok`` column: the run gave its result (an energy; for a vibration run, frequencies)
    and carries no flag."""
    result = frequencies if role == "vibrations" else energy
    has = result is not None and (role != "vibrations" or len(result) > 0)
    return bool(has and not flags)


KEYS = ("catalyst", "species", "role", "code", "reader", "run_path", "ok", "flags", "e_dft", "e_kind")


def flag_keys(flags) -> dict[str, bool]:
    """One queryable key per flag (``ase db results.db flag_unfinished=True``): ``flag_<name>``
    for every flag and, for a flag with a detail (``settings_mismatch:LDAU``), also
    ``flag_<name>_<detail>`` (``flag_settings_mismatch_LDAU``); counts (``imaginary_modes:2``)
    stay in the ``flags`` text."""
    import re

    out: dict[str, bool] = {}
    for flag in flags:
        if not flag:
            continue
        name, _, detail = flag.partition(":")
        out["flag_" + re.sub(r"\W", "_", name)] = True
        if detail and not detail.isdigit():
            out["flag_" + re.sub(r"\W+", "_", f"{name}_{detail}").strip("_")] = True
    return out


def open_existing(db):
    """An ASE database that must already exist (commands that only read never create one).

    ``db`` is a file name or an ``ase.db`` URL (``postgresql://...``), or an open database.

    Raises:
        InputError: the file does not exist, is a folder or is not an ASE database.
    """
    from pathlib import Path

    from ase.db import connect

    from ..errors import InputError

    if not isinstance(db, (str, Path)):
        return db
    name = str(db)
    if "://" in name:
        return connect(name)
    path = Path(name)
    if not path.exists():
        raise InputError(f"database {name!r} does not exist; write one with: chefe collect RUNS --db {name}")
    if path.is_dir():
        raise InputError(f"database {name!r} is a folder; give the database file")
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not (head.startswith(b"SQLite format 3") or head.lstrip().startswith(b"{")):
        raise InputError(f"{name}: not an ASE database (SQLite or JSON); give the file chefe collect wrote")
    return connect(name)


def _jsonable(value: Any):
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


@lru_cache(maxsize=1)
def _results_calculator():
    """A SinglePointCalculator class with a quick state check (made on first use: ASE is
    imported only then).

    ``ase.db`` asks a row's calculator whether the atoms changed once per property it could
    hold; ASE's check compares every array with ``allclose`` (0.5 ms per row, a third of a
    collect's writing time). Here every per-atom array (numbers, positions, initial moments
    and charges...), the cell and pbc are compared for exact equality, which implies ASE's
    verdict; any difference is handed to ASE's own check.
    """
    from ase.calculators.singlepoint import SinglePointCalculator

    def fingerprint(atoms):
        arrays = tuple((name, a.dtype.str, a.shape, a.tobytes())
                       for name, a in atoms.arrays.items())
        return arrays, atoms.cell.array.tobytes(), atoms.pbc.tobytes()

    class RowResults(SinglePointCalculator):
        def __init__(self, atoms, **results):
            super().__init__(atoms, **results)
            self._fingerprint = fingerprint(self.atoms)

        def check_state(self, atoms, tol=1e-15):
            if fingerprint(atoms) == self._fingerprint:
                return []
            return super().check_state(atoms, tol)

    return RowResults


@contextmanager
def validated_once():
    """While writing: ase.db's check of each key-value pair done once per distinct key and text.

    ``ase.db`` validates every pair of every row (each key parsed as a chemical formula, each
    text tried as bool, int and float): a third of a row's writing time, spent on the same
    dozen keys and a few catalyst and species names again and again. Inside this block ASE's
    own check still sees every key and every text value, the first time it occurs; values of
    other types are checked on every row.
    """
    import numbers

    import ase.db.core as core
    import numpy as np

    original = core.check
    keys: set[str] = set()
    texts: set[str] = set()

    def check(key_value_pairs):
        new = {k: v for k, v in key_value_pairs.items()
               if k not in keys or (v not in texts if isinstance(v, str)
                                    else not isinstance(v, (numbers.Real, np.bool_)))}
        if new:
            original(new)
            keys.update(new)
            texts.update(v for v in new.values() if isinstance(v, str))

    core.check = check
    try:
        yield
    finally:
        core.check = original


def row_payload(record: RunRecord, key: RunKey, extra_flags: tuple[str, ...] = ()) -> tuple[Any, dict, dict]:
    """(row, key_value_pairs, data) for one record: ``database.write(row, key_value_pairs=...,
    data=...)`` stores it (the row an ``ase.db.row.AtomsRow``, or Atoms when the record's own
    structure carries a calculator)."""
    from ase import Atoms

    from .. import __version__

    atoms = record.atoms if record.atoms is not None else Atoms()
    if atoms.calc is None:
        # the row as ase.db makes it from Atoms with a SinglePointCalculator holding the results
        # (calculator "unknown", no parameters), built directly: no copies of the structure
        from ase.db.core import now
        from ase.db.row import AtomsRow, atoms2dict

        dct = atoms2dict(atoms)
        if record.energy is not None and len(atoms):
            dct.update(calculator="unknown", calculator_parameters={}, energy=float(record.energy))
            if record.free_energy is not None:
                dct["free_energy"] = float(record.free_energy)
            if record.magmom is not None:
                dct["magmom"] = float(record.magmom)
        row = AtomsRow(dct)
        row.ctime = now()
        row.user = os.getenv("USER")
    else:
        row = atoms.copy()
        if record.energy is not None and len(row):
            results = {"energy": record.energy}
            if record.free_energy is not None:
                results["free_energy"] = record.free_energy
            if record.magmom is not None:
                results["magmom"] = record.magmom
            row.calc = _results_calculator()(row, **results)
    flags = tuple(dict.fromkeys(record.flags + tuple(extra_flags)))
    kvp = {
        "catalyst": key.catalyst, "species": key.species, "role": key.role, "code": record.code,
        "reader": record.reader, "run_path": record.path, "ok": run_ok(key.role, record.energy, record.frequencies, flags),
        "flags": ",".join(flags), "e_kind": record.energy_kind or "",
        **flag_keys(flags),
    }
    if record.energy is not None:
        kvp["e_dft"] = float(record.energy)
    if record.max_force is not None:
        kvp["max_force"] = float(record.max_force)
    if record.n_ionic is not None:
        kvp["n_ionic"] = int(record.n_ionic)
    if record.files:
        # which provenance the row holds: blake3, sha256, or none (size and mtime only)
        kinds = {f.digest.split(":")[0] if f.digest else "none" for f in record.files}
        kvp["digest"] = kinds.pop() if len(kinds) == 1 else "mixed"
    data = {
        "settings": _jsonable(record.settings),
        "files": [f.to_dict() for f in record.files],
        "messages": list(record.messages),
        "version": record.version,
        "chefe_version": __version__,
        "read_flags": list(record.flags),
        "converged": {"electronic": record.electronic_converged, "ionic": record.ionic_converged,
                      "finished": record.finished},
    }
    if record.frequencies is not None:
        data["frequencies"] = list(record.frequencies)
    return row, kvp, data


def iter_rows(db, **query):
    """The rows of an ASE database matching ``query``, with their data, over one connection
    (iterate to the end before writing to ``db``).

    Outside a transaction, ase.db's SQLite (and PostgreSQL) backend opens a connection for
    every row it returns, to look up its external tables: 0.1 ms a row, more than the row.
    """
    with db:
        yield from db.select(include_data=True, **query)


def all_rows(db, **query) -> list:
    """:func:`iter_rows` as a list."""
    return list(iter_rows(db, **query))


def existing_rows(db) -> dict[str, tuple[int, list[dict]]]:
    """``run_path -> (row id, files)`` of the rows already stored."""
    out = {}
    for row in iter_rows(db):
        path = row.key_value_pairs.get("run_path")
        if path:
            out[path] = (row.id, list(row.data.get("files", [])))
    return out


def unchanged(files: list[dict]) -> bool:
    """True when every recorded file still has the recorded size and mtime."""
    import os

    if not files:
        return False
    for f in files:
        try:
            st = os.stat(f["path"])
        except OSError:
            return False
        if st.st_size != f["size"] or st.st_mtime_ns != f["mtime_ns"]:
            return False
    return True
