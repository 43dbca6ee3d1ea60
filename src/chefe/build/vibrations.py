"""Finite-difference vibration inputs from a relaxed run: ``<run>/vib/`` with only the adsorbate
(or the whole gas molecule) free, which ``chefe collect`` files as that species' vibrations."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError

#: INCAR tags of a VASP finite-difference run (central differences, 0.015 Å steps, tight SCF).
VIB_INCAR = {"IBRION": 5, "NFREE": 2, "POTIM": 0.015, "NSW": 1, "EDIFF": "1.0e-7"}


def vibration_structure(atoms):
    """A copy with every atom but the adsorbate fixed (gas molecules: all free); ``info`` kept."""
    from ase.constraints import FixAtoms

    out = atoms.copy()
    out.info = dict(atoms.info)
    if out.info.get("family") == "gas":
        out.set_constraint()
        return out
    ads = [int(x) for x in str(out.info.get("adsorbate_indices", "") or "").split(",") if x != ""]
    if not ads:
        raise InputError(f"{out.info.get('catalyst', '?')}: a clean site has no adsorbate modes to compute")
    out.set_constraint(FixAtoms(indices=[k for k in range(len(out)) if k not in set(ads)]))
    return out


def write_vibration_inputs(run: str | Path, *, incar: dict | None = None, **kwargs) -> Path:
    """``run/vib/`` from ``run``'s relaxed CONTCAR (else POSCAR) and its ``chefe_build.json``."""
    import ase.io

    from .output import write_vasp

    run = Path(run)
    meta_path = run / "chefe_build.json"
    if not meta_path.is_file():
        raise InputError(f"{run}: no chefe_build.json (write the run with chefe build first)")
    meta = json.loads(meta_path.read_text())
    source = run / "CONTCAR" if (run / "CONTCAR").is_file() and (run / "CONTCAR").stat().st_size else run / "POSCAR"
    try:
        atoms = ase.io.read(source, format="vasp")
    except Exception as exc:  # noqa: BLE001 - a truncated CONTCAR is named, nothing is written
        raise InputError(f"{source}: unreadable ({type(exc).__name__}: {exc})") from exc
    atoms.info = {k: v for k, v in meta.items() if k not in ("code", "kpoints", "chefe_version", "build_order")}
    atoms.info["relaxed_from"] = source.name
    vib = vibration_structure(atoms)
    return write_vasp(vib, run / "vib", incar={**VIB_INCAR, **(incar or {})}, **kwargs)
