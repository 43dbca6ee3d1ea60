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


#: Earlier names of the shipped tables.
TABLE_ALIASES = {"crc98": "crc"}


def table_name(table: str) -> str:
    """File stem of a formation table: ``"crc"`` -> ``"formation_crc"`` (``"crc98"`` accepted)."""
    stem = table[len("formation_"):] if table.startswith("formation_") else table
    return f"formation_{TABLE_ALIASES.get(stem, stem)}"


def pka_values(table: str = "acid_dissociation_crc") -> dict[str, float]:
    """pKa of acids in water at 298.15 K keyed by the acid's canonical name."""
    return {canonical(k): float(v) for k, v in load_table(table)["values"].items()}


def formation_values(table: str = "crc") -> dict[str, float]:
    """ΔfG° values (kJ/mol) keyed by canonical species name, from ``formation_<table>.yaml``.

    Besides its ``values``, a table may derive neutral aqueous species from a listed ion and the
    acid's pKa (``from_pKa``: ΔfG(acid) - ΔfG(base) = -RT ln10 pKa, RT ln10 from ase.units) and
    may carry ``borrowed`` entries from another table, each with its source.
    """
    data = load_table(table_name(table))
    values = {canonical(k): float(v) for k, v in data["values"].items()}
    rt_ln10 = ln10_kT(T_STANDARD) / KJ_PER_MOL_IN_EV  # kJ/mol per pKa unit
    derived = data.get("from_pKa") or {}
    if derived:
        pka = pka_values()
        for name, pair in derived.items():
            acid, base = canonical(pair["acid"]), canonical(pair["base"])
            if acid == canonical(name):
                values[acid] = values[base] - rt_ln10 * pka[acid]
            else:
                values[base] = values[acid] + rt_ln10 * pka[acid]
    for name, entry in (data.get("borrowed") or {}).items():
        values[canonical(name)] = float(entry["value"])
    return values


def formation_source(species: str, table: str = "crc") -> str:
    """Where a table's ΔfG° of ``species`` comes from (its source, a pKa route or a borrowed table)."""
    data = load_table(table_name(table))
    key = canonical(species)
    for name, pair in (data.get("from_pKa") or {}).items():
        if canonical(name) == key:
            return (f"{data['name']}: from ΔfG({pair['acid'] if canonical(pair['acid']) != key else pair['base']}) "
                    f"and pKa({pair['acid']}) (acid_dissociation_crc)")
    for name, entry in (data.get("borrowed") or {}).items():
        if canonical(name) == key:
            return f"{data['name']}: {entry['source']}"
    return f"{data['name']}: {data.get('source', '')}"


def reaction_free_energy(step: Step | str, table: str = "crc") -> ReactionFreeEnergy:
    """ΔrG° of a balanced reaction from tabulated ΔfG° (H+ and e- at the SHE contribute 0).

    Raises:
        InputError: naming the species the table lacks.
    """
    if isinstance(step, str):
        step = parse_step("reaction", step)
    name = table_name(table)
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


def hno3_cycle(table: str = "crc") -> ReactionFreeEnergy:
    """ΔG° of HNO3(g) -> H+(aq) + NO3-(aq) through HNO3(l) (Niu et al. AFM 2021 SI cycle).

    With the CRC values this is -37.8 kJ/mol = -0.392 eV: the "0.392 eV correction"; the NBS
    1982 values give -34.0 kJ/mol = -0.353 eV.
    """
    return reaction_free_energy("HNO3(g) -> H+ + NO3-(aq)", table)


def standard_potential(overall: Step | str, table: str = "crc") -> float:
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
    table: str = "crc",
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
