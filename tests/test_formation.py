"""Tabulated thermochemistry: the 0.392 eV nitrate cycle and equilibrium potentials."""

from __future__ import annotations

import pytest
from ase import units

from chefe.formation import equilibrium_potential, hno3_cycle, reaction_free_energy, standard_potential

KJMOL = units.kJ / units.mol  # eV per kJ/mol
NH3_OVERALL = "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"


def test_hno3_cycle_is_0392_from_crc_formation_energies():
    # CRC 98: ΔfG(HNO3,g) = -73.5, ΔfG(NO3-,aq) = -111.3, ΔfG(H+) = 0 kJ/mol (CHE_REFERENCE §1.2)
    # HNO3(g) -> H+ + NO3- : -111.3 - (-73.5) = -37.8 kJ/mol = -0.3918 eV
    cycle = hno3_cycle()
    assert cycle.kj_per_mol == pytest.approx(-37.8, abs=1e-12)
    assert cycle.value == pytest.approx(-37.8 * KJMOL, abs=1e-12)
    assert round(cycle.value, 3) == -0.392
    # through HNO3(l): step 1 -80.7 - (-73.5) = -7.2 kJ/mol = -0.0746 eV (blog value)
    step1 = reaction_free_energy("HNO3(g) -> HNO3(l)", "crc98")
    assert step1.value == pytest.approx(-0.0746, abs=5e-5)
    step2 = reaction_free_energy("HNO3(l) -> H+ + NO3-(aq)", "crc98")
    assert step1.value + step2.value == pytest.approx(cycle.value, abs=1e-12)


def test_nbs_cycle_is_different_and_documented():
    # NBS: -108.74 - (-74.72) = -34.02 kJ/mol
    assert hno3_cycle("nbs82").kj_per_mol == pytest.approx(-34.02, abs=1e-9)


def test_standard_potential_by_hand():
    # ΔrG = ΔfG(NH3,g) + 3ΔfG(H2O,l) - ΔfG(NO3-) = -16.45 - 3*237.129 + 108.74 = -619.097 kJ/mol
    # E° = -ΔrG / (8 F) with ΔrG in eV
    expected = 619.097 * KJMOL / 8
    assert standard_potential(NH3_OVERALL) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("pH", "published"), [(0, 0.802), (7, 0.750), (14, 0.699)])
def test_no3_to_nh3_equilibrium_potential(pH, published):
    # CHE_REFERENCE §1.3: 0.802 / 0.750 / 0.699 V vs RHE (NBS ΔfG, 9 H+ / 8 e-)
    u = equilibrium_potential(NH3_OVERALL, pH=pH)
    assert u == pytest.approx(published, abs=6e-4)
    # Nernst by hand: U_RHE = E° + kT ln10 pH (1 - 9/8)
    import math

    e0 = standard_potential(NH3_OVERALL)
    assert u == pytest.approx(e0 - units.kB * 298.15 * math.log(10) * pH / 8, abs=1e-12)


@pytest.mark.parametrize(
    ("equation", "published"),
    [
        ("NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)", (0.832, 0.832, 0.832)),
        ("NO3-(aq) + 4H+ + 3e- -> NO(g) + 2H2O(l)", (0.964, 0.826, 0.688)),
        ("2NO3-(aq) + 10H+ + 8e- -> N2O(g) + 5H2O(l)", (1.119, 1.016, 0.912)),
        ("2NO3-(aq) + 12H+ + 10e- -> N2(g) + 6H2O(l)", (1.249, 1.166, 1.084)),
        ("NO3-(aq) + 10H+ + 8e- -> NH4+(aq) + 3H2O(l)", (0.883, 0.780, 0.676)),
    ],
)
def test_side_product_potentials_match_reference_table(equation, published):
    for pH, value in zip((0, 7, 14), published):
        assert equilibrium_potential(equation, pH=pH) == pytest.approx(value, abs=6e-4)


def test_she_scale():
    u_rhe = equilibrium_potential(NH3_OVERALL, pH=7)
    u_she = equilibrium_potential(NH3_OVERALL, pH=7, scale="SHE")
    import math

    assert u_rhe - u_she == pytest.approx(units.kB * 298.15 * math.log(10) * 7, abs=1e-12)


def test_missing_species_is_named():
    from chefe.errors import InputError

    with pytest.raises(InputError, match="NH2OH"):
        equilibrium_potential("NO3-(aq) + 7H+ + 6e- -> NH2OH(aq) + 2H2O(l)")
