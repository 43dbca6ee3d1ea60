"""Regenerate tests/files/gpaw/h2_relax_gpaw26.txt (and .traj): a two-step BFGS relaxation of H2
with GPAW 26.7.0 (plane waves, 250 eV, PBE). Run: python make_h2.py (needs gpaw and gpaw-data)."""
from ase.build import molecule
from ase.optimize import BFGS
from gpaw import GPAW, PW

h2 = molecule("H2")
h2.center(vacuum=3.0)
h2.pbc = False
h2.calc = GPAW(mode=PW(250), xc="PBE", txt="h2_relax_gpaw26.txt", spinpol=False)
BFGS(h2, trajectory="h2_relax_gpaw26.traj", logfile=None).run(fmax=0.05, steps=10)
