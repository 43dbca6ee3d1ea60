"""The schema of networks, manifests, build catalogues and candidate headers, as a user writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from chefe.errors import InputError
from chefe.schema import candidate_columns, json_schemas

ROOT = Path(__file__).resolve().parents[1]
NETWORK = """\
name: tiny_her
products:
  H2: "2H+ + 2e- -> H2(g)"
steps:
  - {id: Volmer, eq: "H+ + e- + * -> *H"}
  - {id: Heyrovsky, eq: "*H + H+ + e- -> H2(g) + *"}
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("kind", ["energies", "network", "manifest", "catalogue"])
def test_every_kind_has_a_published_current_json_schema(kind):
    shipped = json.loads((ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text())
    assert shipped == json_schemas()[kind], f"regenerate with: chefe schema {kind} -o docs/schema/{kind}.schema.json"


def test_network_misspelt_key_names_line_and_fix(tmp_path):
    from chefe.network import load_network

    path = write(tmp_path, "net.yaml", NETWORK.replace("products:", "product:"))
    with pytest.raises(InputError) as info:
        load_network(path)
    text = str(info.value)
    assert f"{path}: 2 problem(s) in the network file:" in text
    assert "line 2: product: unknown key 'product': did you mean 'products'?" in text
    assert "products: required key missing" in text


def test_network_step_misspelt_key(tmp_path):
    from chefe.network import load_network

    path = write(tmp_path, "net.yaml", NETWORK.replace("{id: Volmer, eq:", "{id: Volmer, equation:"))
    with pytest.raises(InputError) as info:
        load_network(path)
    assert "line 5: steps.0.equation: unknown key 'equation'" in str(info.value)


def test_network_duplicate_keys_are_rejected(tmp_path):
    """The README promises it: a step or product given twice is an error, not the last one winning."""
    from chefe.network import load_network

    text = NETWORK.replace('  H2: "2H+ + 2e- -> H2(g)"\n', '  H2: "2H+ + 2e- -> H2(g)"\n  H2: "H+ + e- -> H2(g)"\n')
    path = write(tmp_path, "net.yaml", text)
    with pytest.raises(InputError, match=r"duplicate key 'H2' at line 4"):
        load_network(path)


def test_network_product_read_as_boolean(tmp_path):
    from chefe.network import load_network

    path = write(tmp_path, "net.yaml", NETWORK.replace('  H2: "2H+', '  NO: "2H+'))
    with pytest.raises(InputError, match="quote product names such as 'NO'"):
        load_network(path)


def test_manifest_group_beyond_the_wildcards_is_refused_before_the_sweep(tmp_path):
    from chefe.io.tree import load_manifest

    path = write(tmp_path, "m.yaml", "runs:\n  - {pattern: 'calcs/*', catalyst: '{1}', species: '{2}'}\n")
    with pytest.raises(InputError) as info:
        load_manifest(path)
    assert str(info.value) == (f"{path}: line 2: runs.0: species '{{2}}' refers to {{2}} but the pattern "
                               "'calcs/*' has 1 wildcard(s) ('*' one folder, '**' several)")


def test_manifest_unknown_key_and_role(tmp_path):
    from chefe.io.tree import load_manifest

    path = write(tmp_path, "m.yaml", "runs:\n  - {pattern: 'a/*', catalist: '{1}'}\n  - {pattern: 'g/*', role: gass}\n")
    with pytest.raises(InputError) as info:
        load_manifest(path)
    text = str(info.value)
    assert "line 2: runs.0.catalist: unknown key 'catalist': did you mean 'catalyst'?" in text
    assert "line 3: runs.1.role: Input should be 'slab', 'adsorbate', 'gas', 'vibrations', 'bulk' or 'unknown' (got 'gass')" in text


def test_csv_manifest_is_validated_by_the_same_schema(tmp_path):
    from chefe.io.tree import load_manifest

    ok = write(tmp_path, "m.csv", "pattern,catalyst,species,role\nruns/*/*,{1},{2},adsorbate\nruns/*/clean,{1},*,slab\n")
    rules = load_manifest(ok)
    assert [(r.catalyst, r.species, r.role) for r in rules] == [("{1}", "{2}", "adsorbate"), ("{1}", "*", "slab")]
    bad = write(tmp_path, "b.csv", "pattern,catalyst,speces\nruns/*/*,{1},{2}\n")
    with pytest.raises(InputError, match="line 2: runs.0.speces: unknown key 'speces': did you mean 'species'?"):
        load_manifest(bad)


def test_catalogue_misspelt_builder_argument(tmp_path):
    from chefe.schema import validate_catalogue
    from chefe.textfile import read_yaml

    path = write(tmp_path, "cat.yaml", "catalysts:\n  - {kind: sac, metal: Cu, coordination: N4}\n"
                                       "  - {kind: sac, metal: Fe, cordination: N4}\n")
    data, lines = read_yaml(path, lines=True)
    with pytest.raises(InputError) as info:
        validate_catalogue(data, source=str(path), lines=lines)
    assert str(info.value).startswith(f"{path}: catalyst #2 (line 3): cordination: unknown key "
                                      "'cordination': did you mean 'coordination'?")


def test_catalogue_keys_are_the_builders_arguments():
    """The schema is read from the builders' signatures: every argument of sac() is a key."""
    import inspect

    from chefe.build import sac
    from chefe.schema.catalogue import entry_model

    assert set(inspect.signature(sac).parameters) <= set(entry_model("sac").model_fields)
    with pytest.raises(InputError, match="unknown kind 'sca': did you mean 'sac'"):
        from chefe.build import build_model

        build_model({"kind": "sca", "metal": "Cu"})


def test_shipped_catalogue_and_networks_validate():
    from chefe.network import load_network, shipped_networks
    from chefe.schema import validate_catalogue

    for name in shipped_networks():
        load_network(name)
    data = yaml.safe_load((ROOT / "examples" / "build" / "catalysts.yaml").read_text())
    assert len(validate_catalogue(data, source="catalysts.yaml")) == len(data["catalysts"])


@pytest.mark.parametrize(("header", "message"), [
    (["name", "NO3_ads", "NO_N0H"], "column 'NO_N0H' looks like the step id 'NO_NOH' misspelt; rename it to 'NO_NOH'"),
    (["name", "no3_ads"], "column 'no3_ads' looks like the step id 'NO3_ads' misspelt"),
    (["name", "NO3_ads", "dG_h"], "column 'dG_h' looks like the column 'dG_H' misspelt"),
    (["name", "NO3_ads", "Class"], "column 'Class' looks like the column 'class' misspelt"),
    (["Name", "NO3_ads"], "needs a 'name' (or 'catalyst') column ('Name' is close: rename it to 'name')"),
    (["name", "NO3_ads", "NO3_ads"], "column 'NO3_ads' appears 2 times in the header"),
    (["name", "", "NO3_ads"], "column 2 of the header has no name"),
    (["name", "EO", "EN"], "no column matches a step id of 'no3rr_sac'"),
])
def test_candidate_header_mistakes(header, message):
    from chefe.network import load_network

    net = load_network("no3rr_sac")
    with pytest.raises(InputError) as info:
        candidate_columns(header, net.step_ids, source="c.csv", network=net.name)
    assert str(info.value).startswith(f"c.csv: {message}")


def test_candidate_header_descriptors_kept():
    from chefe.network import load_network

    net = load_network("no3rr_sac")
    cols = candidate_columns(["name", "NO3_ads", "dG_H", "class", "EO", "d_band"], net.step_ids, source="c.csv")
    assert cols.steps == ("NO3_ads",) and cols.dG_H == "dG_H" and cols.labels == ("class",)
    assert cols.descriptors == ("EO", "d_band") and "NO_NOH" in cols.absent_steps
