"""Structure building: M–N–C single- and dual-atom sites, slabs, NO3RR adsorbates, DFT inputs.

Every builder returns a :class:`~chefe.build.model.Model`: an ASE ``Atoms`` plus its named
active sites (the metal of a SAC, both metals and the bridge of a DAC, top/bridge/hollow sites of
a slab), so that adsorbates go on the metal and never on one of the "84 distinct sites" a generic
site finder offers.
"""

from __future__ import annotations

from .adsorbates import ADSORBATES, NO3RR_SET, adsorbate_modes, place_adsorbate
from .carbon import dac, sac
from .gas import REFERENCE_MOLECULES, gas_molecule, reference_set
from .gcn import SCREEN_METALS, gcn_dac, gcn_dac_screen, gcn_sheet
from .model import Model, Site
from .output import write_db, write_espresso, write_tree, write_vasp
from .relax import BindingCheck, binding_check, relax
from .sets import build_model, reaction_set
from .slabs import oxide_slab, slab, surface_slab

__all__ = ["REFERENCE_MOLECULES", "gas_molecule", "reference_set", "ADSORBATES", "NO3RR_SET", "SCREEN_METALS", "gcn_dac", "gcn_dac_screen", "gcn_sheet", "BindingCheck", "Model", "Site", "adsorbate_modes",
           "binding_check", "build_model", "dac", "oxide_slab", "place_adsorbate", "reaction_set",
           "relax", "sac", "slab", "surface_slab", "write_db", "write_espresso", "write_tree", "write_vasp"]
