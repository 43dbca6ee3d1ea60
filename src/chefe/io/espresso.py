"""Quantum ESPRESSO pw.x text output: final energy, convergence and settings in one pass.

The energy is the last ``!    total energy`` line (Ry, converted with ase.units.Ry), the same
number ASE's ``espresso-out`` reader returns; the structure, when asked for, comes from ASE.
"""

from __future__ import annotations

import re
from pathlib import Path

from .numbers import FLOAT as _FLOAT
from .numbers import WHOLE
from .record import RunRecord, file_infos, guarded, with_flags
from .tail import decode_output, read_all

#: The energy line of a converged SCF cycle, read whole (number, unit and end of line).
_ENERGY = re.compile(r"!\s+total energy\s+=\s+" + WHOLE + r"[ \t]+Ry[ \t]*\r?\n")
_ENERGY_START = re.compile(r"^!\s+total energy", re.M)


@guarded("qe", "qe-pw")
def read_pw(path: str | Path, *, with_atoms: bool = True, hash_files: bool | str = True) -> RunRecord:
    """Read a pw.x output file (scf, relax, vc-relax)."""
    from ase.units import create_units

    # pw.x converts with its own constants (CODATA 2006, RYTOEV = 13.60569193); so does ASE's
    # espresso reader, and so do we: the eV energy then matches the code's own eV printout.
    units = create_units("2006")
    path = Path(path)
    raw = read_all(path) if path.stat().st_size else b""
    flags: list[str] = []
    messages: list[str] = []
    data, note = decode_output(raw)
    if note:
        messages.append(f"{path}: {note[1]}")
        if note[0]:
            flags.append(note[0])
    if not data.strip():
        return RunRecord(str(path), "qe", "qe-pw", None, flags=tuple(dict.fromkeys(flags + ["empty", "no_energy"])),
                         files=file_infos([path], hash_files), messages=tuple(messages) or (f"{path} is empty",))
    # a restarted run appended to the same file: the last run is the result
    starts = [m.start() for m in re.finditer(r"Program PWSCF", data)]
    if len(starts) > 1:
        messages.append(f"{path}: {len(starts)} pw.x runs appended in one file; the last one is read")
        data = data[data.rfind("\n", 0, starts[-1]) + 1:]
    m = re.search(r"Program PWSCF\s+(v\.\S+)", data)
    version = f"pw.x {m.group(1)}" if m else ""
    records = list(_ENERGY_START.finditer(data))
    whole = [r for r in records if _ENERGY.match(data, r.start())]
    energy = None
    if whole:
        energy = float(_ENERGY.match(data, whole[-1].start()).group(1)) * units.Ry
    if records and (not whole or whole[-1] is not records[-1]):
        flags.append("final_step_unreadable")
        kept = f"kept the energy of step {len(whole)}" if whole else "no energy kept"
        messages.append(f"{path}: the last '!    total energy' line (step {len(records)}) is damaged or cut: {kept}")
    if len(starts) > 1 and not records:
        messages.append(f"{path}: the last (restarted) run has no total energy yet")
    energies = whole
    finished = "JOB DONE" in data
    not_converged = "convergence NOT achieved" in data
    electronic = None
    if energies or not_converged:
        electronic = not not_converged
    calculation = "relax" if ("BFGS Geometry Optimization" in data or "bfgs converged" in data
                              or "number of bfgs steps" in data) else "scf"
    ionic = None
    if calculation == "relax" and finished:
        ionic = ("bfgs converged" in data or "End of BFGS Geometry Optimization" in data) and \
            "The maximum number of steps has been reached" not in data
    if "The maximum number of steps has been reached" in data:
        ionic = False
        messages.append(f"{path}: the maximum number of ionic steps was reached")
    if not_converged:
        messages.append(f"{path}: 'convergence NOT achieved' in an SCF cycle")
    if not finished:
        messages.append(f"{path}: no 'JOB DONE': the run did not finish")
    settings = {}
    m = re.search(r"kinetic-energy cutoff\s+=\s+(" + _FLOAT + r")\s+Ry", data)
    settings["ecutwfc_Ry"] = float(m.group(1)) if m else None
    m = re.search(r"charge density cutoff\s+=\s+(" + _FLOAT + r")\s+Ry", data)
    settings["ecutrho_Ry"] = float(m.group(1)) if m else None
    m = re.search(r"Exchange-correlation\s*=\s*(\S+)", data)
    settings["functional"] = m.group(1) if m else ""
    settings["ISPIN"] = 2 if re.search(r"(LSDA|spin-polarized|total magnetization)", data) else 1
    # QE >= 7.1: "U(Ru-4d) =  2.3650"; older: a table "Hubbard U ..." with species rows
    new_style = re.findall(r"^\s*U\((\w+)-(\w+)\)\s*=\s*(" + _FLOAT + r")", data, re.M)
    settings["U"] = {f"{el}-{orb}": float(u) for el, orb, u in new_style}
    if not settings["U"]:
        old = re.findall(r"^\s*([A-Z][a-z]?\d*)\s+\d+\s+\d+\s+(" + _FLOAT + r")\s+(" + _FLOAT + r")",
                         data.split("Simplified LDA+U calculation")[1], re.M) if "Simplified LDA+U calculation" in data else []
        settings["U"] = {el: float(u) for el, u, _ in old[:10]}
    settings["LDAU"] = bool(settings["U"])
    m = re.search(r"number of k points\s*=\s*(\d+)", data)
    settings["kpoints"] = f"{m.group(1)} k-points" if m else ""
    settings["pseudopotentials"] = re.findall(r"PseudoPot\.\s*#\s*\d+\s+for\s+(\S+)\s+read from file:\s*\n?\s*(\S+)", data)
    mags = re.findall(r"total magnetization\s+=\s+(" + _FLOAT + r")", data)
    magmom = float(mags[-1]) if mags else None
    forces = re.findall(r"Total force\s+=\s+(" + _FLOAT + r")", data)
    atoms = None
    max_force = None
    if with_atoms and energies:
        from ase.io import read

        try:
            atoms = read(path, format="espresso-out", index=-1)
            f = atoms.get_forces() if atoms.calc is not None and "forces" in atoms.calc.results else None
            if f is not None:
                max_force = float((f ** 2).sum(axis=1).max() ** 0.5)
        except Exception as exc:  # noqa: BLE001 - a broken structure block must not stop a sweep
            messages.append(f"{path}: structure unreadable by ASE ({type(exc).__name__})")
    n_ionic = len(energies) or None
    flags = with_flags(flags, energy, finished, electronic, ionic)
    return RunRecord(
        path=str(path), code="qe", reader="qe-pw", energy=energy, energy_kind="total energy (!)",
        free_energy=energy, atoms=atoms, max_force=max_force, magmom=magmom, n_ionic=n_ionic,
        electronic_converged=electronic, ionic_converged=ionic, finished=finished, version=version,
        settings=settings | {"total_force_Ry_bohr": float(forces[-1]) if forces else None},
        flags=tuple(flags), files=file_infos([path], hash_files), messages=tuple(messages),
    )
