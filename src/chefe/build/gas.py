"""Gas-phase reference molecules for the CHE ledger, written to ``ROOT/gas/<MOLECULE>/``.

Geometries come from ASE's G2 collection (``ase.build.molecule``, with its initial magnetic
moments: NO and O2 open-shell); HNO3, absent from G2, is built planar from approximate gas-phase
bond lengths and angles (N–OH 1.41 Å, N=O 1.20/1.21 Å, O–H 0.96 Å). All are starting points
for a relaxation in a box of ``box`` Å.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

#: The molecules chefe's reference ledger reads (see chefe.dbinput.GAS_SPECIES).
REFERENCE_MOLECULES = ("H2", "H2O", "NH3", "HNO3", "NO", "N2")


def _hno3():
    from ase import Atoms

    def polar(r, deg):
        a = np.radians(deg)
        return np.array([r * np.cos(a), r * np.sin(a), 0.0])

    n = np.zeros(3)
    o1, o2, o3 = polar(1.21, 0.0), polar(1.20, 130.3), polar(1.41, 245.8)
    # H on the hydroxyl O, N–O–H ≈ 102°, cis to the nearer N=O
    u = -o3 / np.linalg.norm(o3)
    c, s = np.cos(np.radians(102.0)), np.sin(np.radians(102.0))
    h = o3 + 0.96 * np.array([u[0] * c - u[1] * s, u[0] * s + u[1] * c, 0.0])
    return Atoms("NOOOH", positions=[n, o1, o2, o3, h])


def gas_molecule(name: str, box: float = 15.0):
    """A reference molecule centred in a cubic box (Å) with ``info`` for the tree writer."""
    from ase.build import molecule
    from ase.collections import g2

    if name == "HNO3":
        atoms = _hno3()
    elif name in g2.names:
        atoms = molecule(name)
    else:
        raise InputError(f"no geometry for gas molecule {name!r}; chefe builds {', '.join(REFERENCE_MOLECULES)} "
                         "and every molecule of ASE's G2 set")
    atoms.cell = [box, box, box]
    atoms.center()
    atoms.pbc = True
    atoms.info = {"catalyst": "", "family": "gas", "molecule": name}
    return atoms


def reference_set(names=REFERENCE_MOLECULES, box: float = 15.0) -> list:
    """The gas-phase references the CHE ledger needs (H2, H2O, NH3, HNO3, NO, N2 by default)."""
    return [gas_molecule(n, box) for n in names]
