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
    return ReferenceLedger.from_dict({**SPEC, **kw})


def test_h2_h2o_from_norskov_table():
    led = ledger()
    assert led.free_energy("H2(g)") == pytest.approx(-6.7598 + 0.27 - 0.41, abs=1e-12)
    assert led.free_energy("H2O(l)") == pytest.approx(-14.2194 + 0.56 - 0.67, abs=1e-12)
    assert led.free_energy("H+") == pytest.approx(0.5 * led.free_energy("H2(g)"), abs=1e-12)
    assert led.free_energy("e-") == 0.0
    assert "Nørskov" in led.provenance("H2O(l)")


def test_nitrate_modes():
    g_hno3 = -28.5 + 0.70 + 0.10 - 0.82
    half_h2 = 0.5 * (-6.7598 + 0.27 - 0.41)
    cycle = ledger().free_energy("NO3-(aq)")
    # G(NO3-) = G(HNO3,g) - ½G(H2) + ΔG_cycle, ΔG_cycle = (-111.3 + 73.5) kJ/mol
    assert cycle == pytest.approx(g_hno3 - half_h2 + (-111.3 + 73.5) * KJMOL, abs=1e-12)
    assert cycle == pytest.approx(g_hno3 - half_h2 + hno3_cycle().value, abs=1e-12)
    raw = ledger(nitrate="hno3_raw").free_energy("NO3-(aq)")
    assert raw - cycle == pytest.approx(0.3918, abs=1e-4)
    const = ledger(nitrate=-0.35).free_energy("NO3-(aq)")
    assert const == pytest.approx(g_hno3 - half_h2 - 0.35, abs=1e-12)
    assert "crc98" in ledger().provenance("NO3-(aq)")
    with pytest.raises(InputError, match="nitrate"):
        ledger(nitrate="hno3_wrong")


def test_derived_aqueous_species():
    led = ledger()
    # NH3(aq) = NH3(g) + (ΔfG(NH3,aq) - ΔfG(NH3,g)) = NH3(g) - 10.05 kJ/mol (NBS)
    assert led.free_energy("NH3(aq)") - led.free_energy("NH3(g)") == pytest.approx(-10.05 * KJMOL, abs=1e-12)
    # NO2-(aq) through NO3- + 2H+ + 2e- -> NO2- + H2O with ΔrG = -32.2 - 237.129 + 108.74 kJ/mol
    d = (-32.2 - 237.129 + 108.74) * KJMOL
    expected = d + led.free_energy("NO3-(aq)") + 2 * led.free_energy("H+") - led.free_energy("H2O(l)")
    assert led.free_energy("NO2-(aq)") == pytest.approx(expected, abs=1e-12)


def test_missing_reference_is_named():
    led = ledger()
    with pytest.raises(InputError, match="NH2OH"):
        led.free_energy("NH2OH(aq)")
    with pytest.raises(InputError, match="HNO3"):
        ReferenceLedger.from_dict({"species": {"H2(g)": SPEC["species"]["H2(g)"]}}).free_energy("NO3-(aq)")


def test_bad_reference_values():
    with pytest.raises(InputError, match="NaN"):
        ReferenceLedger.from_dict({"species": {"H2(g)": {"energy": float("nan"), "thermo": {"zpe": 0}}}})
    with pytest.raises(InputError, match="thermal correction"):
        ReferenceLedger.from_dict({"species": {"H2(g)": {"energy": -6.7}}})
