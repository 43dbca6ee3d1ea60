"""Tabulated thermochemistry: the 0.392 eV nitrate cycle and equilibrium potentials, by hand."""

from __future__ import annotations

import math

import pytest
from ase import units

from chefe.errors import InputError
from chefe.formation import (
    equilibrium_potential,
    formation_source,
    formation_values,
    hno3_cycle,
    reaction_free_energy,
    standard_potential,
)

KJMOL = units.kJ / units.mol  # eV per kJ/mol
NH3_OVERALL = "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"
#: RT ln 10 at 298.15 K in kJ/mol: 8.314462618e-3 · 298.15 · 2.302585093 = 5.70798
RT_LN10_KJ = 5.70798
#: kT ln 10 at 298.15 K in eV (0.0591597)
KT_LN10 = 0.0591597


def test_hno3_cycle_is_0392_from_crc_formation_energies():
    # CRC: ΔfG(HNO3,g) = -73.5, ΔfG(NO3-,aq) = -111.3, ΔfG(H+) = 0 kJ/mol
    # HNO3(g) -> H+ + NO3- : -111.3 - (-73.5) = -37.8 kJ/mol = -0.3918 eV
    cycle = hno3_cycle()
    assert cycle.kj_per_mol == pytest.approx(-37.8, abs=1e-12)
    assert cycle.value == pytest.approx(-37.8 * 0.01036427, abs=1e-6)
    assert round(cycle.value, 3) == -0.392
    # through HNO3(l): step 1 -80.7 - (-73.5) = -7.2 kJ/mol = -0.0746 eV
    step1 = reaction_free_energy("HNO3(g) -> HNO3(l)")
    assert step1.value == pytest.approx(-0.0746, abs=5e-5)
    step2 = reaction_free_energy("HNO3(l) -> H+ + NO3-(aq)")
    assert step1.value + step2.value == pytest.approx(cycle.value, abs=1e-12)
    # the earlier table name still reads the same table
    assert hno3_cycle("crc98").value == cycle.value


def test_nbs_cycle_is_different_and_documented():
    # NBS: -108.74 - (-74.72) = -34.02 kJ/mol = -0.353 eV
    assert hno3_cycle("nbs82").kj_per_mol == pytest.approx(-34.02, abs=1e-9)


def test_neutral_aqueous_species_from_ions_and_pka():
    values = formation_values("crc")
    # NH4+ <-> NH3(aq) + H+, pKa 9.25: ΔfG(NH3,aq) = -79.3 + 9.25 · 5.70798 = -26.501 kJ/mol
    assert values["NH3(aq)"] == pytest.approx(-26.501, abs=2e-3)
    # HNO2 <-> NO2- + H+, pKa 3.25: ΔfG(HNO2,aq) = -32.2 - 3.25 · 5.70798 = -50.751 kJ/mol
    assert values["HNO2(aq)"] == pytest.approx(-50.751, abs=2e-3)
    assert "pKa" in formation_source("NH3(aq)") and "NBS" in formation_source("NH2OH(aq)")
    # a second table: NBS's NH3(aq) and NH4+ (-26.50, -79.31) imply pKa (79.31 - 26.50)/5.70798 = 9.25
    nbs = formation_values("nbs82")
    assert (nbs["NH3(aq)"] - nbs["NH4+(aq)"]) / RT_LN10_KJ == pytest.approx(9.25, abs=0.01)


def test_standard_potential_by_hand():
    # ΔrG = ΔfG(NH3,g) + 3ΔfG(H2O,l) - ΔfG(NO3-) = -16.4 - 3·237.1 + 111.3 = -616.4 kJ/mol
    # E° = -ΔrG / (8 F) = 616.4 / 8 / 96.4853 = 0.79857 V
    assert standard_potential(NH3_OVERALL) == pytest.approx(616.4 / 8 / 96.4853, abs=1e-5)


# Every product of NO3- reduction: ΔrG° (kJ/mol, CRC values, written out), n_H+, n_e-.
PRODUCTS = {
    # -16.4 - 711.3 + 111.3
    "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)": (-616.4, 9, 8),
    # -26.501 - 711.3 + 111.3
    "NO3-(aq) + 9H+ + 8e- -> NH3(aq) + 3H2O(l)": (-626.501, 9, 8),
    # -79.3 - 711.3 + 111.3
    "NO3-(aq) + 10H+ + 8e- -> NH4+(aq) + 3H2O(l)": (-679.3, 10, 8),
    # -32.2 - 237.1 + 111.3
    "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)": (-158.0, 2, 2),
    # -50.751 - 237.1 + 111.3
    "NO3-(aq) + 3H+ + 2e- -> HNO2(aq) + H2O(l)": (-176.551, 3, 2),
    # 87.6 - 474.2 + 111.3
    "NO3-(aq) + 4H+ + 3e- -> NO(g) + 2H2O(l)": (-275.3, 4, 3),
    # 103.7 - 1185.5 + 222.6
    "2NO3-(aq) + 10H+ + 8e- -> N2O(g) + 5H2O(l)": (-859.2, 10, 8),
    # 0 - 1422.6 + 222.6
    "2NO3-(aq) + 12H+ + 10e- -> N2(g) + 6H2O(l)": (-1200.0, 12, 10),
    # -23.0 - 474.2 + 111.3
    "NO3-(aq) + 7H+ + 6e- -> NH2OH(aq) + 2H2O(l)": (-385.9, 7, 6),
}


@pytest.mark.parametrize("equation", sorted(PRODUCTS))
@pytest.mark.parametrize("pH", [0, 7, 14])
def test_every_product_potential_by_hand(equation, pH):
    dg_kj, n_h, n_e = PRODUCTS[equation]
    e0 = -dg_kj / (n_e * 96.4853)  # V vs SHE
    # RHE: U = E° - kT ln10 pH (n_H/n_e - 1)
    expected = e0 - KT_LN10 * pH * (n_h / n_e - 1)
    assert equilibrium_potential(equation, pH=pH) == pytest.approx(expected, abs=2e-5)


def test_potentials_agree_with_published_values():
    # widely quoted NO3- -> NH3 potentials: 0.80 V at pH 0, 0.69-0.70 V vs RHE at pH 14
    assert equilibrium_potential(NH3_OVERALL, pH=0) == pytest.approx(0.80, abs=0.01)
    assert equilibrium_potential(NH3_OVERALL, pH=14) == pytest.approx(0.695, abs=0.01)
    # NO3-/NO2- is pH-independent on the RHE scale: 0.82-0.83 V (NBS: 0.832)
    nbs = equilibrium_potential("NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)", table="nbs82")
    assert nbs == pytest.approx(0.832, abs=6e-4)


def test_she_scale():
    u_rhe = equilibrium_potential(NH3_OVERALL, pH=7)
    u_she = equilibrium_potential(NH3_OVERALL, pH=7, scale="SHE")
    assert u_rhe - u_she == pytest.approx(units.kB * 298.15 * math.log(10) * 7, abs=1e-12)


def test_missing_species_is_named():
    with pytest.raises(InputError, match="N2H4"):
        equilibrium_potential("2NO3-(aq) + 16H+ + 14e- -> N2H4(aq) + 6H2O(l)")
