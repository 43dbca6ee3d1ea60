"""GPAW text output (``txt=``), both the classic layout and the table layout of GPAW ≥ 24.

The energy is the last ``Extrapolated:`` line (extrapolated to zero smearing), as ASE's
``gpaw-out`` reader returns for the classic layout. ASE 3.29's reader fails on the new layout
(tables of atoms, cell and forces), so for that layout the structure, forces and cell are read
here from the last tables before the last energy.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .numbers import FLOAT as _FLOAT
from .numbers import WHOLE
from .record import RunRecord, file_infos, guarded, with_flags
from .tail import decode_output, read_all

#: The energy extrapolated to zero smearing, read whole (the number and the end of its line).
_ENERGY = re.compile(r"^[ \t]*Extrapolated:[ \t]+" + WHOLE + r"[ \t]*\r?\n", re.M)
_ENERGY_START = re.compile(r"^[ \t]*Extrapolated:", re.M)
_SCF_START = re.compile(r"^\|?iter:[ \t]+1\b", re.M)
_CONVERGED = re.compile(r"Converged (?:after|in) \d+ (?:iterations|steps)")
#: A row of the SCF table (GPAW >= 24): ``|iter:   7| 03:31:58 |   -6.490691c| ...``
_ITER_ROW = re.compile(r"^\|iter:[ \t]*\d+\|[ \t]*[\d:]+[ \t]*\|[ \t]*(" + _FLOAT + r")c?[ \t]*\|", re.M)
_FREE = re.compile(r"^\s*Free energy:\s+" + WHOLE, re.M)
_VERSION = (re.compile(r"GPAW version\s*:?\s*(\S+)"), re.compile(r"\|__ \|  _  \|___\|_____\|\s+(\S+)"),
            re.compile(r"\|__\|\|  \| \|\|/\\\| - (\S+)"))
_ROW = re.compile(r"^\|\s*\d+\s*\|\s*([A-Z][a-z]?)\s*\|\s*(" + _FLOAT + r")\s*\|\s*(" + _FLOAT + r")\s*\|\s*("
                  + _FLOAT + r")\s*\|", re.M)
_CELL_ROW = re.compile(r"^\|\s*(yes|no)\s*\|\s*(" + _FLOAT + r")\s*\|\s*(" + _FLOAT + r")\s*\|\s*(" + _FLOAT
                       + r")\s*\|", re.M)
_FORCE_ROW = re.compile(r"^\|\s*(" + _FLOAT + r")\s*\|\s*(" + _FLOAT + r")\s*\|\s*(" + _FLOAT + r")\s*\|\s*#", re.M)


def _table(data: str, header: str, end: int, row: re.Pattern) -> list[tuple[str, ...]]:
    """Rows of the last table titled ``header`` that starts before ``end``."""
    start = data.rfind(header, 0, end)
    if start < 0:
        return []
    block = data[start: data.find("\n\n", data.find("|---", start)) if "|---" in data[start:] else end]
    return row.findall(block)


def _fixed_atoms(data: str, final_rows, n_ionic: int) -> np.ndarray | None:
    """Atoms that kept their printed position from the first to the last ionic step: fixed.

    GPAW's text output does not list constraints; in a relaxation of several steps, an atom free
    to move under a force moves, so an unchanged position marks a fixed atom (a free atom that
    stays put feels no force and changes no maximum). None for a single point."""
    if n_ionic < 2:
        return None
    start = data.find("Atoms  #")
    first = _table(data, "Atoms  #", data.find("|---", start) + 1, _ROW) if start >= 0 else []
    if len(first) != len(final_rows):
        return None
    a = np.array([[float(v) for v in r[1:4]] for r in first])
    b = np.array([[float(v) for v in r[1:4]] for r in final_rows])
    return np.all(a == b, axis=1)


def _new_layout_structure(data: str, last_energy_at: int):
    """Atoms (with cell, pbc), and forces from the table layout of GPAW ≥ 24."""
    from ase import Atoms

    rows = _table(data, "Atoms  #", last_energy_at, _ROW)
    cell = _table(data, "Unit cell  #", last_energy_at, _CELL_ROW)
    if not rows or len(cell) != 3:
        return None, None, rows
    atoms = Atoms([r[0] for r in rows], positions=[[float(v) for v in r[1:4]] for r in rows],
                  cell=[[float(v) for v in c[1:4]] for c in cell], pbc=[c[0] == "yes" for c in cell])
    forces = _table(data, "Forces  #", len(data), _FORCE_ROW)
    f = np.array([[float(v) for v in r] for r in forces]) if len(forces) == len(atoms) else None
    return atoms, f, rows


@guarded("gpaw", "gpaw-text")
def read_gpaw_text(path: str | Path, *, with_atoms: bool = True, hash_files: bool | str = True) -> RunRecord:
    """GPAW text output: the energy extrapolated to zero smearing, convergence, structure.

    ``max_force`` (eV/Å) is the largest force on an atom free to move: GPAW's text output does
    not list constraints, so in a relaxation an atom whose printed position never changed is
    taken as fixed.
    """
    path = Path(path)
    data, note = decode_output(read_all(path) if path.stat().st_size else b"")
    flags: list[str] = []
    messages: list[str] = []
    if note:
        messages.append(f"{path}: {note[1]}")
        if note[0]:
            flags.append(note[0])
    if not data.strip():
        return RunRecord(str(path), "gpaw", "gpaw-text", None, flags=tuple(dict.fromkeys(flags + ["empty", "no_energy"])),
                         files=file_infos([path], hash_files), messages=tuple(messages) or (f"{path} is empty",))
    version = "gpaw"
    for pattern in _VERSION:
        m = pattern.search(data)
        if m:
            version = f"gpaw {m.group(1)}"
            break
    energies = list(_ENERGY.finditer(data))
    starts = list(_ENERGY_START.finditer(data))
    cycles = list(_SCF_START.finditer(data))  # one per SCF cycle, i.e. per ionic step
    if starts and (not energies or energies[-1].start() != starts[-1].start()):
        flags.append("final_step_unreadable")
        kept = f"kept the energy of step {len(energies)}" if energies else "no energy kept"
        messages.append(f"{path}: the last 'Extrapolated:' energy line is damaged or cut: {kept}")
    elif energies and cycles and cycles[-1].start() > energies[-1].start() and _CONVERGED.search(data, cycles[-1].start()):
        # the last SCF cycle converged but its energy line is missing: an earlier step's was found
        flags.append("final_step_unreadable")
        messages.append(f"{path}: SCF cycle {len(cycles)} converged but has no readable 'Extrapolated:' line: "
                        f"kept the energy of step {len(energies)}")
    elif energies and cycles:
        # redundancy of the table layout: the cycle's last 'iter:' row prints the same energy
        rows = list(_ITER_ROW.finditer(data, cycles[-1].start(), energies[-1].start()))
        if rows and abs(float(rows[-1].group(1)) - float(energies[-1].group(1))) > 1.5e-6:
            flags.append("inconsistent")
            messages.append(f"{path}: the last SCF row says {rows[-1].group(1)} eV, 'Extrapolated:' "
                            f"{energies[-1].group(1)} eV (a damaged digit?)")
    free = _FREE.findall(data)
    energy = float(energies[-1].group(1)) if energies else None
    converged = bool(re.search(r"Converged after \d+ iterations|Converged in \d+ steps", data))
    failed = "KohnShamConvergenceError" in data or "Did not converge" in data
    electronic = True if converged and not failed else (False if failed else None)
    finished = bool(re.search(r"^\s*Total:\s+" + _FLOAT, data, re.M))
    new_layout = "Atoms  #" in data
    atoms, forces, fixed = None, None, None
    if energy is not None and new_layout:
        atoms, forces, rows = _new_layout_structure(data, energies[-1].start())
        fixed = _fixed_atoms(data, rows, len(energies)) if rows else None
        if atoms is None:
            messages.append(f"{path}: no atoms/unit-cell table before the last energy")
    elif with_atoms and energy is not None:
        from ase.io import read

        try:
            atoms = read(path, format="gpaw-out", index=-1)
        except Exception as exc:  # noqa: BLE001 - reported, the energy is kept
            messages.append(f"{path}: structure unreadable by ASE ({type(exc).__name__})")
    if not finished:
        messages.append(f"{path}: no final timing table: the run did not finish")
    max_force = None
    if forces is not None:  # on the atoms free to move (fixed ones keep their residual force)
        norms = np.linalg.norm(forces, axis=1)
        if fixed is not None and len(fixed) == len(norms) and not fixed.all():
            norms = norms[~fixed]
        max_force = round(float(norms.max()), 6)  # the file prints 5 decimals per component
    flags = with_flags(flags, energy, finished, electronic, None)
    return RunRecord(
        path=str(path), code="gpaw", reader="gpaw-text", energy=energy,
        energy_kind="extrapolated to zero smearing", free_energy=float(free[-1]) if free else None,
        atoms=atoms if with_atoms else None, max_force=max_force, n_ionic=len(energies) or None,
        electronic_converged=electronic, finished=finished, version=version, flags=tuple(flags),
        files=file_infos([path], hash_files), messages=tuple(messages),
    )
