"""Plausibility guards: numbers that are allowed but almost certainly a mistake.

Warnings, not errors (``--strict`` makes them errors): a step whose |ΔG| at 0 V exceeds
:data:`STEP_BOUND` (with "are these kJ/mol?" when dividing by 96.485 would make them ordinary),
a limiting potential beyond :data:`UL_BOUND`. The references' consistency with the formation
table is checked where the references are read (:mod:`chefe.reference_check`).
"""

from __future__ import annotations

import numpy as np

#: |ΔG| (eV) of one step at 0 V above which a step is implausible for a CHE analysis.
STEP_BOUND = 5.0
#: |U_L| (V) above which a limiting potential is implausible.
UL_BOUND = 3.0
#: |ΔG| (eV) of a step beyond which a unit mistake is the likely cause (1 eV = 96.5 kJ/mol).
KJ_HINT = 20.0


def plausibility_warnings(network, dG0: np.ndarray, names, U_L: np.ndarray) -> list[str]:
    """Warning lines for implausible step energies and limiting potentials (eV, V)."""
    out = []
    dG0 = np.asarray(dG0, dtype=float)
    with np.errstate(invalid="ignore"):
        big = np.abs(dG0) > STEP_BOUND
    if big.any():
        for k in np.flatnonzero(big.any(axis=0))[:10]:
            steps = [network.steps[i].id for i in np.flatnonzero(big[:, k])]
            worst = float(np.nanmax(np.abs(dG0[:, k])))
            # tens to thousands of eV: energies (or some of them) in kJ/mol or kcal/mol, not eV
            hint = (" (are these energies in kJ/mol? every energy of the file must be in one unit: "
                    "write units: kJ/mol)" if worst > KJ_HINT else "")
            out.append(f"warning: {names[k]}: |ΔG| above {STEP_BOUND:g} eV at 0 V in step(s) "
                       f"{', '.join(steps[:6])} (largest {worst:.2f} eV){hint}")
        if big.any(axis=0).sum() > 10:
            out.append(f"warning: ... and {int(big.any(axis=0).sum()) - 10} more catalysts with such steps")
    U_L = np.asarray(U_L, dtype=float)
    with np.errstate(invalid="ignore"):
        far = np.flatnonzero(np.abs(U_L) > UL_BOUND)
    for k in far[:10]:
        out.append(f"warning: {names[k]}: U_L = {U_L[k]:+.2f} V lies beyond ±{UL_BOUND:g} V: check the energies")
    return out
