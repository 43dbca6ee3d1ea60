"""Named sites (*NO3@M1) and co-adsorbed states computed as one structure (*NO2@M1+*O@M2).

Expected numbers are written out by hand from the energies given; route sets are checked against
a plain search of the labelled network (a different algorithm from the one chefe uses)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from chefe.errors import InputError, NetworkError, SpeciesError
from chefe.network import Network, _enumerate_routes, network_from_dict, with_site_labels
from chefe.species import coadsorbed_parts, parse_species, subscript_label

# a dual site that splits nitrate: *NO3 on M1 gives *NO2 on M1 and *O on M2 (N–O scission)
SPLIT = {
    "name": "split", "sites": ["M1", "M2"], "target": "NO2-",
    "products": {"NO2-": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)"},
    "steps": [
        {"id": "NO3_ads", "eq": "NO3-(aq) + *@M1 -> *NO3@M1 + e-"},
        {"id": "NO3_diss", "eq": "*NO3@M1 + *@M2 -> *NO2@M1 + *O@M2"},
        {"id": "O_OH", "eq": "*O@M2 + H+ + e- -> *OH@M2"},
        {"id": "OH_H2O", "eq": "*OH@M2 + H+ + e- -> H2O(l) + *@M2"},
        {"id": "NO2_des", "eq": "*NO2@M1 + e- -> NO2-(aq) + *@M1"},
    ],
}
ANONYMOUS = {
    "name": "split2", "sites": 2, "target": "NO2-",
    "products": {"NO2-": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)",
                 "NH3": "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"},
    "steps": [
        {"id": "NO3_ads", "eq": "NO3-(aq) + * -> *NO3 + e-"},
        {"id": "NO3_diss", "eq": "*NO3 + * -> *NO2 + *O"},
        {"id": "NO3_NO2", "eq": "*NO3 + 2H+ + 2e- -> *NO2 + H2O(l)"},
        {"id": "NO2_NO", "eq": "*NO2 + 2H+ + 2e- -> *NO + H2O(l)"},
        {"id": "NO_diss", "eq": "*NO + * -> *N + *O"},
        {"id": "N_NH3", "eq": "*N + 3H+ + 3e- -> *NH3"},
        {"id": "NH3_des", "eq": "*NH3 -> NH3(g) + *"},
        {"id": "O_OH", "eq": "*O + H+ + e- -> *OH"},
        {"id": "OH_H2O", "eq": "*OH + H+ + e- -> H2O(l) + *"},
        {"id": "NO2_des", "eq": "*NO2 + e- -> NO2-(aq) + *"},
    ],
}


def test_site_and_coadsorbed_species_names():
    sp = parse_species("*NO3@M1")
    assert (sp.name, sp.site, sp.phase, dict(sp.composition)) == ("*NO3@M1", "M1", "ads", {"N": 1, "O": 3})
    assert parse_species("NO3*@Cu").name == "*NO3@Cu" and parse_species("*HNO@M2").name == "*NHO@M2"
    free = parse_species("*@M2")
    assert free.phase == "site" and free.site == "M2"
    # one co-adsorbed structure: canonical order N-containing first, composition summed
    both = parse_species("*O@M2+*NO2@M1")
    assert both.name == "*NO2@M1+*O@M2" and dict(both.composition) == {"N": 1, "O": 3}
    assert coadsorbed_parts("*O+*NO2") == ("*NO2", "*O")
    assert subscript_label("*NO2@Cu+*O@Co") == "$^{*}$NO$_{2}$@Cu + $^{*}$O@Co"
    with pytest.raises(SpeciesError, match="site"):
        parse_species("*NO3@1x")
    with pytest.raises(SpeciesError, match="one adsorbate"):
        parse_species("*NO2+*O+H2O(l)")


def test_network_with_named_sites_is_checked():
    net = network_from_dict(SPLIT)
    assert net.site_names == ("M1", "M2") and net.start == ("*@M1", "*@M2")
    assert [net.steps[i].id for i in net.routes[0].steps][:2] == ["NO3_ads", "NO3_diss"]
    bad = json.loads(json.dumps(SPLIT))
    bad["steps"][2]["eq"] = "*O@M3 + H+ + e- -> *OH@M3"
    with pytest.raises(NetworkError, match=r"O_OH.*M3.*\['M1', 'M2'\]"):
        network_from_dict(bad)
    bad["steps"][2]["eq"] = "*O + H+ + e- -> *OH"
    with pytest.raises(NetworkError, match="names no site"):
        network_from_dict(bad)


def test_site_labels_give_the_routes_a_plain_search_finds():
    """with_site_labels maps the anonymous routes onto the named sites; a full search of the
    labelled network (sleep-set enumeration over labelled states) must find the same routes."""
    anon = network_from_dict(ANONYMOUS)
    labelled = with_site_labels(anon)
    assert labelled.site_names == ("M1", "M2")
    ids = {s.id for s in labelled.steps}
    assert {"NO3_ads@M1", "NO3_ads@M2", "NO3_diss@M1,M2>M1,M2", "NO3_diss@M1,M2>M2,M1"} <= ids
    fresh = Network(name="x", steps=labelled.steps, sites=2, products=labelled.products,
                    target=labelled.target, site_names=labelled.site_names)
    searched = {tuple(sorted(r.steps)) for r in _enumerate_routes(fresh)}
    mapped = {tuple(sorted(r.steps)) for r in labelled.routes}
    assert mapped == searched and len(mapped) > len(anon.routes)
    # every route to NH3 through N–O scission of *NO leaves *O on the other site, or *N moves
    labels = {labelled.route_label(r) for r in labelled.routes}
    assert any("*N@M1 + *O@M2" in x for x in labels) and any("*N@M2 + *O@M1" in x for x in labels)


def _energies(tmp_path, catalyst: dict, **extra):
    doc = {"network": SPLIT, "kind": "total",
           "references": {"species": {"H2(g)": {"G": -6.80}, "H2O(l)": {"G": -14.20},
                                      "HNO3(g)": {"G": -28.50}, "NO2-(aq)": {"G": -17.30}}},
           "adsorbate_thermo": {k: {"zpe": 0.0, "cp": 0.0, "ts": 0.0}
                                for k in ("*NO3@M1", "*NO2@M1", "*O@M2", "*OH@M2")},
           "catalysts": {"CuCo": catalyst}, **extra}
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return path


E = {"*": -300.0, "*NO3@Cu": -325.0, "*NO2@Cu": -319.0, "*O@Co": -306.5, "*OH@Co": -310.9,
     "*NO2@Cu+*O@Co": -325.9, "*NO2@Cu+*OH@Co": -330.1}


def test_coadsorbed_state_is_its_own_calculation(tmp_path):
    """ΔG of N–O scission = G(*NO2@M1+*O@M2) − G(*NO3@M1) with the co-adsorbed run's own energy,
    not G(*NO2) + G(*O) − G(*) (0.4 eV apart here); metals name the sites in the input and the
    labels."""
    from chefe.inputs import load_energies
    from chefe.report import fed_report

    es = load_energies(_energies(tmp_path, {"energies": E, "sites": {"M1": "Cu", "M2": "Co"}}))
    net = es.network
    k = net.index("NO3_diss")
    assert es.dG0[k, 0] == pytest.approx(-325.9 - -325.0, abs=1e-12)
    additive = -319.0 + -306.5 - -300.0
    assert abs(additive - -325.9) > 0.3
    # *O -> *OH beside *NO2: from the two co-adsorbed runs, G(H+ + e-) = ½G(H2)
    k = net.index("O_OH[*NO2@M1]")
    assert es.dG0[k, 0] == pytest.approx(-330.1 - -325.9 - 0.5 * -6.80, abs=1e-12)
    report = fed_report(es, potentials=[0.0])
    states = report.profiles[0][0].states
    assert "*NO2@Cu + *O@Co" in states and "*NO3@Cu" in states
    row = report.rows()[0]
    assert "*NO2@Cu + *O@Co" in row["best_route"]


def test_coadsorbed_state_without_its_run(tmp_path):
    """No energy for the co-adsorbed states: the routes through them are left out and the note
    names the catalyst, the states and what to build; additive only when asked, then named."""
    from chefe.inputs import load_energies

    energies = {k: v for k, v in E.items() if "+" not in k}
    es = load_energies(_energies(tmp_path, {"energies": energies, "sites": {"M1": "Cu", "M2": "Co"}}))
    text = "\n".join(es.notes)
    assert "catalyst 'CuCo'" in text and "*NO2@M1+*O@M2" in text and "chefe build --network split" in text
    assert np.isnan(es.dG0[es.network.index("NO3_diss"), 0])
    add = load_energies(_energies(tmp_path, {"energies": energies, "sites": {"M1": "Cu", "M2": "Co"}},
                                  coadsorption="additive"))
    assert any("approximated as the sum" in n for n in add.notes)
    k = add.network.index("NO3_diss")
    assert add.dG0[k, 0] == pytest.approx(-319.0 + -306.5 - -300.0 - -325.0, abs=1e-12)


def test_site_label_that_names_no_metal(tmp_path):
    from chefe.inputs import load_energies

    bad = dict(E, **{"*NO3@Ni": -325.0})
    with pytest.raises(InputError, match=r"catalyst 'CuCo'.*Ni.*names no site or metal.*M1 \(= Cu\)"):
        load_energies(_energies(tmp_path, {"energies": bad, "sites": {"M1": "Cu", "M2": "Co"}}))
    with pytest.raises(InputError, match=r"not sites of network"):
        load_energies(_energies(tmp_path, {"energies": E, "sites": {"M1": "Cu", "M3": "Co"}}))


def test_equivalent_sites_of_a_homonuclear_pair(tmp_path):
    """Cu2: an energy given on one site stands for the other; *NO3 without a site is on M1."""
    from chefe.inputs import load_energies

    anon = {"network": ANONYMOUS, "kind": "total", "site_labels": True, "coadsorption": "additive",
            "references": {"species": {"H2(g)": {"G": -6.80}, "H2O(l)": {"G": -14.20},
                                       "HNO3(g)": {"G": -28.50}, "NO2-(aq)": {"G": -17.30}}},
            "adsorbate_thermo": {k: {"zpe": 0.0, "cp": 0.0, "ts": 0.0} for k in ("*NO3", "*NO2", "*O", "*OH")},
            "catalysts": {"Cu2": {"equivalent_sites": True,
                                  "energies": {"*": -300.0, "*NO3": -325.0, "*NO2": -319.0, "*O": -306.5,
                                               "*OH": -310.9}}}}
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(anon))
    es = load_energies(path)
    net = es.network
    a, b = net.index("NO3_ads@M1"), net.index("NO3_ads@M2")
    assert es.dG0[a, 0] == es.dG0[b, 0] and np.isfinite(es.dG0[a, 0])


def test_tandem_site_named_in_every_label(tmp_path):
    """One pathway per site of a tandem catalyst on a one-site network: every state says its site."""
    from chefe.inputs import load_energies
    from chefe.report import fed_report

    zero = {"zpe": 0.0, "cp": 0.0, "ts": 0.0}
    ads = ("*NO3", "*NO2")
    doc = {"network": {"name": "t", "products": {"NO2-": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)"},
                       "steps": [{"id": "a", "eq": "NO3-(aq) + * -> *NO3 + e-"},
                                 {"id": "b", "eq": "*NO3 + 2H+ + 2e- -> *NO2 + H2O(l)"},
                                 {"id": "c", "eq": "*NO2 + e- -> NO2-(aq) + *"}]},
           "kind": "total", "adsorbate_thermo": {k: zero for k in ads},
           "references": {"species": {"H2(g)": {"G": -6.80}, "H2O(l)": {"G": -14.20},
                                      "HNO3(g)": {"G": -28.50}, "NO2-(aq)": {"G": -17.30}}},
           "catalysts": {"CuCo/Cu": {"site": "Cu", "energies": {"*": -300.0, "*NO3": -325.0, "*NO2": -319.0}},
                         "CuCo/Co": {"site": "Co", "energies": {"*": -300.0, "*NO3": -325.5, "*NO2": -319.2}}}}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    report = fed_report(load_energies(path), potentials=[0.0])
    by = {p.name: p for p in report.profiles[0]}
    assert by["CuCo/Cu"].states[1:3] == ("*NO3@Cu", "*NO2@Cu")
    assert by["CuCo/Co"].states[1:3] == ("*NO3@Co", "*NO2@Co")
    rows = {r["catalyst"]: r for r in report.rows()}
    assert "*NO3@Co" in rows["CuCo/Co"]["best_route"] and "*NO3@Cu" in rows["CuCo/Cu"]["best_route"]


def test_build_emt_relax_collect_fed_on_a_dual_atom_catalyst(tmp_path):
    """build (named sites, co-adsorbed states as one structure) -> EMT relaxation -> collect ->
    fed --db: the co-adsorbed state's ΔG is its own run's energy (read back from the database),
    and every label names the metal."""
    from ase.calculators.emt import EMT
    from ase.db import connect

    from chefe.build.carbon import dac
    from chefe.build.output import run_folder, write_tree
    from chefe.build.relax import relax
    from chefe.build.sets import state_set
    from chefe.cli.main import main
    from chefe.collect import collect
    from chefe.dbinput import energies_from_db
    from chefe.thermo import table_correction

    net = network_from_dict(SPLIT)
    made = state_set(dac("Cu", "Ni", "N6"), net)
    folders = {run_folder(a) for a in made}
    assert folders == {"CuNi-N6-plane/NO2@Cu", "CuNi-N6-plane/NO2@Cu+OH@Ni", "CuNi-N6-plane/NO2@Cu+O@Ni",
                       "CuNi-N6-plane/NO3@Cu", "CuNi-N6-plane/OH@Ni", "CuNi-N6-plane/O@Ni",
                       "CuNi-N6-plane/slab"}
    root = tmp_path / "runs"
    write_tree(made, root)
    import ase.io

    for atoms in made:
        relaxed, _ = relax(atoms, EMT(), fmax=0.5, steps=15)
        ase.io.write(root / run_folder(atoms) / "run.traj", relaxed)
    db = tmp_path / "r.db"
    collect(root, str(db), workers=1, progress=False)
    rows = {r.species: r for r in connect(str(db)).select(catalyst="CuNi-N6-plane")}
    assert {"*NO2@Cu+*O@Ni", "*NO3@Cu", "*O@Ni"} <= set(rows)
    refs = tmp_path / "refs.yaml"
    refs.write_text(yaml.safe_dump({"species": {"H2(g)": {"G": -6.80}, "H2O(l)": {"G": -14.20},
                                                "HNO3(g)": {"G": -28.50}, "NO2-(aq)": {"G": -17.30}}}))
    es = energies_from_db(str(db), net, references=str(refs), adsorbate_table="adsorbates_pt111_kreitz")
    T = 298.15
    from chefe.thermo import ThermoPolicy

    def corr(name):
        return table_correction(name, "adsorbates_pt111_kreitz", T, ThermoPolicy()).g

    by_hand = (rows["*NO2@Cu+*O@Ni"].e_dft + corr("*NO2") + corr("*O")) - (rows["*NO3@Cu"].e_dft + corr("*NO3"))
    assert es.dG0[es.network.index("NO3_diss"), 0] == pytest.approx(by_hand, abs=1e-9)
    additive = (rows["*NO2@Cu"].e_dft + rows["*O@Ni"].e_dft - rows["*"].e_dft if "*" in rows else None)
    assert es.site_metals[0] == {"M1": "Cu", "M2": "Ni"}
    out = tmp_path / "fed.json"
    assert main(["fed", "--db", str(db), "--network", _write(tmp_path, SPLIT), "--references", str(refs),
                 "--adsorbate-thermo", "adsorbates_pt111_kreitz", "--json", str(out), "-o",
                 str(tmp_path / "fed.png")]) == 0
    row = json.loads(out.read_text())["catalysts"][0]
    assert "*NO2@Cu + *O@Ni" in row["best_route"] and "*NO3@Cu" in row["best_route"]
    del additive
    # the co-adsorbed runs removed: the catalyst completes no route, and the message says what to build
    import shutil

    for name in ("NO2@Cu+O@Ni", "NO2@Cu+OH@Ni"):
        shutil.rmtree(root / "CuNi-N6-plane" / name)
    db2 = tmp_path / "r2.db"
    collect(root, str(db2), workers=1, progress=False)
    es2 = energies_from_db(str(db2), net, references=str(refs), adsorbate_table="adsorbates_pt111_kreitz")
    text = "\n".join(es2.notes)
    assert "CuNi-N6-plane" in text and "*NO2@M1+*O@M2" in text and "chefe build --network split" in text


def _write(tmp_path, network) -> str:
    path = tmp_path / "split.yaml"
    path.write_text(yaml.safe_dump(network))
    return str(path)
