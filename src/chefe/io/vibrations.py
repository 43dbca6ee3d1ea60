"""Vibrational frequencies from VASP (IBRION=5/6/7/8 OUTCAR or vasprun.xml) and ASE caches.

All functions return frequencies in cm⁻¹ with imaginary modes as negative numbers, the
convention of :func:`chefe.thermo.vib_energies` (which applies the explicit imaginary-mode
policy: fail, drop or treat as real).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from .vasp import outcar_frequencies

__all__ = ["ase_vibrations_frequencies", "frequencies", "outcar_frequencies", "read_ase_vibrations",
           "vasprun_frequencies"]

#: ASE's default displacement (Å) of :class:`ase.vibrations.Vibrations`; its cache does not store it.
ASE_DEFAULT_DELTA = 0.01
_CACHE_KEY = re.compile(r"^cache\.(\d+)([xyz])([+-]+)\.json$")
_STRUCTURE_FILES = ("CONTCAR", "POSCAR")
_STRUCTURE_SUFFIXES = (".traj", ".xyz", ".extxyz", ".cif", ".vasp")


def _dynmat_factor() -> float:
    """cm⁻¹ per sqrt(eV / (Å² amu)): VASP's dynmat eigenvalues are in eV/Å²/amu."""
    from ase import units

    omega = math.sqrt(units._e / (1e-20 * units._amu))  # rad/s for eigenvalue 1
    return omega / (2 * math.pi * units._c * 100.0)


def vasprun_frequencies(path: str | Path) -> list[float]:
    """Frequencies from the ``<dynmat>`` eigenvalues of a vasprun.xml (finite differences/DFPT).

    VASP stores eigenvalues of the mass-weighted Hessian with the sign convention negative =
    stable; ν = 521.47·sqrt(-λ) cm⁻¹ (constants from ase.units), imaginary (λ > 0) as negative.
    """
    import xml.etree.ElementTree as ET

    text = Path(path).read_bytes()
    start = text.find(b"<dynmat>")
    if start < 0:
        return []
    end = text.find(b"</dynmat>", start)
    dynmat = ET.fromstring(text[start: end + len(b"</dynmat>")])
    values = None
    for v in dynmat.iter("v"):
        if v.get("name") == "eigenvalues":
            values = [float(x) for x in (v.text or "").split()]
    if values is None:
        return []
    factor = _dynmat_factor()
    out = [(factor * math.sqrt(-lam)) if lam <= 0 else -(factor * math.sqrt(lam)) for lam in values]
    return sorted(out, key=lambda f: (f < 0, -abs(f)))


def ase_vibrations_frequencies(atoms, name: str = "vib", indices=None, nfree: int = 2,
                               delta: float = 0.01) -> list[float]:
    """Frequencies (cm⁻¹, imaginary as negative) from an ASE :class:`ase.vibrations.Vibrations`
    cache (``name``/ folder). ``atoms`` must be the structure the displacements were made from.
    """
    from ase.vibrations import Vibrations

    vib = Vibrations(atoms, name=name, indices=indices, nfree=nfree, delta=delta)
    freqs = np.asarray(vib.get_frequencies())
    return [(-abs(f.imag) if abs(f.imag) > 1e-12 else float(f.real)) for f in freqs]


def frequencies(path: str | Path) -> list[float]:
    """Frequencies of a run folder or file: OUTCAR first, then vasprun.xml."""
    path = Path(path)
    if path.is_dir():
        for name in ("OUTCAR", "vasprun.xml"):
            if (path / name).is_file():
                found = frequencies(path / name)
                if found:
                    return found
        return []
    if path.name.endswith(".xml") or re.search(r"vasprun", path.name):
        return vasprun_frequencies(path)
    return outcar_frequencies(path)


def is_ase_vibrations_cache(folder: str | Path) -> bool:
    """True for a folder written by :meth:`ase.vibrations.Vibrations.run` (``cache.eq.json``)."""
    return (Path(folder) / "cache.eq.json").is_file()


def _cache_structure(folder: Path):
    """The structure the displacements were made from: a structure file in the cache folder,
    else the run folder above it (its CONTCAR, POSCAR or trajectory); (atoms, path) or (None, None)."""
    from ase.io import read

    for where in (folder, folder.parent):
        names = sorted(p for p in where.iterdir() if p.is_file())
        picks = [p for p in names if p.name in _STRUCTURE_FILES and p.stat().st_size]
        picks += [p for p in names if p.suffix in _STRUCTURE_SUFFIXES]
        for path in picks:
            try:
                return read(path, index=-1), path
            except Exception:  # noqa: BLE001 - try the next candidate
                continue
    return None, None


def read_ase_vibrations(folder: str | Path, *, with_atoms: bool = True, hash_files: bool | str = True):
    """A vibrations record from an ASE ``Vibrations`` cache folder (``cache.eq.json``,
    ``cache.0x+.json``, ...): the displaced atoms and nfree (2 or 4) from the file names, the
    structure from a file beside the cache (or in the run folder above it), frequencies in cm⁻¹
    through ASE itself with its default displacement of 0.01 Å (the cache does not record it)."""
    from .record import RunRecord, file_infos

    folder = Path(folder)
    files = sorted(folder.glob("cache.*.json"))
    displaced: set[int] = set()
    nfree = 2
    for path in files:
        m = _CACHE_KEY.match(path.name)
        if m:
            displaced.add(int(m.group(1)))
            nfree = max(nfree, 2 * len(m.group(3)))
    atoms, structure = _cache_structure(folder)
    # stated on the row: the cache does not record the displacement, ASE's default is assumed
    settings = {"vibrations": "ase.vibrations cache", "displacement_A": ASE_DEFAULT_DELTA,
                "displacement_assumed": True, "nfree": nfree, "displaced_atoms": sorted(displaced)}
    if atoms is None:
        return RunRecord(str(folder), "ase", "ase-vibrations", None, flags=("no_structure",),
                         files=file_infos(files, hash_files),
                         messages=(f"{folder}: ASE Vibrations cache without the structure it was made "
                                   "from: put that structure (POSCAR, CONTCAR or a .traj) in the cache "
                                   "folder or the run folder above it",))
    if not displaced or max(displaced) >= len(atoms):
        return RunRecord(str(folder), "ase", "ase-vibrations", None, flags=("unreadable",),
                         files=file_infos(files + [structure], hash_files),
                         messages=(f"{folder}: the cache displaces atoms {sorted(displaced)}, but "
                                   f"{structure} has {len(atoms)} atoms",))
    freqs = ase_vibrations_frequencies(atoms.copy(), name=str(folder), indices=sorted(displaced), nfree=nfree)
    settings["structure"] = str(structure)
    return RunRecord(str(folder), "ase", "ase-vibrations", None, atoms=atoms if with_atoms else None,
                     frequencies=tuple(freqs), files=file_infos(files + [structure], hash_files), settings=settings)
