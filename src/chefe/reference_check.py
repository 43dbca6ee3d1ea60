"""Are the references consistent with the formation table? The overall-reaction check.

Along any complete route the adsorbates cancel, so the route's ΔG summed at U = 0 (pH 0) is the
DFT ΔrG of the network's overall reaction, a property of the gas/aqueous references alone. The
formation table gives the same reaction's ΔrG° = -n·e·E° (the U_eq the overpotential uses). When
the two differ, η and any step touching those references are off by the difference; typical
culprits are GGA errors of N–O bonded gases (HNO3, NO, NO2), which ``gas_corrections: {scheme:
formation}`` removes. :func:`overall_reaction_check` reports every product whose difference
exceeds a tolerance, naming the references involved.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Default tolerance (eV) on |ΔrG(DFT) - ΔrG°(table)| of an overall reaction.
OVERALL_TOLERANCE = 0.2


@dataclass(frozen=True, slots=True)
class OverallReactionCheck:
    """One product's overall reaction: DFT against the formation table (eV, U = 0, pH 0)."""

    product: str
    equation: str
    dft: float
    table: float
    references: tuple[str, ...]

    @property
    def difference(self) -> float:
        return self.dft - self.table

    def message(self) -> str:
        return (f"references inconsistent with the formation table for {self.product}: ΔrG of "
                f"{self.equation} is {self.dft:+.3f} eV from the references but {self.table:+.3f} eV "
                f"from the table (U_eq from the references {-self.difference / self.n_e:+.3f} V off); "
                f"references involved: {', '.join(self.references)}. " + (self.unit_hint() or (
                    "Check their energies and thermal corrections, or correct the gases with "
                    "gas_corrections: {scheme: formation}")))

    def unit_hint(self) -> str:
        """"are these kJ/mol?" when the DFT ΔrG is the table's times a unit factor (±15 %)."""
        from ase import units

        if abs(self.table) < 0.5:
            return ""
        ratio = self.dft / self.table
        for unit, factor in (("kJ/mol", 1 / (units.kJ / units.mol)), ("kcal/mol", 1 / (units.kcal / units.mol)),
                             ("Hartree", 1 / units.Hartree), ("Rydberg", 1 / units.Rydberg)):
            if abs(ratio / factor - 1) < 0.15:
                fix = "write units: " + unit if unit != "Rydberg" else "convert them to eV (1 Ry = 13.606 eV)"
                return f"The ratio is {ratio:.4g}: are these energies in {unit}? {fix}"
        return ""

    @property
    def n_e(self) -> float:
        from .reaction import parse_step

        return parse_step("overall", self.equation).n_e or 1.0


def _origin(species: str, ledger) -> str:
    """A reservoir species and, when the ledger derives it, the DFT species it comes from."""
    from .references import DERIVED_BY_COUPLE
    from .reaction import parse_step

    if species in ledger.entries:
        return species
    if species == "NO3-(aq)":
        return "NO3-(aq) (from HNO3(g))"
    if species in DERIVED_BY_COUPLE:
        step = parse_step("couple", DERIVED_BY_COUPLE[species])
        anchors = [sp for sp, nu in step.net().items() if nu < 0 and sp not in ("H+", "e-", "H2O(l)")]
        return f"{species} (from {', '.join(_origin(a, ledger) for a in anchors)})"
    return species


def overall_reaction_checks(network, ledger) -> list[OverallReactionCheck]:
    """DFT and tabulated ΔrG of each product's overall reaction that both can give."""
    from .errors import ChefeError
    from .formation import reaction_free_energy

    out = []
    for product, overall in network.products.items():
        try:
            table = reaction_free_energy(overall, ledger.formation_table).value
            dft = sum(nu * ledger.free_energy(sp) for sp, nu in overall.net().items() if sp != "e-")
        except ChefeError:
            continue  # a species without a reference or a table entry: nothing to compare
        involved = tuple(_origin(sp, ledger) for sp in overall.net() if sp not in ("e-", "H+", "H2O(l)"))
        involved += ("H2O(l)", "H2(g)")
        out.append(OverallReactionCheck(product, overall.equation, dft, table, involved))
    return out


#: per-atom DFT total energies (eV) of H, N, O molecules in codes that count from isolated atoms
#: (VASP, GPAW: H2 -3.4, H2O -4.7, NH3 -4.9, N2 -8.3 per atom with PBE) lie well inside this range
PER_ATOM_RANGE = (-12.0, -0.5)


def gas_energy_warnings(ledger) -> list[str]:
    """Warnings for DFT gas energies outside the usual range, or on two different scales in one file.

    Codes that count energies from isolated atoms (VASP, GPAW) give H/N/O molecules -0.5 to -12 eV
    per atom; codes with absolute pseudopotential energies (Quantum ESPRESSO) give hundreds of eV
    per atom, consistently. A positive total energy, or references some on one scale and some
    on the other, are mistakes (often kJ/mol, or a Rydberg value).
    """
    from .species import parse_species

    per_atom = {}
    for name, entry in ledger.entries.items():
        if entry.correction is None:
            continue  # a free energy given directly
        atoms = sum(n for _, n in parse_species(name).composition) or 1
        per_atom[name] = entry.energy / atoms
    out = [f"warning: reference {name}: DFT total energy {ledger.entries[name].energy:+.3f} eV is positive; "
           "are these energies in another unit or sign convention?" for name, e in per_atom.items() if e > 0]
    low, high = PER_ATOM_RANGE
    inside = [n for n, e in per_atom.items() if low <= e <= high]
    outside = [n for n, e in per_atom.items() if e < low]
    if inside and outside:
        out.append(f"warning: references on two energy scales: {', '.join(inside)} at {low:g} to {high:g} eV "
                   f"per atom (as VASP or GPAW give), {', '.join(outside)} far below "
                   f"({min(per_atom[n] for n in outside):.1f} eV per atom): are some in kJ/mol or from "
                   "another code? every energy of the file must be in one unit and from one setup")
    return out


def overall_reaction_warnings(network, ledger, tolerance: float = OVERALL_TOLERANCE) -> list[str]:
    """Warning lines for every product whose overall ΔrG misses the table by more than ``tolerance``."""
    return [f"warning: {c.message()}" for c in overall_reaction_checks(network, ledger)
            if abs(c.difference) > tolerance]
