"""The energies-file schema: misspellings a chemist makes, aliases, units, ranges, JSON Schema."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from chefe.errors import InputError
from chefe.inputs import energies_from_dict, load_energies
from chefe.schema import InputWarning, energies_json_schema, validate_energies

ROOT = Path(__file__).resolve().parents[1]
def write(tmp_path, text):
    path = tmp_path / "energies.yaml"
    path.write_text(text)
    return path


def test_thermo_written_in_capitals_is_the_same_correction(doc):
    lower = energies_from_dict(doc())
    upper = energies_from_dict(doc(adsorbate_thermo={k: {"ZPE": 0.37, "Cp": 0.08, "TS": 0.16} for k in doc.E if k != "*"}))
    np.testing.assert_array_equal(lower.dG0, upper.dG0)
    refs = {"species": {**doc.REFS["species"], "NH3(g)": {"energy": -19.54, "thermo": {"ZPE": 0.89, "CP": 0.10, "TS": 0.60}}}}
    np.testing.assert_array_equal(energies_from_dict(doc(references=refs)).dG0, lower.dG0)


def test_nested_misspellings_are_all_reported_with_their_paths(tmp_path):
    text = (
        "network: no3rr_sac\n"
        "catalysts:\n"
        "  A:\n"
        "    lable: Cu-N4\n"
        "    energies: {'*': -300.0}\n"
        "    thermo: {'*NO3': {zpe: 0.37, Ts: 0.16}}\n"
        "references:\n"
        "  species:\n"
        "    H2(g): {energie: -6.76, thermo: {table: gas_molecules_experimental}}\n"
    )
    with pytest.raises(InputError) as info:
        load_energies(write(tmp_path, text))
    message = str(info.value)
    assert "3 problem(s)" in message or "4 problem(s)" in message
    assert "line 4: catalysts.A.lable: unknown key 'lable': did you mean 'label'?" in message
    assert "line 6: catalysts.A.thermo.*NO3.Ts: unknown key 'Ts': did you mean 'ts'?" in message
    assert "line 9: references.species.H2(g).energie: unknown key 'energie': did you mean 'energy'?" in message


def test_ranges_and_types(doc):
    with pytest.raises(InputError, match="conditions.T: Input should be greater than 0"):
        energies_from_dict(doc(conditions={"T": 0}))
    with pytest.warns(InputWarning, match="pH 15 lies outside 0-14"):
        energies_from_dict(doc(conditions={"pH": 15}))
    with pytest.raises(InputError, match=r"catalysts.A.energies.\*NO: expected a number, got 'abc'"):
        energies_from_dict(doc(catalysts={"A": {"energies": {**doc.E, "*NO": "abc"}}}))
    with pytest.raises(InputError, match="expected a finite number, got nan"):
        energies_from_dict(doc(catalysts={"A": {"energies": {**doc.E, "*NO": float("nan")}}}))
    with pytest.raises(InputError, match="references.nitrate: .*ambiguous"):
        energies_from_dict(doc(references={**doc.REFS, "nitrate": 0.392}))


def test_catalyst_names_that_yaml_reads_as_numbers(doc, tmp_path):
    text = yaml.safe_dump(doc(catalysts={111: {"energies": dict(doc.E)}, "1": {"energies": dict(doc.E)}}))
    es = load_energies(write(tmp_path, text))
    assert es.names == ("111", "1")


def test_units_convert_every_energy_to_ev(doc):
    # the same file in kJ/mol: every energy times 96.4853 kJ/mol per eV (CODATA F), the result in eV
    kj = 96.485332
    def scaled(d):
        return {k: v * kj for k, v in d.items()}
    refs = {"species": {
        "H2(g)": {"energy": -6.7598 * kj, "thermo": {"table": "gas_molecules_experimental"}},
        "H2O(l)": {"energy": -14.2194 * kj, "thermo": {"table": "gas_molecules_experimental"}},
        "HNO3(g)": {"energy": -28.5 * kj, "thermo": {"zpe": 0.70 * kj, "cp": 0.12 * kj, "ts": 0.82 * kj}},
        "NH3(g)": {"energy": -19.54 * kj, "thermo": {"zpe": 0.89 * kj, "cp": 0.10 * kj, "ts": 0.60 * kj}}}}
    in_kj = energies_from_dict(doc(units="kJ/mol", references=refs, catalysts={"A": {"energies": scaled(doc.E)}},
                                   adsorbate_thermo={k: {"zpe": 0.37 * kj, "cp": 0.08 * kj, "ts": 0.16 * kj}
                                                     for k in doc.E if k != "*"}))
    in_ev = energies_from_dict(doc())
    np.testing.assert_allclose(in_kj.dG0, in_ev.dG0, atol=2e-5, equal_nan=True)
    assert any("kJ/mol, converted to eV" in n for n in in_kj.notes)
    with pytest.raises(InputError, match="units: Input should be 'eV', 'kJ/mol', 'kcal/mol' or 'Hartree'"):
        energies_from_dict(doc(units="kJ"))


def test_json_schema_is_published_and_current():
    shipped = json.loads((ROOT / "docs" / "schema" / "energies.schema.json").read_text())
    assert shipped == energies_json_schema(), "regenerate with: chefe schema -o docs/schema/energies.schema.json"


def test_json_schema_accepts_the_shipped_example_and_rejects_a_misspelling():
    """An independent validator (jsonschema) on the exported schema agrees with chefe."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = energies_json_schema()
    example = yaml.safe_load((ROOT / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml").read_text())
    jsonschema.validate(example, schema)
    validate_energies(example)
    bad = dict(example, condition={"pH": 7})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(InputError, match="did you mean 'conditions'"):
        validate_energies(bad)


def test_every_top_level_key_is_documented(doc):
    # the guide's energies-file example uses only keys the schema knows
    text = (ROOT / "docs" / "guide" / "energies.md").read_text()
    block = text.split("```yaml\nnetwork: no3rr_sac\nkind: total")[1].split("```")[0]
    keys = {line.split(":")[0] for line in ("network: x\nkind: total" + block).splitlines()
            if line and not line.startswith((" ", "#"))}
    from chefe.schema import KIND_MODELS

    assert keys <= set(KIND_MODELS["total"].model_fields)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_energies(doc())


def test_fed_and_screen_give_one_answer_per_file(doc, tmp_path, capsys):
    """The same energies file at its own pH 7 in `chefe fed` and `chefe screen`: the same U_L and η."""
    import csv

    from chefe.cli.main import main

    path = write(tmp_path, yaml.safe_dump(doc(conditions={"pH": 7.0})))
    assert main(["fed", str(path), "--csv", str(tmp_path / "fed.csv")]) == 0
    assert main(["screen", str(path), "--csv", str(tmp_path / "screen.csv")]) == 0
    fed = next(csv.DictReader(open(tmp_path / "fed.csv")))
    scr = next(csv.DictReader(open(tmp_path / "screen.csv")))
    u_fed = float(fed["U_L"])
    u_scr = float(scr.get("U_L_RHE", scr.get("U_L")))
    assert u_fed == pytest.approx(u_scr, abs=1e-9)
    eta_key = next(k for k in scr if k.startswith("eta"))
    assert float(fed["eta"]) == pytest.approx(float(scr[eta_key]), abs=1e-9)


def test_energies_in_kj_per_mol_without_units_are_warned_and_strict_refuses(doc, tmp_path, capsys):
    from chefe.cli.main import main

    kj = 96.485332
    bad = doc(catalysts={"A": {"energies": {k: v * kj for k, v in doc.E.items()}}})
    path = write(tmp_path, yaml.safe_dump(bad))
    assert main(["fed", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: A: |ΔG| above 5 eV" in out and "are these energies in kJ/mol?" in out
    assert "warning: A: U_L" in out and "beyond ±3 V" in out
    assert main(["fed", str(path), "--strict", "-o", str(tmp_path / "x.png")]) == 2
    assert "--strict" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
    # the same file with units: kJ/mol... the references are in eV, so say kJ/mol for both
    fine = energies_from_dict(doc())
    from chefe.report import fed_report

    assert not [w for w in fed_report(fine).warnings if "|ΔG|" in w or "U_L =" in w]


@pytest.mark.parametrize(("extra", "expected"), [
    ({"basis": {"H": "H2(g)"}}, "basis: a key of kind adsorption, not of kind total; set kind: adsorption or remove it"),
    ({"kind": "step", "nitrite": "HNO2", "catalysts": {"A": {"energies": {"NO3_ads": 0.1}}}, "references": None},
     "a key of kind total or adsorption, not of kind step"),
    ({"reference_pH": 7}, "reference_pH: a key of kind step or linear, not of kind total"),
])
def test_a_key_of_another_kind_is_named_as_such(doc, extra, expected):
    data = doc(**extra)
    if data.get("references") is None:
        data.pop("references")
        data.pop("adsorbate_thermo")
    with pytest.raises(InputError) as info:
        energies_from_dict(data)
    assert expected in str(info.value)


def test_step_catalysts_take_no_thermo(doc):
    with pytest.raises(InputError, match="catalysts.A.thermo: unknown key 'thermo'"):
        energies_from_dict({"network": "no3rr_sac", "kind": "step",
                            "catalysts": {"A": {"energies": {"NO3_ads": 0.1}, "thermo": {"*NO3": 0.1}}}})


def test_linear_kind_names_its_unit_in_the_model():
    example = yaml.safe_load((ROOT / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml").read_text())
    with pytest.raises(InputError, match="units: kind linear gives its unit in model.unit"):
        validate_energies({**example, "units": "kJ/mol"})


@pytest.mark.parametrize(("mistake", "expected"), [
    # near misses
    ("condition: {pH: 7}", "line 2: condition: unknown key 'condition': did you mean 'conditions'?"),
    ("unit: kJ/mol", "line 2: unit: unknown key 'unit': did you mean 'units'?"),
    ("thermo_policy: {imaginry: drop}", "line 2: thermo_policy.imaginry: unknown key 'imaginry': did you mean 'imaginary'?"),
    ("reference: {}", "line 2: reference: unknown key 'reference': did you mean 'references'?"),
    # case
    ("Conditions: {pH: 7}", "line 2: Conditions: unknown key 'Conditions': did you mean 'conditions'?"),
    ("Network: no3rr_sac", "line 2: Network: unknown key 'Network': did you mean 'network'?"),
    # singular / plural
    ("catalyst: {}", "line 2: catalyst: unknown key 'catalyst': did you mean 'catalysts'?"),
    ("adsorbates_thermo: {}", "line 2: adsorbates_thermo: unknown key 'adsorbates_thermo': did you mean 'adsorbate_thermo'?"),
    ("style: {A: {labels: Cu}}", "line 2: style.A.labels: unknown key 'labels': did you mean 'label'?"),
    # British / American
    ("style: {A: {colour: red}}", "line 2: style.A.colour: unknown key 'colour': did you mean 'color'?"),
    ("thermo_policy: {low_frequencies: raise}", "line 2: thermo_policy.low_frequencies: unknown key 'low_frequencies': did you mean 'low_frequency'?"),
])
def test_common_misspellings_verbatim(tmp_path, mistake, expected):
    path = write(tmp_path, f"network: no3rr_sac\n{mistake}\ncatalysts: {{A: {{energies: {{'*': -300.0}}}}}}\n"
                           "references: {species: {}}\n")
    with pytest.raises(InputError) as info:
        load_energies(path)
    assert str(info.value).startswith(f"{path}: {expected} allowed here: ")


def test_a_file_in_kj_per_mol_without_units_is_recognised_from_the_references(doc):
    """Every energy (adsorbates and gases) in kJ/mol: the overall ΔrG is the table's × 96.485."""
    kj = 96.485332
    refs = {"species": {name: {**spec, "energy": spec["energy"] * kj} for name, spec in doc.REFS["species"].items()}}
    es = energies_from_dict(doc(references=refs, catalysts={"A": {"energies": {k: v * kj for k, v in doc.E.items()}}}))
    hint = [n for n in es.notes if "are these energies in kJ/mol? write units: kJ/mol" in n]
    assert hint, es.notes


def test_gas_references_on_two_scales_are_named(doc):
    refs = {"species": {**doc.REFS["species"], "H2(g)": {"energy": -6.7598 * 96.485,
                                                       "thermo": {"table": "gas_molecules_experimental"}}}}
    es = energies_from_dict(doc(references=refs))
    line = next(n for n in es.notes if "two energy scales" in n)
    # H2 at -326 eV per atom is the odd one out; the others are VASP-like
    assert "H2(g) far below (-326.1 eV per atom)" in line and "HNO3(g), NH3(g)" in line


def test_descriptors_file_outside_the_tree_is_not_echoed(tmp_path):
    """A descriptors_file elsewhere on the machine: the error says where it is, never what it holds."""
    example = yaml.safe_load((ROOT / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml").read_text())
    secret = tmp_path / "elsewhere" / "private.csv"
    secret.parent.mkdir()
    secret.write_text("user,password\nroot,hunter2\n")
    inner = tmp_path / "project"
    inner.mkdir()
    path = inner / "linear.yaml"
    path.write_text(yaml.safe_dump({**example, "descriptors_file": str(secret)}))
    with pytest.raises(InputError) as info:
        load_energies(path)
    text = str(info.value)
    assert str(secret) in text and "its content is not shown" in text
    assert "password" not in text and "hunter2" not in text and "user" not in text
    # inside the project the columns are listed, as the user can see them anyway
    (inner / "d.csv").write_text("name,EO\nPt,-4.2\n")
    path.write_text(yaml.safe_dump({**example, "descriptors_file": "d.csv"}))
    with pytest.raises(InputError, match=r"no column 'key' \(key in .*\); its columns: \['name', 'EO'\]"):
        load_energies(path)
