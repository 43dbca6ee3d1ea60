"""A built catalyst model: atoms plus its named active sites."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Site:
    """An adsorption site.

    ``position`` (Å) is the anchor (a metal atom, a bridge midpoint or a hollow centre);
    ``normal`` is the unit vector pointing away from the surface, into the vacuum;
    ``metals`` are the indices of the substrate atoms that make the site.
    """

    name: str
    kind: str  # "top", "bridge" or "hollow"
    position: np.ndarray
    normal: np.ndarray
    metals: tuple[int, ...]


@dataclass(frozen=True)
class Model:
    """A catalyst model: ``atoms`` (with ``info['catalyst']``) and its sites by name.

    ``default_site`` is the site adsorbates go on when none is named (the metal of a SAC, the
    first metal of a DAC, the top site of a slab).
    """

    catalyst: str
    atoms: object  # ase.Atoms
    sites: dict = field(default_factory=dict)
    default_site: str = ""
    family: str = ""  # "SAC", "DAC" or "slab"

    def site(self, name: str | None = None) -> Site:
        from ..errors import InputError

        key = name or self.default_site
        if key not in self.sites:
            raise InputError(f"{self.catalyst}: no site {key!r}; sites: {', '.join(self.sites)}")
        return self.sites[key]


#: Å, graphene C–C bond (ase.build.graphene's a = 2.46 Å = √3 · 1.42 Å).
CC_BOND = 1.42
#: Å, bonded neighbours in a pristine sp² sheet (first neighbours 1.42 Å, second 2.46 Å).
SHEET_BOND_CUTOFF = 1.7


def sheet_neighbours(atoms, cutoff: float = SHEET_BOND_CUTOFF) -> dict[int, set[int]]:
    """Bonded neighbours of every atom of a sheet, from ASE's neighbour list (periodic)."""
    from ase.neighborlist import neighbor_list

    i, j = neighbor_list("ij", atoms, cutoff)
    out: dict[int, set[int]] = {k: set() for k in range(len(atoms))}
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        out[a].add(b)
    return out


def unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=float)
    n = np.linalg.norm(v)
    if n == 0:
        raise ValueError("zero vector has no direction")
    return v / n


def tag_atoms(atoms, catalyst: str, family: str, metals, **extra) -> None:
    """Write the model's identity into ``atoms.info`` (strings and numbers only: ase.db-safe)."""
    atoms.info.update({"catalyst": catalyst, "family": family,
                       "metal_indices": ",".join(str(int(i)) for i in metals), **extra})


def covalent_bond(a: str, b: str) -> float:
    """Sum of the covalent radii of two elements (Å, ``ase.data.covalent_radii``)."""
    from ase.data import atomic_numbers, covalent_radii

    return float(covalent_radii[atomic_numbers[a]] + covalent_radii[atomic_numbers[b]])


def check_element(symbol: str, what: str = "metal") -> str:
    """``symbol`` if it is a chemical element, else an InputError naming it."""
    from ase.data import atomic_numbers

    from ..errors import InputError

    if symbol not in atomic_numbers or symbol == "X":
        raise InputError(f"unknown {what} {symbol!r}: not a chemical element symbol")
    return symbol
