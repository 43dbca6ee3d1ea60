"""Consistency of runs whose energies are combined: same settings, same cell, right atoms.

An adsorption energy E(slab + X) - E(slab) - Σ μ is meaningful only if both runs used the same
functional, cutoff, precision, spin treatment, U values, dispersion, dipole and solvent
corrections, k-points and pseudopotentials, and the same cell, and if the adsorbate run holds
exactly the slab's atoms plus X. Each violation becomes a flag on the adsorbate run (and so on
every adsorption energy it enters).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

from .settings import COMPARED

#: Imaginary modes larger than this (cm⁻¹) are flagged on vibration runs.
IMAGINARY_THRESHOLD_CM = 50.0


def compare_settings(a: dict, b: dict, keys: Iterable[str] = COMPARED) -> list[str]:
    """Keys whose values differ between two settings dicts (``U`` compared per shared element)."""
    diffs = []
    for key in keys:
        va, vb = a.get(key), b.get(key)
        if key == "U":
            ua, ub = va or {}, vb or {}
            for el in sorted(set(ua) & set(ub)):
                if not np.allclose(ua[el], ub[el]):
                    diffs.append(f"U[{el}]")
            continue
        if key == "potcars":
            pa = {t.split()[1] if len(t.split()) > 1 else t: t for t in (va or [])}
            pb = {t.split()[1] if len(t.split()) > 1 else t: t for t in (vb or [])}
            for el in sorted(set(pa) & set(pb)):
                if pa[el] != pb[el]:
                    diffs.append(f"potcar[{el}]")
            continue
        if va is None or vb is None or va == "" or vb == "":
            continue
        if key == "kpoints" and _same_kpoints(str(va), str(vb)):
            continue
        if isinstance(va, float) or isinstance(vb, float):
            try:
                if abs(float(va) - float(vb)) > 1e-6:
                    diffs.append(key)
            except (TypeError, ValueError):
                diffs.append(key)
        elif va != vb:
            diffs.append(key)
    return diffs


def _same_kpoints(a: str, b: str) -> bool:
    """'g4x4x1' and '4x4x1' are one mesh when one run's text does not say the mode."""
    import re

    ma, mb = re.fullmatch(r"([gm]?)(\d+x\d+x\d+)", a), re.fullmatch(r"([gm]?)(\d+x\d+x\d+)", b)
    if ma and mb:
        return ma.group(2) == mb.group(2) and (ma.group(1) == mb.group(1) or not ma.group(1) or not mb.group(1))
    return a == b


def not_compared(a: dict, b: dict, keys: Iterable[str] = COMPARED) -> list[str]:
    """Settings known in one run and not the other: checks that cannot be made."""
    def known(v):
        return v not in (None, "", [], {})

    return [k for k in keys if known(a.get(k)) != known(b.get(k)) and k not in ("U",)]


#: EDIFF (eV) looser than this (VASP's default) is flagged: total energies converged to less than
#: 0.1 meV per SCF step are not good to the meV in a difference.
EDIFF_BOUND = 1e-4


def composition_difference(slab_atoms, ads_atoms) -> Counter:
    """Atoms in the adsorbate run minus atoms in the slab run, by element."""
    diff = Counter(ads_atoms.get_chemical_symbols())
    diff.subtract(Counter(slab_atoms.get_chemical_symbols()))
    return Counter({k: v for k, v in diff.items() if v})


def lattice_strain(cell_a, cell_b) -> float:
    """Largest principal Green-Lagrange strain taking cell ``a`` to cell ``b`` (rows are the
    lattice vectors, Å): 0.004 is 0.4 %. Rigid rotations give 0."""
    a = np.asarray(cell_a, float).T
    b = np.asarray(cell_b, float).T
    deformation = b @ np.linalg.inv(a)
    green = 0.5 * (deformation.T @ deformation - np.eye(3))
    return float(np.abs(np.linalg.eigvalsh(green)).max())


#: Empty thickness (Å) along a lattice vector from which a structure is taken as a slab (or
#: sheet) with that vector across the vacuum
VACUUM_MIN = 5.0


def vacuum_axis(atoms) -> tuple[int, float] | None:
    """(axis, empty thickness in Å) of the lattice vector across the vacuum, or None (bulk).

    A non-periodic axis is the vacuum (thickness inf); otherwise the axis with the widest gap
    between atomic planes, measured along the plane normal, if it is at least ``VACUUM_MIN``.
    """
    pbc = np.asarray(atoms.pbc, bool)
    if not pbc.all():
        return int(np.flatnonzero(~pbc)[0]), float("inf")
    cell = np.asarray(atoms.cell.array, float)
    if len(atoms) == 0 or abs(np.linalg.det(cell)) < 1e-9:
        return None
    frac = np.linalg.solve(cell.T, np.asarray(atoms.positions, float).T).T % 1.0
    spacing = 1.0 / np.linalg.norm(np.linalg.inv(cell).T, axis=1)  # distance between lattice planes
    gaps = []
    for i in range(3):
        f = np.sort(frac[:, i])
        gaps.append(float(np.diff(np.append(f, f[0] + 1.0)).max() * spacing[i]))
    k = int(np.argmax(gaps))
    return (k, gaps[k]) if gaps[k] >= VACUUM_MIN else None


def _reduced_2d(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lagrange-Gauss reduction: the shortest basis of the 2-D lattice spanned by u and v."""
    for _ in range(100):
        if v @ v < u @ u:
            u, v = v, u
        m = round(float(u @ v) / float(u @ u))
        if m == 0:
            break
        v = v - m * u
    return u, v


def surface_strain(cell_a, axis_a: int, cell_b, axis_b: int) -> float:
    """Largest principal strain between the surface lattices of two slab cells (Å, rows are
    lattice vectors; ``axis``: the vector across the vacuum), whatever basis each cell uses
    (swapped or recombined in-plane vectors give 0)."""
    def plane(cell, axis):
        u, v = (np.asarray(cell, float)[i] for i in range(3) if i != axis)
        return _reduced_2d(u, v)

    ua, va = plane(cell_a, axis_a)
    ub, vb = plane(cell_b, axis_b)
    ga = np.array([[ua @ ua, ua @ va], [ua @ va, va @ va]])
    best = float("inf")
    for x, y in ((ub, vb), (ub, -vb), (vb, ub), (vb, -ub)):
        gb = np.array([[x @ x, x @ y], [x @ y, y @ y]])
        eig = np.linalg.eigvals(np.linalg.solve(ga, gb)).real
        best = min(best, float(np.abs(0.5 * (eig - 1.0)).max()))
    return best


#: Largest lattice strain between a slab run and its adsorbate run taken as the same cell
#: (0.5 %): runs relaxing the cell shape (ISIF = 4) differ by a few 0.1 % with an adsorbate;
#: beyond this the two runs are not the same surface model.
CELL_STRAIN_TOLERANCE = 0.005


def check_pair(slab, ads, species: str, values: dict | None = None) -> tuple[list[str], list[str]]:
    """Flags and messages for an adsorbate run against its slab run; ``values`` (when given)
    receives the numbers behind them (``lattice_strain``)."""

    flags, messages = [], []
    diffs = compare_settings(slab.settings, ads.settings)
    for d in diffs:
        flags.append(f"settings_mismatch:{d}")
        key = d.split("[")[0]
        messages.append(f"{ads.path}: {d} differs from the slab run {slab.path} "
                        f"({_show(slab.settings.get(key), d)} vs {_show(ads.settings.get(key), d)})")
    skipped = not_compared(slab.settings, ads.settings)
    if skipped:
        messages.append(f"{ads.path}: not compared with the slab run {slab.path} (known in only one of "
                        f"them): {', '.join(skipped)}")
    run_a, run_b = slab.settings.get("run"), ads.settings.get("run")
    if run_a == "single point" and run_b == "relaxation":
        flags.append("settings_mismatch:run")
        dos = slab.settings.get("ISMEAR") is not None and slab.settings["ISMEAR"] <= -4
        messages.append(f"{ads.path}: a relaxation against a slab single point {slab.path}"
                        + (" (a DOS run with tetrahedron smearing)" if dos else "")
                        + ": the slab's relaxation energy enters the adsorption energy")
    for run in (slab, ads):
        ediff = run.settings.get("EDIFF")
        if ediff is not None and ediff > EDIFF_BOUND * (1 + 1e-9):
            flags.append("loose_ediff")
            messages.append(f"{ads.path}: EDIFF = {ediff:g} eV in {run.path}, looser than {EDIFF_BOUND:g} eV")
    if slab.atoms is None or ads.atoms is None:
        which = slab.path if slab.atoms is None else ads.path
        messages.append(f"{ads.path}: cell and composition not checked against the slab run {slab.path}: "
                        f"no structure in {which}")
        return flags, messages
    # clusters and molecules (periodic along fewer than two lattice vectors, or no cell): no
    # lattice to compare
    for run in (slab, ads):
        cell = np.asarray(run.atoms.cell.array, float)
        periodic = [bool(p) and np.linalg.norm(cell[i]) > 1e-6 for i, p in enumerate(run.atoms.pbc)]
        if sum(periodic) < 2:
            messages.append(f"{ads.path}: cell not compared with the slab run {slab.path}: {run.path} is "
                            "not periodic in two directions (a cluster or molecule model)")
            return flags, messages + _composition_messages(slab, ads, species, flags)
    # slabs and sheets: the surface lattice is what an adsorption energy needs the same (in any
    # basis); the vacuum thickness is reported, not flagged. Bulk cells: the full lattice.
    vacuum = (vacuum_axis(slab.atoms), vacuum_axis(ads.atoms))
    try:
        if vacuum[0] is not None and vacuum[1] is not None:
            strain = surface_strain(slab.atoms.cell.array, vacuum[0][0], ads.atoms.cell.array, vacuum[1][0])
        else:
            strain = lattice_strain(slab.atoms.cell.array, ads.atoms.cell.array)
    except np.linalg.LinAlgError:
        strain = float("inf")
    if values is not None and np.isfinite(strain):
        values["lattice_strain"] = round(strain, 6)
    what = "surface lattice" if vacuum[0] is not None and vacuum[1] is not None else "cell"
    if strain > CELL_STRAIN_TOLERANCE:
        flags.append("cell_mismatch")
        messages.append(f"{ads.path}: {what} differs from the slab run {slab.path} (lattice strain "
                        f"{100 * strain:.2f} % > {100 * CELL_STRAIN_TOLERANCE:.1f} %)")
    elif what == "surface lattice" and all(np.isfinite(v[1]) for v in vacuum):
        c_a, c_b = (float(np.linalg.norm(run.atoms.cell.array[v[0]])) for run, v in zip((slab, ads), vacuum))
        if abs(c_a - c_b) > 1.0:
            messages.append(f"{ads.path}: same surface lattice as the slab run {slab.path}, but the cell "
                            f"across the vacuum differs ({c_a:.2f} vs {c_b:.2f} Å): adsorption energies "
                            "change little with the vacuum, yet the two runs are not one cell")
    return flags, messages + _composition_messages(slab, ads, species, flags)


def _composition_messages(slab, ads, species: str, flags: list[str]) -> list[str]:
    """``composition_mismatch`` (added to ``flags``) when the adsorbate run is not the slab plus
    exactly ``species``; a co-adsorbed state (*NO2+*O) holds the atoms of each of its adsorbates."""
    from ..species import parse_species

    try:
        expected = Counter()
        for part in species.split("+"):
            expected.update(dict(parse_species(part).composition))
    except Exception:  # noqa: BLE001
        return []
    found = composition_difference(slab.atoms, ads.atoms)
    if found != expected:
        flags.append("composition_mismatch")
        return [f"{ads.path}: holds the slab plus {dict(found)} instead of {species}"]
    return []


def _show(value, key: str):
    if "[" in key and isinstance(value, (dict, list)):
        el = key.split("[")[1].rstrip("]")
        if isinstance(value, dict):
            return value.get(el)
        return [t for t in value if el in t.split()]
    return value


def imaginary_flags(frequencies, threshold: float = IMAGINARY_THRESHOLD_CM) -> list[str]:
    """``imaginary_modes:N`` when N modes are imaginary beyond ``threshold`` cm⁻¹."""
    if not frequencies:
        return []
    n = sum(1 for f in frequencies if f < -threshold)
    return [f"imaginary_modes:{n}"] if n else []
