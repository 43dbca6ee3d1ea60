"""A valence force field for starting geometries of sp² sheets, and the rings of a sheet.

Not a physical model: harmonic bond lengths and angle cosines, just enough to turn a new bond
topology (a defect stitched into graphene) into a geometry with sensible bonds and angles for
DFT to relax. The sheet stays in its plane; the cell is fixed; distances are minimum-image.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Force constants (eV/Å² for bonds, eV per unit cosine² for angles); only their ratio matters.
BOND_K = 10.0
ANGLE_K = 2.0


def minimum_image(cell2d: np.ndarray):
    """Return a function mapping in-plane vectors (n, 2) to their minimum images in ``cell2d``."""
    inverse = np.linalg.inv(cell2d)

    def mic(vectors: np.ndarray) -> np.ndarray:
        frac = vectors @ inverse
        frac -= np.round(frac)
        return frac @ cell2d

    return mic


def angle_terms(neighbours: dict[int, set[int]], target) -> tuple[np.ndarray, np.ndarray]:
    """List every angle j–i–k around each atom, with ``target(i, j, k)`` in degrees (None: skip)."""
    angles, cosines = [], []
    for i in sorted(neighbours):
        for j, k in itertools.combinations(sorted(neighbours[i]), 2):
            theta = target(i, j, k)
            if theta is not None:
                angles.append((j, i, k))
                cosines.append(np.cos(np.radians(theta)))
    return np.array(angles, dtype=int).reshape(-1, 3), np.array(cosines)


def relax_in_plane(positions: np.ndarray, cell2d: np.ndarray, bonds: np.ndarray,
                   lengths: np.ndarray, angles: np.ndarray, cosines: np.ndarray, fixed=(),
                   weights=None) -> tuple[np.ndarray, float]:
    """Minimise the force-field energy over in-plane positions (n, 2), Å.

    Returns (positions, energy). ``weights`` scale the bond force constant per bond (default 1).
    """
    from scipy.optimize import minimize

    mic = minimum_image(cell2d)
    free = np.ones(len(positions), bool)
    free[list(fixed)] = False
    start = np.array(positions, dtype=float)
    k_bond = BOND_K * (np.ones(len(bonds)) if weights is None else np.asarray(weights, dtype=float))

    def energy(x):
        p = start.copy()
        p[free] = x.reshape(-1, 2)
        grad = np.zeros_like(p)
        d = mic(p[bonds[:, 1]] - p[bonds[:, 0]])
        r = np.linalg.norm(d, axis=1)
        e = float((k_bond * (r - lengths) ** 2).sum())
        g = (2 * k_bond * (r - lengths) / r)[:, None] * d
        np.add.at(grad, bonds[:, 1], g)
        np.add.at(grad, bonds[:, 0], -g)
        a = mic(p[angles[:, 0]] - p[angles[:, 1]])
        b = mic(p[angles[:, 2]] - p[angles[:, 1]])
        la, lb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        c = (a * b).sum(1) / (la * lb)
        e += ANGLE_K * float(((c - cosines) ** 2).sum())
        dc = (2 * ANGLE_K * (c - cosines))[:, None]
        ga = (b / (la * lb)[:, None] - (c / la**2)[:, None] * a) * dc
        gb = (a / (la * lb)[:, None] - (c / lb**2)[:, None] * b) * dc
        np.add.at(grad, angles[:, 0], ga)
        np.add.at(grad, angles[:, 2], gb)
        np.add.at(grad, angles[:, 1], -ga - gb)
        return e, grad[free].ravel()

    result = minimize(energy, start[free].ravel(), jac=True, method="L-BFGS-B",
                      options={"maxiter": 5000, "gtol": 1e-8})
    out = start.copy()
    out[free] = result.x.reshape(-1, 2)
    return out, float(result.fun)


def ring_sizes(positions: np.ndarray, cell2d: np.ndarray,
               neighbours: dict[int, set[int]]) -> list[list[int]]:
    """Find the faces (rings) of a planar periodic sheet, as atom-index cycles.

    Each directed bond u→v is followed by v→w, w the neighbour of v that comes next clockwise
    after u, until the walk closes: every bond borders exactly two faces.
    """
    mic = minimum_image(cell2d)
    order = {}
    for i, js in neighbours.items():
        js = sorted(js)
        vectors = mic(positions[js] - positions[i])
        order[i] = [js[k] for k in np.argsort(np.arctan2(vectors[:, 1], vectors[:, 0]))]
    seen: set[tuple[int, int]] = set()
    faces = []
    for i in sorted(neighbours):
        for j in order[i]:
            if (i, j) in seen:
                continue
            face, u, v = [], i, j
            while (u, v) not in seen:
                seen.add((u, v))
                face.append(u)
                ring = order[v]
                w = ring[(ring.index(u) - 1) % len(ring)]
                u, v = v, w
            faces.append(face)
    return faces
