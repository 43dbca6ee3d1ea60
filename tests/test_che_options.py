"""Modelling switches a NO3RR paper needs: chemical NO3- adsorption, solvation, gas corrections."""

from __future__ import annotations

import numpy as np
import pytest
from ase import units

from chefe.conditions import Conditions
from chefe.engine import analyse
from chefe.errors import InputError
from chefe.inputs import energies_from_dict
from chefe.network import load_network, with_nitrate_adsorption

KJMOL = units.kJ / units.mol
KT_LN10 = 0.0591593  # kT ln10 at 298.15 K, eV (k from CODATA 2014, as ase.units)


@pytest.fixture(scope="module")
def doc(energies_doc):
    """Energies-file mapping of this module: 0.1 eV thermal correction on every adsorbate."""
    return energies_doc(thermo=0.1, species={"NO(g)": {"energy": -12.30, "thermo": {"zpe": 0.12, "cp": 0.09, "ts": 0.65}}})


def toy_dG0(net):
    dG0 = np.full((len(net.steps), 1), -0.1)
    dG0[net.index("NO3_ads")] = 0.30
    return dG0


def test_oxidative_and_chemical_nitrate_adsorption_by_hand():
    net = load_network("no3rr_sac")
    dG0 = toy_dG0(net)
    ox = analyse(net, dG0, Conditions(0.0, 7.0))
    # every PCET step -0.1 eV -> U_L = +0.1 V; oxidative NO3- adsorption at U_L, pH 7:
    # ΔG = 0.30 + n_e·U + (n_H - n_e)·kT ln10·pH = 0.30 - 0.1 + 7·0.0591597 = 0.6141 eV
    assert ox.U_L[0] == pytest.approx(0.1)
    assert ox.dG_counter_at_UL[0] == pytest.approx(0.30 - 0.1 + 7 * KT_LN10, abs=5e-6)
    chem_net = with_nitrate_adsorption(net, "chemical")
    chem = analyse(chem_net, dG0, Conditions(0.0, 7.0))
    # chemical: the same 0.30 eV at every U and pH, reported as the largest chemical step
    assert chem.U_L[0] == pytest.approx(0.1)
    assert chem.step_id(chem.chem_step[0]) == "NO3_ads" and chem.dG_chem[0] == pytest.approx(0.30)
    assert "chemical step" in chem_net.description
    with pytest.raises(Exception, match="nitrate adsorption"):
        with_nitrate_adsorption(net, "faradaic")



def test_chemical_adsorption_from_an_energies_file(doc):
    es = energies_from_dict(doc(nitrate_adsorption="chemical"))
    assert any("chemical step" in n for n in es.notes)
    with pytest.raises(InputError, match="nitrate_adsorption: Input should be 'oxidative' or 'chemical'"):
        energies_from_dict(doc(nitrate_adsorption="chem"))


def test_solvation_corrections_shift_the_listed_adsorbates(doc):
    plain = energies_from_dict(doc())
    solv = energies_from_dict(doc(solvation={"*NOH": -0.3, "*NO3": -0.10, "source": "test values",
                                             "classes": {"N-H": {"species": ["*NH2", "*NH3"], "value": -0.05}}}))
    i = plain.network.index
    # *NO3 lowered by 0.10 eV: adsorption -0.10, the next step +0.10
    assert solv.dG0[i("NO3_ads"), 0] - plain.dG0[i("NO3_ads"), 0] == pytest.approx(-0.10, abs=1e-12)
    assert solv.dG0[i("NO3_NO3H"), 0] - plain.dG0[i("NO3_NO3H"), 0] == pytest.approx(+0.10, abs=1e-12)
    # *NH -> *NH2: only *NH2 (class N-H) moves by -0.05
    assert solv.dG0[i("NH_NH2"), 0] - plain.dG0[i("NH_NH2"), 0] == pytest.approx(-0.05, abs=1e-12)
    assert any("solvation" in n and "test values" in n for n in solv.notes)
    with pytest.raises(InputError, match="not in the network"):
        energies_from_dict(doc(solvation={"*CO": -0.1}))
    with pytest.raises(InputError, match="not an adsorbate"):
        energies_from_dict(doc(solvation={"H2O(l)": -0.1}))


def test_formation_scheme_gas_corrections_reproduce_the_table(doc):
    from chefe.references import ReferenceLedger

    led = ReferenceLedger.from_dict({**doc.REFS, "gas_corrections": {"scheme": "formation"}})
    raw = ReferenceLedger.from_dict(doc.REFS)
    g = led.free_energy
    # NO3- + 4H+ + 3e- -> NO(g) + 2H2O(l) must now have the CRC ΔrG° = 87.6 - 474.2 + 111.3 = -275.3
    # kJ/mol (H+ + e- = ½H2 at U = 0): NO and HNO3 (hence NO3-) are both corrected
    dg = g("NO(g)") + 2 * g("H2O(l)") - g("NO3-(aq)") - 2 * g("H2(g)")
    assert dg == pytest.approx(-275.3 * KJMOL, abs=1e-9)
    # NH3(g) is the N anchor and H2, H2O(l) the others: unchanged
    for anchor in ("NH3(g)", "H2(g)", "H2O(l)"):
        assert g(anchor) == raw.free_energy(anchor)
    # NO3- -> NH3(g) by DFT now equals -8 e U_eq with U_eq from the same table (0.7986 V, pH 0)
    dg_nh3 = g("NH3(g)") + 3 * g("H2O(l)") - g("NO3-(aq)") - 4.5 * g("H2(g)")
    assert dg_nh3 == pytest.approx(-616.4 * KJMOL, abs=1e-9)
    # correction by hand for NO: NH3 + H2O -> NO + 5/2 H2, ΔrG°(table) = 87.6 + 16.4 + 237.1 kJ/mol
    dft = raw.free_energy("NO(g)") + 2.5 * raw.free_energy("H2(g)") - raw.free_energy("NH3(g)") - raw.free_energy("H2O(l)")
    assert led.gas_corrections["NO(g)"].value == pytest.approx(341.1 * KJMOL - dft, abs=1e-9)
    assert any("gas-phase correction: NO(g)" in n for n in led.notes)
    assert "gas correction" in led.provenance("NO(g)")
    # fixed values with a source
    fixed = ReferenceLedger.from_dict({**doc.REFS, "gas_corrections": {"NO(g)": 0.29, "source": "a paper"}})
    assert fixed.free_energy("NO(g)") == pytest.approx(raw.free_energy("NO(g)") + 0.29, abs=1e-12)
    with pytest.raises(InputError, match="scheme"):
        ReferenceLedger.from_dict({**doc.REFS, "gas_corrections": {"scheme": "magic"}})


def test_ammonium_product_by_hand(doc):
    from chefe.network import with_ammonia_product

    gas = energies_from_dict(doc())
    nh4 = energies_from_dict(doc(references={**doc.REFS, "ammonia": "NH4+"}))
    i = gas.network.index("NH3_des")
    step = nh4.network.steps[i]
    assert "NH4+(aq)" in step.equation and step.n_H == 1 and step.n_e == 0
    # *NH3 + H+ -> * + NH4+: ΔG° moves by ΔfG(NH4+) - ΔfG(NH3,g) = -79.3 + 16.4 = -62.9 kJ/mol
    assert nh4.dG0[i, 0] - gas.dG0[i, 0] == pytest.approx(-62.9 * KJMOL, abs=1e-9)
    # U_eq of NO3- + 10H+ + 8e- -> NH4+ + 3H2O at pH 7 (CRC): 679.3/8/96.4853 - 7·kTln10·(10/8 - 1)
    res = analyse(nh4.network, nh4.dG0, Conditions(0.0, 7.0))
    assert res.U_eq == pytest.approx(679.3 / 8 / 96.4853 - 7 * KT_LN10 * 0.25, abs=2e-5)
    # the release step now depends on pH: +kT ln10 per unit (n_H - n_e = 1)
    shift = res.dG(Conditions(0.0, 7.0))[i, 0] - res.dG(Conditions(0.0, 0.0))[i, 0]
    assert shift == pytest.approx(7 * KT_LN10, abs=5e-6)
    with pytest.raises(Exception, match="ammonia product"):
        with_ammonia_product(gas.network, "NH4")


def test_nitrite_as_hno2_at_low_ph_by_hand(doc):
    from chefe.network import with_nitrite_product

    plain = energies_from_dict(doc())
    low = energies_from_dict(doc(nitrite="auto", conditions={"pH": 1.0}))
    high = energies_from_dict(doc(nitrite="auto", conditions={"pH": 7.0}))
    i = plain.network.index("NO2_des")
    assert "HNO2(aq)" in low.network.steps[i].equation and low.network.steps[i].n_H == 1
    assert high.network.steps[i].equation == plain.network.steps[i].equation
    # *NO2 + H+ + e- -> * + HNO2: ΔG° moves by ΔfG(HNO2) - ΔfG(NO2-) = -3.25 · 5.70798 kJ/mol
    assert low.dG0[i, 0] - plain.dG0[i, 0] == pytest.approx(-3.25 * 5.70798 * KJMOL, abs=1e-5)
    assert "HNO2" in low.network.products and "NO2-" not in low.network.products
    # U_eq of NO3- + 3H+ + 2e- -> HNO2 + H2O at pH 1: 176.551/2/96.4853 - kTln10·(3/2 - 1)
    res = analyse(low.network, low.dG0, Conditions(0.0, 1.0), product="HNO2")
    assert res.U_eq == pytest.approx(176.551 / 2 / 96.4853 - KT_LN10 * 0.5, abs=2e-5)
    with pytest.raises(Exception, match="nitrite product"):
        with_nitrite_product(plain.network, "HONO")


def test_chemical_adsorption_in_a_step_file_keeps_the_given_value(tmp_path):
    # a step file at reference_pH 7: the oxidative step's value is shifted to pH 0 by its own
    # counts (-kT ln10·7), a chemical one is not (it has no pH dependence)
    import yaml

    from chefe.inputs import load_energies
    from chefe.network import load_network

    net = load_network("no3rr_sac")
    steps = {s.id: -0.1 for s in net.steps}
    steps["NO3_ads"] = 0.20
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump({"network": "no3rr_sac", "kind": "step", "reference_pH": 7,
                                    "catalysts": {"A": {"energies": steps}}}))
    i = net.index("NO3_ads")
    ox = load_energies(path)
    assert ox.dG0[i, 0] == pytest.approx(0.20 - 7 * KT_LN10, abs=5e-6)
    chem = load_energies(path, nitrate_adsorption="chemical")
    assert chem.dG0[i, 0] == pytest.approx(0.20, abs=1e-12)
    assert analyse(chem.network, chem.dG0, Conditions(0.0, 7.0)).dG_chem[0] == pytest.approx(0.20)


def test_cli_ph_decides_nitrite_auto(tmp_path, doc):
    import yaml

    from chefe.inputs import load_energies

    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(doc(nitrite="auto", conditions={"pH": 1.0}), allow_unicode=True))
    assert "HNO2" in load_energies(path).network.products
    assert "HNO2" not in load_energies(path, pH=7.0).network.products


def test_explicit_corrections_follow_the_heat_capacity_convention(doc):
    refs = {"species": {**doc.REFS["species"], "NH3(g)": {"energy": -19.54, "thermo": {"zpe": 0.89, "ts": 0.60}}}}
    with pytest.raises(InputError, match="without cp.*heat_capacity: false"):
        energies_from_dict(doc(references=refs))
    with pytest.raises(InputError, match="without cp"):
        energies_from_dict(doc(adsorbate_thermo={k: {"zpe": 0.1, "ts": 0.05} for k in doc.E if k != "*"}))


def test_protonating_a_consumed_base_gives_the_proton_back():
    from chefe.network import network_from_dict, with_protonated_release

    net = network_from_dict({
        "name": "no2rr", "sites": 1, "target": "NO",
        "products": {"NO": "NO2-(aq) + 2H+ + e- -> NO(g) + H2O(l)"},
        "steps": [{"id": "ads", "eq": "NO2-(aq) + * -> *NO2 + e-"},
                  {"id": "h1", "eq": "*NO2 + H+ + e- -> *NO2H"},
                  {"id": "h2", "eq": "*NO2H + H+ + e- -> *NO + H2O(l)"},
                  {"id": "des", "eq": "*NO -> * + NO(g)"}]})
    acid = with_protonated_release(net, "NO2-(aq)", "HNO2(aq)")
    step = acid.steps[acid.index("ads")]
    assert step.equation == "HNO2(aq) + * -> *NO2 + e- + H+" and step.n_H == -1
    assert acid.products["NO"].n_H == 1  # HNO2 + H+ + e- -> NO + H2O


def test_gas_corrections_refused_off_the_table_temperature(doc):
    from chefe.references import ReferenceLedger

    with pytest.raises(InputError, match="298.15 K.*fixed values"):
        ReferenceLedger.from_dict({**doc.REFS, "temperature": 350.0, "gas_corrections": {"scheme": "formation"}})


def test_ammonium_above_its_pka_is_noted(doc):
    es = energies_from_dict(doc(references={**doc.REFS, "ammonia": "NH4+"}, conditions={"pH": 13.0}))
    assert any("above the pKa of NH4+" in n for n in es.notes)


def test_what_thermal_corrections_find_reaches_the_notes(doc):
    from chefe.gas import experimental_molecule

    _, vib = experimental_molecule("NO")
    refs = {"species": {**doc.REFS["species"], "NO(g)": {"energy": -12.3, "thermo": {"frequencies": list(vib), "atoms": "NO"}}},
            "thermo_policy": {"imaginary": "drop"}}
    ads = {k: 0.1 for k in doc.E if k != "*"}
    ads["*NO3"] = {"frequencies": [1510, 1290, 990, 780, 720, 690, 240, 180, -120]}
    es = energies_from_dict(doc(references=refs, adsorbate_thermo=ads, thermo_policy={"imaginary": "drop"}))
    assert any("119.73 cm-1" in n for n in es.notes)  # NO's excited level
    assert any("*NO3" in n and "imaginary" in n for n in es.notes)  # the dropped mode of *NO3


def test_references_inconsistent_with_the_table_are_warned(doc):
    from chefe.references import ReferenceLedger

    es = energies_from_dict(doc())
    warning = [n for n in es.notes if n.startswith("warning") and "for NH3" in n]
    assert len(warning) == 1 and "HNO3(g)" in warning[0] and "gas_corrections" in warning[0]
    # the numbers by hand: DFT ΔrG = G(NH3) + 3G(H2O) - G(NO3-) - 4.5G(H2) (H+ + e- = ½H2 at 0 V);
    # table ΔrG° = -616.4 kJ/mol (CRC)
    led = ReferenceLedger.from_dict(doc.REFS)
    g = led.free_energy
    dft = g("NH3(g)") + 3 * g("H2O(l)") - g("NO3-(aq)") - 4.5 * g("H2(g)")
    assert f"is {dft:+.3f} eV from the references but {-616.4 * KJMOL:+.3f} eV from the table" in warning[0]
    assert f"{-(dft + 616.4 * KJMOL) / 8:+.3f} V off" in warning[0]
    # NO2- comes from NO3- through the table's own couple: consistent by construction, no warning
    assert not any("for NO2-" in n for n in es.notes)
    corrected = energies_from_dict(doc(references={**doc.REFS, "gas_corrections": {"scheme": "formation"}}))
    assert not any(n.startswith("warning") for n in corrected.notes)
