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
                f"references involved: {', '.join(self.references)}. Check their energies and thermal "
                "corrections, or correct the gases with gas_corrections: {scheme: formation}")

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


def overall_reaction_warnings(network, ledger, tolerance: float = OVERALL_TOLERANCE) -> list[str]:
    """Warning lines for every product whose overall ΔrG misses the table by more than ``tolerance``."""
    return [f"warning: {c.message()}" for c in overall_reaction_checks(network, ledger)
            if abs(c.difference) > tolerance]
