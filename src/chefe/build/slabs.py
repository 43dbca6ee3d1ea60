"""Metal, alloy and single-atom-alloy slabs through ``ase.build``; oxide surfaces through pymatgen.

The adsorption sites of a metal slab are the ones ``ase.build`` itself defines for the facet
(``atoms.info['adsorbate_info']['sites']``: ontop, bridge, fcc, hcp, hollow, ...), each tied to
the top-layer atoms that make it.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .lattice import resolve_lattice
from .model import Model, Site, check_element, tag_atoms

_FACETS = {
    "fcc": {"111": "fcc111", "100": "fcc100", "110": "fcc110", "211": "fcc211"},
    "bcc": {"110": "bcc110", "100": "bcc100", "111": "bcc111"},
    "hcp": {"0001": "hcp0001", "10-10": "hcp10m10", "10m10": "hcp10m10"},
}
_KIND = {"ontop": "top", "bridge": "bridge", "longbridge": "bridge", "shortbridge": "bridge",
         "fcc": "hollow", "hcp": "hollow", "hollow": "hollow", "step": "top"}


def _structure(metal: str) -> str:
    from ase.data import atomic_numbers, reference_states

    check_element(metal)
    state = reference_states[atomic_numbers[metal]]
    if not state or state.get("symmetry") not in _FACETS:
        raise InputError(f"{metal}: no fcc/bcc/hcp reference structure in ase.data; pass structure=")
    return state["symmetry"]


def slab(metal: str, facet: str = "111", *, size=(3, 3, 4), vacuum: float = 7.5,
         lattice: float | str = "pbe-d3bj", a: float | None = None,
         structure: str | None = None, fixed_layers: int = 2, alloy: dict | None = None,
         single_atom: str | None = None, seed: int = 0, name: str | None = None) -> Model:
    """A metal slab ``metal(facet)`` with its adsorption sites.

    ``size`` = (nx, ny, layers); ``vacuum`` (Å) on each side, as in ``ase.build``.
    ``lattice``: the functional whose bulk lattice constant the slab takes (``pbe-d3bj``, the
    shipped presets' functional; ``pbe``, ``pbe-d3``, ``experimental``: see
    :mod:`chefe.build.lattice`), a relaxed bulk run (folder or file) or a number (Å); ``a``
    (Å) overrides it. An alloy takes its host's. ``fixed_layers`` bottom layers get
    ``FixAtoms``. ``alloy={"Ru": 0.25}`` replaces that fraction of the atoms of every layer at
    random (``seed``); ``single_atom="Pt"`` puts one Pt in the top layer under the ontop site
    (a single-atom alloy; its sites are named ``SA`` and the default).
    """
    import ase.build
    from ase.constraints import FixAtoms

    structure = structure or _structure(metal)
    for element in list(alloy or {}) + ([single_atom] if single_atom else []):
        check_element(element)
    facets = _FACETS.get(structure, {})
    if facet not in facets:
        raise InputError(f"{metal} ({structure}): facet {facet!r} not available; use one of {', '.join(facets)}")
    builder = getattr(ase.build, facets[facet])
    cell = resolve_lattice(metal, a if a is not None else lattice, structure)
    if cell.structure != structure:
        raise InputError(f"{metal}: the lattice ({cell.source}) is {cell.structure}, the slab {structure}")
    kwargs = {"size": tuple(size), "vacuum": vacuum, "a": cell.a}
    if structure == "hcp":
        kwargs["c"] = cell.c
    try:
        atoms = builder(metal, **kwargs)
    except Exception as exc:  # noqa: BLE001 - ASE's message names the constraint (e.g. fcc211 size)
        raise InputError(f"{metal}({facet}) size {tuple(size)}: {exc}") from exc
    layers = int(size[2])
    tags = atoms.get_tags()
    if fixed_layers:
        atoms.set_constraint(FixAtoms(mask=tags > layers - fixed_layers))
    rng = np.random.default_rng(seed)
    composition = {}
    for element, fraction in (alloy or {}).items():
        for layer in range(1, layers + 1):
            idx = np.flatnonzero((tags == layer) & (atoms.numbers == atoms[0].number))
            count = int(round(float(fraction) * np.sum(tags == layer)))
            for k in rng.choice(idx, size=min(count, len(idx)), replace=False):
                atoms[int(k)].symbol = element
        composition[element] = fraction
    sites = _ase_sites(atoms)
    default = "ontop" if "ontop" in sites else next(iter(sites))
    if single_atom is not None:
        top = sites[default].metals[0]
        atoms[top].symbol = single_atom
        sites["SA"] = Site("SA", "top", sites[default].position, sites[default].normal, (top,))
        default = "SA"
    label = metal + "".join(f"{e}{f:g}" for e, f in composition.items())
    catalyst = name or (f"{single_atom}1{metal}{facet}" if single_atom else f"{label}{facet}")
    tag_atoms(atoms, catalyst, "slab", sites[default].metals, facet=facet, layers=layers,
              fixed_layers=fixed_layers, catalyst_metal=metal, lattice_a=round(cell.a, 5), lattice_method=cell.method,
              lattice_source=cell.source, **({"lattice_c": round(cell.c, 5)} if cell.c else {}))
    return Model(catalyst, atoms, sites, default, "slab")


def _ase_sites(atoms) -> dict[str, Site]:
    """Sites from ``ase.build``'s ``adsorbate_info``, each with the top-layer atoms under it."""
    info = atoms.info.get("adsorbate_info", {})
    cell = info.get("cell", atoms.cell[:2, :2])
    top_z = atoms.positions[:, 2].max()
    top = np.flatnonzero(atoms.get_tags() == 1)
    normal = np.array([0.0, 0.0, 1.0])
    sites = {}
    if not info.get("sites"):  # stepped facets: ASE names no sites; the top is the step-edge atom
        edge = int(np.argmax(atoms.positions[:, 2]))
        return {"ontop": Site("ontop", "top", atoms.positions[edge].copy(), normal, (edge,))}
    for name, frac in info["sites"].items():
        xy = np.dot(frac, cell)
        # top-layer atoms under the site, periodic images included
        diffs = atoms.positions[top, :2] - xy
        shifts = [np.dot(s, atoms.cell[:2, :2]) for s in ((i, j) for i in (-1, 0, 1) for j in (-1, 0, 1))]
        lateral = np.min([np.linalg.norm(diffs + s, axis=1) for s in shifts], axis=0)
        kind = _KIND.get(name, "hollow")
        n = {"top": 1, "bridge": 2, "hollow": 4 if name == "hollow" else 3}[kind]
        order = np.argsort(lateral, kind="stable")[:n]
        metals = tuple(int(top[k]) for k in order)
        anchor = np.array([xy[0], xy[1], top_z])
        if kind == "top":
            anchor = atoms.positions[metals[0]].copy()
        sites[name] = Site(name, kind, anchor, normal, metals)
    return sites


def oxide_slab(bulk, miller=(1, 1, 0), *, min_slab: float = 8.0, min_vacuum: float = 15.0,
               termination: int = 0, cation: str | None = None, fixed_fraction: float = 0.5,
               name: str | None = None) -> Model:
    """An oxide surface cut from a bulk structure by pymatgen's ``SlabGenerator``.

    ``bulk``: an ``ase.Atoms``, a pymatgen ``Structure`` or a file path. ``termination`` picks
    one of the slabs pymatgen finds; the default site is the highest ``cation`` (default: the
    first non-O element); atoms in the lower ``fixed_fraction`` of the slab are fixed.
    """
    from ase.constraints import FixAtoms
    from pymatgen.core import Structure
    from pymatgen.core.surface import SlabGenerator
    from pymatgen.io.ase import AseAtomsAdaptor

    if isinstance(bulk, Structure):
        structure = bulk
    elif hasattr(bulk, "get_positions"):
        structure = AseAtomsAdaptor.get_structure(bulk)
    else:
        structure = Structure.from_file(str(bulk))
    slabs = SlabGenerator(structure, tuple(miller), min_slab, min_vacuum, center_slab=True).get_slabs()
    if not slabs:
        raise InputError(f"{structure.composition.reduced_formula}{tuple(miller)}: pymatgen found no slab")
    if not 0 <= termination < len(slabs):
        raise InputError(f"termination {termination} out of range: pymatgen found {len(slabs)}")
    atoms = AseAtomsAdaptor.get_atoms(slabs[termination].get_orthogonal_c_slab())
    symbols = atoms.get_chemical_symbols()
    cation = cation or next(s for s in symbols if s != "O")
    z = atoms.positions[:, 2]
    lo, hi = z.min(), z.max()
    atoms.set_constraint(FixAtoms(mask=z < lo + fixed_fraction * (hi - lo)))
    cations = [k for k, s in enumerate(symbols) if s == cation]
    if not cations:
        raise InputError(f"no {cation} in the slab")
    top = max(cations, key=lambda k: z[k])
    miller_text = "".join(str(m) for m in miller)
    catalyst = name or f"{structure.composition.reduced_formula}{miller_text}"
    tag_atoms(atoms, catalyst, "slab", [top], facet=miller_text, termination=termination)
    site = Site(cation, "top", atoms.positions[top].copy(), np.array([0.0, 0.0, 1.0]), (top,))
    return Model(catalyst, atoms, {cation: site, "M": site}, cation, "slab")


def surface_slab(bulk, miller=(1, 1, 1), *, layers: int = 4, vacuum: float = 7.5, size=(1, 1),
                 fixed_layers: int = 2, name: str | None = None) -> Model:
    """A slab of any bulk (ordered alloys, intermetallics: an ``ase.Atoms`` or a file) cut by
    ``ase.build.surface``; ``layers`` counts repeats of the bulk's stacking period.

    Sites: ``top-<El>`` on the highest atom of each element of the top layer (the first is the
    default), so an alloy's distinct metals are each a named site.
    """
    import ase.io
    from ase.build import surface
    from ase.constraints import FixAtoms
    from ase.geometry import get_layers

    if not hasattr(bulk, "get_positions"):
        bulk = ase.io.read(str(bulk))
    atoms = surface(bulk, tuple(miller), layers, vacuum=vacuum, periodic=True)
    atoms = atoms.repeat((size[0], size[1], 1))
    index, _ = get_layers(atoms, (0, 0, 1), tolerance=0.3)
    n_layers = int(index.max()) + 1
    atoms.set_tags(n_layers - index)  # ASE's convention: 1 = top layer
    if fixed_layers:
        atoms.set_constraint(FixAtoms(mask=atoms.get_tags() > n_layers - fixed_layers))
    top = np.flatnonzero(atoms.get_tags() == 1)
    normal = np.array([0.0, 0.0, 1.0])
    sites = {}
    for element in dict.fromkeys(atoms[top].get_chemical_symbols()):
        k = max((int(i) for i in top if atoms[int(i)].symbol == element), key=lambda i: atoms.positions[i, 2])
        sites[f"top-{element}"] = Site(f"top-{element}", "top", atoms.positions[k].copy(), normal, (k,))
    miller_text = "".join(str(m) for m in miller)
    catalyst = name or f"{bulk.get_chemical_formula(empirical=True)}-{miller_text}"
    default = next(iter(sites))
    tag_atoms(atoms, catalyst, "slab", sites[default].metals, facet=miller_text, layers=n_layers,
              fixed_layers=fixed_layers)
    return Model(catalyst, atoms, sites, default, "slab")
