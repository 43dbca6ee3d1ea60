"""Tabulated formation free energies: reaction free energies, the HNO3 cycle, equilibrium potentials.

All values are computed from the cited tables in ``adsorbate_refs/`` (kJ/mol) and converted
with :data:`chefe.constants.KJ_PER_MOL_IN_EV`. Conventions: ΔfG°(H+, aq) = 0 and the electron
at 0 V vs SHE carries zero free energy, so ΔrG° of a half-reaction equals -n_e·e·E° (SHE).
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import KJ_PER_MOL_IN_EV, T_STANDARD, ln10_kT
from .errors import InputError
from .reaction import Step, parse_step
from .refdata import load_table
from .species import canonical


@dataclass(frozen=True, slots=True)
class ReactionFreeEnergy:
    """A free energy computed from a formation table, with its provenance.

    Attributes:
        value: ΔrG° in eV (at 298.15 K, U_SHE = 0, unit activities).
        reaction: the equation it refers to.
        table: table name; source: its citation; terms: ``(species, ν, ΔfG° kJ/mol)`` used.
    """

    value: float
    reaction: str
    table: str
    source: str
    terms: tuple[tuple[str, float, float], ...]

    @property
    def kj_per_mol(self) -> float:
        return self.value / KJ_PER_MOL_IN_EV


def formation_values(table: str = "nbs82") -> dict[str, float]:
    """ΔfG° values (kJ/mol) keyed by canonical species name, from ``formation_<table>.yaml``."""
    data = load_table(table if table.startswith("formation_") else f"formation_{table}")
    return {canonical(k): float(v) for k, v in data["values"].items()}


def reaction_free_energy(step: Step | str, table: str = "nbs82") -> ReactionFreeEnergy:
    """ΔrG° of a balanced reaction from tabulated ΔfG° (H+ and e- at the SHE contribute 0).

    Raises:
        InputError: naming the species the table lacks.
    """
    if isinstance(step, str):
        step = parse_step("reaction", step)
    name = table if table.startswith("formation_") else f"formation_{table}"
    data = load_table(name)
    values = formation_values(table)
    terms = []
    total = 0.0
    for species, nu in step.net().items():
        if species in ("e-",):
            continue
        key = species
        if key not in values:
            raise InputError(
                f"table {name!r} has no formation free energy for {species!r} "
                f"(needed by {step.equation!r}); it lists {sorted(values)}"
            )
        terms.append((key, nu, values[key]))
        total += nu * values[key]
    return ReactionFreeEnergy(
        total * KJ_PER_MOL_IN_EV, step.equation, name, str(data.get("source", "")), tuple(terms)
    )


def hno3_cycle(table: str = "crc98") -> ReactionFreeEnergy:
    """ΔG° of HNO3(g) -> H+(aq) + NO3-(aq) through HNO3(l) (Niu et al. AFM 2021 SI cycle).

    With the CRC 98th-edition values this is -37.8 kJ/mol = -0.392 eV: the "0.392 eV correction".
    """
    return reaction_free_energy("HNO3(g) -> H+ + NO3-(aq)", table)


def standard_potential(overall: Step | str, table: str = "nbs82") -> float:
    """E° in V vs SHE of a half-reaction written as a reduction or an oxidation (-ΔrG°/(n_e e))."""
    if isinstance(overall, str):
        overall = parse_step("overall", overall)
    if overall.n_e == 0:
        raise InputError(f"{overall.equation!r} transfers no electrons: it has no potential")
    return -reaction_free_energy(overall, table).value / overall.n_e


def equilibrium_potential(
    overall: Step | str,
    pH: float = 0.0,
    temperature: float = T_STANDARD,
    table: str = "nbs82",
    scale: str = "RHE",
) -> float:
    """Equilibrium potential (V) of a half-reaction at ``pH`` on the RHE or SHE scale.

    U_SHE = E° - (kT ln10/e)(n_H/n_e) pH and U_RHE = U_SHE + (kT ln10/e) pH, unit activities
    for everything but H+. E° comes from the 298.15 K table; ``temperature`` enters only the
    Nernst term.
    """
    if isinstance(overall, str):
        overall = parse_step("overall", overall)
    e0 = standard_potential(overall, table)
    shift = ln10_kT(temperature) * pH
    u_she = e0 - shift * overall.n_H / overall.n_e
    if scale.upper() == "SHE":
        return u_she
    if scale.upper() != "RHE":
        raise InputError(f"unknown potential scale {scale!r}: use 'RHE' or 'SHE'")
    return u_she + shift
