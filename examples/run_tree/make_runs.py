"""Compute the small run tree of this example with GPAW: H on Cu(111), for the hydrogen
evolution reaction (HER).

    python make_runs.py            # needs gpaw and gpaw-data (pip install gpaw gpaw-data)

Writes, in the folder layout ``chefe collect`` reads by convention::

    runs/Cu111/slab/relax.txt       clean Cu(111) p(2x2), 3 layers, the bottom two fixed
    runs/Cu111/H/relax.txt          H in the fcc hollow site
    runs/Cu111/H/vib/cache.*.json   ASE Vibrations of H (the slab held fixed), and its structure
    runs/gas/H2/relax.txt           H2 in a 10 x 10.5 x 11 A box
    runs/gas/H2/vib/cache.*.json    ASE Vibrations of H2, and its structure

Settings (every run the same, as collect checks): GPAW plane waves 350 eV, PBE, Fermi-Dirac
0.1 eV, 4x4x1 k-points for the slabs and the Gamma point for H2; relaxations to 0.05 eV/A.
The Cu lattice constant is chefe's PBE value (the Delta-test equation of state,
``chefe.build.lattice.functional_lattice('Cu', 'pbe')``). This is a tutorial calculation, not
converged production settings (a 2x2 cell, 3 layers): about an hour on one CPU core.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ase import Atoms
from ase.build import add_adsorbate, fcc111
from ase.constraints import FixAtoms
from ase.io import write
from ase.optimize import BFGS
from ase.vibrations import Vibrations
from gpaw import GPAW, PW, FermiDirac

from chefe.build.lattice import functional_lattice

HERE = Path(__file__).resolve().parent
RUNS = HERE / "runs"


def calculator(txt: Path, kpts, **extra) -> GPAW:
    return GPAW(mode=PW(350), xc="PBE", kpts=kpts, occupations=FermiDirac(0.1), txt=str(txt), **extra)


def relax(atoms: Atoms, folder: Path, kpts) -> Atoms:
    """Relax ``atoms`` in ``folder``; a relaxation that finished before is read back, not redone."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "relax.txt"
    if done.is_file() and "Total:" in done.read_text():
        from chefe.io.gpaw import read_gpaw_text

        relaxed = read_gpaw_text(done).atoms
        atoms.positions = relaxed.positions
        return atoms
    atoms.calc = calculator(folder / "relax.txt", kpts)
    BFGS(atoms, logfile=str(folder / "bfgs.log")).run(fmax=0.05, steps=60)
    _finish(atoms)
    return atoms


def _finish(atoms: Atoms) -> None:
    # GPAW writes its closing timing table (what marks a finished run) in the calculator's
    # finaliser, which a reference cycle inside GPAW can keep from running before exit
    atoms.calc.__del__()
    atoms.calc = None


def vibrations(atoms: Atoms, folder: Path, indices, kpts) -> None:
    vib_dir = folder / "vib"
    if len(list(vib_dir.glob("cache.*.json"))) == 1 + 6 * len(indices):
        return  # every displacement computed before (a new calculator would empty gpaw.log)
    vib_dir.mkdir(parents=True, exist_ok=True)
    atoms = atoms.copy()
    write(vib_dir / "POSCAR", atoms, format="vasp", direct=True)  # the structure the modes are of
    # displacements break the cell's point-group symmetry: GPAW must not use it
    atoms.calc = calculator(vib_dir / "gpaw.log", kpts, symmetry={"point_group": False})
    Vibrations(atoms, indices=indices, name=str(vib_dir)).run()
    _finish(atoms)


def main() -> int:
    a = functional_lattice("Cu", "pbe").a
    slab = fcc111("Cu", size=(2, 2, 3), a=a, vacuum=7.5)
    slab.pbc = (True, True, False)  # GPAW: no periodicity across the vacuum
    slab.set_constraint(FixAtoms(indices=[at.index for at in slab if at.tag > 1]))
    k = (4, 4, 1)
    slab = relax(slab, RUNS / "Cu111" / "slab", k)

    ads = slab.copy()
    add_adsorbate(ads, "H", 1.0, "fcc")
    ads.set_constraint(FixAtoms(indices=[at.index for at in ads if at.tag > 1]))
    ads = relax(ads, RUNS / "Cu111" / "H", k)
    vibrations(ads, RUNS / "Cu111" / "H", [len(ads) - 1], k)

    h2 = Atoms("H2", positions=[(0, 0, 0), (0, 0, 0.75)], cell=(10, 10.5, 11), pbc=True)
    h2.center()
    h2 = relax(h2, RUNS / "gas" / "H2", (1, 1, 1))
    vibrations(h2, RUNS / "gas" / "H2", [0, 1], (1, 1, 1))
    print(f"runs written under {RUNS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
