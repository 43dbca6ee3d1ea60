"""Energies files: the four input kinds agree, and bad input names the file, catalyst and step."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from chefe.engine import analyse, step_free_energies
from chefe.errors import InputError
from chefe.inputs import energies_from_dict, load_energies

@pytest.fixture(scope="module")
def total_doc(energies_doc):
    """Energies-file mapping of this module: 0.1 eV thermal correction on every adsorbate."""
    return energies_doc(thermo=0.1, species={"HNO3(g)": {"energy": -28.5, "thermo": {"zpe": 0.70, "cp": 0.10, "ts": 0.82}}})


def write(tmp_path, doc, name="energies.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def test_total_adsorption_and_step_kinds_agree(tmp_path, total_doc):
    es = load_energies(write(tmp_path, total_doc()))
    res = analyse(es.network, es.dG0, names=es.names)
    # same numbers as adsorption free energies against μ_H = ½G(H2), μ_O = G(H2O) - G(H2),
    # μ_N = G(NH3) - 3/2 G(H2)
    led = es.ledger
    g_h2, g_h2o, g_nh3 = (led.free_energy(s) for s in ("H2(g)", "H2O(l)", "NH3(g)"))
    mu = {"H": 0.5 * g_h2, "O": g_h2o - g_h2, "N": g_nh3 - 1.5 * g_h2}
    from chefe.species import parse_species

    ads = {}
    for sp, e in total_doc.E.items():
        if sp == "*":
            continue
        comp = dict(parse_species(sp).composition)
        ads[sp] = (e + 0.1) - total_doc.E["*"] - sum(n * mu[el] for el, n in comp.items())
    es2 = energies_from_dict({"network": "no3rr_sac", "kind": "adsorption", "references": total_doc.REFS,
                              "catalysts": {"A": {"energies": ads}}})
    assert np.allclose(es2.dG0, es.dG0, equal_nan=True, atol=1e-10)
    # and as step free energies
    steps = {es.network.steps[i].id: float(es.dG0[i, 0]) for i in range(len(es.network.steps))
             if np.isfinite(es.dG0[i, 0])}
    es3 = energies_from_dict({"network": "no3rr_sac", "kind": "step", "catalysts": {"A": {"energies": steps}}})
    assert np.allclose(es3.dG0, es.dG0, equal_nan=True, atol=1e-12)
    assert analyse(es3.network, es3.dG0).U_L[0] == pytest.approx(res.U_L[0], abs=1e-12)
    # by hand: *NO -> *NOH = G(*NOH) - G(*NO) - ½G(H2)
    i = es.network.index("NO_NOH")
    assert es.dG0[i, 0] == pytest.approx((total_doc.E["*NOH"] + 0.1) - (total_doc.E["*NO"] + 0.1) - 0.5 * g_h2, abs=1e-12)
    assert any("NO3-(aq) reference" in n for n in es.notes)


def test_step_energies_at_reference_ph(tmp_path):
    # ΔG given at U_RHE = 0 and pH 7 are converted to the pH-0 basis and back
    net_doc = {"network": "no3rr_sac", "kind": "step", "reference_pH": 7,
               "catalysts": {"A": {"energies": {"NO3_ads": 0.2}}}}
    es = energies_from_dict(net_doc)
    i = es.network.index("NO3_ads")
    from chefe.conditions import Conditions
    from chefe.engine import shift_to_conditions

    assert shift_to_conditions(es.network, es.dG0, Conditions(pH=7))[i, 0] == pytest.approx(0.2, abs=1e-12)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["catalysts"]["A"]["energies"].update({"*NO": float("nan")}), "NaN"),
        (lambda d: d["catalysts"]["A"]["energies"].update({"*NO": "abc"}), "expected a number"),
        (lambda d: d["catalysts"]["A"]["energies"].update({"*N0": -1.0}), "*N0"),
        (lambda d: d["catalysts"]["A"]["energies"].update({"*CO": -1.0}), "does not appear in network"),
        (lambda d: d["catalysts"]["A"]["energies"].pop("*"), "clean site"),
        (lambda d: d["adsorbate_thermo"].pop("*NOH"), "no thermal correction for *NOH"),
        (lambda d: d.update(kind="magic"), "kind: unknown kind 'magic': allowed here: total, adsorption, step, linear"),
        (lambda d: d.pop("network"), "network"),
        (lambda d: d.update(network="no3rr_nope"), "no shipped network"),
    ],
)
def test_bad_input_names_file_catalyst_and_species(tmp_path, mutate, message, total_doc):
    doc = total_doc()
    mutate(doc)
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        load_energies(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_intermediate_names_catalyst_and_steps(tmp_path, total_doc):
    doc = total_doc()
    doc["catalysts"]["A"]["energies"].pop("*N")  # O-end route broken, no other complete route
    es = load_energies(write(tmp_path, doc))
    with pytest.raises(InputError) as err:
        analyse(es.network, es.dG0, names=es.names)
    text = str(err.value)
    assert "'A'" in text and "NOH_N" in text and "N_NH" in text
    from chefe.report import fed_report

    with pytest.raises(InputError) as err:  # through the fed job: the file, the catalyst, the species
        fed_report(es)
    assert str(tmp_path) in str(err.value)
    assert "A: left out, no complete route to NH3: no energy for *N" in str(err.value)


def test_duplicate_catalyst_and_malformed_yaml(tmp_path):
    dup = tmp_path / "dup.yaml"
    dup.write_text("network: no3rr_sac\nkind: step\ncatalysts:\n  A: {energies: {NO3_ads: 0.1}}\n"
                   "  A: {energies: {NO3_ads: 0.2}}\n")
    with pytest.raises(InputError, match="duplicate key 'A'"):
        load_energies(dup)
    bad = tmp_path / "bad.yaml"
    bad.write_text("network: no3rr_sac\ncatalysts: {A: [\n")
    with pytest.raises(InputError, match="malformed YAML"):
        load_energies(bad)
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("network: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(InputError):
        load_energies(unsafe)


def test_unknown_step_id(tmp_path):
    with pytest.raises(InputError, match="no step 'NO_NOHH'"):
        energies_from_dict({"network": "no3rr_sac", "kind": "step",
                            "catalysts": {"A": {"energies": {"NO_NOHH": 0.1}}}}, source="x.yaml")


def test_nh3_aqueous_product_renames_network(total_doc):
    refs = {**total_doc.REFS, "ammonia": "aq"}
    es = energies_from_dict({**total_doc(), "references": refs})
    assert "NH3(aq)" in es.network.species and "NH3(g)" not in es.network.species
    res = analyse(es.network, es.dG0)
    # NO3- -> NH3(aq), CRC: ΔrG = -26.501 - 3·237.1 + 111.3 = -626.501 kJ/mol; U = 626.501/8/96.4853 V
    assert res.U_eq == pytest.approx(626.501 / 8 / 96.4853, abs=2e-5)
    gas = energies_from_dict(total_doc())
    i = gas.network.index("NH3_des")
    # NH3(g) -> NH3(aq): -26.501 + 16.4 = -10.101 kJ/mol
    assert es.dG0[i, 0] - gas.dG0[i, 0] == pytest.approx(-10.101 * 0.010364269574711572, abs=3e-5)


def test_step_free_energies_nan_for_missing_species():
    from chefe.network import load_network

    net = load_network("no3rr_sac")
    dG = step_free_energies(net, {"*": 0.0, "*NO": -1.0, "*NOH": -1.5, "H2(g)": -7.0})
    assert dG[net.index("NO_NOH"), 0] == pytest.approx(-1.5 + 1.0 + 3.5)
    assert np.isnan(dG[net.index("NOH_N"), 0])


def test_temperature_of_thermal_corrections_follows_the_file(tmp_path, total_doc):
    from chefe.report import fed_report

    doc = total_doc(conditions={"T": 320.0})
    doc["adsorbate_thermo"] = {k: {"table": "adsorbates_pt111_kreitz"} for k in total_doc.E if k not in ("*", "*NO3H")}
    doc["adsorbate_thermo"]["*NO3H"] = 0.3
    doc["references"] = {**total_doc.REFS, "species": {**total_doc.REFS["species"],
                                              "H2(g)": {"energy": -6.7598, "thermo": {"zpe": 0.27, "cp": 0.09, "ts": 0.44}},
                                              "H2O(l)": {"energy": -14.2194, "thermo": {"zpe": 0.56, "cp": 0.10, "ts": 0.72}}}}
    es = load_energies(write(tmp_path, doc))
    assert es.ledger.temperature == 320.0  # corrections computed at the analysis temperature
    with pytest.raises(InputError, match="computed at 320 K"):
        fed_report(es, temperature=298.15)
    # a table without the species names the file and the species
    doc["adsorbate_thermo"]["*NO3H"] = {"table": "adsorbates_pt111_kreitz"}
    with pytest.raises(InputError, match="energies.yaml.*no thermal correction for '\\*NO3H'"):
        load_energies(write(tmp_path, doc))
    doc["adsorbate_thermo"]["*NO3H"] = 0.3
    # a value table cannot be used at another temperature
    doc["references"] = {"species": {**total_doc.REFS["species"],
                                     "H2(g)": {"energy": -6.7598, "thermo": {"table": "gas_norskov2004"}}}}
    doc["thermo_policy"] = {"heat_capacity": False}
    with pytest.raises(InputError, match="tabulated at 298.15 K"):
        load_energies(write(tmp_path, doc))
