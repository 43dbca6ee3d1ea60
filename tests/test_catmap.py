"""CatMAP energies.txt: written from a collect database, read back by chefe, and parsed and turned
into free energies by CatMAP itself (in a venv of its own, when its source is at ../shared/tools)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase import units
from ase.build import fcc111

from chefe.gas import experimental_molecule
from chefe.io.record import RunRecord
from chefe.io.store import row_payload
from chefe.io.tree import RunKey

CATMAP_SRC = Path(__file__).resolve().parents[2] / "shared" / "tools" / "catmap"
MODES = {"*H": [601.9, 606.6, 965.8], "*O": [358.5, 458.5, 400.5],
         "*OH": [80.8, 80.8, 108.7, 485.6, 920.9, 3687.2],
         "*OOH": [95.0, 140.0, 260.0, 330.0, 470.0, 880.0, 1210.0, 3480.0, 160.0]}
E = {"*": -100.0, "*H": -103.80, "*O": -106.10, "*OH": -110.45, "*OOH": -114.70}
GAS = {"H2": -6.77, "H2O": -14.22, "O2": -9.86, "HNO3": -28.5}


def _write(db, cat, species, role, atoms, energy, frequencies=None, magmom=None):
    record = RunRecord(path=f"/runs/{cat or 'gas'}/{species}/{role}", code="vasp", reader="vasp-outcar",
                       energy=energy, atoms=atoms, frequencies=frequencies, finished=True, magmom=magmom)
    a, kvp, data = row_payload(record, RunKey(cat, species, role))
    db.write(a, key_value_pairs=kvp, data=data)


def make_db(path, *, dual=False):
    """Pt(111) with the ORR and HER adsorbates and their modes; gases in periodic boxes with all
    3N modes of a finite-difference run (translations and rotations among them, some imaginary);
    ``dual``: also a two-site catalyst whose *H runs sit in per-site folders under one slab."""
    from ase.db import connect

    db = connect(str(path))
    slab = fcc111("Pt", size=(2, 2, 3), vacuum=8.0)
    _write(db, "Pt111", "*", "slab", slab, E["*"])
    for sp, modes in MODES.items():
        ads = slab.copy()
        for symbol in sp[1:]:
            ads.append(symbol)
        _write(db, "Pt111", sp, "adsorbate", ads, E[sp])
        _write(db, "Pt111", sp, "vibrations", ads, None, frequencies=modes)
    for mol, energy in GAS.items():
        atoms, vib = experimental_molecule(mol)
        box = atoms.copy()
        box.cell = [12, 12, 12]
        box.pbc = True
        box.center()
        small = [3.0, -5.0, 8.0, 12.0, -20.0, 25.0][: 3 * len(atoms) - len(vib)]
        _write(db, "", mol, "gas", box, energy, magmom=2.0 if mol == "O2" else 0.0)
        _write(db, "", mol, "vibrations", box, None, frequencies=small + list(vib))
    if dual:
        _write(db, "CuCo", "*", "slab", slab, -90.0)
        for site, e in (("Cu", -93.70), ("Co", -94.05)):
            ads = slab.copy()
            ads.append("H")
            _write(db, f"CuCo/{site}", "*H", "adsorbate", ads, e)
            _write(db, f"CuCo/{site}", "*H", "vibrations", ads, None, frequencies=MODES["*H"])
    return str(path)


def _lines(path):
    return {(c[0], c[1], c[2]): c for c in (ln.split("\t") for ln in Path(path).read_text().splitlines()[1:])}


def test_export_lines_by_hand(tmp_path):
    from chefe.interop import export_catmap

    db = make_db(tmp_path / "r.db", dual=True)
    out = tmp_path / "energies.txt"
    n, notes = export_catmap(db, out, references=("H2", "H2O"))
    lines = _lines(out)
    assert list(lines)[0] == ("None", "gas", "pe")
    # gases: vibrations only, descending, the six (five) translations/rotations gone by magnitude
    water = experimental_molecule("H2O")[1]
    assert lines[("None", "gas", "H2O")][5] == str(sorted((round(f, 2) for f in water), reverse=True))
    assert lines[("None", "gas", "H2")][5] == str([round(experimental_molecule("H2")[1][0], 2)])
    # O2 formation energy against H2O - H2 by hand: E(O2) - 2[E(H2O) - E(H2)]
    assert float(lines[("None", "gas", "O2")][3]) == pytest.approx(-9.86 - 2 * (-14.22 + 6.77), abs=1e-6)
    # per-site runs under their catalyst's slab: surface CuCo, sites Cu and Co, each against that slab
    assert float(lines[("CuCo", "Cu", "H")][3]) == pytest.approx(-93.70 + 90.0 + 6.77 / 2, abs=1e-6)
    assert float(lines[("CuCo", "Co", "H")][3]) == pytest.approx(-94.05 + 90.0 + 6.77 / 2, abs=1e-6)
    # a gas CatMAP has no ideal-gas parameters for is named, not written
    assert ("None", "gas", "HNO3") not in lines
    assert any("gas HNO3: CatMAP has no ideal-gas parameters" in x for x in notes), notes
    assert n == len(lines) - 1


def test_chefe_reads_its_export_back(tmp_path, capsys):
    """Export -> chefe fed on the energies.txt: the step free energies of the database, to the
    file's 6 decimals; the two-site catalyst becomes one catalyst per site."""
    from chefe.cli.main import main
    from chefe.dbinput import energies_from_db
    from chefe.interop import export_catmap
    from chefe.io.catmap import load_catmap

    db = make_db(tmp_path / "r.db", dual=True)
    out = tmp_path / "energies.txt"
    export_catmap(db, out, references=("H2", "H2O"))
    for network in ("orr", "her"):
        back = load_catmap(out, network)
        direct = energies_from_db(db, network)
        for k, name in enumerate(back.names):
            j = direct.names.index(name.replace("-", "/"))
            np.testing.assert_allclose(back.dG0[:, k], direct.dG0[:, j], atol=3e-6)
    her = load_catmap(out, "her")
    assert set(her.names) == {"Pt111", "CuCo-Cu", "CuCo-Co"}
    assert her.sites[her.names.index("CuCo-Cu")] == "Cu"
    assert main(["fed", str(out), "--network", "orr,her", "--csv", str(tmp_path / "t.csv")]) == 0
    printed = capsys.readouterr().out
    assert "gas O2: not used by her, ignored" in printed and "DFT total energy" not in printed


def test_a_catmap_table_with_a_bad_line_names_it(tmp_path):
    from chefe.errors import InputError
    from chefe.io.catmap import load_catmap

    path = tmp_path / "energies.txt"
    path.write_text("surface_name\tsite_name\tspecies_name\tformation_energy\tbulk_structure\tfrequencies\t"
                    "other_parameters\treference\n"
                    "None\tgas\tH2\t0.0\tNone\t[4401.0]\t[]\tx\n"
                    "Pt\t111\tH\t-0.3x\tfcc\t[1000.0]\t[]\tx\n")
    with pytest.raises(InputError, match=r"line 3 \(Pt H\): formation_energy '-0.3x' is not a number"):
        load_catmap(path, "her")


# ---------------------------------------------------------------- CatMAP itself

CATMAP_SCRIPT = r'''
import json, os, sys, warnings
warnings.simplefilter("ignore")
energies, T, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
here = os.path.dirname(os.path.abspath(out))
mkm = os.path.join(here, "round_trip.mkm")
with open(mkm, "w") as f:
    f.write("""
scaler = 'ThermodynamicScaler'
rxn_expressions = ['O2_g + *_s + pe_g -> OOH_s', 'OOH_s + pe_g -> O_s + H2O_g', 'O_s + pe_g -> OH_s',
                   'OH_s + pe_g -> H2O_g + *_s', 'pe_g + *_s -> H_s', 'H_s + pe_g -> H2_g + *_s']
surface_names = ['Pt111']
descriptor_names = ['voltage', 'temperature']
descriptor_ranges = [[0, 0], [%(T)r, %(T)r]]
resolution = [1, 1]
beta = 0.5
species_definitions = {'H2_g': {'pressure': 1.0}, 'H2O_g': {'pressure': 1.0}, 'O2_g': {'pressure': 1.0},
                       'pe_g': {'pressure': 1.0}, 's': {'site_names': ['site'], 'total': 1.0}}
input_file = %(energies)r
data_file = %(pkl)r
gas_thermo_mode = 'ideal_gas'
adsorbate_thermo_mode = 'harmonic_adsorbate'
electrochemical_thermo_mode = 'simple_electrochemical'
""" % {"T": T, "energies": energies, "pkl": os.path.join(here, "rt.pkl")})
from catmap import ReactionModel
model = ReactionModel(setup_file=mkm)
json.dump({k: float(v) for k, v in model.scaler.get_free_energies([0.0, T]).items()}, open(out, "w"))
'''


@pytest.fixture(scope="session")
def catmap_python(tmp_path_factory):
    """A Python that imports CatMAP: ``CHEFE_CATMAP_PYTHON``, else a venv made here with the old
    dependencies CatMAP runs with (ase 3.22.1, numpy < 2) and its source on the path."""
    if not CATMAP_SRC.is_dir():
        pytest.skip(f"CatMAP's source is not at {CATMAP_SRC}")
    given = os.environ.get("CHEFE_CATMAP_PYTHON")
    if given:
        return given
    venv = tmp_path_factory.mktemp("catmap") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    res = subprocess.run([python, "-m", "pip", "install", "-q", "ase==3.22.1", "numpy<2", "scipy<1.12",
                          "matplotlib>=3.8,<3.9", "mpmath"], capture_output=True, text=True)
    assert res.returncode == 0, f"could not install CatMAP's dependencies: {res.stderr[-2000:]}"
    return python


def _rotational_term(mol: str, run_atoms, T: float) -> float:
    """G(chefe) - G(CatMAP) of a gas from the geometry alone (eV): CatMAP takes ase.build.molecule's
    geometry, chefe the run's. S_rot = k[ln(I) + ...] (linear) or k[½ ln(I_A I_B I_C) + ...]
    (nonlinear), so -T ΔS = -kT ln(I_run/I_g2) or -½ kT ln(det_run/det_g2)."""
    from ase.build import molecule

    from chefe.gas import whole_molecule

    a = np.sort(whole_molecule(run_atoms).get_moments_of_inertia())
    b = np.sort(molecule(mol).get_moments_of_inertia())
    kT = units.kB * T
    if len(run_atoms) == 2:
        return -kT * math.log(a[-1] / b[-1])
    return -0.5 * kT * math.log(np.prod(a) / np.prod(b))


def test_catmap_parses_the_export_and_gives_chefe_step_free_energies(tmp_path, catmap_python):
    """CatMAP (ThermodynamicScaler: ideal_gas, harmonic_adsorbate, simple_electrochemical) on the
    exported file gives chefe's step free energies, within 1 meV once two explained convention
    differences are added by hand: chefe's H2O(l) is the gas at 0.035 bar (kT ln 0.035 per H2O,
    -86 meV at 298.15 K; CatMAP applies pressures in its rate expressions, not to these free
    energies), and CatMAP's gases take ase.build.molecule geometries for their rotational entropy
    (-0.3 meV for H2, +0.9 for H2O, +1.6 for O2 here). With those, they agree to 0.05 meV."""
    from ase.db import connect

    from chefe.dbinput import energies_from_db
    from chefe.interop import export_catmap

    T = 298.15
    db = make_db(tmp_path / "r.db")
    energies = tmp_path / "energies.txt"
    export_catmap(db, energies, references=("H2", "H2O"), temperature=T)
    script = tmp_path / "catmap_G.py"
    script.write_text(CATMAP_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(CATMAP_SRC), "MPLBACKEND": "Agg"}
    res = subprocess.run([catmap_python, str(script), str(energies), str(T), str(tmp_path / "G.json")],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    G = json.loads((tmp_path / "G.json").read_text())
    rows = {r.species: r for r in connect(db).select(role="gas")}
    rot = {m: _rotational_term(m, rows[m].toatoms(), T) for m in ("H2", "H2O", "O2")}
    water = units.kB * T * math.log(0.035) + rot["H2O"]
    # chefe's free energies on CatMAP's scale: gases + the explained terms; pe = ½G(H2)
    g = {"H2": G["H2_g"] + rot["H2"], "O2": G["O2_g"] + rot["O2"], "H2O": G["H2O_g"] + water}
    pe = 0.5 * g["H2"]
    # the pe line makes CatMAP's own G(pe) the CHE's ½G(H2) of chefe's H2
    assert G["pe_g"] == pytest.approx(pe, abs=5e-5)
    catmap_steps = {
        "orr": [G["OOH_s"] - g["O2"] - pe, G["O_s"] + g["H2O"] - G["OOH_s"] - pe,
                G["OH_s"] - G["O_s"] - pe, g["H2O"] - G["OH_s"] - pe],
        "her": [G["H_s"] - pe, g["H2"] - G["H_s"] - pe],
    }
    for network, steps in catmap_steps.items():
        chefe = energies_from_db(db, network)
        # (measured: under 0.01 meV; the file rounds energies to 1e-6 eV and modes to 0.01 cm-1)
        np.testing.assert_allclose(chefe.dG0[:, 0], steps, atol=5e-5)
    # without the water term the two differ by it exactly in the steps that make water
    raw = G["O_s"] + G["H2O_g"] - G["OOH_s"] - G["pe_g"]
    assert raw - energies_from_db(db, "orr").dG0[1, 0] == pytest.approx(-water, abs=1e-3)


def test_duplicates_and_borrowed_frequencies(tmp_path):
    from chefe.errors import InputError
    from chefe.io.catmap import load_catmap

    head = ("surface_name\tsite_name\tspecies_name\tformation_energy\tbulk_structure\tfrequencies\t"
            "other_parameters\treference")
    gas = "None\tgas\tH2\t0.0\tNone\t[4401.0]\t[]\tx"
    path = tmp_path / "dup.txt"
    path.write_text("\n".join([head, gas, "Pt\t111\tH\t-0.30\tfcc\t[1000.0]\t[]\tx",
                               "Pt\t111\tH\t0.20\tfcc\t[1000.0]\t[]\tx"]) + "\n")
    with pytest.raises(InputError, match="lines 3 and 4 both give H on Pt site 111"):
        load_catmap(path, "her")
    # with a coverage column the lowest coverage is taken, as CatMAP does
    path.write_text("\n".join([head + "\tcoverage", gas + "\t0", "Pt\t111\tH\t-0.30\tfcc\t[1000.0]\t[]\tx\t0.25",
                               "Pt\t111\tH\t0.20\tfcc\t[1000.0]\t[]\tx\t0.11"]) + "\n")
    es = load_catmap(path, "her")
    assert any("several coverages" in n for n in es.notes)
    # borrowed frequencies: the mean over the other surfaces with the same site name
    path.write_text("\n".join([head, gas, "Pt\t111\tH\t-0.30\tfcc\t[]\t[]\tx",
                               "Au\t111\tH\t0.20\tfcc\t[1200.0, 800.0, 600.0]\t[]\tx",
                               "Ag\t111\tH\t0.25\tfcc\t[1000.0, 700.0, 500.0]\t[]\tx",
                               "Cu\t211\tH\t0.10\tfcc\t[500.0, 400.0, 300.0]\t[]\tx",
                               "Cu\t211\tCO\t0.10\tfcc\t[2000.0]\t[]\tx"]) + "\n")
    from chefe.io.catmap import catmap_energies_doc

    doc, notes = catmap_energies_doc(path, "her")
    assert doc["catalysts"]["Pt"]["thermo"]["*H"]["frequencies"] == [1100.0, 750.0, 550.0]
    # a line of a species the network does not use does not split Cu into per-site catalysts
    assert "Cu" in doc["catalysts"]


def test_an_empty_catmap_table_is_named(tmp_path):
    from chefe.errors import InputError
    from chefe.io.catmap import read_catmap_table

    (tmp_path / "e.txt").write_text("")
    with pytest.raises(InputError, match="e.txt: empty: a CatMAP table starts with its header"):
        read_catmap_table(tmp_path / "e.txt")
