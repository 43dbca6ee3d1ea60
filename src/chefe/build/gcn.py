"""Heptazine graphitic carbon nitride (g-C3N4) and dual-atom sites in its cavity.

The sheet is built from its topology: a heptazine (tri-s-triazine, C6N7) unit is three fused
six-membered rings around a central N on a honeycomb of bond ``ring_bond``; its three tip
carbons bond to tertiary N that each join three units. Units sit on a hexagonal lattice of
constant a = √3 · (2 · ring_bond + bridge_bond), one unit and one bridging N per cell (C6N8).
The default bonds (1.34 Å ring C–N, 1.47 Å C–N bridge) give a = 7.19 Å, against 7.13 Å for
relaxed PBE sheets: a starting point to relax.
"""

from __future__ import annotations

import itertools

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
    """M1M2 in one cavity of g-C3N4: the metals ``distance`` (Å) apart about the cavity centre,
    turned and lifted (never below ``height`` Å) until each is at least its covalent-radius sum
    with N from every sheet atom: the lowest such position."""
    check_element(metal1)
    check_element(metal2)
    sheet = gcn_sheet(size, vacuum=vacuum)
    cell = sheet.cell
    z = vacuum / 2
    centre = 2 * (cell[0] / size[0] + cell[1] / size[1]) / 3  # the first primitive cell's cavity
    centre = np.array([centre[0], centre[1], z])
    p1, p2 = _cavity_positions(sheet, centre, metal1, metal2, distance, height)
    from ase import Atom

    sheet.append(Atom(metal1, p1))
    sheet.append(Atom(metal2, p2))
    a1, a2 = len(sheet) - 2, len(sheet) - 1
    catalyst = name or f"{metal1}{metal2}@g-C3N4"
    tag_atoms(sheet, catalyst, "DAC", [a1, a2], host="g-C3N4", coordination="cavity",
              mm_distance=float(distance))
    normal = np.array([0.0, 0.0, 1.0])
    n1, n2 = (metal1, metal2) if metal1 != metal2 else ("M1", "M2")
    sites = {n1: Site(n1, "top", p1, normal, (a1,)), n2: Site(n2, "top", p2, normal, (a2,)),
             "bridge": Site("bridge", "bridge", (p1 + p2) / 2, normal, (a1, a2))}
    if n1 != "M1":
        sites["M1"], sites["M2"] = sites[n1], sites[n2]
    return Model(catalyst, sheet, sites, n1, "DAC")


def _cavity_positions(sheet, centre, metal1, metal2, distance, height):
    """Metal positions: the in-plane direction and the lowest height (at least ``height``) at which
    each metal is no closer to the sheet than its covalent-radius sum with N."""
    from ase.data import atomic_numbers, covalent_radii

    shifts = [i * sheet.cell[0] + j * sheet.cell[1] for i in (-1, 0, 1) for j in (-1, 0, 1)]
    images = np.concatenate([sheet.positions + t for t in shifts])  # in-plane periodic images
    need = [covalent_radii[atomic_numbers[m]] + covalent_radii[7] for m in (metal1, metal2)]
    heights = np.arange(height, height + 3.0, 0.05)
    best = None
    for angle in np.radians(np.arange(0.0, 180.0, 5.0)):
        u = np.array([np.cos(angle), np.sin(angle), 0.0])
        lift = heights[:, None] * np.array([0.0, 0.0, 1.0])
        p = np.concatenate([centre - u * distance / 2 + lift, centre + u * distance / 2 + lift])
        d = np.linalg.norm(p[:, None, :] - images[None, :, :], axis=2)
        closest = d.min(axis=1).reshape(2, len(heights))
        ok = np.flatnonzero((closest[0] >= need[0] - 1e-9) & (closest[1] >= need[1] - 1e-9))
        if len(ok) and (best is None or heights[ok[0]] < best[0] - 1e-9):
            best = (heights[ok[0]], [p[ok[0]], p[len(heights) + ok[0]]])
    if best is None:
        raise InputError(f"{metal1}{metal2}: no room in the g-C3N4 cavity at M–M = {distance} Å")
    return best[1]


def gcn_dac_screen(metals=SCREEN_METALS, **kwargs) -> list[Model]:
    """Every unordered pair (homonuclear included) of ``metals`` in g-C3N4: 36 for the eight 3d metals."""
    return [gcn_dac(m1, m2, **kwargs) for m1, m2 in itertools.combinations_with_replacement(metals, 2)]
