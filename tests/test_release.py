"""A published data release, end to end: `chefe collect` then `chefe fed --db --references`.

The release is made here from the real custodian Fe2O2 relaxation in tests/files (OSZICAR,
CONTCAR, INCAR, KPOINTS and a POTCAR title list per folder, as releases ship them): one slab with
LDAU and its *H run without, one ISIF = 4 pair whose cells moved apart a little, one run written
with LVDW = .TRUE. against IVDW = 1, one *H run without CONTCAR and one with an empty OSZICAR.
The limiting potentials are checked against a hand calculation written out below.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from ase import units
from ase.io import read, write

E_SLAB = -28.218515  # E0 of the last ionic step of the custodian OSZICAR (real)
# *H energies written into copies of that OSZICAR (eV): ΔE_H = E(*H) - E(*) - ½E(H2) differs per catalyst
E_H = {"0N0_FeU": -31.90, "1N3_Fe_isif4": -31.75, "2N2_Fe_lvdw": -32.05, "3N1_Fe_noCONTCAR": -31.60}
E_H2_DFT = -6.77
H2_THERMO = {"zpe": 0.270, "cp": 0.090, "ts": 0.404}  # explicit, as a references file gives them

INCAR_BASE = {"ALGO": "Fast", "EDIFF": "1E-05", "ENCUT": "520", "IBRION": "2", "ISMEAR": "0",
              "ISPIN": "2", "NSW": "99", "PREC": "Accurate", "SIGMA": "0.05"}
LDAU = {"LDAU": "True", "LDAUJ": "0 0", "LDAUL": "2 0", "LDAUTYPE": "2", "LDAUU": "4.0 0", "LMAXMIX": "4"}


def _incar(folder, **tags):
    values = {**INCAR_BASE, **tags}
    (folder / "INCAR").write_text("".join(f"{k} = {v}\n" for k, v in values.items() if v is not None))


def _oszicar(src, folder, energy):
    """The real OSZICAR with the last ionic step's F and E0 set to ``energy`` (or emptied)."""
    text = (src / "OSZICAR").read_text()
    if energy is None:
        (folder / "OSZICAR").write_text("")
        return
    lines = text.rstrip("\n").split("\n")
    assert " F= " in lines[-1]
    lines[-1] = re.sub(r"F= \S+ E0= \S+", f"F= {energy:.8E} E0= {energy:.8E}", lines[-1])
    (folder / "OSZICAR").write_text("\n".join(lines) + "\n")


def _potcar_titles(folder, with_h):
    titles = ["TITEL = PAW_PBE Fe_pv 02Aug2007", "TITEL = PAW_PBE O 08Apr2002"]
    if with_h:
        titles.append("TITEL = PAW_PBE H 15Jun2001")
    (folder / "POTCAR.titles").write_text("\n".join(titles) + "\n")


def _run(src, folder, energy, *, with_h, incar, contcar=True, strain=0.0):
    folder.mkdir(parents=True)
    shutil.copy(src / "KPOINTS", folder / "KPOINTS")
    _oszicar(src, folder, energy)
    _incar(folder, **incar)
    _potcar_titles(folder, with_h)
    if contcar:
        atoms = read(src / "CONTCAR", format="vasp")
        if with_h:
            top = atoms.positions[np.argmax(atoms.positions[:, 2])]
            atoms.append("H")
            atoms.positions[-1] = top + [0, 0, 1.0]
        if strain:
            # a Cartesian stretch along x: deformation gradient F = diag(1 + strain, 1, 1)
            atoms.set_cell(atoms.cell.array @ np.diag([1.0 + strain, 1.0, 1.0]), scale_atoms=True)
        write(folder / "CONTCAR", atoms, format="vasp", direct=True)


@pytest.fixture()
def release(tmp_path, files_dir):
    src = files_dir / "vasp" / "Fe2O2_relax"
    root = tmp_path / "release"
    # LDAU on the slab only: every *H energy difference of this catalyst mixes U and no U
    _run(src, root / "0N0_FeU" / "slab", E_SLAB, with_h=False, incar=LDAU)
    _run(src, root / "0N0_FeU" / "H", E_H["0N0_FeU"], with_h=True, incar={})
    # cell relaxed with the adsorbate (ISIF = 4): 0.2 % along x, a strain below the tolerance
    _run(src, root / "1N3_Fe_isif4" / "slab", E_SLAB, with_h=False, incar={"ISIF": "4"})
    _run(src, root / "1N3_Fe_isif4" / "H", E_H["1N3_Fe_isif4"], with_h=True, incar={"ISIF": "4"}, strain=0.002)
    # the same vdW correction written two ways
    _run(src, root / "2N2_Fe_lvdw" / "slab", E_SLAB, with_h=False, incar={"IVDW": "1"})
    _run(src, root / "2N2_Fe_lvdw" / "H", E_H["2N2_Fe_lvdw"], with_h=True, incar={"LVDW": ".TRUE."})
    # an *H run without a structure, and one whose OSZICAR is empty
    _run(src, root / "3N1_Fe_noCONTCAR" / "slab", E_SLAB, with_h=False, incar={})
    _run(src, root / "3N1_Fe_noCONTCAR" / "H", E_H["3N1_Fe_noCONTCAR"], with_h=True, incar={}, contcar=False)
    _run(src, root / "4N0_Fe_empty" / "slab", E_SLAB, with_h=False, incar={})
    _run(src, root / "4N0_Fe_empty" / "H", None, with_h=True, incar={})
    refs = tmp_path / "refs.yaml"
    refs.write_text(f"species:\n  H2(g): {{energy: {E_H2_DFT}, thermo: {{zpe: {H2_THERMO['zpe']}, "
                    f"cp: {H2_THERMO['cp']}, ts: {H2_THERMO['ts']}, source: hand}}}}\n")
    return root, refs


def _chefe(*args, cwd):
    return subprocess.run([sys.executable, "-m", "chefe", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def _harmonic(freqs_cm, T=298.15):
    """ZPE, ∫Cv dT and TS (eV) of harmonic modes, written out: x = hν/kT,
    ZPE = Σ hν/2, U(T) - U(0) = Σ hν/(e^x - 1), S = k Σ [x/(e^x - 1) - ln(1 - e^-x)]."""
    kT = units.kB * T
    zpe = cv = ts = 0.0
    for nu in freqs_cm:
        e = nu * units.invcm  # hc·ν̃ in eV
        x = e / kT
        zpe += e / 2
        cv += e / math.expm1(x)
        ts += kT * (x / math.expm1(x) - math.log(-math.expm1(-x)))
    return zpe, cv, ts


def test_two_commands_from_a_release_to_limiting_potentials(release, tmp_path):
    root, refs = release
    db = tmp_path / "results.db"
    out = _chefe("collect", root, "--db", db, "--workers", "1", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = out.stdout + out.stderr
    # the run that cannot give an energy is named with its path, nothing is silently dropped
    assert "4N0_Fe_empty/H" in report

    from ase.db import connect

    rows = {(r.catalyst, r.species): r for r in connect(str(db)).select()}
    flags = {k: set(filter(None, r.get("flags", "").split(","))) for k, r in rows.items()}
    # every energy stored exactly as the OSZICAR prints it
    for cat, e in E_H.items():
        assert rows[(cat, "*H")].e_dft == pytest.approx(e, abs=1e-8)
        assert rows[(cat, "*")].e_dft == pytest.approx(E_SLAB, abs=1e-8)
    # LDAU on the slab, not on the adsorbate: flagged on the adsorbate run
    assert any(f.startswith("settings_mismatch") and "LDAU" in f for f in flags[("0N0_FeU", "*H")]), flags
    # ISIF = 4 pair: the strain is stored, not a mismatch; (1.002² - 1)/2 = 0.002002
    isif4 = rows[("1N3_Fe_isif4", "*H")]
    assert "cell_mismatch" not in flags[("1N3_Fe_isif4", "*H")]
    assert isif4.get("lattice_strain") == pytest.approx(0.002002, abs=2e-5), isif4.key_value_pairs
    # LVDW = .TRUE. is IVDW = 1: no vdW mismatch
    assert not [f for f in flags[("2N2_Fe_lvdw", "*H")] if "IVDW" in f or "LVDW" in f], flags
    # an energy without a structure: kept, flagged
    assert "no_structure" in flags[("3N1_Fe_noCONTCAR", "*H")]
    assert rows[("3N1_Fe_noCONTCAR", "*H")].get("flag_no_structure")
    # OSZICAR-only runs: their convergence cannot be verified and they say so
    assert "cannot" in report.lower() or "unverif" in report.lower()

    csv_path = tmp_path / "out.csv"
    out = _chefe("fed", "--db", db, "--network", "her", "--references", refs, "--adsorbate-thermo",
                 "adsorbates_pt111_kreitz", "-o", tmp_path / "fed.png", "--csv", csv_path, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    notes = out.stdout + out.stderr
    table = {r["label"]: r for r in csv.DictReader(csv_path.open())}

    # by hand: G(H2) = E + ZPE + ∫Cp - TS from the references file;
    # *H on the Kreitz Pt(111) modes 601.9, 606.6, 965.8 cm-1 (harmonic, 298.15 K)
    g_h2 = E_H2_DFT + H2_THERMO["zpe"] + H2_THERMO["cp"] - H2_THERMO["ts"]
    zpe, cv, ts = _harmonic([601.9, 606.6, 965.8])
    assert zpe == pytest.approx(0.135, abs=1e-3)  # the ZPE the table's source prints
    for cat, e in E_H.items():
        dG_H = e + zpe + cv - ts - E_SLAB - 0.5 * g_h2
        # HER: * + H+ + e- -> *H (ΔG_H), *H + H+ + e- -> * + ½... H2 (-ΔG_H): U_L = -|ΔG_H|
        assert float(table[cat]["U_L"]) == pytest.approx(-abs(dG_H), abs=1.5e-3), (cat, table[cat])
    # labels keep their characters; flags travel to the table
    assert "0N0_FeU" in table and "LDAU" in table["0N0_FeU"]["flags"]
    assert "no_structure" in table["3N1_Fe_noCONTCAR"]["flags"]
    assert table["1N3_Fe_isif4"]["flags"] == "" and table["2N2_Fe_lvdw"]["flags"] == ""
    # the catalyst without a complete route is reported and left out; the others are analysed
    assert "4N0_Fe_empty" not in table and "4N0_Fe_empty" in notes
    assert (tmp_path / "fed.png").stat().st_size > 10_000

    # screen reads the same database the same way: the same U_L, the same catalyst left out
    screen_csv = tmp_path / "screen.csv"
    out = _chefe("screen", "--db", db, "--network", "her", "--references", refs, "--adsorbate-thermo",
                 "adsorbates_pt111_kreitz", "--csv", screen_csv, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    screened = {r["catalyst"]: r for r in csv.DictReader(screen_csv.open())}
    assert set(screened) == set(E_H)
    for cat in E_H:
        assert float(screened[cat]["U_L"]) == pytest.approx(float(table[cat]["U_L"]), abs=1e-9)
    assert "4N0_Fe_empty: left out, no complete route" in out.stdout

    # --exclude-flagged drops the flagged catalysts and names them
    out = _chefe("fed", "--db", db, "--network", "her", "--references", refs, "--adsorbate-thermo",
                 "adsorbates_pt111_kreitz", "--exclude-flagged", "--json", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert sorted(r["label"] for r in payload["catalysts"]) == ["1N3_Fe_isif4", "2N2_Fe_lvdw"]
    left_out = [n for n in payload["notes"] if "left out" in n]
    assert any("0N0_FeU" in n and "LDAU" in n for n in left_out), payload["notes"]
    assert any("3N1_Fe_noCONTCAR" in n and "no_structure" in n for n in left_out), payload["notes"]


def test_water_cycle_gives_o2_from_water_and_hydrogen():
    """G(O2) = 2G(H2O,l) - 2G(H2) + 4eU_eq, with U_eq given (1.23 V) or computed from the formation
    table: ΔfG°(H2O, l) = -237.129 kJ/mol (CRC/NBS) -> U_eq = 237.129 kJ/mol / 2F = 1.2288 V."""
    from chefe.references import ReferenceLedger

    base = {"H2(g)": {"G": -6.81}, "H2O(l)": {"G": -14.70}}
    given = ReferenceLedger.from_dict({"species": {**base, "O2(g)": {"water_cycle": 1.23}}})
    assert given.free_energy("O2(g)") == pytest.approx(2 * -14.70 - 2 * -6.81 + 4 * 1.23, abs=1e-12)
    computed = ReferenceLedger.from_dict({"species": {**base, "O2(g)": {"water_cycle": "computed"}}})
    u_eq = 237.129e3 / (2 * 96485.33212)
    assert computed.free_energy("O2(g)") == pytest.approx(2 * -14.70 - 2 * -6.81 + 4 * u_eq, abs=2e-3)
    assert "water cycle" in computed.provenance("O2(g)")


def test_water_cycle_reaches_the_orr_limiting_potential(tmp_path):
    """ORR from an energies file whose O2 is the water cycle at a paper's 1.23 V: U_L = min(-ΔG_i)
    with the four levels written out here (bare total energies, no thermal corrections)."""
    import yaml

    from chefe.inputs import load_energies

    g_h2, g_h2o = -6.81, -14.70
    e = {"*": -100.0, "*OOH": -114.2, "*O": -107.5, "*OH": -111.9}
    zero = {"zpe": 0.0, "cp": 0.0, "ts": 0.0}
    doc = {"network": "orr", "kind": "total",
           "references": {"species": {"H2(g)": {"G": g_h2}, "H2O(l)": {"G": g_h2o},
                                      "O2(g)": {"water_cycle": 1.23}}},
           "adsorbate_thermo": {k: zero for k in e if k != "*"},
           "catalysts": {"X": {"energies": e}}}
    path = tmp_path / "orr.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    es = load_energies(path)
    # by hand, the levels of * + O2 + 4(H+ + e-) -> ... -> * + 2H2O with G(O2) = 2G(H2O) - 2G(H2) + 4·1.23
    g_o2 = 2 * g_h2o - 2 * g_h2 + 4 * 1.23
    levels = [e["*"] + g_o2 + 2 * g_h2, e["*OOH"] + 1.5 * g_h2, e["*O"] + g_h2o + g_h2,
              e["*OH"] + g_h2o + 0.5 * g_h2, e["*"] + 2 * g_h2o]
    dG = np.diff(levels)
    np.testing.assert_allclose(es.dG0[:, 0], dG, atol=1e-9)
    out = _chefe("fed", path, "--json", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)["catalysts"][0]
    assert row["U_L"] == pytest.approx(float(np.min(-dG)), abs=1e-6)
    # the overall reaction at the given U_eq: ΔG = -4·1.23 eV exactly
    assert float(np.sum(dG)) == pytest.approx(-4 * 1.23, abs=1e-9)


# ---------------------------------------------------------------- database rows written directly

# adsorbate modes (cm-1) of vibration runs, and total energies (eV) of a Pt(111) slab and its adsorbates
MODES = {"*H": [601.9, 606.6, 965.8], "*O": [358.5, 458.5, 400.5],
         "*OH": [80.8, 80.8, 108.7, 485.6, 920.9, 3687.2],
         "*OOH": [95.0, 140.0, 260.0, 330.0, 470.0, 880.0, 1210.0, 3480.0, 160.0]}
E_ROWS = {"*": -100.0, "*H": -103.80, "*O": -106.10, "*OH": -110.45, "*OOH": -114.70}
G_H2, G_H2O = -6.81, -14.70


def _row_db(path, catalyst="0N0_Ag", *, flag_oh=False):
    from ase.build import fcc111
    from ase.db import connect

    from chefe.io.record import RunRecord
    from chefe.io.store import row_payload
    from chefe.io.tree import RunKey

    db = connect(str(path))
    slab = fcc111("Pt", size=(2, 2, 3), vacuum=8.0)

    def write(species, role, atoms, energy, frequencies=None, flags=()):
        record = RunRecord(path=f"/runs/{catalyst}/{species}/{role}", code="vasp", reader="vasp-outcar",
                           energy=energy, atoms=atoms, frequencies=frequencies, finished=True, flags=flags)
        atoms_, kvp, data = row_payload(record, RunKey(catalyst, species, role))
        db.write(atoms_, key_value_pairs=kvp, data=data)

    write("*", "slab", slab, E_ROWS["*"])
    for species, modes in MODES.items():
        ads = slab.copy()
        for symbol in species[1:]:
            ads.append(symbol)
        write(species, "adsorbate", ads, E_ROWS[species], flags=("unfinished",) if flag_oh and species == "*OH" else ())
        write(species, "vibrations", ads, None, frequencies=modes)
    return str(path)


def _g(species):
    zpe, cv, ts = _harmonic(MODES[species])
    return E_ROWS[species] + zpe + cv - ts


def _orr_steps():
    """ORR step ΔG at 0 V by hand, O2 from the water cycle at 1.23 V."""
    g_o2 = 2 * G_H2O - 2 * G_H2 + 4 * 1.23
    levels = [E_ROWS["*"] + g_o2 + 2 * G_H2, _g("*OOH") + 1.5 * G_H2, _g("*O") + G_H2O + G_H2,
              _g("*OH") + G_H2O + 0.5 * G_H2, E_ROWS["*"] + 2 * G_H2O]
    return np.diff(levels)


@pytest.fixture()
def refs_water(tmp_path):
    path = tmp_path / "refs.yaml"
    path.write_text(f"species:\n  H2(g): {{G: {G_H2}}}\n  H2O(l): {{G: {G_H2O}}}\n"
                    "  O2(g): {water_cycle: 1.23}\n  NH3(g): {G: -19.3}\n")
    return path


def test_several_networks_from_one_database(tmp_path, refs_water, capsys):
    from chefe.cli.main import main

    db = _row_db(tmp_path / "rows.db")
    csv_path, fig = tmp_path / "t.csv", tmp_path / "fed.png"
    assert main(["fed", "--db", db, "--network", "orr,her", "--references", str(refs_water),
                 "-o", str(fig), "--csv", str(csv_path), "--json", str(tmp_path / "t.json")]) == 0
    printed = capsys.readouterr().out
    rows = {r["network"]: r for r in csv.DictReader(csv_path.open())}
    assert set(rows) == {"orr", "her"} and rows["orr"]["label"] == "0N0_Ag"
    assert float(rows["orr"]["U_L"]) == pytest.approx(float(np.min(-_orr_steps())), abs=1e-6)
    dG_H = _g("*H") - E_ROWS["*"] - 0.5 * G_H2
    assert float(rows["her"]["U_L"]) == pytest.approx(-abs(dG_H), abs=1e-6)
    # one figure per network, labels keep their characters, the unused reference is named
    assert (tmp_path / "fed_orr.png").is_file() and (tmp_path / "fed_her.png").is_file()
    payload = json.loads((tmp_path / "t.json").read_text())
    assert [n["network"] for n in payload["networks"]] == ["orr", "her"]
    legends = [s["legend"] for p in payload["networks"][0]["plot"]["panels"] for s in p["series"]]
    assert all(text.startswith("0N0_Ag") for text in legends), legends
    assert "NH3(g) not used by orr" in printed, printed


def test_screen_from_a_database_with_references_and_hydrogen(tmp_path, refs_water, capsys):
    from chefe.cli.main import main

    db = _row_db(tmp_path / "rows.db")
    _row_db(tmp_path / "rows.db", catalyst="Pt_flagged", flag_oh=True)
    out_csv = tmp_path / "s.csv"
    assert main(["screen", "--db", db, "--network", "orr", "--references", str(refs_water),
                 "--csv", str(out_csv)]) == 0
    rows = {r["catalyst"]: r for r in csv.DictReader(out_csv.open())}
    ul = float(np.min(-_orr_steps()))
    dG_H = _g("*H") - E_ROWS["*"] - 0.5 * G_H2
    assert float(rows["0N0_Ag"]["U_L"]) == pytest.approx(ul, abs=1e-6)
    # selectivity against HER from the *H runs: U_L - U_L(HER), U_L(HER) = -|ΔG*H|
    assert float(rows["0N0_Ag"]["UL_minus_UL_HER"]) == pytest.approx(ul + abs(dG_H), abs=1e-6)
    assert "unfinished" in rows["Pt_flagged"]["flags"]
    capsys.readouterr()
    assert main(["screen", "--db", db, "--network", "orr", "--references", str(refs_water),
                 "--exclude-flagged"]) == 0
    printed = capsys.readouterr().out
    assert "Pt_flagged: left out (--exclude-flagged)" in printed
    table = printed.split("note:")[0]
    assert "0N0_Ag" in table and "Pt_flagged" not in table.split("\n", 2)[2]


# ---------------------------------------------------------------- forces on the free atoms, constraints

def _selective_release(tmp_path, files_dir):
    """The Fe2O2 relaxation twice, O(2) frozen and O(3) free along the lattice vector c only:
    once as OUTCAR + CONTCAR with selective dynamics, once as a vasprun.xml whose initial
    structure carries the same flags (as VASP writes them)."""
    import gzip

    from ase.constraints import FixAtoms, FixScaled

    src = files_dir / "vasp" / "Fe2O2_relax"
    out_dir = tmp_path / "runs" / "FeO_outcar" / "slab"
    out_dir.mkdir(parents=True)
    for name in ("OUTCAR.gz", "INCAR", "KPOINTS"):
        shutil.copy(src / name, out_dir / name)
    atoms = read(src / "CONTCAR", format="vasp")
    atoms.set_constraint([FixAtoms(indices=[2]), FixScaled(3, [True, True, False], atoms.cell)])
    write(out_dir / "CONTCAR", atoms, format="vasp", direct=True)
    xml_dir = tmp_path / "runs" / "FeO_vasprun" / "slab"
    xml_dir.mkdir(parents=True)
    for name in ("INCAR", "KPOINTS"):
        shutil.copy(src / name, xml_dir / name)
    text = gzip.open(src / "vasprun.xml.gz", "rt").read()
    flags = ["T T T", "T T T", "F F F", "F F T"]
    selective = ' <varray name="selective" type="logical" >\n' + "".join(
        f"   <v type=\"logical\" > {f} </v>\n" for f in flags) + "  </varray>\n"
    head, rest = text.split(' <structure name="initialpos" >', 1)
    first, tail = rest.split(" </structure>", 1)
    (xml_dir / "vasprun.xml").write_text(head + ' <structure name="initialpos" >' + first + selective
                                         + " </structure>" + tail)
    return tmp_path / "runs"


def test_max_force_over_free_directions_and_constraints_kept(tmp_path, files_dir):
    from ase.constraints import FixAtoms, FixScaled
    from ase.db import connect

    from chefe.collect import collect

    root = _selective_release(tmp_path, files_dir)
    db = tmp_path / "f.db"
    collect(root, str(db), workers=1, progress=False)
    for catalyst, output in (("FeO_outcar", "OUTCAR.gz"), ("FeO_vasprun", "vasprun.xml")):
        row = connect(str(db)).get(catalyst=catalyst)
        # ASE's own parser: the final forces and cell
        final = read(root / catalyst / "slab" / output, index=-1)
        forces, cell = final.get_forces(apply_constraint=False), final.cell.array
        # by hand: Fe(0), Fe(1) free (forces 0 by symmetry), O(2) frozen, O(3) free along c only:
        # the force that can move it is its projection on c
        c_hat = cell[2] / np.linalg.norm(cell[2])
        expected = max(np.linalg.norm(forces[0]), np.linalg.norm(forces[1]), abs(forces[3] @ c_hat))
        assert row.max_force == pytest.approx(expected, abs=2e-6), catalyst
        # every atom counted would give |F(O)| = 0.0107 eV/Å
        assert row.max_force < 0.5 * np.linalg.norm(forces[2])
        stored = row.toatoms()
        fixed = [c for c in stored.constraints if isinstance(c, FixAtoms)]
        scaled = [c for c in stored.constraints if isinstance(c, FixScaled)]
        assert [list(c.index) for c in fixed] == [[2]], catalyst
        assert len(scaled) == 1 and int(np.atleast_1d(scaled[0].index)[0]) == 3
        assert list(scaled[0].mask) == [True, True, False]


def test_vasprun_free_energy_with_selective_dynamics(tmp_path, files_dir):
    """The free energy F of a vasprun.xml whose structure has selective flags: ASE's parser agrees."""
    from chefe.io.vasp import read_vasprun

    root = _selective_release(tmp_path, files_dir)
    path = root / "FeO_vasprun" / "slab" / "vasprun.xml"
    record = read_vasprun(path, path.parent)
    ase_atoms = read(path, index=-1)
    assert record.free_energy == pytest.approx(ase_atoms.get_potential_energy(force_consistent=True), abs=1e-6)
    assert record.energy == pytest.approx(ase_atoms.get_potential_energy(), abs=1e-6)


# ---------------------------------------------------------------- an ASE Vibrations cache

def test_ase_vibrations_cache_is_collected_with_known_frequencies(tmp_path):
    """*H in a harmonic well E = ½Σ k_i (x_i - x0_i)² over a frozen Cu(111) slab, its modes made by
    ase.vibrations.Vibrations (displacement 0.01 Å, ASE's default): collect stores the
    frequencies of the well, ν̃ = √(k/m) / (2πc), exact for finite differences of a quadratic."""
    from ase.build import add_adsorbate, fcc111
    from ase.calculators.calculator import Calculator, all_changes
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms
    from ase.db import connect
    from ase.vibrations import Vibrations

    from chefe.collect import collect

    k = np.array([2.0, 3.5, 9.0])  # eV/Å²

    class Well(Calculator):
        implemented_properties = ["energy", "forces"]

        def __init__(self, x0):
            super().__init__()
            self.x0 = x0

        def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
            super().calculate(atoms, properties, system_changes)
            d = self.atoms.positions[-1] - self.x0
            forces = np.zeros((len(self.atoms), 3))
            forces[-1] = -k * d
            self.results = {"energy": -50.0 + 0.5 * float(k @ d**2), "forces": forces}

    root = tmp_path / "runs"
    slab = fcc111("Cu", size=(2, 2, 3), vacuum=7.0)
    slab.set_constraint(FixAtoms(indices=range(len(slab))))
    (root / "Cu111" / "slab").mkdir(parents=True)
    clean = slab.copy()
    clean.calc = SinglePointCalculator(clean, energy=-48.0, forces=np.zeros((len(clean), 3)))
    write(root / "Cu111" / "slab" / "slab.traj", clean)
    ads = slab.copy()
    add_adsorbate(ads, "H", 1.0, "fcc")
    ads.set_constraint(FixAtoms(indices=range(len(slab))))
    (root / "Cu111" / "H").mkdir(parents=True)
    ads.calc = Well(ads.positions[-1].copy())
    ads.get_potential_energy()
    write(root / "Cu111" / "H" / "H.traj", ads)
    vib = Vibrations(ads, indices=[len(ads) - 1], name=str(root / "Cu111" / "H" / "vib"))
    vib.run()

    db = tmp_path / "v.db"
    collect(root, str(db), workers=1, progress=False)
    row = connect(str(db)).get(species="*H", role="vibrations")
    stored = sorted(row.data["frequencies"])
    m = ads.get_masses()[-1] * units._amu
    expected = sorted(np.sqrt(k * units._e * 1e20 / m) / (2 * np.pi * units._c * 100.0))
    np.testing.assert_allclose(stored, expected, rtol=2e-4)
    # the cache does not record the displacement: the row says which one was assumed
    assert row.data["settings"]["displacement_A"] == 0.01 and row.data["settings"]["displacement_assumed"]


# ---------------------------------------------------------------- plausible adsorption energies

def test_windows_from_the_binding_table_by_hand(root_dir):
    """*O window: BE_O of the 23 facets + [ΔfH(O,g) - ΔfH(H2O,g)] = (249.2 + 241.8) kJ/mol, ± 1.5 eV."""
    from chefe.adsorption_windows import windows

    rows = list(csv.DictReader((root_dir / "adsorbate_refs" / "metal_atomic_binding_rmg.csv").open()))
    shift = (249.2 + 241.8) / 96.4853  # kJ/mol -> eV
    values = [float(r["BE_O_eV"]) + shift for r in rows]
    w = windows()["*O"]
    assert len(values) == 23 == w.n_surfaces
    assert w.low == pytest.approx(min(values) - 1.5, abs=1e-4) and w.high == pytest.approx(max(values) + 1.5, abs=1e-4)
    # Pt(111): BE_O = -3.81153 eV -> ΔE_O = +1.28 eV against H2O - H2, as PBE studies of Pt(111) find (1.3-1.6 eV)
    pt = next(float(r["BE_O_eV"]) for r in rows if r["label"] == "Pt111") + shift
    assert 1.0 < pt < 1.7


def test_polyatomic_window_by_hand(root_dir):
    """*OH: the RMG heat of formation of XOH on Pt(111), H/R = a1 T + a2 T²/2 + a3 T³/3 + a4 T⁴/4 +
    a5 T⁵/5 + a6 at 298.15 K, minus ΔfH(H2O, g) = -241.8 kJ/mol (½H2 is 0); then on every facet
    + ½ [BE_O(M) - BE_O(Pt111)] (one single bond of O to the surface, O's valence 2); ± 1.5 eV."""
    import yaml

    from chefe.adsorption_windows import windows

    lib = yaml.safe_load((root_dir / "adsorbate_refs" / "adsorbates_pt111_rmg.yaml").read_text())
    a1, a2, a3, a4, a5, a6, _ = lib["species"]["*OH"][0]["nasa_298_1000K"]
    T = 298.15
    h = (a1 * T + a2 * T**2 / 2 + a3 * T**3 / 3 + a4 * T**4 / 4 + a5 * T**5 / 5 + a6) * 8.314462618e-3 / 96.4853
    e_pt = h + 241.8 / 96.4853
    # RPBE/PW91 studies of Pt(111) put ΔE_OH against H2O - ½H2 near 1 eV (Nørskov et al. 2004: 1.05 eV)
    assert 0.8 < e_pt < 1.2
    rows = list(csv.DictReader((root_dir / "adsorbate_refs" / "metal_atomic_binding_rmg.csv").open()))
    pt = next(float(r["BE_O_eV"]) for r in rows if r["label"] == "Pt111")
    values = [e_pt + 0.5 * (float(r["BE_O_eV"]) - pt) for r in rows]
    w = windows()["*OH"]
    assert w.low == pytest.approx(min(values) - 1.5, abs=2e-4) and w.high == pytest.approx(max(values) + 1.5, abs=2e-4)
    # a physisorbed species (no bond to the surface) has Pt(111)'s value alone, widened
    nh3 = windows()["*NH3"]
    assert nh3.data_low == nh3.data_high and nh3.high - nh3.low == pytest.approx(3.0)


def test_the_two_window_sources_agree_on_pt111(root_dir):
    """The atoms on Pt(111) from both tables: RMG's calorimetry-anchored heats of formation and the
    BEEF-vdW binding energies of the metal library (two data sets): within 0.15 eV for *H and *O,
    0.55 eV for *N; the 1.5 eV margin covers either."""
    import yaml

    from chefe.adsorption_windows import nasa_enthalpy

    lib = yaml.safe_load((root_dir / "adsorbate_refs" / "adsorbates_pt111_rmg.yaml").read_text())
    rows = list(csv.DictReader((root_dir / "adsorbate_refs" / "metal_atomic_binding_rmg.csv").open()))
    pt = next(r for r in rows if r["label"] == "Pt111")
    kj = 1 / 96.4853
    for species, column, atom, molecule, tol in (("*H", "BE_H_eV", 218.0, 0.0, 0.15),
                                                  ("*O", "BE_O_eV", 249.2, -241.8, 0.15),
                                                  ("*N", "BE_N_eV", 472.7, -45.9, 0.55)):
        from_heat = nasa_enthalpy(lib["species"][species][0]["nasa_298_1000K"]) - molecule * kj
        from_binding = float(pt[column]) + (atom - molecule) * kj
        assert abs(from_heat - from_binding) < tol, (species, from_heat, from_binding)


def test_an_adsorbate_run_of_another_cell_is_flagged(tmp_path, refs_water, capsys):
    """An *O energy 12 eV below its slab's (a run of a bigger cell filed under this catalyst):
    ΔE_O = -118.10 + 100 - (-14.70 + 6.81) = -10.21 eV, far below the window; flagged, named."""
    from ase.db import connect

    from chefe.cli.main import main

    db = _row_db(tmp_path / "rows.db")
    database = connect(db)
    row = database.get(catalyst="0N0_Ag", species="*O", role="adsorbate")
    database.update(row.id, e_dft=E_ROWS["*O"] - 12.0)
    csv_path = tmp_path / "t.csv"
    assert main(["fed", "--db", db, "--network", "orr", "--references", str(refs_water), "--csv", str(csv_path)]) == 0
    printed = capsys.readouterr().out
    row = next(csv.DictReader(csv_path.open()))
    assert "*O:implausible_energy" in row["flags"]
    assert "*O adsorption energy ΔE = -10.21 eV lies outside the plausible window" in printed
    # the others are inside their windows: not flagged
    assert "*H:" not in row["flags"] and "*OH:" not in row["flags"]
