"""Physical constants and conventions, all derived from :mod:`ase.units` (CODATA 2014).

Units throughout chefe: energies in eV, temperatures in K, potentials in V (vs RHE unless a
name says otherwise), pressures in bar at the API (converted to Pa only where ASE wants Pa).
No literal 0.0592 appears anywhere: the pH term is ``ln10_kT(T)`` computed here.
"""

from __future__ import annotations

import math

from ase import units

#: Boltzmann constant in eV/K.
KB_EV_PER_K: float = units.kB
#: Standard temperature in K.
T_STANDARD: float = 298.15
#: Standard pressure in bar (IUPAC).
P_STANDARD_BAR: float = 1.0
#: 1 bar in ASE pressure units (eV/Å^3); ASE thermochemistry takes Pa = units.Pascal.
BAR_IN_PA: float = units.bar / units.Pascal
#: kJ/mol expressed in eV (per particle).
KJ_PER_MOL_IN_EV: float = units.kJ / units.mol
#: J/(mol K) expressed in eV/K (per particle).
J_PER_MOL_K_IN_EV_PER_K: float = units.J / units.mol
#: Vapour pressure of water used for H2O(l) in the CHE (Nørskov et al. 2004), bar.
P_H2O_LIQUID_BAR: float = 0.035
#: 1 cm^-1 in eV.
INVCM_IN_EV: float = units.invcm
#: Faraday constant in C/mol (used only to report kJ/mol <-> V conversions).
FARADAY_C_PER_MOL: float = units._e * units._Nav


def ln10_kT(temperature: float = T_STANDARD) -> float:
    """Return kT·ln(10) in eV: the free-energy shift per pH unit (0.05916 eV at 298.15 K)."""
    return KB_EV_PER_K * temperature * math.log(10.0)
