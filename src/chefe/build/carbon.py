"""Single- and dual-atom sites in graphene-like carbon, flat ("plane") or curved ("tube").

The sites are cut from a pristine sp² sheet by topology, not by coordinates typed in:

* a **double vacancy** (two bonded C removed) leaves four dangling atoms: the M–N_xC_(4−x) site
  (pyridinic N, x = 0..4), the metal at the centre of the vacancy, in the sheet;
* a **single vacancy** leaves three: M–N3 with the metal lifted out of the sheet to a
  metal–N distance of the covalent-radius sum;
* ``"N3V"``: the double-vacancy site with one of its four atoms removed (M–N3 next to a vacancy);
* a **four-atom zigzag chain** removed leaves six atoms around two metals: M1M2–N6, two of
  the N bridging both metals (``"N2-N2"`` keeps the bridges as C: the N2M1–M2N2 type);
* two separate double vacancies: M1M2–N8.

Hosts: a graphene supercell (``size``, ``vacuum``) or an (n, m) carbon nanotube
(``chirality``, ``length`` in unit cells) with the site on its outer wall, so that "tube" and
"plane" variants have the same local coordination and differ only by curvature.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from ..errors import InputError
from .model import (CC_BOND, Model, Site, check_element, covalent_bond, sheet_neighbours, tag_atoms,
                    unit)

AXIAL_LIGANDS = ("O", "OH", "Cl")


def _host(host: str, size, vacuum: float, chirality, length: int):
    """Pristine sheet or tube, the point the site is cut nearest to, and the normal function."""
    from ase.build import graphene, nanotube

    if host == "plane":
        atoms = graphene(size=(size[0], size[1], 1))
        atoms.cell[2, 2] = vacuum
        atoms.center(axis=2)
        target = atoms.cell[0] / 2 + atoms.cell[1] / 2
        target[2] = atoms.positions[0, 2]

        def normal(position):
            return np.array([0.0, 0.0, 1.0])

        return atoms, target, normal, None
    if host == "tube":
        n, m = chirality
        atoms = nanotube(int(n), int(m), length=int(length), bond=CC_BOND)
        radius = float(np.linalg.norm(atoms.positions[:, :2] - atoms.positions[:, :2].mean(0), axis=1).mean())
        side = 2 * radius + vacuum
        atoms.cell[0] = [side, 0, 0]
        atoms.cell[1] = [0, side, 0]
        atoms.pbc = True
        atoms.center(axis=(0, 1))
        axis = atoms.positions[:, :2].mean(0)
        target = np.array([axis[0] + radius, axis[1], atoms.cell[2, 2] / 2])

        def normal(position):
            return unit([position[0] - axis[0], position[1] - axis[1], 0.0])

        return atoms, target, normal, (axis, radius)
    raise InputError(f"host must be 'plane' or 'tube', not {host!r}")


def _centre_atom(atoms, target) -> int:
    return int(np.argmin(np.linalg.norm(atoms.positions - target, axis=1)))


def _partner(atoms, i: int, nb, normal) -> int:
    """The neighbour of ``i`` whose bond is most nearly along the tube axis / sheet's x."""
    n = normal(atoms.positions[i])
    ref = np.array([0.0, 0.0, 1.0]) if abs(n[2]) < 0.5 else np.array([1.0, 0.0, 0.0])
    return max(sorted(nb[i]), key=lambda j: abs(np.dot(unit(atoms.positions[j] - atoms.positions[i]), ref)))


def _parse_coordination(spec: str) -> tuple[list[str], bool]:
    """``"N3C1"`` -> (['N', 'N', 'N', 'C'], False); ``"N3V"`` -> (['N', 'N', 'N'], True)."""
    text = spec.strip()
    vacancy = text.endswith("V")
    if vacancy:
        text = text[:-1]
    tokens = re.findall(r"([A-Z][a-z]?)(\d*)", text)
    if not tokens or "".join(e + c for e, c in tokens) != text:
        raise InputError(f"coordination {spec!r}: write it as element counts, e.g. 'N4', 'N2C2', "
                         "'N3O1', 'N3' or 'N3V'")
    elements: list[str] = []
    for element, count in tokens:
        from ase.data import atomic_numbers

        if element not in atomic_numbers:
            raise InputError(f"coordination {spec!r}: unknown element {element!r}")
        elements.extend([element] * (int(count) if count else 1))
    return elements, vacancy


def _arrangement(elements: list[str], isomer: int, spec: str) -> tuple[str, ...]:
    options = sorted(set(itertools.permutations(elements)))
    if not 0 <= isomer < len(options):
        raise InputError(f"coordination {spec!r} has {len(options)} arrangements; isomer {isomer} "
                         f"is out of range")
    return options[isomer]


def _by_angle(atoms, centre, indices, normal) -> list[int]:
    """Shell atoms ordered by their angle around the site normal."""
    n = normal
    e1 = unit(np.cross(n, [0.0, 1.0, 0.0]) if abs(n[1]) < 0.9 else np.cross(n, [1.0, 0.0, 0.0]))
    e2 = np.cross(n, e1)
    vecs = atoms.positions[list(indices)] - centre
    angles = np.arctan2(vecs @ e2, vecs @ e1)
    return [int(indices[k]) for k in np.argsort(angles)]


def _on_surface(point, tube) -> np.ndarray:
    """Move a point onto the tube wall radially (no change for a plane)."""
    if tube is None:
        return point
    axis, radius = tube
    radial = unit([point[0] - axis[0], point[1] - axis[1], 0.0])
    return np.array([axis[0] + radius * radial[0], axis[1] + radius * radial[1], point[2]])


def _finish(atoms, remove, substitutions, additions):
    """Apply substitutions, append new atoms, delete removed ones; return the new indices of additions."""
    from ase import Atom

    for index, element in substitutions.items():
        atoms[index].symbol = element
    start = len(atoms)
    for element, position in additions:
        atoms.append(Atom(element, position))
    keep = np.ones(len(atoms), bool)
    keep[sorted(remove)] = False
    new_index = np.cumsum(keep) - 1
    del atoms[sorted(remove)]
    return [int(new_index[start + k]) for k in range(len(additions))], new_index


def _axial(atoms, metal: int, normal, ligand: str | None):
    """Axial ligand below the metal (the adsorbate goes on the other side)."""
    if ligand is None:
        return
    from ase import Atom

    if ligand not in AXIAL_LIGANDS:
        raise InputError(f"axial ligand must be one of {AXIAL_LIGANDS}, not {ligand!r}")
    m = atoms[metal].symbol
    p = atoms.positions[metal]
    if ligand == "OH":
        o = p - normal * covalent_bond(m, "O")
        atoms.append(Atom("O", o))
        atoms.append(Atom("H", o - normal * 0.97))
    else:
        atoms.append(Atom(ligand, p - normal * covalent_bond(m, ligand)))


def _second_shell(atoms, nb_new, shell_new, normal, second_shell, decorate):
    """Substitute a second-shell C (``second_shell``) and/or bond an atom to one (``decorate``)."""
    from ase import Atom

    if second_shell is None and decorate is None:
        return
    shell_set = set(shell_new)
    candidates = sorted({j for s in shell_new for j in nb_new.get(s, ()) if j not in shell_set
                         and atoms[j].symbol == "C"})
    if not candidates:
        raise InputError("no second-shell carbon next to the site to substitute or decorate")
    if second_shell is not None:
        atoms[candidates[0]].symbol = second_shell
    if decorate is not None:
        target = candidates[1] if second_shell is not None and len(candidates) > 1 else candidates[0]
        p = atoms.positions[target]
        atoms.append(Atom(decorate, p - normal * covalent_bond("C", decorate)))


def _name(metals, spec, host, extra=""):
    return f"{''.join(metals)}-{spec}-{host}{extra}"


def sac(metal: str, coordination: str = "N4", *, host: str = "plane", size=(6, 6),
        vacuum: float = 15.0, chirality=(8, 0), length: int = 4, isomer: int = 0,
        axial: str | None = None, second_shell: str | None = None, decorate: str | None = None,
        vacancy: str | None = None, ring: str = "pyridinic", name: str | None = None) -> Model:
    """A single-atom site M–X in graphene (``host="plane"``) or on a nanotube (``"tube"``).

    ``coordination``: element counts of the first shell, e.g. ``"N4"``, ``"N2C2"``, ``"C4"``,
    ``"N3O1"`` (heteroatom in place of N), ``"N3"`` (single vacancy) or ``"N3V"`` (double
    vacancy with one atom missing). ``isomer`` picks among the distinct arrangements of a mixed
    shell (sorted, 0 first). ``axial``: ligand O, OH or Cl under the metal. ``second_shell``:
    element replacing a second-shell C; ``decorate``: an atom bonded to a second-shell C (e.g. the
    C–Cl next to Fe–N4). Sizes in Å; ``size`` is the graphene supercell, ``length`` the tube's
    number of unit cells along its axis.

    ``ring``: ``"pyridinic"`` (each X in a six-membered ring of the sheet, the vacancy sites
    above) or ``"pyrrolic"`` (each X in a five-membered ring: the porphyrin-like M–X4 of
    :mod:`chefe.build.pyrrolic`; sheets of at least 7x7, zigzag tubes (n ≥ 6, 0) at least
    4 cells long).
    """
    check_element(metal)
    for extra_element, what in ((second_shell, "second-shell element"), (decorate, "decorating atom")):
        if extra_element is not None:
            check_element(extra_element, what)
    elements, with_vacancy = _parse_coordination(coordination)
    if ring not in ("pyridinic", "pyrrolic"):
        raise InputError(f"ring must be 'pyridinic' or 'pyrrolic', not {ring!r}")
    if ring == "pyrrolic":
        if vacancy is not None:
            raise InputError("vacancy applies to pyridinic sites; a pyrrolic site has no vacancy choice")
        return _pyrrolic_sac(metal, coordination, elements, with_vacancy, host, size, vacuum,
                             chirality, length, isomer, axial, second_shell, decorate, name)
    if vacancy not in (None, "single", "double"):
        raise InputError(f"vacancy must be 'single' or 'double', not {vacancy!r}")
    if vacancy is None:
        vacancy = "single" if len(elements) == 3 and not with_vacancy else "double"
    wanted = 3 if vacancy == "single" else 4
    if len(elements) + int(with_vacancy) != wanted:
        raise InputError(f"coordination {coordination!r}: a {vacancy} vacancy has {wanted} atoms around "
                         f"the metal, the spec gives {len(elements) + int(with_vacancy)}")
    atoms, target, normal_of, tube = _host(host, size, vacuum, chirality, length)
    nb = sheet_neighbours(atoms)
    i = _centre_atom(atoms, target)
    arrangement = _arrangement(elements + (["X"] if with_vacancy else []), isomer, coordination)
    if vacancy == "single":
        removed = {i}
        centre = atoms.positions[i].copy()
    else:
        j = _partner(atoms, i, nb, normal_of)
        removed = {i, j}
        centre = _on_surface((atoms.positions[i] + atoms.positions[j]) / 2, tube)
    normal = normal_of(centre)
    shell = _by_angle(atoms, centre, sorted(set().union(*(nb[r] for r in removed)) - removed), normal)
    subs = {}
    for index, element in zip(shell, arrangement):
        if element == "X":
            removed = removed | {index}
        elif element != "C":
            subs[index] = element
    metal_pos = centre.copy()
    if vacancy == "single":
        lateral = float(np.mean(np.linalg.norm(atoms.positions[shell] - centre, axis=1)))
        bond = covalent_bond(metal, elements[0])
        metal_pos = centre + normal * np.sqrt(max(bond**2 - lateral**2, 0.0))
    (m_index,), new_index = _finish(atoms, removed, subs, [(metal, metal_pos)])
    shell_new = [int(new_index[s]) for s in shell if s not in removed]
    nb_new = {int(new_index[a]): {int(new_index[b]) for b in bs if b not in removed}
              for a, bs in nb.items() if a not in removed}
    _second_shell(atoms, nb_new, shell_new, normal, second_shell, decorate)
    _axial(atoms, m_index, normal, axial)
    extra = "".join(f"-{x}" for x in (axial and f"ax{axial}", second_shell and f"2nd{second_shell}",
                                        decorate and f"C{decorate}") if x)
    catalyst = name or _name([metal], coordination, host, extra)
    tag_atoms(atoms, catalyst, "SAC", [m_index], host=host, coordination=coordination,
              arrangement="".join(a for a in arrangement))
    site = Site(metal, "top", atoms.positions[m_index].copy(), normal, (m_index,))
    return Model(catalyst, atoms, {metal: site, "M": site}, metal, "SAC")


def _pyrrolic_sac(metal, coordination, elements, with_vacancy, host, size, vacuum, chirality,
                  length, isomer, axial, second_shell, decorate, name) -> Model:
    from ase import Atoms
    from ase.build import graphene

    from .pyrrolic import build_sheet, rectangular_graphene, roll

    if with_vacancy or len(elements) != 4:
        raise InputError(f"coordination {coordination!r}: a pyrrolic site has four coordinating atoms "
                         "(e.g. 'N4', 'N3C1', 'N2C2')")
    arrangement = _arrangement(elements, isomer, coordination)
    if host == "plane":
        sheet = build_sheet(metal, tuple(arrangement), tuple(size))
        cell = graphene(size=(int(size[0]), int(size[1]), 1)).cell.array.copy()
        middle = (cell[0] + cell[1]) / 2
        xyz = np.column_stack([sheet.positions - sheet.positions[sheet.metal] + middle[:2],
                               np.zeros(len(sheet.symbols))])
        atoms = Atoms(sheet.symbols, positions=xyz, cell=cell, pbc=True)
        atoms.cell[2, 2] = vacuum
        atoms.center(axis=2)
        atoms.wrap()

        def normal_of(position):
            return np.array([0.0, 0.0, 1.0])
    elif host == "tube":
        n, m = (int(c) for c in chirality)
        if m != 0:
            raise InputError(f"pyrrolic sites on tubes: zigzag (n, 0) chiralities only, "
                             f"not ({n}, {m})")
        wall = rectangular_graphene(n, length)
        sheet = build_sheet(metal, tuple(arrangement), host=wall)
        positions, cell, axis = roll(sheet, wall.cell.array[:2, :2], vacuum)
        atoms = Atoms(sheet.symbols, positions=positions, cell=cell, pbc=True)

        def normal_of(position):
            return unit([position[0] - axis[0], position[1] - axis[1], 0.0])
    else:
        raise InputError(f"host must be 'plane' or 'tube', not {host!r}")
    m_index = sheet.metal
    normal = normal_of(atoms.positions[m_index])
    neighbours: dict[int, set[int]] = {k: set() for k in range(len(atoms))}
    for a, b in sheet.bonds:
        neighbours[a].add(b)
        neighbours[b].add(a)
    _second_shell(atoms, neighbours, list(sheet.shell), normal, second_shell, decorate)
    _axial(atoms, m_index, normal, axial)
    extra = "".join(f"-{x}" for x in (axial and f"ax{axial}", second_shell and f"2nd{second_shell}",
                                        decorate and f"C{decorate}") if x)
    catalyst = name or _name([metal], f"{coordination}-pyrrolic", host, extra)
    tag_atoms(atoms, catalyst, "SAC", [m_index], host=host, coordination=coordination,
              arrangement="".join(arrangement), ring="pyrrolic",
              rings=",".join(f"{k}:{v}" for k, v in sheet.rings.items()))
    site = Site(metal, "top", atoms.positions[m_index].copy(), normal, (m_index,))
    return Model(catalyst, atoms, {metal: site, "M": site}, metal, "SAC")


def dac(metal1: str, metal2: str, coordination: str = "N6", *, host: str = "plane", size=(8, 8),
        vacuum: float = 15.0, chirality=(10, 0), length: int = 5, distance: float | None = None,
        name: str | None = None) -> Model:
    """A dual-atom site M1M2 in graphene or on a nanotube.

    ``coordination``: ``"N6"`` (four-atom chain vacancy, two N bridging the metals),
    ``"N2-N2"`` (same vacancy, bridges left as C: the N2M1–M2N2 type) or ``"N8"`` (two separate
    M–N4 sites). ``distance`` (Å) sets the M–M distance: for N6/N2-N2 the metals are moved
    symmetrically along their axis; for N8 the second vacancy is the one whose metal–metal
    distance is closest to it (default: the nearest non-overlapping one).
    Sites: ``M1``, ``M2`` (named by element when the metals differ) and ``bridge``.
    """
    check_element(metal1)
    check_element(metal2)
    atoms, target, normal_of, tube = _host(host, size, vacuum, chirality, length)
    nb = sheet_neighbours(atoms)
    i = _centre_atom(atoms, target)
    j = _partner(atoms, i, nb, normal_of)
    if coordination in ("N6", "N2-N2"):
        chains = [(k, m) for k in sorted(nb[j] - {i}) for m in sorted(nb[k] - {i, j})]
        # the trans (zigzag) chain i-j-k-m: its metals are one lattice constant apart
        k, m = max(chains, key=lambda km: np.linalg.norm(atoms.positions[km[1]] - atoms.positions[i]))
        pairs = [(i, j), (k, m)]
    elif coordination == "N8":
        pairs = [(i, j), _second_vacancy(atoms, nb, i, j, distance)]
    else:
        raise InputError(f"dual-atom coordination must be 'N6', 'N2-N2' or 'N8', not {coordination!r}")
    removed = set(itertools.chain(*pairs))
    centres = [_on_surface((atoms.positions[a] + atoms.positions[b]) / 2, tube) for a, b in pairs]
    shell = sorted(set().union(*(nb[r] for r in removed)) - removed)
    cutoff = 2.7  # Å: a shell atom within this of a metal centre coordinates it (1.88 and 2.56 Å)
    near = {s: [c for c, p in enumerate(centres) if np.linalg.norm(atoms.positions[s] - p) < cutoff]
            for s in shell}
    subs = {}
    for s in shell:
        bridging = len(near[s]) == 2
        subs[s] = "C" if coordination == "N2-N2" and bridging else "N"
    if coordination in ("N6", "N2-N2") and distance is not None:
        mid = (centres[0] + centres[1]) / 2
        axis = unit(centres[1] - centres[0])
        centres = [mid - axis * distance / 2, mid + axis * distance / 2]
    (a1, a2), new_index = _finish(atoms, removed, {s: e for s, e in subs.items() if e != "C"},
                                  [(metal1, centres[0]), (metal2, centres[1])])
    if coordination in ("N6", "N2-N2"):
        # the bridging atoms at bonding distance from both metals: the core relaxed in the plane,
        # or on a tube in its unrolled wall (then rolled back onto the cylinder)
        shared = [new_index[s] for s in shell if len(near[s]) == 2 and s in new_index]
        own = {a1: [new_index[s] for s in shell if near[s] == [0] and s in new_index],
               a2: [new_index[s] for s in shell if near[s] == [1] and s in new_index]}
        _relax_dual_core(atoms, (a1, a2), own, shared, fixed_metals=True, tube=tube)
        centres = [atoms.positions[a1].copy(), atoms.positions[a2].copy()]
    normal = normal_of((centres[0] + centres[1]) / 2)
    catalyst = name or _name([metal1, metal2], coordination, host)
    tag_atoms(atoms, catalyst, "DAC", [a1, a2], host=host, coordination=coordination,
              mm_distance=float(np.linalg.norm(centres[1] - centres[0])))
    n1, n2 = (metal1, metal2) if metal1 != metal2 else ("M1", "M2")
    sites = {n1: Site(n1, "top", atoms.positions[a1].copy(), normal_of(centres[0]), (a1,)),
             n2: Site(n2, "top", atoms.positions[a2].copy(), normal_of(centres[1]), (a2,)),
             "bridge": Site("bridge", "bridge", (atoms.positions[a1] + atoms.positions[a2]) / 2,
                            normal, (a1, a2))}
    if n1 != "M1":
        sites["M1"], sites["M2"] = sites[n1], sites[n2]
    return Model(catalyst, atoms, sites, n1, "DAC")


#: metal–X bonds this many times stiffer than the sheet's in the core relaxation (as for pyrrolic sites)
_CORE_STIFFNESS = 20.0


def _unrolled(atoms, tube):
    """In-plane coordinates (n, 2) of a sheet (x, y) or of a tube's wall unrolled (arc length
    R·θ about the axis, z), with their periodic 2D cell."""
    if tube is None:
        return atoms.positions[:, :2].copy(), atoms.cell.array[:2, :2].copy()
    axis, radius = tube
    rel = atoms.positions[:, :2] - axis
    theta = np.arctan2(rel[:, 1], rel[:, 0])
    uv = np.column_stack([radius * theta, atoms.positions[:, 2]])
    return uv, np.array([[2 * np.pi * radius, 0.0], [0.0, atoms.cell[2, 2]]])


def _roll_back(atoms, uv, tube) -> None:
    """Positions from in-plane coordinates (:func:`_unrolled`): each tube atom at its own radius."""
    if tube is None:
        atoms.positions[:, :2] = uv
        return
    axis, radius = tube
    r = np.linalg.norm(atoms.positions[:, :2] - axis, axis=1)
    theta = uv[:, 0] / radius
    atoms.positions[:, 0] = axis[0] + r * np.cos(theta)
    atoms.positions[:, 1] = axis[1] + r * np.sin(theta)
    atoms.positions[:, 2] = uv[:, 1]


def _relax_dual_core(atoms, metals, own: dict, shared: list[int], fixed_metals: bool, tube=None) -> None:
    """Relax a flat dual-atom core in its plane (valence force field, :mod:`chefe.build.vff`):
    every metal–X bond (its own shell and the bridging atoms, shared by both metals) at the
    length of the metals' own shell in the vacancy (1.88 Å in graphene, as at a single-atom
    site), sheet bonds at the C–C length, sp² angles in the sheet and at the shell atoms. The metals stay
    where they are when ``fixed_metals`` (an M–M distance was asked for); otherwise one sheet atom
    far from the core holds the sheet in place."""
    from .vff import angle_terms, relax_in_plane

    from .vff import minimum_image

    nb = sheet_neighbours(atoms)
    metal_set = set(metals)
    uv, cell2d = _unrolled(atoms, tube)
    mic = minimum_image(cell2d)

    def span(i, j) -> float:  # in-plane distance (the unrolled wall's on a tube)
        return float(np.linalg.norm(mic(uv[j] - uv[i])))

    bonds, lengths, weights = [], [], []
    for i in sorted(nb):
        if i in metal_set:
            continue
        for j in sorted(nb[i]):
            if j > i and j not in metal_set:
                bonds.append((i, j))
                # graphene's C–C bond; on a tube each pristine bond keeps its unrolled length
                lengths.append(CC_BOND if tube is None else span(i, j))
                weights.append(1.0)
    neighbours = {i: {j for j in nb[i] if j not in metal_set} for i in nb if i not in metal_set}
    # the metal–X length of the site's own shell (the vacancy's geometry, as for a single-atom
    # site) for the bridging atoms too
    d_own = float(np.mean([span(m, x) for m in metals for x in own[m]]))
    for m in metals:
        for x in own[m] + shared:
            bonds.append((m, x))
            lengths.append(d_own)
            weights.append(_CORE_STIFFNESS)
            neighbours.setdefault(x, set()).add(m)
        neighbours[m] = set(own[m] + shared)
        # the second shell (sheet atoms bonded to the metal's shell) kept at its distance in the
        # unrelaxed vacancy, so that moving the bridging atoms does not pull a C onto the metal
        for x in own[m] + shared:
            for c in nb[x]:
                if c not in metal_set and c not in own[m] and c not in shared:
                    bonds.append((m, c))
                    lengths.append(span(m, c))
                    weights.append(1.0)

    # angles at the sheet atoms, metals included (so that the second shell keeps its distance):
    # sp² 120° around an atom bonded to one metal; around a bridging atom the M–X–M angle is
    # what the two bonds and the M–M distance make, and its two M–X–C angles share the rest
    d_mm = span(metals[0], metals[1])
    bridging_angle = {}
    for x in shared:
        mxm = 2 * np.degrees(np.arcsin(min(1.0, d_mm / 2 / d_own)))
        bridging_angle[x] = (360.0 - mxm) / 2

    def target(i, j, k):
        if i in metal_set:
            return None
        if i in bridging_angle:
            if j in metal_set and k in metal_set:
                return None
            return bridging_angle[i] if (j in metal_set or k in metal_set) else 120.0
        return 120.0

    angles, cosines = angle_terms(neighbours, target)
    centre = atoms.positions[list(metals)].mean(0)
    anchor = int(np.argmax(np.linalg.norm(atoms.positions - centre, axis=1)))
    fixed = list(metals) if fixed_metals else [anchor]
    xy, _ = relax_in_plane(uv, cell2d, np.array(bonds), np.array(lengths),
                           angles, cosines, fixed=fixed, weights=weights)
    _roll_back(atoms, xy, tube)


def _second_vacancy(atoms, nb, i: int, j: int, distance: float | None) -> tuple[int, int]:
    """A second C–C pair parallel to (i, j) whose vacancy shares no atom with the first."""
    first = {i, j}
    shell1 = set().union(*(nb[r] for r in first)) - first
    bond = atoms.positions[j] - atoms.positions[i]
    centre1 = (atoms.positions[i] + atoms.positions[j]) / 2
    best = None
    for a in range(len(atoms)):
        for b in sorted(nb[a]):
            if a in first or b in first or not np.allclose(atoms.positions[b] - atoms.positions[a], bond, atol=0.05):
                continue
            shell2 = set(nb[a] | nb[b]) - {a, b}
            if shell2 & (shell1 | first) or {a, b} & shell1:
                continue
            if any(x in nb[y] for x in shell2 for y in shell1):
                continue  # keep the two N4 units apart by at least one C
            d = float(np.linalg.norm((atoms.positions[a] + atoms.positions[b]) / 2 - centre1))
            score = abs(d - distance) if distance is not None else d
            if best is None or score < best[0]:
                best = (score, a, b)
    if best is None:
        raise InputError("no room for a second M–N4 vacancy: use a larger supercell")
    return best[1], best[2]
