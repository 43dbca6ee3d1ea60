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

__all__ = ["ase_vibrations_frequencies", "frequencies", "outcar_frequencies", "vasprun_frequencies"]


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


def ase_vibrations_frequencies(atoms, name: str = "vib", indices=None) -> list[float]:
    """Frequencies from an ASE :class:`ase.vibrations.Vibrations` cache (``name``/ folder).

    ``atoms`` must be the structure the displacements were made from.
    """
    from ase.vibrations import Vibrations

    vib = Vibrations(atoms, name=name, indices=indices)
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
