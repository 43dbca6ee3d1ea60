"""Gas molecules for ideal-gas thermochemistry: shape, symmetry number, spin and vibrations.

A DFT gas run is a molecule in a periodic box; :func:`molecule_shape` makes it whole (minimum
image), drops the periodicity ASE's ideal-gas model refuses, and finds linearity and the
rotational symmetry number from the geometry (pymatgen's ``PointGroupAnalyzer``).
:func:`select_vibrations` keeps the 3N-6 (3N-5 linear) vibrations of a full finite-difference
spectrum by magnitude, so the near-zero translations and rotations are recognised as such
wherever the file lists them, and an imaginary *vibration* is kept for the imaginary-mode policy
instead of being dropped. :func:`molecule_spin` takes the spin from the run's moment, or from
the molecule's tabulated ground state when the run has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import InputError

#: Tolerance (Å) of the point-group search: relaxed DFT geometries are symmetric to ~0.01 Å.
SYMMETRY_TOLERANCE = 0.1
#: Largest distance (Å) of an atom from the molecular axis for a molecule to count as linear
#: (a CO2 bent by 1° has its C 0.01 Å off the O–O line; HCN at 160° its H 0.37 Å off).
LINEAR_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class MoleculeShape:
    """What the ideal-gas model needs from a geometry.

    Attributes:
        atoms: the molecule made whole, without periodic boundary conditions.
        geometry: ``"monatomic"``, ``"linear"`` or ``"nonlinear"``.
        point_group: Schoenflies symbol (``"C2v"``, ``"D*h"``).
        symmetry_number: rotational symmetry number σ.
    """

    atoms: object
    geometry: str
    point_group: str
    symmetry_number: int


def whole_molecule(atoms):
    """A copy of ``atoms`` without periodicity, each atom moved to its minimum image of atom 0.

    Works for molecules smaller than half the box, as every DFT gas cell is.
    """
    from ase.geometry import find_mic

    mol = atoms.copy()
    mol.calc = None
    if mol.pbc.any() and len(mol) > 1:
        vectors = mol.positions - mol.positions[0]
        mic, _ = find_mic(vectors, mol.cell, mol.pbc)
        mol.positions = mol.positions[0] + mic
    mol.pbc = False
    return mol


def _off_axis(mol) -> float:
    """Largest distance (Å) of an atom from the line through the centre of mass along the
    principal axis of smallest moment of inertia."""
    pos = mol.positions - mol.get_center_of_mass()
    _, axes = mol.get_moments_of_inertia(vectors=True)
    axis = axes[0] / np.linalg.norm(axes[0])
    return float(np.max(np.linalg.norm(pos - np.outer(pos @ axis, axis), axis=1)))


def _has_inversion_centre(mol, tolerance: float) -> bool:
    pos = mol.positions - mol.get_center_of_mass()
    numbers = mol.numbers
    for p, z in zip(pos, numbers):
        d = np.linalg.norm(pos + p, axis=1)
        if not np.any((d < tolerance) & (numbers == z)):
            return False
    return True


def molecule_shape(atoms, *, name: str = "molecule") -> MoleculeShape:
    """Whole molecule, linearity and rotational symmetry number of a gas geometry.

    Linear when every atom lies within :data:`LINEAR_TOLERANCE` of the molecular axis; then
    σ = 2 with an inversion centre (D∞h) and 1 without (C∞v). Otherwise σ is the number of
    proper rotations of the point group found by pymatgen at :data:`SYMMETRY_TOLERANCE`.
    """
    if len(atoms) == 0:
        raise InputError(f"{name}: the structure has no atoms")
    mol = whole_molecule(atoms)
    if len(mol) == 1:
        return MoleculeShape(mol, "monatomic", "Kh", 1)
    if len(mol) == 2 or _off_axis(mol) < LINEAR_TOLERANCE:
        inversion = _has_inversion_centre(mol, SYMMETRY_TOLERANCE)
        return MoleculeShape(mol, "linear", "D*h" if inversion else "C*v", 2 if inversion else 1)
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    # the point group needs no electron count: skip pymatgen's charge/spin parity check; a tight
    # eigen_tolerance keeps pymatgen from calling a bent molecule linear
    structure = Molecule(mol.get_chemical_symbols(), mol.positions, charge_spin_check=False)
    analyzer = PointGroupAnalyzer(structure, tolerance=SYMMETRY_TOLERANCE, eigen_tolerance=1e-6)
    return MoleculeShape(mol, "nonlinear", str(analyzer.sch_symbol),
                         int(analyzer.get_rotational_symmetry_number()))


@dataclass(frozen=True, slots=True)
class VibrationSelection:
    """The vibrations among the modes of a gas-phase frequency run.

    Attributes:
        vibrations: the 3N-6 (3N-5) modes kept, cm⁻¹, imaginary ones negative.
        discarded: the translations and rotations removed, cm⁻¹.
        notes: what was found (imaginary vibrations, a weak separation), for the output notes.
        flags: short flags (``imaginary_vibration``, ``rotations_not_separated``).
    """

    vibrations: tuple[float, ...]
    discarded: tuple[float, ...]
    notes: tuple[str, ...]
    flags: tuple[str, ...]


def n_vibrations(n_atoms: int, geometry: str) -> int:
    """3N-6 for a nonlinear molecule, 3N-5 for a linear one, 0 for an atom."""
    if geometry == "monatomic":
        return 0
    return 3 * n_atoms - (5 if geometry == "linear" else 6)


def select_vibrations(frequencies_cm: Sequence[float | complex], n_atoms: int, geometry: str, *,
                      name: str = "molecule") -> VibrationSelection:
    """Keep the 3N-6 (3N-5) vibrations of a gas-phase spectrum (cm⁻¹; imaginary negative/complex).

    A full finite-difference spectrum has 3N modes, of which 6 (5) are translations and
    rotations: the modes of smallest magnitude, real or imaginary. They are removed by
    magnitude, not by position. A spectrum of exactly 3N-6 (3N-5) modes is taken as the
    vibrations alone. Any imaginary mode among the vibrations is kept (the imaginary-mode policy
    decides) and reported; a discarded mode above a third of the smallest vibration means
    translations/rotations and vibrations are not cleanly separated, which is flagged.

    Raises:
        InputError: when the count is neither 3N nor 3N-6 (3N-5).
    """
    values = np.asarray(frequencies_cm, dtype=complex).ravel()
    signed = np.where((np.abs(values.imag) > 1e-12) | (values.real < 0), -np.abs(values), values.real).real
    n_vib = n_vibrations(n_atoms, geometry)
    n_all = 3 * n_atoms
    if len(signed) not in (n_vib, n_all):
        raise InputError(
            f"{name}: {len(signed)} modes for a {geometry} molecule of {n_atoms} atoms; expected "
            f"{n_all} (all modes of a finite-difference run) or {n_vib} (vibrations only)"
        )
    order = np.argsort(-np.abs(signed), kind="stable")
    kept = signed[order[:n_vib]]
    dropped = signed[order[n_vib:]]
    notes, flags = [], []
    imaginary = kept[kept < 0]
    if imaginary.size:
        shown = ", ".join(f"{abs(f):.1f}i" for f in imaginary)
        notes.append(f"{name}: {imaginary.size} imaginary vibration(s) ({shown} cm-1): the geometry "
                     "is not a minimum; handled by the imaginary-mode policy")
        flags.append("imaginary_vibration")
    if dropped.size and kept.size:
        largest_dropped = float(np.max(np.abs(dropped)))
        smallest_kept = float(np.min(np.abs(kept)))
        if largest_dropped > smallest_kept / 3:
            notes.append(f"{name}: translations/rotations up to {largest_dropped:.0f} cm-1 lie close to the "
                         f"smallest vibration ({smallest_kept:.0f} cm-1): tighten the relaxation or the "
                         "finite-difference step")
            flags.append("rotations_not_separated")
    return VibrationSelection(tuple(float(f) for f in kept), tuple(float(f) for f in dropped),
                              tuple(notes), tuple(flags))


def electronic_levels(formula: str) -> tuple[tuple[float, int], ...]:
    """Low-lying electronic levels ``(cm⁻¹, degeneracy)`` of a shipped molecule (ground first), or ()."""
    from .refdata import load_table

    entry = (load_table("gas_molecules_experimental").get("species") or {}).get(formula) or {}
    return tuple((float(e), int(g)) for e, g in entry.get("electronic_levels", ()))


def excited_level_terms(levels: Sequence[tuple[float, int]], temperature: float) -> tuple[float, float]:
    """(ΔS in eV/K, ΔH in eV) that levels above the ground one add to an ideal gas whose model
    counts only the ground level's degeneracy: q = Σ g exp(-ε/kT), ΔS = k ln(q/g0) + <ε>/T."""
    from ase import units

    if len(levels) < 2:
        return 0.0, 0.0
    kt = units.kB * temperature
    eps = np.array([e for e, _ in levels]) * units.invcm
    g = np.array([d for _, d in levels], float)
    w = g * np.exp(-(eps - eps[0]) / kt)
    q = w.sum()
    mean = float((w * (eps - eps[0])).sum() / q)
    return float(units.kB * np.log(q / g[0]) + mean / temperature), mean


def ground_state_spin(formula: str) -> float | None:
    """Total spin S of a molecule's electronic ground state from the shipped gas table, if listed."""
    from .refdata import load_table

    entry = (load_table("gas_molecules_experimental").get("species") or {}).get(formula)
    if entry is None or "multiplicity" not in entry:
        return None
    return (float(entry["multiplicity"]) - 1.0) / 2.0


def _electron_count(formula: str) -> int | None:
    """Electrons of the neutral molecule, or None when ``formula`` is not a chemical formula."""
    from ase.data import atomic_numbers
    from ase.formula import Formula

    try:
        return sum(atomic_numbers[el] * k for el, k in Formula(formula).count().items())
    except (ValueError, KeyError):
        return None


def _spin_from_moment(moment: float, formula: str) -> float:
    """S = n/2, n the integer nearest |m| (μB) that has the parity of the electron count."""
    import math

    n = math.floor(moment + 0.5)
    electrons = _electron_count(formula)
    if electrons is not None and n % 2 != electrons % 2:
        n = n + 1 if moment > n or n == 0 else n - 1
    return n / 2.0


def molecule_spin(formula: str, magmom: float | None, *, name: str = "molecule") -> tuple[float, tuple[str, ...]]:
    """Spin S for the electronic entropy k ln(2S+1): from the run's moment (μB), else the ground state.

    The run's total moment m gives S = n/2 with n the integer nearest |m| of the parity of the
    molecule's electron count (O2 at 1.4 μB is a triplet, not a doublet). A run without
    a moment (not spin-polarised) falls back to the tabulated ground state (O2 triplet, NO and
    NO2 doublets), which is noted; when both exist and differ, the run's value is used and the
    difference is noted, because the DFT state is then not the ground state.
    """
    notes = []
    table = ground_state_spin(formula)
    if magmom is not None and np.isfinite(magmom):
        spin = _spin_from_moment(abs(float(magmom)), formula)
        if table is not None and abs(table - spin) > 1e-9:
            notes.append(f"{name}: the run's moment {magmom:.2f} μB gives S = {spin:g}, but the ground state "
                         f"of {formula} has S = {table:g}: the run is not in the ground state")
        return spin, tuple(notes)
    if table is not None and table > 0:
        notes.append(f"{name}: no moment in the run; S = {table:g} of the {formula} ground state used "
                     "(the run itself should be spin-polarised)")
        return table, tuple(notes)
    return 0.0, ()


def zmatrix_atoms(rows: Sequence[Sequence], *, name: str = "molecule"):
    """An :class:`ase.Atoms` from a Z-matrix (Å, degrees; atom numbers from 1).

    Rows: ``[symbol]``, ``[symbol, a, r]``, ``[symbol, a, r, b, angle]`` and either
    ``[..., c, dihedral]`` or ``[..., c, angle2, "angle2", side]``: bonded to atom ``a`` at
    ``r``, angle ``a``-``b`` of ``angle``, then the dihedral to ``c``, or a second bond angle
    to ``c`` with the atom on side ``side`` (±1) of the plane of ``a``, ``b``, ``c``.
    """
    from ase import Atoms

    symbols, positions = [], []

    def pos(k) -> np.ndarray:
        k = int(k)
        if not 1 <= k <= len(positions):
            raise InputError(f"{name}: Z-matrix row {len(positions) + 1} refers to atom {k}, not yet defined")
        return positions[k - 1]

    def perpendicular(v: np.ndarray) -> np.ndarray:
        trial = np.array([0.0, 0.0, 1.0]) if abs(v[2]) < 0.9 * np.linalg.norm(v) else np.array([1.0, 0.0, 0.0])
        w = np.cross(v, trial)
        return w / np.linalg.norm(w)

    for row in rows:
        row = list(row)
        symbols.append(str(row[0]))
        if len(row) == 1:
            positions.append(np.zeros(3) if not positions else positions[-1] + [0, 0, 1.0])
            continue
        a, r = pos(row[1]), float(row[2])
        if len(row) == 3:
            positions.append(a + np.array([0.0, 0.0, r]))
            continue
        b, theta = pos(row[3]), np.radians(float(row[4]))
        u_ab = (b - a) / np.linalg.norm(b - a)
        if len(row) == 5:
            # in the xz-plane (or any plane containing a-b)
            w = perpendicular(u_ab)
            direction = np.cos(theta) * u_ab + np.sin(theta) * np.cross(w, u_ab)
            positions.append(a + r * direction)
            continue
        c = pos(row[5])
        if len(row) == 9 and str(row[7]) == "angle2":
            theta2, side = np.radians(float(row[6])), float(row[8])
            u_ac = (c - a) / np.linalg.norm(c - a)
            normal = np.cross(u_ab, u_ac)
            normal /= np.linalg.norm(normal)
            # solve u·u_ab = cos θ1, u·u_ac = cos θ2 in the basis (u_ab, u_ac), plus the normal part
            g = np.array([[1.0, u_ab @ u_ac], [u_ab @ u_ac, 1.0]])
            coef = np.linalg.solve(g, [np.cos(theta), np.cos(theta2)])
            in_plane = coef[0] * u_ab + coef[1] * u_ac
            rest = 1.0 - in_plane @ in_plane
            if rest < -1e-9:
                raise InputError(f"{name}: Z-matrix angles {row[4]}° and {row[6]}° cannot both hold")
            positions.append(a + r * (in_plane + np.sign(side) * np.sqrt(max(rest, 0.0)) * normal))
            continue
        if len(row) != 7:
            raise InputError(f"{name}: Z-matrix row {row} has {len(row)} entries; see chefe.gas.zmatrix_atoms")
        phi = np.radians(float(row[6]))
        # dihedral d-a-b-c: rotate about the a-b axis from the plane holding c
        v = c - b
        ref = v - (v @ u_ab) * u_ab
        if np.linalg.norm(ref) < 1e-8:
            ref = perpendicular(u_ab)
        ref /= np.linalg.norm(ref)
        side = np.cross(u_ab, ref)
        radial = np.cos(phi) * ref + np.sin(phi) * side
        positions.append(a + r * (np.cos(theta) * u_ab + np.sin(theta) * radial))
    return Atoms(symbols, positions=np.array(positions), pbc=False)


def experimental_molecule(formula: str, *, table: str = "gas_molecules_experimental"):
    """Experimental geometry (:class:`ase.Atoms`) and vibrations (cm⁻¹) of a shipped gas, or None."""
    from .refdata import load_table

    entry = (load_table(table).get("species") or {}).get(formula)
    if entry is None:
        return None
    return zmatrix_atoms(entry["zmatrix"], name=f"{table} {formula}"), tuple(float(f) for f in entry["frequencies"])
