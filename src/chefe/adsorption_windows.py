"""Plausible windows of adsorption energies: an energy outside one is flagged ``implausible_energy``.

The windows are computed from cited tables (``adsorbate_refs/adsorption_windows.yaml``): atomic
binding energies of H, O and N on 23 metal facets, converted to the molecular references chefe
uses (½H2, H2O - H2, NH3 - 3/2 H2) with CRC formation enthalpies; polyatomic adsorbates from
their heats of formation on Pt(111) (RMG library), scaled to the other facets by the
Abild-Pedersen relation; each range widened by a stated margin.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from ase import units

TABLE = "adsorption_windows"


@dataclass(frozen=True)
class Window:
    """Plausible ΔE_ads (eV) of one adsorbate against its molecular reference, and where it comes from."""

    species: str
    low: float
    high: float
    data_low: float
    data_high: float
    n_surfaces: int
    margin: float
    method: str = "atomic binding energies"

    def describe(self) -> str:
        return (f"[{self.low:+.2f}, {self.high:+.2f}] eV (range {self.data_low:+.2f} to {self.data_high:+.2f} eV "
                f"over {self.n_surfaces} metal facets ± {self.margin:g} eV; {self.method})")


def nasa_enthalpy(coefficients, temperature: float = 298.15) -> float:
    """H(T) in eV from NASA-7 coefficients: H/RT = a1 + a2 T/2 + a3 T²/3 + a4 T³/4 + a5 T⁴/5 + a6/T."""
    a = [float(c) for c in coefficients]
    t = float(temperature)
    return units.kB * (a[0] * t + a[1] * t**2 / 2 + a[2] * t**3 / 3 + a[3] * t**4 / 4 + a[4] * t**5 / 5 + a[5])


def _polyatomic(table: dict, rows: list[dict], dfh: dict[str, float], margin: float) -> dict[str, Window]:
    """Windows of the polyatomic adsorbates: Pt(111) heats of formation scaled to every facet."""
    from ase.data import atomic_numbers

    from .errors import InputError
    from .refdata import load_table
    from .species import parse_species

    spec = table["polyatomic"]
    library = load_table(spec["table"])
    valence = {k: float(v) for k, v in spec["max_valence"].items()}
    reference = next(r for r in rows if r["label"] == spec["reference_facet"])
    # heat of each element in its reference molecule: ½H2, H2O - H2, NH3 - 3/2 H2
    per_element = {"H": dfh["H2(g)"] / 2, "O": dfh["H2O(g)"] - dfh["H2(g)"],
                   "N": dfh["NH3(g)"] - 1.5 * dfh["H2(g)"]}
    out = {}
    for species, modes in library["species"].items():
        composition = dict(parse_species(species).composition)
        values = []
        for mode in modes:
            if {k: int(v) for k, v in mode["formula"].items()} != composition:
                raise InputError(f"{library['path']}: {species} is {composition}, but {mode['rmg_label']} "
                                 f"is {mode['formula']}")
            e_pt = nasa_enthalpy(mode["nasa_298_1000K"]) - sum(n * per_element[el] for el, n in composition.items())
            bonds = {el: float(order) for el, order in mode["surface_bonds"].items()}
            # an odd-electron fragment (NO, NO2, NO3, OH, NH2...) binds with one free valence: RMG's
            # multi-radical Lewis structures (three X-O bonds for flat NO3) would scale it 1.5x
            # with O binding; their surface bond orders are scaled down to sum to one
            electrons = sum(atomic_numbers[el] * n for el, n in composition.items())
            total = sum(bonds.values())
            if electrons % 2 and total > 1:
                bonds = {el: order / total for el, order in bonds.items()}
            gamma = {el: order / valence[el] for el, order in bonds.items()}
            for row in rows:
                values.append(e_pt + sum(g * (float(row[f"BE_{el}_eV"]) - float(reference[f"BE_{el}_eV"]))
                                         for el, g in gamma.items()))
        out[species] = Window(species, min(values) - margin, max(values) + margin, min(values), max(values),
                              len(rows), margin, "Pt(111) heats of formation (RMG) scaled by Abild-Pedersen slopes")
    return out


@lru_cache(maxsize=1)
def windows() -> dict[str, Window]:
    """The window of each adsorbate that has one (``*H``, ``*O``, ``*N`` and the polyatomic ones)."""
    from .refdata import load_table, refs_dir

    table = load_table(TABLE)
    kj = units.kJ / units.mol
    dfh = {k: float(v) * kj for k, v in table["formation_enthalpy_kJmol"].items()}
    with open(refs_dir() / table["binding_energies"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    margin = float(table["margin_eV"])
    out = {}
    for species, spec in table["species"].items():
        # the atom against its molecular reference: X(g) from molecule/n minus the other elements
        shift = dfh[f"{spec['element']}(g)"] - dfh[spec["molecule"]] / float(spec["n"])
        values = [float(r[spec["column"]]) + shift for r in rows if r.get(spec["column"])]
        out[species] = Window(species, min(values) - margin, max(values) + margin, min(values),
                              max(values), len(values), margin)
    if "polyatomic" in table:
        for species, window in _polyatomic(table, rows, dfh, margin).items():
            out.setdefault(species, window)  # the atoms keep their windows from the binding energies
    return out


def reference_potentials(energy) -> dict[str, float]:
    """μ_H, μ_O, μ_N (eV) from ``energy(name)`` of H2(g), H2O(l or g) and NH3(g) (None when absent)."""
    h2 = energy("H2(g)")
    mu = {}
    if h2 is None:
        return mu
    mu["H"] = 0.5 * h2
    water = energy("H2O(l)") if energy("H2O(l)") is not None else energy("H2O(g)")
    if water is not None:
        mu["O"] = water - h2
    nh3 = energy("NH3(g)")
    if nh3 is not None:
        mu["N"] = nh3 - 1.5 * h2
    return mu


def adsorption_energy(species: str, e_ads: float, e_slab: float, mu: dict[str, float]) -> float | None:
    """ΔE_ads = E(*A) - E(*) - Σ n_X μ_X (eV), or None when an element has no μ."""
    from .species import parse_species

    comp = dict(parse_species(species).composition)
    if any(el not in mu for el in comp):
        return None
    return e_ads - e_slab - sum(n * mu[el] for el, n in comp.items())


def implausible(species: str, dE: float) -> str | None:
    """A message when ``dE`` lies outside the adsorbate's window; None inside it or without one."""
    w = windows().get(species)
    if w is None or w.low <= dE <= w.high:
        return None
    return (f"{species} adsorption energy ΔE = {dE:+.2f} eV lies outside the plausible window {w.describe()}: "
            "check that the run belongs to this slab (same cell and code) and that the references come "
            "from the same functional")
