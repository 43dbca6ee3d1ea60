"""Lattice constants of elemental metals consistent with the DFT functional of the inputs.

A slab cut at the experimental lattice constant but relaxed with PBE-D3(BJ) is strained by
1-2 % (Cu: 3.61 Å measured, 3.63 Å PBE, 3.56 Å PBE-D3(BJ)), which shifts adsorption energies by
tens of meV. chefe therefore builds slabs at the lattice constant of the functional the inputs
use:

``pbe``
    The all-electron (WIEN2k) PBE equilibrium volume of the Delta test, Lejaeghere et al.,
    Science 351, aad3000 (2016), as ASE ships it (``ase.collections.dcdft``). Hexagonal metals
    keep the Delta-test c/a.
``pbe-d3bj`` (the shipped presets: VASP ``IVDW = 12``, pw.x ``dftd3_version = 4``)
    The minimum of E(V) = E_PBE(V) + E_D3(BJ)(V): the PBE Birch–Murnaghan equation of state of
    the Delta test (V0, B0, B0') plus Grimme's D3 dispersion energy with Becke–Johnson damping
    (Grimme, Ehrlich, Goerigk, J. Comput. Chem. 32, 1456 (2011); two-body terms, VASP's
    cut-offs), evaluated by the ``dftd3`` library on the crystal scaled isotropically. D3 is
    added to the PBE energy after the fact, so the sum is the PBE-D3(BJ) energy up to the
    difference between the all-electron and the PAW PBE curves (the Delta test: ~1 meV/atom).
``pbe-d3``
    The same with zero damping (VASP ``IVDW = 11``; Grimme et al., J. Chem. Phys. 132, 154104
    (2010)).
``experimental``
    ASE's reference state (``ase.data.reference_states``); for a model that is not relaxed with
    DFT, or to reproduce a paper that used it.

Any other functional: relax the bulk with the same settings (``chefe build bulk METAL``,
:func:`bulk_model`) and pass the relaxed run (:func:`lattice_from_run`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

METHODS = ("pbe-d3bj", "pbe-d3", "pbe", "experimental")
_ALIASES = {"pbe-d3(bj)": "pbe-d3bj", "d3bj": "pbe-d3bj", "pbe+d3bj": "pbe-d3bj", "pbe-d3-bj": "pbe-d3bj",
            "pbe-d3(zero)": "pbe-d3", "d3": "pbe-d3", "pbe+d3": "pbe-d3", "exp": "experimental",
            "ase": "experimental"}
_DELTA = "WIEN2k PBE equation of state of the Delta test (Lejaeghere et al., Science 351, aad3000 (2016); ase.collections.dcdft)"
#: Å, VASP's default real-space cut-offs of D3 (VDW_RADIUS for pairs, VDW_CNRADIUS for coordination numbers)
VASP_D3_CUTOFF = 50.2
VASP_D3_CN_CUTOFF = 20.0
#: atoms in the cell ase.build.bulk(..., cubic/orthorhombic=False) gives (fcc/bcc conventional sizes below)
_ATOMS_PER_CELL = {"fcc": 4, "bcc": 2, "hcp": 2}


@dataclass(frozen=True)
class Lattice:
    """A metal's lattice: ``a`` (Å; and ``c`` for hcp), its structure and where it comes from."""

    metal: str
    structure: str  # "fcc", "bcc" or "hcp"
    a: float
    c: float | None
    method: str  # "pbe-d3bj", "pbe-d3", "pbe", "experimental", "run" or "given"
    source: str

    @property
    def volume(self) -> float:
        """Å³ per atom."""
        if self.structure == "fcc":
            return self.a ** 3 / 4
        if self.structure == "bcc":
            return self.a ** 3 / 2
        return float(np.sqrt(3) / 4 * self.a ** 2 * self.c)


def method_name(text: str) -> str | None:
    """The canonical method for a spelling (``PBE-D3(BJ)`` -> ``pbe-d3bj``), or None."""
    key = str(text).strip().lower().replace(" ", "")
    key = _ALIASES.get(key, key)
    return key if key in METHODS else None


def _reference_structure(metal: str) -> str:
    from ase.data import atomic_numbers, reference_states

    from .model import check_element

    check_element(metal)
    state = reference_states[atomic_numbers[metal]] or {}
    structure = state.get("symmetry")
    if structure not in _ATOMS_PER_CELL:
        raise InputError(f"{metal}: its reference structure ({structure or 'none'}) is not fcc, bcc or hcp; "
                         "give the lattice constant (a number) or a relaxed bulk run")
    return structure


def experimental_lattice(metal: str) -> Lattice:
    """ASE's reference lattice constant (``ase.data.reference_states``)."""
    from ase.data import atomic_numbers, reference_states

    structure = _reference_structure(metal)
    state = reference_states[atomic_numbers[metal]]
    c = float(state["a"] * state["c/a"]) if structure == "hcp" else None
    return Lattice(metal, structure, float(state["a"]), c, "experimental",
                   "ase.data.reference_states (experimental)")


@functools.cache
def _delta_entry(metal: str):
    """The Delta-test crystal (ase.Atoms) and its WIEN2k PBE V0 (Å³/atom), B0 (eV/Å³), B0'."""
    from ase.collections import dcdft
    from ase.units import GPa

    structure = _reference_structure(metal)
    if not dcdft.has(metal):
        raise InputError(f"{metal}: not in the Delta test's PBE set; give the lattice constant or a relaxed bulk run")
    atoms, data = dcdft[metal], dcdft.data[metal]
    cell = atoms.cell.cellpar()
    kind = None
    if len(atoms) == 4 and np.allclose(cell, [cell[0]] * 3 + [90] * 3, atol=1e-4):
        kind = "fcc"
    elif len(atoms) == 2 and np.allclose(cell[:3], cell[0], atol=1e-4) and np.allclose(cell[3:], 90):
        kind = "bcc"
    elif len(atoms) == 2 and np.isclose(cell[0], cell[1]) and np.allclose(cell[3:], [90, 90, 120]):
        kind = "hcp"
    if kind != structure:
        raise InputError(f"{metal}: the Delta test computes it in another structure than ASE's {structure}; "
                         "give the lattice constant or a relaxed bulk run")
    return atoms, float(data["wien2k_volume"]), float(data["wien2k_B"]) * GPa, float(data["wien2k_Bp"])


def birch_murnaghan(volume, v0: float, b0: float, bp: float):
    """Third-order Birch–Murnaghan energy (eV/atom, relative to the minimum) at ``volume`` (Å³/atom)."""
    eta = (v0 / np.asarray(volume, dtype=float)) ** (2.0 / 3.0)
    return 9.0 * v0 * b0 / 16.0 * ((eta - 1.0) ** 3 * bp + (eta - 1.0) ** 2 * (6.0 - 4.0 * eta))


def _scaled(atoms, volume: float):
    scaled = atoms.copy()
    factor = (volume * len(atoms) / atoms.get_volume()) ** (1.0 / 3.0)
    scaled.set_cell(atoms.cell * factor, scale_atoms=True)
    return scaled


def _lattice_of(metal: str, structure: str, atoms, method: str, source: str) -> Lattice:
    a, _, c = atoms.cell.cellpar()[:3]
    return Lattice(metal, structure, float(a), float(c) if structure == "hcp" else None, method, source)


def d3_energy(atoms, damping: str = "bj") -> float:
    """Grimme's D3 energy (eV/atom) of a periodic crystal for PBE, two-body terms only and
    VASP's cut-offs (``IVDW = 12`` for ``damping='bj'``, 11 for ``'zero'``)."""
    try:
        from dftd3.interface import DispersionModel, RationalDampingParam, ZeroDampingParam
    except ImportError:  # pragma: no cover - a core dependency; a broken install says so
        raise InputError("the dftd3 package is missing (pip install dftd3); or give the lattice as a number, "
                         "'pbe', 'experimental' or a relaxed bulk run") from None
    from ase.units import Bohr, Hartree

    model = DispersionModel(atoms.numbers, atoms.positions / Bohr, atoms.cell.array / Bohr,
                            periodic=np.array([True, True, True]))
    model.set_realspace_cutoff(VASP_D3_CUTOFF / Bohr, 40.0, VASP_D3_CN_CUTOFF / Bohr)
    param = RationalDampingParam(method="pbe") if damping == "bj" else ZeroDampingParam(method="pbe")
    return float(model.get_dispersion(param, grad=False)["energy"]) * Hartree / len(atoms)


@functools.cache
def functional_lattice(metal: str, method: str = "pbe-d3bj") -> Lattice:
    """The lattice constant of ``metal`` for a functional (see the module text): ``pbe``,
    ``pbe-d3bj``, ``pbe-d3`` or ``experimental``."""
    from scipy.optimize import minimize_scalar

    name = method_name(method)
    if name is None:
        raise InputError(f"lattice {method!r}: use one of {', '.join(METHODS)}, a number (Å) or a relaxed bulk run")
    if name == "experimental":
        return experimental_lattice(metal)
    structure = _reference_structure(metal)
    atoms, v0, b0, bp = _delta_entry(metal)
    if name == "pbe":
        return _lattice_of(metal, structure, _scaled(atoms, v0), "pbe", _DELTA)
    damping = "bj" if name == "pbe-d3bj" else "zero"

    def energy(volume: float) -> float:
        return float(birch_murnaghan(volume, v0, b0, bp)) + d3_energy(_scaled(atoms, volume), damping)

    best = minimize_scalar(energy, bounds=(0.80 * v0, 1.05 * v0), method="bounded", options={"xatol": 1e-5})
    label = "D3(BJ)" if damping == "bj" else "D3(zero)"
    source = (f"minimum of the {_DELTA} plus Grimme's {label} dispersion for PBE (dftd3 library, two-body, "
              "VASP cut-offs)")
    return _lattice_of(metal, structure, _scaled(atoms, float(best.x)), name, source)


#: flags that make a bulk run's structure no relaxed lattice
_UNRELAXED = ("unreadable", "empty", "truncated", "unfinished", "final_structure_unreadable",
              "electronic_not_converged", "ionic_not_converged", "no_structure")


def _run_structure(path: Path):
    """The final structure of a finished run folder (chefe's readers: VASP, pw.x, GPAW, ASE),
    refused with the reason when the run is not finished and converged."""
    from ..io.readers import read_run
    from ..io.tree import find_runs

    runs, _ = find_runs(path)
    runs = [r for r in runs if r.code != "ase-vib"]
    if not runs:
        raise InputError(f"{path}: no run output (OUTCAR, vasprun.xml, pw.out, run.traj); run the bulk relaxation "
                         "first (chefe build bulk METAL writes its inputs)")
    if len(runs) > 1:
        raise InputError(f"{path}: {len(runs)} runs inside ({', '.join(r.relative or '.' for r in runs[:3])}); "
                         "give the folder of the one bulk relaxation")
    record = read_run(runs[0].path, runs[0].code, digest=False)
    bad = [f for f in record.flags if f.split(":")[0] in _UNRELAXED]
    if bad or record.atoms is None:
        why = ", ".join(bad) or "no final structure"
        raise InputError(f"{path}: the bulk relaxation is not usable ({why}); finish it, or give the lattice "
                         "constant as a number")
    return record.atoms


def lattice_from_run(path: str | Path, metal: str | None = None) -> Lattice:
    """The lattice constant of a relaxed bulk run: a run folder (read by chefe's readers, refused
    when unfinished or not converged) or a structure file ASE reads (a CONTCAR). The crystal must
    be one element in an fcc, bcc or hcp lattice (any cell: primitive or conventional);
    ``metal`` checks the element."""
    import ase.io

    path = Path(path)
    if path.is_dir():
        atoms = _run_structure(path)
    elif not path.exists():
        raise InputError(f"lattice {str(path)!r}: no such file or folder; give a number (Å), one of "
                         f"{', '.join(METHODS)}, or a relaxed bulk run")
    else:
        try:
            atoms = ase.io.read(str(path), index=-1)
        except Exception as exc:  # noqa: BLE001 - any reader failure is the same user error
            raise InputError(f"{path}: not a structure ASE can read ({type(exc).__name__}: {exc})") from None
    symbols = set(atoms.get_chemical_symbols())
    if len(symbols) != 1:
        raise InputError(f"{path}: a bulk lattice needs one element, the run has {', '.join(sorted(symbols))}")
    element = symbols.pop()
    if metal is not None and element != metal:
        raise InputError(f"{path}: the crystal is {element}, not {metal}; give the {metal} bulk run")
    structure, a, c = _classify(atoms, path)
    return Lattice(element, structure, a, c, "run", f"relaxed bulk run {path}")


def _classify(atoms, path) -> tuple[str, float, float | None]:
    """fcc/bcc/hcp (spglib's space group: 225, 229, 194) and the conventional a (c) of a crystal."""
    import warnings

    import spglib

    cell = (atoms.cell.array, atoms.get_scaled_positions(), atoms.numbers)
    with warnings.catch_warnings():  # spglib 2.x warns about its own error-handling switch
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = spglib.get_symmetry_dataset(cell, symprec=0.02)
    number = getattr(dataset, "number", None) if dataset is not None else None
    volume = atoms.get_volume() / len(atoms)
    if number == 225:
        return "fcc", float((4 * volume) ** (1 / 3)), None
    if number == 229:
        return "bcc", float((2 * volume) ** (1 / 3)), None
    if number == 194:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            lattice, _, _ = spglib.standardize_cell(cell, to_primitive=True, symprec=0.02)
        lengths = np.linalg.norm(lattice, axis=1)
        return "hcp", float(lengths[0]), float(lengths[2])
    found = f"space group {dataset.international} ({number})" if number else "no space group"
    raise InputError(f"{path}: not an fcc, bcc or hcp crystal ({found}); give the lattice constant as a number")


def resolve_lattice(metal: str, lattice: float | str | Path | Lattice, structure: str | None = None) -> Lattice:
    """A :class:`Lattice` from what a user gives: a number (Å), a method name or a run."""
    if isinstance(lattice, Lattice):
        return lattice
    if isinstance(lattice, (int, float)) and not isinstance(lattice, bool):
        if not 1.5 < float(lattice) < 8.0:
            raise InputError(f"lattice {lattice}: a lattice constant in Å (e.g. 3.57 for Cu)")
        kind = structure or _reference_structure(metal)
        c = None
        if kind == "hcp":
            c = float(lattice) * experimental_lattice(metal).c / experimental_lattice(metal).a
        return Lattice(metal, kind, float(lattice), c, "given", "given")
    text = str(lattice)
    try:
        return resolve_lattice(metal, float(text), structure)
    except ValueError:
        pass
    name = method_name(text)
    if name is not None:
        return functional_lattice(metal, name)
    return lattice_from_run(text, metal)


def bulk_crystal(metal: str, lattice: float | str | Lattice = "pbe-d3bj"):
    """The primitive cell of ``metal`` (fcc, bcc or hcp) at a starting lattice constant, tagged
    ``family='bulk'``: written as a cell relaxation (VASP ``ISIF = 3``, pw.x ``vc-relax``) under
    ``bulk/<metal>`` by :func:`chefe.build.write_tree`; its relaxed run then gives the slabs'
    lattice constant (``slab(..., lattice='bulk/Cu')``)."""
    import ase.build

    start = resolve_lattice(metal, lattice)
    kwargs = {"c": start.c} if start.structure == "hcp" else {}
    atoms = ase.build.bulk(metal, start.structure, a=start.a, **kwargs)
    atoms.info.update({"family": "bulk", "metal": metal, "structure": start.structure,
                       "lattice_a": round(start.a, 5), "lattice_method": start.method,
                       "lattice_source": f"starting lattice: {start.source}"})
    return atoms
