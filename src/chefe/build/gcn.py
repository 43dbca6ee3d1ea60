"""Heptazine graphitic carbon nitride (g-C3N4) and dual-atom sites in its cavity.

The sheet is built from its topology: a heptazine (tri-s-triazine, C6N7) unit is three fused
six-membered rings around a central N on a honeycomb of bond ``ring_bond``; its three tip
carbons bond to tertiary N that each join three units. Units sit on a hexagonal lattice of
constant a = √3 · (2 · ring_bond + bridge_bond), one unit and one bridging N per cell (C6N8).
The default bonds (1.34 Å ring C–N, 1.47 Å C–N bridge) give a = 7.19 Å, against 7.13 Å for
relaxed PBE sheets: a starting point to relax.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import Model, Site, check_element, tag_atoms

#: The eight 3d metals of the 36-configuration M1M2/g-C3N4 screen (8 homo- + 28 heteronuclear pairs).
SCREEN_METALS = ("Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu")


def gcn_sheet(size=(2, 2), *, vacuum: float = 15.0, ring_bond: float = 1.34, bridge_bond: float = 1.47):
    """A flat heptazine g-C3N4 sheet, ``size`` primitive cells (C6N8 each)."""
    from ase import Atoms

    b = ring_bond
    radius = 2 * b + bridge_bond
    a = np.sqrt(3) * radius
    atoms_xy, symbols = [(0.0, 0.0)], ["N"]  # central N
    for theta in (90, 210, 330):  # inner C, bonded to the central N
        atoms_xy.append((b * np.cos(np.radians(theta)), b * np.sin(np.radians(theta))))
        symbols.append("C")
    for phi in (30, 150, 270):  # each ring: centre at b along phi; outer vertices
        centre = b * np.array([np.cos(np.radians(phi)), np.sin(np.radians(phi))])
        for k, delta in enumerate((-60, 0, 60)):
            ang = np.radians(phi + delta)
            atoms_xy.append(tuple(centre + b * np.array([np.cos(ang), np.sin(ang)])))
            symbols.append("C" if delta == 0 else "N")  # the tip (opposite the centre) is C
    cell = np.array([[a, 0, 0], [a / 2, a * np.sqrt(3) / 2, 0], [0, 0, vacuum]])
    bridge = (cell[0] + cell[1]) / 3
    atoms_xy.append((bridge[0], bridge[1]))
    symbols.append("N")
    positions = [(x, y, vacuum / 2) for x, y in atoms_xy]
    unit_cell = Atoms(symbols, positions=positions, cell=cell, pbc=True)
    unit_cell.wrap()
    sheet = unit_cell.repeat((size[0], size[1], 1))
    return sheet


def gcn_dac(metal1: str, metal2: str, *, size=(2, 2), vacuum: float = 15.0, distance: float = 2.4,
            height: float = 0.0, name: str | None = None) -> Model:
    """M1M2 in one six-fold cavity of g-C3N4, each metal bonded to two of the cavity's six
    pyridinic N.

    The cavity is lined by six two-fold N; adjacent pairs form six pockets, three *bays* (two N of
    one heptazine around its inner C) and three *corners* (N of two heptazines, facing the bridging
    N). Each metal takes a pocket and sits at its M–N covalent-radius sum (Cordero, ASE's table)
    from both N, ``distance`` (Å) from the other metal, no nearer than bonding + 0.3 Å to any other
    sheet atom (no M–C contact), as low as these allow and never below ``height`` Å. Of the
    symmetry-distinct pocket pairs the lowest is taken, deterministically; with M–M = 2.4 Å both
    metals take corner pockets, the smaller-fitting one in the sheet plane (or, for Ti and V, as
    low as its longer bonds allow) and the other above it. Relax before use; ``atoms.info``
    records the pockets and heights (Å).
    """
    check_element(metal1)
    check_element(metal2)
    sheet = gcn_sheet(size, vacuum=vacuum)
    from ase.data import atomic_numbers, covalent_radii

    radii = tuple(float(covalent_radii[atomic_numbers[m]]) for m in (metal1, metal2))
    try:
        placed = _cavity_positions(tuple(size), float(vacuum), radii, float(distance), float(height))
    except InputError as error:
        raise InputError(f"{metal1}{metal2}: {error}") from None
    p1, p2 = placed.positions
    from ase import Atom

    sheet.append(Atom(metal1, p1))
    sheet.append(Atom(metal2, p2))
    a1, a2 = len(sheet) - 2, len(sheet) - 1
    catalyst = name or f"{metal1}{metal2}@g-C3N4"
    tag_atoms(sheet, catalyst, "DAC", [a1, a2], host="g-C3N4", coordination="cavity",
              mm_distance=float(distance))
    sheet.info.update(cavity_pockets=f"{placed.pockets[0]}/{placed.pockets[1]}",
                      metal_heights=f"{placed.heights[0]:.2f}/{placed.heights[1]:.2f}")
    normal = np.array([0.0, 0.0, 1.0])
    n1, n2 = (metal1, metal2) if metal1 != metal2 else ("M1", "M2")
    sites = {n1: Site(n1, "top", p1, normal, (a1,)), n2: Site(n2, "top", p2, normal, (a2,)),
             "bridge": Site("bridge", "bridge", (p1 + p2) / 2, normal, (a1, a2))}
    if n1 != "M1":
        sites["M1"], sites["M2"] = sites[n1], sites[n2]
    return Model(catalyst, sheet, sites, n1, "DAC")


@dataclass(frozen=True)
class CavityPlacement:
    """Where the two metals sit: positions (Å), pocket kinds ("bay"/"corner") and heights above
    the sheet (Å)."""

    positions: np.ndarray
    pockets: tuple[str, str]
    heights: tuple[float, float]


#: Clearance (Å) beyond the covalent-radius sum kept between a metal and every sheet atom it does
#: not bond to: keeps the two-fold coordination and any M–C contact out.
CLEARANCE = 0.3


def cavity_pockets(sheet, centre):
    """The six pyridinic N around a cavity ``centre`` (sorted by angle) and the six pockets of
    adjacent pairs, as ``[(kind, (i, j))]`` with i, j indices into the in-plane image array that
    is returned first."""
    shifts = [i * sheet.cell[0] + j * sheet.cell[1] for i in (-1, 0, 1) for j in (-1, 0, 1)]
    images = np.concatenate([sheet.positions + t for t in shifts])  # in-plane periodic images
    symbols = np.array(sheet.get_chemical_symbols() * len(shifts))
    d = np.linalg.norm(images - centre, axis=1)
    ring = np.argsort(d)[:6]
    if not set(symbols[ring]) == {"N"}:
        raise InputError("g-C3N4 cavity: the six nearest atoms are not the pyridinic N")
    angle = np.arctan2(images[ring, 1] - centre[1], images[ring, 0] - centre[0])
    ring = ring[np.argsort(angle)]
    carbons = np.flatnonzero(symbols == "C")
    pockets = []
    for k in range(6):
        i, j = int(ring[k]), int(ring[(k + 1) % 6])
        # a bay's two N share a C neighbour (the heptazine's inner C); a corner's do not
        shared = np.any((np.linalg.norm(images[carbons] - images[i], axis=1) < 1.6)
                        & (np.linalg.norm(images[carbons] - images[j], axis=1) < 1.6))
        pockets.append(("bay" if shared else "corner", (i, j)))
    return images, symbols, pockets


@functools.lru_cache(maxsize=64)
def _cavity_positions(size, vacuum, radius, distance, height) -> CavityPlacement:
    """Fit both metals into two pockets (see :func:`gcn_dac`): bonds and M–M distance as equality
    constraints, clearances and ``height`` as inequalities, the heights minimised. The cavity's
    threefold axis and mirror planes leave the first metal in pocket 0 (a bay) or 1 (a corner)."""
    from ase.data import atomic_numbers, covalent_radii
    from scipy.optimize import minimize

    sheet = gcn_sheet(size, vacuum=vacuum)
    centre = 2 * (sheet.cell[0] / size[0] + sheet.cell[1] / size[1]) / 3
    centre = np.array([centre[0], centre[1], vacuum / 2])
    images, symbols, pockets = cavity_pockets(sheet, centre)
    near = np.linalg.norm(images - centre, axis=1) < 5.5  # atoms a cavity metal can reach
    z0 = centre[2]
    partner = np.array([covalent_radii[atomic_numbers[s]] for s in symbols])

    def constraints(pair):
        def bonds(x):
            p = x.reshape(2, 3)
            out = [np.linalg.norm(p[0] - p[1]) - distance]
            for m in range(2):
                out += [np.linalg.norm(images[k] - p[m]) - radius[m] - covalent_radii[7]
                        for k in pockets[pair[m]][1]]
            return np.array(out)

        def room(x):
            p = x.reshape(2, 3)
            out = [p[:, 2] - z0 - height]
            for m in range(2):
                rest = near.copy()
                rest[list(pockets[pair[m]][1])] = False
                d = np.linalg.norm(images[rest] - p[m], axis=1)
                out.append(d - radius[m] - partner[rest] - CLEARANCE)
            return np.concatenate(out)

        return [{"type": "eq", "fun": bonds}, {"type": "ineq", "fun": room}], bonds, room

    best = None
    for pair in [(a, b) for a in (0, 1) for b in range(6) if b != a]:
        start = []
        for m in range(2):
            i, j = pockets[pair[m]][1]
            start.append(centre + 0.5 * ((images[i] + images[j]) / 2 - centre) + [0.0, 0.0, 1.0])
        cons, bonds, room = constraints(pair)
        fit = minimize(lambda x: np.sum((x.reshape(2, 3)[:, 2] - z0 - height) ** 2), np.ravel(start),
                       method="SLSQP", constraints=cons, options={"ftol": 1e-12, "maxiter": 500})
        if np.abs(bonds(fit.x)).max() > 1e-4 or room(fit.x).min() < -1e-4:
            continue  # these two pockets cannot hold the pair
        score = (round(float(fit.fun), 4), pair)
        if best is None or score < best[0]:
            best = (score, fit.x.reshape(2, 3))
    if best is None:
        raise InputError("the g-C3N4 cavity has no two pockets that bond both metals "
                         f"at M–M = {distance} Å; pass another distance")
    (_, pair), positions = best
    return CavityPlacement(positions, (pockets[pair[0]][0], pockets[pair[1]][0]),
                           tuple(round(float(h), 6) for h in positions[:, 2] - z0))


def gcn_dac_screen(metals=SCREEN_METALS, **kwargs) -> list[Model]:
    """Every unordered pair (homonuclear included) of ``metals`` in g-C3N4: 36 for the eight 3d metals."""
    return [gcn_dac(m1, m2, **kwargs) for m1, m2 in itertools.combinations_with_replacement(metals, 2)]
