"""Whether the ligand cap of a capped single-atom site (O–M–N4, HO–M–N4) stays on under reaction.

A network run on the capped site (:func:`chefe.network.with_site_ligand`) carries the step
``ligation``, ``* + H2O(l) -> *O + 2H+ + 2e-`` (``*OH`` with one H+ + e-), which forms the cap
from the bare site. Its ΔG falls with potential (electrons are released), so the cap forms above
U_cap = ΔG(ligation, U = 0 V vs RHE) / n and is reduced off below it: at a catalyst's U_L the
capped pathway applies when U_L > U_cap, otherwise the bare site's.
"""

from __future__ import annotations

import numpy as np

LIGATION_STEP = "ligation"


def capping_potential(che) -> np.ndarray | None:
    """U_cap (V vs RHE) per candidate of a :class:`~chefe.engine.CHEResult`, or None when its
    network has no ``ligation`` step. NaN where the capped clean site has no energy."""
    ids = [s.id for s in che.network.steps]
    if LIGATION_STEP not in ids:
        return None
    i = ids.index(LIGATION_STEP)
    n_e = float(che.network.n_e[i])  # ΔG(U) = ΔG(0) + n_e·U, n_e < 0 for an oxidation
    return -che.row_U0(i) / n_e


def capping_notes(che, labels) -> list[str]:
    """One line per candidate: where the cap forms and whether it stays at the candidate's U_L."""
    u_cap = capping_potential(che)
    if u_cap is None:
        return []
    ids = [s.id for s in che.network.steps]
    cap = che.network.start_state[0] if che.network.start_state else "*O"
    lines = []
    for k, label in enumerate(labels):
        if not np.isfinite(u_cap[k]):
            lines.append(f"{label}: no energy for the capped site {cap}: where its cap forms is not known")
            continue
        u_l = float(che.U_L_RHE[k])
        text = (f"{label}: the {cap.lstrip('*')} cap forms above U = {u_cap[k]:+.2f} V vs RHE "
                f"(step ligation, ΔG = {float(che.row_U0(ids.index(LIGATION_STEP))[k]):+.2f} eV at 0 V vs RHE)")
        if np.isfinite(u_l):
            text += (f"; at U_L = {u_l:+.2f} V vs RHE it " +
                     ("stays: the capped pathway applies" if u_l > u_cap[k] else
                      "is reduced off: the bare site's pathway applies"))
        lines.append(text)
    return lines
