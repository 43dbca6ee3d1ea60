"""Property tests: random YAML documents and random CSV bytes never give a traceback, and a value
out of range never gives a result without a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chefe.errors import ChefeError
from chefe.network import load_network

NET = load_network("no3rr_sac")
KEYS = ["network", "kind", "units", "unit", "conditions", "condition", "pH", "T", "U", "scale", "references",
        "species", "energy", "thermo", "zpe", "ZPE", "cp", "ts", "TS", "table", "frequencies", "catalysts",
        "energies", "label", "lable", "*", "*NO", "*NO3", "NO3_ads", "H2(g)", "nitrate", "cycle_dG",
        "thermo_policy", "imaginary", "adsorbate_thermo", "descriptors_file", "model", "steps", "111", "null"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(
                        ["no3rr_sac", "total", "step", "linear", "adsorption", "kJ/mol", "eV", "RHE", "abc", "",
                         "gas_molecules_experimental", "hno3_cycle", "nosuch.csv", "../x.yaml"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=25)
DOCS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS)
def test_random_yaml_documents_never_give_a_traceback(data):
    from chefe.inputs import parse_yaml
    from chefe.inputs import energies_from_dict

    text = yaml.safe_dump(data, allow_unicode=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = parse_yaml(text, "random.yaml")
            energies_from_dict(parsed, source="random.yaml")
        except ChefeError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_csv_bytes_never_give_a_traceback(tmp_path_factory, raw):
    from chefe.candidates import load_candidates_csv

    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_bytes(raw)
    try:
        load_candidates_csv(path, NET)
    except ChefeError:
        pass


CELL = st.one_of(st.floats(-10, 10).map(lambda v: f"{v:.3f}"), st.sampled_from(
    ["", " ", "nan", "inf", "-inf", "abc", "1e999", '"', '"x"', "0,5", "NA", "1_0", "\t"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=14), min_size=0, max_size=6),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_random_candidate_tables_never_give_a_traceback(tmp_path_factory, rows, delimiter, bom):
    from chefe.candidates import load_candidates_csv
    from chefe.screen import screen

    steps = ["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO", "NO_NOH", "NOH_N", "N_NH", "NH_NH2",
             "NH2_NH3", "NH3_des", "dG_H", "class"]
    lines = [delimiter.join(["name", *steps])] + [delimiter.join([f"c{k}", *row]) for k, row in enumerate(rows)]
    path = tmp_path_factory.mktemp("csv") / "c.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + ("\n".join(lines) + "\n").encode())
    try:
        data = load_candidates_csv(path, NET)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            screen(NET, data["dG0"], names=data["names"], dG_H=data["dG_H"], notes=data["notes"])
    except ChefeError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(-9, 9, allow_nan=False), min_size=11, max_size=11), st.floats(-3, 17))
def test_out_of_range_values_never_pass_without_a_warning(values, pH):
    """|ΔG| > 5 eV in a step, |U_L| > 3 V or pH outside 0-14: the result carries a warning."""
    from chefe.inputs import energies_from_dict
    from chefe.report import fed_report
    from chefe.schema import InputWarning

    steps = ["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO", "NO_NOH", "NOH_N", "N_NH", "NH_NH2",
             "NH2_NH3", "NH3_des"]
    data = {"network": "no3rr_sac", "kind": "step", "conditions": {"pH": pH},
            "catalysts": {"X": {"energies": dict(zip(steps, values))}}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        es = energies_from_dict(data)
        report = fed_report(es)
    ph_warned = any(issubclass(w.category, InputWarning) for w in caught)
    if not 0 <= pH <= 14:
        assert ph_warned
    big_step = np.abs(es.dG0[np.isfinite(es.dG0)]).max() > 5
    big_UL = abs(report.result.U_L[0]) > 3
    if big_step or big_UL:
        assert report.warnings, (values, report.result.U_L)


@pytest.mark.parametrize("value", [5.5, -5.5])
def test_one_step_beyond_the_bound_is_named(value):
    from chefe.inputs import energies_from_dict
    from chefe.report import fed_report

    steps = dict.fromkeys(["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO", "NO_NOH", "NOH_N", "N_NH",
                           "NH_NH2", "NH2_NH3", "NH3_des"], -0.1)
    steps["NOH_N"] = value
    report = fed_report(energies_from_dict({"network": "no3rr_sac", "kind": "step",
                                            "catalysts": {"X": {"energies": steps}}}))
    assert any("NOH_N" in w and "X" in w for w in report.warnings)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_valid_files_never_give_a_traceback(doc, data):
    """A valid file with one value replaced or one key renamed: an answer or a ChefeError."""
    from chefe.inputs import energies_from_dict

    d = doc()
    paths = list(_paths(d))
    path = data.draw(st.sampled_from(paths))
    parent = d
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(VALUES)
    else:
        parent[data.draw(st.sampled_from(KEYS))] = parent.pop(path[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            energies_from_dict(d, source="mutated.yaml")
        except ChefeError:
            pass
