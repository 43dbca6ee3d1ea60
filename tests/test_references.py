"""The reference ledger: CHE conventions, nitrate modes, derived aqueous species."""

from __future__ import annotations

import pytest
from ase import units

from chefe.errors import InputError
from chefe.formation import hno3_cycle
from chefe.references import ReferenceLedger

KJMOL = units.kJ / units.mol

SPEC = {
    "species": {
        "H2(g)": {"energy": -6.7598, "thermo": {"table": "gas_norskov2004"}},
        "H2O(l)": {"energy": -14.2194, "thermo": {"table": "gas_norskov2004"}},
        "HNO3(g)": {"energy": -28.5, "thermo": {"zpe": 0.70, "cp": 0.10, "ts": 0.82, "source": "test"}},
        "NH3(g)": {"energy": -19.54, "thermo": {"zpe": 0.89, "cp": 0.10, "ts": 0.60}},
    }
}


def ledger(**kw):
    # the Nørskov 2004 H2/H2O values have no ∫Cp dT: their convention omits it for every species
    return ReferenceLedger.from_dict({**SPEC, "thermo_policy": {"heat_capacity": False}, **kw})


def test_h2_h2o_from_norskov_table():
    led = ledger()
    assert led.free_energy("H2(g)") == pytest.approx(-6.7598 + 0.27 - 0.41, abs=1e-12)
    assert led.free_energy("H2O(l)") == pytest.approx(-14.2194 + 0.56 - 0.67, abs=1e-12)
    assert led.free_energy("H+") == pytest.approx(0.5 * led.free_energy("H2(g)"), abs=1e-12)
    assert led.free_energy("e-") == 0.0
    assert "Nørskov" in led.provenance("H2O(l)")
    # under that convention the cp written for HNO3 is dropped too: one convention for all
    assert led.free_energy("HNO3(g)") == pytest.approx(-28.5 + 0.70 - 0.82, abs=1e-12)
    assert "no heat-capacity term" in led.notes[0]
    with pytest.raises(InputError, match="no ∫Cp dT.*heat_capacity: false"):
        ReferenceLedger.from_dict(SPEC)


def test_nitrate_modes():
    g_hno3 = -28.5 + 0.70 - 0.82
    half_h2 = 0.5 * (-6.7598 + 0.27 - 0.41)
    cycle = ledger().free_energy("NO3-(aq)")
    # G(NO3-) = G(HNO3,g) - ½G(H2) + ΔG_cycle, ΔG_cycle = (-111.3 + 73.5) kJ/mol
    assert cycle == pytest.approx(g_hno3 - half_h2 + (-111.3 + 73.5) * KJMOL, abs=1e-12)
    assert cycle == pytest.approx(g_hno3 - half_h2 + hno3_cycle().value, abs=1e-12)
    raw = ledger(nitrate="hno3_raw").free_energy("NO3-(aq)")
    assert raw - cycle == pytest.approx(0.3918, abs=1e-4)
    # the two explicit forms of a constant: the cycle's ΔG, or the correction papers add
    const = ledger(nitrate={"cycle_dG": -0.35}).free_energy("NO3-(aq)")
    assert const == pytest.approx(g_hno3 - half_h2 - 0.35, abs=1e-12)
    paper = ledger(nitrate={"adsorption_correction": 0.392}).free_energy("NO3-(aq)")
    assert paper == pytest.approx(g_hno3 - half_h2 - 0.392, abs=1e-12)
    assert "crc" in ledger().provenance("NO3-(aq)")
    with pytest.raises(InputError, match="nitrate"):
        ledger(nitrate="hno3_wrong")
    # a bare number is ambiguous (+0.392 as papers quote it would shift ΔG(*NO3) by 0.78 eV)
    for bare in (0.392, -0.392):
        with pytest.raises(InputError, match="ambiguous.*cycle_dG.*adsorption_correction"):
            ledger(nitrate=bare)
    with pytest.raises(InputError, match="not understood"):
        ledger(nitrate={"correction": 0.392})


def test_formation_table_is_one_choice():
    nbs = ledger(formation_table="nbs82")
    # NBS cycle: -108.74 + 74.72 = -34.02 kJ/mol, and its NO3-/NO2- couple with the same table
    assert nbs.nitrate_correction()[0] == pytest.approx(-34.02 * KJMOL, abs=1e-12)
    d = (-32.2 - 237.129 + 108.74) * KJMOL
    expected = d + nbs.free_energy("NO3-(aq)") + 2 * nbs.free_energy("H+") - nbs.free_energy("H2O(l)")
    assert nbs.free_energy("NO2-(aq)") == pytest.approx(expected, abs=1e-12)
    with pytest.raises(InputError, match="formation_table"):
        ledger(formation_table="janaf")


def test_derived_aqueous_species():
    led = ledger()
    # NH3(aq) = NH3(g) + (ΔfG(NH3,aq) - ΔfG(NH3,g)) = NH3(g) + (-26.501 + 16.4) kJ/mol (CRC, pKa 9.25)
    assert led.free_energy("NH3(aq)") - led.free_energy("NH3(g)") == pytest.approx(-10.101 * KJMOL, abs=3e-5)
    # NH4+ = NH3(g) + H+ + (-79.3 + 16.4) kJ/mol
    assert led.free_energy("NH4+(aq)") - led.free_energy("NH3(g)") - led.free_energy("H+") == pytest.approx(
        -62.9 * KJMOL, abs=1e-9)
    # NO2-(aq) through NO3- + 2H+ + 2e- -> NO2- + H2O with ΔrG = -32.2 - 237.1 + 111.3 kJ/mol
    d = (-32.2 - 237.1 + 111.3) * KJMOL
    expected = d + led.free_energy("NO3-(aq)") + 2 * led.free_energy("H+") - led.free_energy("H2O(l)")
    assert led.free_energy("NO2-(aq)") == pytest.approx(expected, abs=1e-12)
    # HNO2(aq) = NO2- + H+ - 2.303 RT pKa (3.25): -3.25 · 5.70798 kJ/mol
    assert led.free_energy("HNO2(aq)") - led.free_energy("NO2-(aq)") - led.free_energy("H+") == pytest.approx(
        -3.25 * 5.70798 * KJMOL, abs=1e-5)
    # NH2OH(aq) from NH3(g) + H2O(l) -> NH2OH(aq) + 2H+ + 2e-: ΔrG = -23.0 + 237.1 + 16.4 kJ/mol
    expected = led.free_energy("NH3(g)") + led.free_energy("H2O(l)") - 2 * led.free_energy("H+") + 230.5 * KJMOL
    assert led.free_energy("NH2OH(aq)") == pytest.approx(expected, abs=1e-9)


def test_missing_reference_is_named():
    led = ledger()
    with pytest.raises(InputError, match="N2H4"):
        led.free_energy("N2H4(aq)")
    with pytest.raises(InputError, match="HNO3"):
        ReferenceLedger.from_dict({"species": {"H2(g)": SPEC["species"]["H2(g)"]},
                                   "thermo_policy": {"heat_capacity": False}}).free_energy("NO3-(aq)")


def test_bad_reference_values():
    with pytest.raises(InputError, match="NaN"):
        ReferenceLedger.from_dict({"species": {"H2(g)": {"energy": float("nan"), "thermo": {"zpe": 0}}}})
    with pytest.raises(InputError, match="thermal correction"):
        ReferenceLedger.from_dict({"species": {"H2(g)": {"energy": -6.7}}})
