"""Pyrrolic (porphyrin-like) M–X4 sites in graphene: each coordinating atom in a five-membered ring.

A pyrrolic site is not a subset of the honeycomb. Four pentagons around a four-coordinated metal
make a four-fold core (a metalloporphine without its H: metal, 4 X, 8 Cα, 8 Cβ, 4 meso C) that
has to be stitched into a six-fold lattice, and Euler's rule for a flat sheet then needs two
more rings than hexagons can give: the stitching leaves extra pentagons and heptagons. How:

1. the core is built from bond lengths (regular pentagons of graphene's C–C bond, metal–X the
   covalent-radius sum) and laid on the sheet with an orientation and offset against the lattice;
2. graphene atoms inside a hole (a radius, and a clearance around every core atom) are removed,
   then any atom left with one neighbour;
3. the twelve outward bonds of the core (8 Cβ, 4 meso C) are matched to dangling atoms of the
   hole (least squared distance, Hungarian assignment) and the remaining dangling atoms are
   bonded in pairs; every choice of pairs is tried;
4. a valence force field (:mod:`chefe.build.vff`) relaxes the sheet in its plane, and the
   choice with the least strain whose every sheet atom is three-coordinated wins.

:data:`EMBEDDING` (orientation, offset, radius, clearance) is what :func:`search_embeddings`
finds with the fewest non-hexagonal rings and the least strain over a grid of orientations and
offsets: the four pyrrolic pentagons plus two pentagons and four heptagons around the site. The
result is a starting geometry for DFT, not a relaxed one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import CC_BOND, covalent_bond, sheet_neighbours
from .vff import angle_terms, minimum_image, relax_in_plane, ring_sizes

PENTAGON_ANGLE = 108.0  # interior angle of a regular pentagon, (5 − 2)·180/5 degrees
SP2_ANGLE = 120.0
MAX_PAIRS = 3  # dangling-atom pairs tried beyond the twelve core bonds
MAX_PAIR_DISTANCE = 3.0  # Å, two dangling atoms further apart are never bonded
MAX_PORT_DISTANCE = 1.6  # Å, a dangling atom further than this from a core port is not matched
METAL_STIFFNESS = 20.0  # metal–X bonds (and the X4 square) this many times stiffer than the sheet's


@dataclass(frozen=True)
class Embedding:
    """Where the core sits on the lattice.

    ``rotation`` (degrees) of the core's X–M–X axis against the lattice vector a1; ``offset``
    (fractions of a1, a2) of the metal from a lattice point; ``radius`` (Å) of the hole;
    ``clearance`` (Å): graphene atoms closer than this to a core atom are removed.
    """

    rotation: float
    offset: tuple[float, float]
    radius: float
    clearance: float


#: The core that fixes the topology: Fe–N4's metal–N distance (covalent radii). Every metal and
#: shell gets the same rings; its own metal–X distance enters the relaxation.
REFERENCE_MX = covalent_bond("Fe", "N")

#: Found by ``search_embeddings((9, 9))``: 4 + 2 pentagons, 4 heptagons, all C three-coordinated.
EMBEDDING = Embedding(rotation=9.0, offset=(0.4444, 0.8889), radius=3.5, clearance=1.0)


@dataclass(frozen=True)
class Sheet:
    """A built pyrrolic sheet: symbols, in-plane positions (Å), bonds, and the site's indices."""

    symbols: list[str]
    positions: np.ndarray  # (n, 2)
    bonds: list[tuple[int, int]]
    metal: int
    shell: tuple[int, ...]  # the four coordinating atoms, by angle
    energy: float  # force-field strain, eV (only for ranking)
    rings: dict[int, int]  # ring size -> count (metal-free rings)


def _rotation(degrees: float) -> np.ndarray:
    t = np.radians(degrees)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def core(metal: str, shell: tuple[str, ...], m_x: float | None = None):
    """Build the porphine-like core around a metal at the origin.

    Returns symbols, positions (Å, (25, 2)), bonds and ports (core atom, where its outward
    neighbour would sit). ``m_x``: metal–X distance (Å; default the covalent-radius sum).
    Index order: metal 0; shell atoms 1–4 (along +x, +y, −x, −y); Cα 5–12; Cβ 13–20; meso 21–24.
    """
    r5 = CC_BOND / (2 * np.sin(np.radians(36.0)))  # circumradius of the pentagon
    m_x = covalent_bond(metal, shell[0]) if m_x is None else m_x
    symbols = [metal, *shell] + ["C"] * 20
    pos = [np.zeros(2)]
    alpha, beta, ring_centres = [], [], []
    for k in range(4):
        rot = _rotation(90.0 * k)
        centre = np.array([m_x + r5, 0.0])

        def vertex(angle, centre=centre, rot=rot):
            t = np.radians(angle)
            return rot @ (centre + r5 * np.array([np.cos(t), np.sin(t)]))

        pos.append(vertex(180.0))
        alpha += [vertex(108.0), vertex(252.0)]
        beta += [vertex(36.0), vertex(-36.0)]
        ring_centres += [rot @ centre] * 2
    meso = []
    for k in range(4):
        a, b = alpha[2 * k], alpha[(2 * k + 3) % 8]
        mid = (a + b) / 2
        half = np.linalg.norm(a - b) / 2
        meso.append(mid + mid / np.linalg.norm(mid) * np.sqrt(max(CC_BOND**2 - half**2, 0.0)))
    pos = np.array(pos + alpha + beta + meso)
    bonds = [(0, 1 + k) for k in range(4)]
    for k in range(4):
        x, a1, a2, b1, b2 = 1 + k, 5 + 2 * k, 6 + 2 * k, 13 + 2 * k, 14 + 2 * k
        bonds += [(x, a1), (x, a2), (a1, b1), (a2, b2), (b1, b2)]
        bonds += [(5 + 2 * k, 21 + k), (5 + (2 * k + 3) % 8, 21 + k)]
    ports = []
    for k in range(8):
        out = pos[13 + k] - ring_centres[k]
        ports.append((13 + k, pos[13 + k] + CC_BOND * out / np.linalg.norm(out)))
    for k in range(4):
        ports.append((21 + k, pos[21 + k] + CC_BOND * pos[21 + k] / np.linalg.norm(pos[21 + k])))
    return symbols, pos, bonds, ports


def _graphene(size):
    from ase.build import graphene

    return graphene(size=(int(size[0]), int(size[1]), 1))


def rectangular_graphene(around: int, along: int):
    """Build graphene in an orthogonal cell, the unrolled wall of an (around, 0) nanotube.

    ``around`` zigzag repeats (a1, 2.46 Å) by ``along`` armchair repeats (a1 + 2·a2, 4.26 Å).
    """
    from ase.build import graphene, make_supercell

    matrix = [[int(around), 0, 0], [int(along), 2 * int(along), 0], [0, 0, 1]]
    return make_supercell(graphene(size=(1, 1, 1)), matrix)


def _lattice_centre(cell2d: np.ndarray, offset) -> np.ndarray:
    """Return the lattice point just below the cell's middle plus ``offset`` (of a1, a2, the
    primitive vectors of ase.build.graphene)."""
    basis = _graphene((1, 1)).cell.array[:2, :2]
    a1, a2 = basis
    middle = (cell2d[0] + cell2d[1]) / 2
    u, v = np.floor(middle @ np.linalg.inv(basis))
    return (u + offset[0]) * a1 + (v + offset[1]) * a2


def _hole(rel: np.ndarray, core_xy: np.ndarray, adj, embedding: Embedding) -> set[int]:
    r = np.linalg.norm(rel, axis=1)
    near = np.min(np.linalg.norm(rel[:, None, :] - core_xy[None], axis=2), axis=1)
    gone = set(np.where((r < embedding.radius) | (near < embedding.clearance))[0].tolist())
    changed = True
    while changed:  # an atom left with one neighbour goes too
        changed = False
        for a in sorted(adj):
            if a not in gone and len(adj[a] - gone) <= 1:
                gone.add(a)
                changed = True
    return gone


def _options(rel, dangling, adj, port_xy):
    """Every (pairs, matching) with 12 dangling atoms on the ports and the rest bonded in pairs."""
    from scipy.optimize import linear_sum_assignment

    n_pairs, odd = divmod(len(dangling) - len(port_xy), 2)
    if odd or not 0 <= n_pairs <= MAX_PAIRS:
        return
    close = [(a, b) for a, b in itertools.combinations(range(len(dangling)), 2)
             if dangling[b] not in adj[dangling[a]]
             and np.linalg.norm(rel[dangling[a]] - rel[dangling[b]]) < MAX_PAIR_DISTANCE]
    for pairs in itertools.combinations(close, n_pairs):
        used = [x for p in pairs for x in p]
        if len(set(used)) != len(used):
            continue
        rest = [k for k in range(len(dangling)) if k not in used]
        cost = np.linalg.norm(rel[[dangling[k] for k in rest]][:, None, :] - port_xy[None], axis=2)
        rows, cols = linear_sum_assignment(cost**2)
        if cost[rows, cols].max() > MAX_PORT_DISTANCE:
            continue
        yield ([(dangling[a], dangling[b]) for a, b in pairs],
               [(dangling[rest[r]], int(c)) for r, c in zip(rows, cols, strict=True)])


def build_sheet(metal: str, shell: tuple[str, ...], size=(9, 9),
                embedding: Embedding = EMBEDDING, host=None) -> Sheet:
    """Build the pyrrolic M–X4 site in a graphene supercell ``size`` (in-plane geometry only).

    ``host``: another graphene sheet (ase.Atoms in any cell of the lattice, e.g.
    :func:`rectangular_graphene`) instead of the hexagonal ``size`` supercell.
    """
    if len(shell) != 4:
        raise InputError(f"a pyrrolic site has four coordinating atoms, not {len(shell)}")
    g = _graphene(size) if host is None else host
    cell2d = g.cell.array[:2, :2]
    centre = _lattice_centre(cell2d, embedding.offset)
    mic = minimum_image(cell2d)
    rel = mic(g.positions[:, :2] - centre)
    symbols_core, core_xy, core_bonds, ports = core(metal, tuple(shell), REFERENCE_MX)
    rot = _rotation(embedding.rotation)
    core_xy = core_xy @ rot.T
    port_xy = np.array([p for _, p in ports]) @ rot.T
    adj = sheet_neighbours(g)
    gone = _hole(rel, core_xy, adj, embedding)
    dangling = [a for a in range(len(g)) if a not in gone and len(adj[a] - gone) == 2]
    best = None
    for pairs, matching in _options(rel, dangling, adj, port_xy):
        sheet = _assemble(rel, adj, gone, symbols_core, core_xy, core_bonds, ports, pairs,
                          matching, cell2d, metal)
        if sheet is not None and (best is None or sheet.energy < best.energy):
            best = sheet
    if best is None:
        where = f"a {size[0]}x{size[1]} graphene supercell" if host is None else "this sheet"
        raise InputError(f"no pyrrolic {metal}-{''.join(shell)} site fits {where}: use at least "
                         "7x7 (tubes: (6,0) or wider, at least 4 cells long)")
    return best


def _assemble(rel, adj, gone, symbols_core, core_xy, core_bonds, ports, pairs, matching, cell2d,
              metal):
    keep = [a for a in sorted(adj) if a not in gone]
    index = {a: k for k, a in enumerate(keep)}
    base = len(keep)
    symbols = ["C"] * base + list(symbols_core)
    positions = np.vstack([rel[keep], core_xy])
    bonds = {(index[a], index[b]) for a in keep for b in adj[a]
             if b in index and index[a] < index[b]}
    bonds |= {(base + a, base + b) for a, b in core_bonds}
    bonds |= {tuple(sorted((index[a], index[b]))) for a, b in pairs}
    bonds |= {tuple(sorted((index[a], base + ports[p][0]))) for a, p in matching}
    bonds = sorted(bonds)
    neighbours: dict[int, set[int]] = {k: set() for k in range(len(symbols))}
    for a, b in bonds:
        neighbours[a].add(b)
        neighbours[b].add(a)
    m = base
    shell = tuple(base + 1 + k for k in range(4))
    if any(len(neighbours[k]) != 3 for k in range(len(symbols)) if k != m):
        return None
    def lengths_to(x):
        return covalent_bond(metal, symbols[x])

    lengths = np.array([lengths_to(b) if a == m else CC_BOND for a, b in bonds])

    def target(i, j, k):
        if i == m:
            return None
        if i in shell:
            return (360.0 - PENTAGON_ANGLE) / 2 if m in (j, k) else PENTAGON_ANGLE
        return SP2_ANGLE

    angles, cosines = angle_terms(neighbours, target)
    # the metal's square: cis X···X at √2 · M–X
    square = [(shell[k], shell[(k + 1) % 4]) for k in range(4)]
    all_bonds = np.array(bonds + square)
    cis = [np.sqrt(2) * (lengths_to(shell[k]) + lengths_to(shell[(k + 1) % 4])) / 2
           for k in range(4)]
    all_lengths = np.concatenate([lengths, cis])
    # the metal's bonds and square are stiff: the site keeps its metal–X distance while the sheet
    # around it takes up the strain of stitching a four-fold core into a six-fold lattice
    weights = [METAL_STIFFNESS if m in bond else 1.0 for bond in bonds] + [METAL_STIFFNESS] * 4
    xy, energy = relax_in_plane(positions, cell2d, all_bonds, all_lengths, angles, cosines,
                                fixed=[m], weights=weights)
    rings = [r for r in ring_sizes(xy, cell2d, neighbours) if m not in r]
    census: dict[int, int] = {}
    for r in rings:
        census[len(r)] = census.get(len(r), 0) + 1
    pyrrole = sum(1 for r in rings if len(r) == 5 and len(set(r) & set(shell)) == 1)
    mic = minimum_image(cell2d)
    d = np.linalg.norm(mic(xy[[b for _, b in bonds]] - xy[[a for a, _ in bonds]]), axis=1)
    sheet_bonds = np.array([m not in bond for bond in bonds])
    if pyrrole != 4 or d[sheet_bonds].min() < 1.2 or d[sheet_bonds].max() > 1.7:
        return None
    return Sheet(symbols, xy, bonds, m, shell, energy, dict(sorted(census.items())))


def search_embeddings(size=(9, 9), rotations=tuple(range(31)), grid: int = 18,
                      radii=(3.5, 3.75, 4.0, 4.25, 4.5, 4.75, 5.0, 5.25, 5.5),
                      clearances=(1.0, 1.15, 1.3, 1.45), metal: str = "Fe",
                      top: int = 120) -> list[tuple[int, float, Embedding, dict]]:
    """Rank core placements, fewest defect rings then least strain first.

    Returns ``[(non-hexagonal rings beyond the four pyrroles, strain, embedding, ring census)]``:
    how :data:`EMBEDDING` was chosen (rotations in degrees, radii in Å). Placements are
    pre-ranked by how far the dangling atoms sit from the core's ports; the
    ``top`` best are assembled and relaxed.
    """
    g = _graphene(size)
    cell2d = g.cell.array[:2, :2]
    adj = sheet_neighbours(g)
    mic = minimum_image(cell2d)
    _, core_xy0, _, ports = core(metal, ("N",) * 4, REFERENCE_MX)
    port_xy0 = np.array([p for _, p in ports])
    scored, seen = [], set()
    for rotation in rotations:
        rot = _rotation(float(rotation))
        core_xy, port_xy = core_xy0 @ rot.T, port_xy0 @ rot.T
        for fx, fy in itertools.product(np.arange(grid) / grid, repeat=2):
            centre = _lattice_centre(cell2d, (fx, fy))
            rel = mic(g.positions[:, :2] - centre)
            for radius, clearance in itertools.product(radii, clearances):
                offset = (round(float(fx), 4), round(float(fy), 4))
                emb = Embedding(float(rotation), offset, float(radius), float(clearance))
                gone = _hole(rel, core_xy, adj, emb)
                key = (frozenset(gone), float(rotation))
                if key in seen:
                    continue
                seen.add(key)
                dangling = [a for a in range(len(g)) if a not in gone and len(adj[a] - gone) == 2]
                for _, matching in _options(rel, dangling, adj, port_xy):
                    cost = float(sum(np.sum((rel[a] - port_xy[p]) ** 2) for a, p in matching))
                    scored.append((cost, emb))
                    break
    scored.sort(key=lambda x: x[0])
    out = []
    for _, emb in scored[:top]:
        try:
            sheet = build_sheet(metal, ("N",) * 4, size, emb)
        except InputError:
            continue
        defects = sum(n for k, n in sheet.rings.items() if k != 6) - 4
        out.append((defects, sheet.energy, emb, sheet.rings))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def roll(sheet: Sheet, cell2d: np.ndarray, vacuum: float):
    """Roll a sheet built in a :func:`rectangular_graphene` cell into an (n, 0) nanotube.

    The in-plane x (around, circumference C) becomes the angle 2πx/C on a cylinder of radius
    C/2π; y runs along the tube axis (z). Returns (positions (n, 3), cell (3, 3), axis (x, y)).
    """
    circumference, length = float(cell2d[0, 0]), float(cell2d[1, 1])
    radius = circumference / (2 * np.pi)
    side = 2 * radius + vacuum
    xy = sheet.positions - sheet.positions[sheet.metal]
    x = np.mod(xy[:, 0], circumference)  # the metal at angle 0
    z = np.mod(xy[:, 1] + length / 2, length)  # and half-way along the axis
    theta = 2 * np.pi * x / circumference
    axis = np.array([side / 2, side / 2])
    positions = np.column_stack([axis[0] + radius * np.cos(theta),
                                 axis[1] + radius * np.sin(theta), z])
    cell = np.diag([side, side, length])
    return positions, cell, axis
