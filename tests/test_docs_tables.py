"""The numbers printed in docs/thermochemistry.md are the ones chefe computes (no retyped values)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "thermochemistry.md"
EQUATIONS = {
    "NH₃(g)": "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)",
    "NH₃(aq)": "NO3-(aq) + 9H+ + 8e- -> NH3(aq) + 3H2O(l)",
    "NH₄⁺": "NO3-(aq) + 10H+ + 8e- -> NH4+(aq) + 3H2O(l)",
    "NO₂⁻": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)",
    "HNO₂(aq)": "NO3-(aq) + 3H+ + 2e- -> HNO2(aq) + H2O(l)",
    "NO(g)": "NO3-(aq) + 4H+ + 3e- -> NO(g) + 2H2O(l)",
    "N₂O(g)": "2NO3-(aq) + 10H+ + 8e- -> N2O(g) + 5H2O(l)",
    "N₂(g)": "2NO3-(aq) + 12H+ + 10e- -> N2(g) + 6H2O(l)",
    "NH₂OH(aq)": "NO3-(aq) + 7H+ + 6e- -> NH2OH(aq) + 2H2O(l)",
}


def table_rows(first_cell: str):
    rows = {}
    for line in DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and cells[0] in first_cell.split(","):
            rows[cells[0]] = cells[1:]
    return rows


def test_equilibrium_potential_table():
    from chefe.formation import equilibrium_potential

    rows = table_rows(",".join(EQUATIONS))
    assert set(rows) == set(EQUATIONS)
    for name, cells in rows.items():
        for pH, text in zip((0, 7, 14), cells[1:]):
            assert float(text) == pytest.approx(equilibrium_potential(EQUATIONS[name], pH=pH), abs=5.1e-4), name


def test_entropy_table():
    from chefe.gas import experimental_molecule, ground_state_spin
    from chefe.refdata import load_table
    from chefe.thermo import ideal_gas_correction

    rows = table_rows("chefe,JANAF")
    names = ["H2", "O2", "N2", "H2O", "NH3", "NO", "NO2", "N2O", "HNO3"]
    janaf = load_table("gas_entropy_janaf")["values"]
    from ase import units

    for formula, ours, tab in zip(names, rows["chefe"], rows["JANAF"]):
        atoms, freqs = experimental_molecule(formula)
        ts = ideal_gas_correction(freqs, atoms, spin=ground_state_spin(formula)).ts
        assert float(ours) == pytest.approx(ts / 298.15 / (units.J / units.mol), abs=0.006), formula
        assert float(tab) == pytest.approx(janaf[f"{formula}(g)"], abs=0.006), formula
    assert re.search(r"leaves NO 5\.5 J", DOC.read_text())


def test_documented_adsorption_windows_are_the_computed_ones():
    from chefe.adsorption_windows import windows

    text = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "collect.md").read_text()
    for species, w in windows().items():
        written = re.search(re.escape(species) + r"\s+(−?[\d.]+)\s+to\s+\+([\d.]+)", text)
        assert written, species
        low = float(written.group(1).replace("−", "-"))
        assert (low, float(written.group(2))) == (round(w.low, 2), round(w.high, 2)), species
