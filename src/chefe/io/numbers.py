"""Numbers in DFT output files are read whole or not at all.

A value is a complete token: ``-10.8x171139`` is not -10.8 and ``E0= -.28`` at the end of a
cut file is not -0.28 eV. The patterns here match a number only when nothing that could
continue it (a digit, letter, point or sign) touches it on either side; record patterns built
from them end with the line's fixed text (``eV``, ``Ry``) and its newline, so a record cut
anywhere inside does not match.

Final energies also pass :func:`energy_problem`: NaN, ±inf and values beyond any physical
total energy are never stored as a good energy.
"""

from __future__ import annotations

import math

#: One floating-point number in Fortran or C notation (``-.28075112E+03``, ``1.5D-3``, ``-280.75``).
FLOAT = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eEdD][-+]?\d+)?"
#: A whole number token: no digit, letter, point or sign touches it on either side.
WHOLE = r"(?<![\w.+-])(" + FLOAT + r")(?![\w.+-])"
WHOLE_B = WHOLE.encode()

#: Largest |total energy| per atom any code prints (eV): all-electron totals of the heaviest
#: elements reach about 7.6e5 eV (uranium, ~ -28,000 Hartree); pseudopotential and PAW codes
#: stay far below. Anything beyond is a corrupted number, not an energy.
MAX_ABS_ENERGY_PER_ATOM = 1.0e6


def to_float(text: str | bytes) -> float:
    """The value of a token matched by :data:`FLOAT` (Fortran ``D`` exponents accepted)."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    return float(text.replace("D", "E").replace("d", "e"))


def unit_in_last_place(text: str | bytes) -> float:
    """The value of one unit in the last printed digit of a number token (``-280.75112360`` ->
    1e-8, ``-.28218515E+02`` -> 1e-6)."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    mantissa, _, exponent = text.upper().replace("D", "E").partition("E")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def energy_problem(energy: float | None, n_atoms: int | None = None) -> str | None:
    """Why ``energy`` (eV) cannot be a total energy, or None when it can."""
    if energy is None:
        return None
    if not math.isfinite(energy):
        return f"the final energy is {energy!r}, not a number"
    bound = MAX_ABS_ENERGY_PER_ATOM * max(1, n_atoms or 1000)
    if abs(energy) > bound:
        return f"the final energy {energy:.6g} eV lies beyond any physical total energy (|E| > {bound:.0e} eV)"
    return None


def smearing_consistent(free: float, without: float, sigma0: float, ismear: int | None, ulp: float) -> bool:
    """True when VASP's three energies of one step agree with each other.

    VASP prints TOTEN ``F``, ``energy without entropy`` ``E`` and ``energy(sigma->0)`` ``E0``
    with E0 = F + (E - F)/(N + 2) for Gaussian/Fermi (N = 0) and Methfessel-Paxton of order N
    (ISMEAR = N > 0); for tetrahedron smearing (ISMEAR <= -4) E0 lies between F and E.
    ``ulp``: the unit in the last printed place (rounding tolerance: two of them).
    """
    tol = 2.5 * ulp
    if ismear is not None and ismear >= -1:
        n = max(ismear, 0)
        return abs(sigma0 - (free + (without - free) / (n + 2))) <= tol
    lo, hi = min(free, without), max(free, without)
    return lo - tol <= sigma0 <= hi + tol
