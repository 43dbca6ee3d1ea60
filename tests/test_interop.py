"""CatMAP and CSV exports, Catalysis-Hub import."""

from __future__ import annotations

import csv

import pytest
from ase.build import molecule
from ase.calculators.singlepoint import SinglePointCalculator
from ase.db import connect

from chefe.errors import BalanceError, InputError
from chefe.interop import adsorption_energies, cathub_label, export_catmap, export_csv, import_cathub


@pytest.fixture()
def db(tmp_path):
    path = str(tmp_path / "r.db")
    database = connect(path)

    def put(catalyst, species, role, energy, data=None):
        atoms = molecule("H2")
        atoms.calc = SinglePointCalculator(atoms, energy=energy)
        database.write(atoms, catalyst=catalyst, species=species, role=role, e_dft=energy,
                       run_path=f"/runs/{catalyst}/{species}", flags="", ok=True,
                       data={"settings": {"ENCUT": 400.0}, **(data or {})})

    put("", "H2", "gas", -6.77)
    put("", "H2O", "gas", -14.22)
    put("", "NH3", "gas", -19.54)
    put("Pt111", "*", "slab", -300.00)
    put("Pt111", "*NH2", "adsorbate", -313.10)
    put("Pt111", "*NH2", "vibrations", -313.10, {"frequencies": [3400.0, 1500.0, -40.0]})
    return path


def test_catmap_formation_energies_by_hand(db, tmp_path):
    out = tmp_path / "energies.txt"
    n, notes = export_catmap(db, out)
    assert n == 4  # 3 gases + 1 adsorbate, after the pe line
    lines = out.read_text().splitlines()
    assert lines[0].split("\t")[:4] == ["surface_name", "site_name", "species_name", "formation_energy"]
    assert lines[1].split("\t")[:4] == ["None", "gas", "pe", "0.0"]
    rows = {ln.split("\t")[2]: ln.split("\t") for ln in lines[1:]}
    assert any("1 imaginary or zero mode(s) left out (40i cm-1)" in x for x in notes), notes
    # μ_H = ½E(H2); μ_O = E(H2O) - E(H2); μ_N = E(NH3) - 3/2 E(H2)
    mu_h, mu_n = -6.77 / 2, -19.54 - 1.5 * -6.77
    nh2 = rows["NH2"]
    assert nh2[0] == "Pt111" and nh2[1] == "site"
    assert float(nh2[3]) == pytest.approx(-313.10 - (-300.0) - mu_n - 2 * mu_h, abs=1e-6)
    assert nh2[5] == "[3400.0, 1500.0]"  # real modes only
    assert rows["H2"][:2] == ["None", "gas"] and float(rows["H2"][3]) == pytest.approx(0.0, abs=1e-9)


def test_csv_export(db, tmp_path):
    out = tmp_path / "runs.csv"
    assert export_csv(db, out) == 6
    rows = list(csv.DictReader(open(out)))
    assert {r["role"] for r in rows} == {"gas", "slab", "adsorbate", "vibrations"}
    assert rows[0]["ENCUT"] == "400.0"


def test_cathub_import(tmp_path):
    table = tmp_path / "cathub.csv"
    table.write_text(
        "surfaceComposition,facet,reactants,products,reactionEnergy,activationEnergy\n"
        'Pt,111,"{""NOgas"": 1, ""star"": 1}","{""NOstar"": 1}",-1.85,\n'
        'Pt,111,"{""H2gas"": 0.5, ""NOgas"": 1, ""star"": 1}","{""NOHstar"": 1}",-0.72,0.9\n')
    reactions = import_cathub(table)
    assert reactions[0].equation == "NO(g) + * -> *NO"
    assert reactions[1].equation == "0.5H2(g) + NO(g) + * -> *NOH" and reactions[1].activation_energy == 0.9
    assert adsorption_energies(reactions) == {("Pt", "111"): {"*NO": -1.85, "*NOH": -0.72}}
    assert cathub_label("H2Oliquid") == "H2O(l)"
    bad = tmp_path / "bad.csv"
    bad.write_text("surfaceComposition,facet,reactants,products,reactionEnergy\n"
                   'Pt,111,"{""NOgas"": 1, ""star"": 1}","{""NOHstar"": 1}",-1.0\n')
    with pytest.raises(BalanceError, match="row 2"):
        import_cathub(bad)
    with pytest.raises(InputError, match="suffix"):
        cathub_label("NO")
