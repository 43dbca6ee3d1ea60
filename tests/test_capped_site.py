"""The ligand-capped single-atom site (O–M–N4) as a network option: the reaction on the face
opposite the cap, each intermediate one run, and where the cap stays.

Expected numbers are hand calculations from the energies given; the capped analysis is checked
against the plain network fed energies shifted by hand (E(*X) := E(*X+*O) − E(*O) + E(*)), a
different path through chefe that must give the same U_L and PDS."""

from __future__ import annotations

import json

import pytest
import yaml

from chefe.errors import NetworkError
from chefe.network import load_network, network_from_dict, with_site_ligand

SMALL = {
    "name": "small", "sites": 1, "target": "NH3",
    "products": {"NH3": "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)",
                 "NO2-": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)"},
    "steps": [
        {"id": "NO3_ads", "eq": "NO3-(aq) + * -> *NO3 + e-"},
        {"id": "NO3_NO2", "eq": "*NO3 + 2H+ + 2e- -> *NO2 + H2O(l)"},
        {"id": "NO2_NO", "eq": "*NO2 + 2H+ + 2e- -> *NO + H2O(l)"},
        {"id": "NO_N", "eq": "*NO + 2H+ + 2e- -> *N + H2O(l)"},
        {"id": "N_NH3", "eq": "*N + 3H+ + 3e- -> *NH3"},
        {"id": "NH3_des", "eq": "*NH3 -> NH3(g) + *"},
        {"id": "NO2_des", "eq": "*NO2 + e- -> NO2-(aq) + *"},
    ],
}
REFS = {"H2(g)": {"G": -6.80}, "H2O(l)": {"G": -14.20}, "HNO3(g)": {"G": -28.50},
        "NO2-(aq)": {"G": -17.30}, "NH3(g)": {"G": -19.50}}
# DFT totals (eV) of a made-up Mo–N4 site: bare, capped, and each intermediate on the capped site
CAPPED = {"*": -300.0, "*O": -307.6, "*NO3+*O": -332.1, "*NO2+*O": -327.4, "*NO+*O": -322.3,
          "*N+*O": -315.9, "*NH3+*O": -327.5}
PARTS = ("*O", "*NO3", "*NO2", "*NO", "*N", "*NH3")


def test_capped_network_runs_every_route_on_the_capped_site():
    plain = load_network("no3rr_sac")
    capped = with_site_ligand(plain, "O")
    assert capped.start == ("*O",)
    assert capped.steps[capped.index("NO3_ads")].equation == "NO3-(aq) + *O -> *NO3+*O + e-"
    assert capped.steps[capped.index("ligation")].equation == "* + H2O(l) -> *O + 2H+ + 2e-"
    # the same routes, step for step; the ligation on none of them
    assert [(r.steps, r.product) for r in capped.routes] == [(r.steps, r.product) for r in plain.routes]
    assert capped.unused_steps() == ("ligation",)
    hydroxo = with_site_ligand(plain, "OH")
    assert hydroxo.steps[hydroxo.index("NH3_des")].equation == "*NH3+*OH -> NH3(g) + *OH"
    # with dissociative nitrate adsorption the O of NO3- lands on the free face: O–M–O, one run
    from chefe.build.carbon import sac
    from chefe.build.output import run_folder
    from chefe.build.sets import state_set
    from chefe.network import with_nitrate_dissociation

    dioxo = with_site_ligand(with_nitrate_dissociation(plain), "O")
    assert dioxo.steps[dioxo.index("NO3_dissads")].equation == "NO3-(aq) + *O -> *O+*O + NO2-(aq)"
    folders = {run_folder(a) for a in state_set(sac("Mo", "N4"), dioxo)}
    assert {"Mo-N4-plane/O", "Mo-N4-plane/O+O", "Mo-N4-plane/OH+O", "Mo-N4-plane/slab"} <= folders
    assert len(folders) == len(dioxo.adsorbates) + 1  # every state and the bare site
    with pytest.raises(NetworkError, match="single-atom site"):
        with_site_ligand(load_network("no3rr_dual_site"), "O")
    with pytest.raises(NetworkError, match="use one of O, OH"):
        with_site_ligand(plain, "Cl")


def _file(tmp_path, network, energies, name, parts=PARTS, **extra):
    doc = {"network": network, "kind": "total", "references": {"species": REFS},
           "adsorbate_thermo": {k: {"zpe": 0.0, "cp": 0.0, "ts": 0.0} for k in parts},
           "catalysts": {"Mo-N4": {"energies": energies}}, **extra}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return path


def test_capped_site_equals_the_plain_network_on_shifted_energies_and_says_where_the_cap_stays(tmp_path):
    from chefe.inputs import load_energies
    from chefe.report import fed_report

    capped = load_energies(_file(tmp_path, SMALL, CAPPED, "capped.yaml", site_ligand="O"))
    # hand shift: each capped intermediate relative to the capped clean site
    shifted = {"*": CAPPED["*O"]}
    shifted.update({k.replace("+*O", ""): v for k, v in CAPPED.items() if "+*O" in k})
    plain = load_energies(_file(tmp_path, SMALL, shifted, "plain.yaml", parts=PARTS[1:]))
    a, b = fed_report(capped, potentials=[0.0]), fed_report(plain, potentials=[0.0])
    assert a.result.U_L[0] == pytest.approx(b.result.U_L[0], abs=1e-12)
    net = capped.network
    assert net.steps[a.result.pds[0]].id == plain.network.steps[b.result.pds[0]].id
    # ΔG(*NO2+*O -> *NO+*O) = E(*NO+*O) + E(H2O) − E(*NO2+*O) − G(H2) at 0 V vs RHE, pH 0
    k = net.index("NO2_NO")
    assert capped.dG0[k, 0] == pytest.approx(-322.3 + -14.20 - -327.4 - -6.80, abs=1e-12)
    # the cap: * + H2O -> *O + 2(H+ + e-): ΔG = E(*O) − E(*) − G(H2O) + G(H2) = −0.20 eV, so it
    # forms above −0.10 V vs RHE and stays at this site's U_L (above that)
    dG_lig = -307.6 - -300.0 - -14.20 + -6.80
    assert capped.dG0[net.index("ligation"), 0] == pytest.approx(dG_lig, abs=1e-12)
    line = next(n for n in a.energies.notes if "cap forms" in n)
    assert f"U = {dG_lig / 2:+.2f} V vs RHE" in line and "stays" in line
    assert a.result.U_L_RHE[0] > dG_lig / 2
    from chefe.ligation import capping_potential

    assert capping_potential(a.result)[0] == pytest.approx(dG_lig / 2, abs=1e-12)


def test_screen_reports_the_cap_potential(tmp_path, capsys):
    from chefe.cli.main import main

    path = _file(tmp_path, SMALL, CAPPED, "capped.yaml")
    out = tmp_path / "s.csv"
    assert main(["screen", str(path), "--site-ligand", "O", "--csv", str(out)]) == 0
    import csv

    row = next(csv.DictReader(out.open()))
    assert float(row["U_cap"]) == pytest.approx((-307.6 - -300.0 - -14.20 + -6.80) / 2, abs=1e-6)
    assert float(row["cap_stays_at_UL"]) == 1.0


def test_build_emt_relax_collect_fed_on_a_capped_site(tmp_path):
    """build the capped states (O below the metal, the intermediate above, one run each) ->
    EMT relaxation -> collect -> fed --db --site-ligand O: step ΔG from the stored runs by hand."""
    import ase.io
    from ase.calculators.emt import EMT
    from ase.db import connect

    from chefe.build.carbon import sac
    from chefe.build.output import run_folder, write_tree
    from chefe.build.relax import relax
    from chefe.build.sets import state_set
    from chefe.cli.main import main
    from chefe.collect import collect
    from chefe.thermo import ThermoPolicy, table_correction

    net = with_site_ligand(network_from_dict(SMALL), "O")
    model = sac("Cu", "N4")
    made = state_set(model, net)
    assert {run_folder(a) for a in made} == {f"Cu-N4-plane/{x}" for x in
                                            ("slab", "O", "NO3+O", "NO2+O", "NO+O", "N+O", "NH3+O")}
    metal = model.site().metals[0]
    z_metal = model.atoms.positions[metal, 2]
    for atoms in made[1:]:
        extra = atoms[len(model.atoms):]
        below = [p for p in extra.positions if p[2] < z_metal - 0.5]
        assert len(below) == 1  # the cap, alone on the far face
        assert below[0][2] == pytest.approx(z_metal - 1.98, abs=0.01)  # Cu–O covalent sum (1.32 + 0.66 Å)
        if atoms.info["adsorbate"] != "*O":
            assert all(p[2] > z_metal + 1.0 for p in extra.positions if p[2] > z_metal - 0.5)
    root = tmp_path / "runs"
    write_tree(made, root)
    for atoms in made:
        relaxed, _ = relax(atoms, EMT(), fmax=0.5, steps=15)
        ase.io.write(root / run_folder(atoms) / "run.traj", relaxed)
    db = tmp_path / "r.db"
    collect(root, str(db), workers=1, progress=False)
    rows = {r.species: r for r in connect(str(db)).select(catalyst="Cu-N4-plane")}
    assert set(rows) == {"*", "*O", "*NO3+*O", "*NO2+*O", "*NO+*O", "*N+*O", "*NH3+*O"}
    refs = tmp_path / "refs.yaml"
    refs.write_text(yaml.safe_dump({"species": REFS}))
    network_file = tmp_path / "small.yaml"
    network_file.write_text(yaml.safe_dump(SMALL))
    out = tmp_path / "fed.json"
    assert main(["fed", "--db", str(db), "--network", str(network_file), "--site-ligand", "O",
                 "--references", str(refs), "--adsorbate-thermo", "adsorbates_pt111_kreitz",
                 "--json", str(out), "-o", str(tmp_path / "fed.png")]) == 0
    data = json.loads(out.read_text())
    policy = ThermoPolicy()

    def g(species):  # the run's energy plus the table's correction of each part
        return rows[species].e_dft + sum(table_correction(p, "adsorbates_pt111_kreitz", 298.15, policy).g
                                         for p in species.split("+"))

    by_hand = g("*NO2+*O") + -14.20 - g("*NO3+*O") - -6.80  # *NO3+*O + 2(H+ + e-) -> *NO2+*O + H2O
    from chefe.dbinput import energies_from_db

    es = energies_from_db(str(db), str(network_file), references=str(refs),
                          adsorbate_table="adsorbates_pt111_kreitz", site_ligand="O")
    assert es.dG0[es.network.index("NO3_NO2"), 0] == pytest.approx(by_hand, abs=1e-9)
    lig = g("*O") - rows["*"].e_dft - -14.20 + -6.80
    assert es.dG0[es.network.index("ligation"), 0] == pytest.approx(lig, abs=1e-9)
    assert "*NO3 + *O" in data["catalysts"][0]["best_route"]
