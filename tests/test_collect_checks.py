"""Checks between runs that mean what they say: lattice strain, LVDW, runs without a structure,
and every flag one queryable ase.db key."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
from ase import Atoms

from chefe.collect import collect
from chefe.io.consistency import CELL_STRAIN_TOLERANCE, check_pair, lattice_strain
from chefe.io.record import RunRecord
from chefe.io.settings import vasp_settings


def test_lattice_strain_by_hand():
    a = np.diag([10.0, 10.0, 20.0])
    # a 0.2 % stretch of one axis: E = (1.002² - 1)/2 = 0.002002
    assert lattice_strain(a, np.diag([10.02, 10.0, 20.0])) == pytest.approx(0.002002, abs=1e-9)
    # a rigid rotation is no strain
    c, s = np.cos(0.3), np.sin(0.3)
    rotation = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    assert lattice_strain(a, a @ rotation.T) == pytest.approx(0.0, abs=1e-12)
    # shear of 0.01: principal strain from E = [[0, .005, 0], [.005, 5e-5, 0], [0, 0, 0]]
    sheared = a.copy()
    sheared[1, 0] = 0.1
    eig = np.linalg.eigvalsh(np.array([[0, 0.005, 0], [0.005, 0.5 * 0.01**2, 0], [0, 0, 0]]))
    assert lattice_strain(a, sheared) == pytest.approx(np.abs(eig).max(), rel=1e-9)


def _run(path, cell, symbols="Cu4", settings=None):
    atoms = Atoms(symbols, positions=np.random.default_rng(0).random((len(Atoms(symbols)), 3)), cell=cell, pbc=True)
    return RunRecord(path, "vasp", "test", -10.0, atoms=atoms, settings=settings or {})


def test_cell_relaxed_with_the_adsorbate_is_compared_by_strain():
    slab = _run("slab", np.diag([10.0, 10.0, 20.0]))
    values = {}
    # ISIF = 4: the adsorbate run's cell moved by 0.2 %: not a mismatch, the strain is stored
    flags, messages = check_pair(slab, _run("ads", np.diag([10.02, 10.0, 20.0]), "Cu4O"), "*O", values)
    assert "cell_mismatch" not in flags and values["lattice_strain"] == pytest.approx(0.002002, abs=1e-6)
    flags, messages = check_pair(slab, _run("ads", np.diag([10.1, 10.0, 20.0]), "Cu4O"), "*O", values)
    assert "cell_mismatch" in flags and values["lattice_strain"] > CELL_STRAIN_TOLERANCE
    # (1.01² - 1)/2 = 0.01005
    assert any("lattice strain 1.01 % > 0.5 %" in m for m in messages), messages


def test_lvdw_is_ivdw_1():
    old = vasp_settings({"LVDW": ".TRUE."}, {}, [], {})
    new = vasp_settings({"IVDW": "1"}, {}, [], {})
    assert old["IVDW"] == new["IVDW"] == 1
    assert vasp_settings({}, {}, [], {})["IVDW"] == 0
    slab = _run("slab", np.diag([10.0, 10.0, 20.0]), settings=new)
    flags, _ = check_pair(slab, _run("ads", np.diag([10.0, 10.0, 20.0]), "Cu4O", settings=old), "*O")
    assert not [f for f in flags if "IVDW" in f]


@pytest.fixture()
def release(tmp_path, files_dir):
    """Two runs of a data release: a slab from OUTCAR and an adsorbate from OSZICAR without CONTCAR."""
    root = tmp_path / "runs"
    src = files_dir / "vasp" / "Fe2O2_relax"
    (root / "FeO" / "slab").mkdir(parents=True)
    for name in ("OUTCAR.gz", "INCAR", "KPOINTS"):
        shutil.copy(src / name, root / "FeO" / "slab" / name)
    (root / "FeO" / "O").mkdir(parents=True)
    for name in ("OSZICAR", "INCAR", "KPOINTS"):
        shutil.copy(src / name, root / "FeO" / "O" / name)
    shutil.copytree(files_dir / "vasp" / "Fe16S32_unfinished", root / "FeO" / "NO3")
    return root


def test_an_energy_without_structure_is_kept_and_flagged(release, tmp_path):
    db = tmp_path / "r.db"
    report = collect(release, str(db), workers=1, progress=False)
    from ase.db import connect

    row = connect(str(db)).get(species="*O")
    assert row.e_dft == pytest.approx(-28.218515) and "no_structure" in row.flags.split(",")
    assert any("cell and composition not checked" in p and "no structure in" in p for p in report.problems)


def test_every_flag_is_a_queryable_key(release, tmp_path):
    db = tmp_path / "r.db"
    collect(release, str(db), workers=1, progress=False)
    out = subprocess.run([sys.executable, "-m", "ase", "db", str(db), "flag_unfinished=True", "-c", "species,flags"],
                         capture_output=True, text=True, check=True).stdout
    assert "*NO3" in out and "*O|" not in out.replace(" ", "")
    from ase.db import connect

    rows = list(connect(str(db)).select("flag_no_structure=True"))
    assert [r.species for r in rows] == ["*O"]
    for row in connect(str(db)).select():
        flags = [f for f in row.flags.split(",") if f]
        assert {k for k in row.key_value_pairs if k.startswith("flag_")} >= {"flag_" + f.split(":")[0] for f in flags}


def test_run_kind_ediff_and_skipped_checks_are_reported():
    cell = np.diag([10.0, 10.0, 20.0])
    base = {"functional": "GGA=PE", "ENCUT": 450.0, "EDIFF": 1e-5, "ISMEAR": 0.0, "SIGMA": 0.05}
    dos_slab = _run("slab", cell, settings={**base, "run": "single point", "ISMEAR": -5.0, "kpoints": "g4x4x1"})
    ads = _run("ads", cell, "Cu4O", settings={**base, "run": "relaxation", "EDIFF": 1e-3})
    flags, messages = check_pair(dos_slab, ads, "*O")
    assert "settings_mismatch:run" in flags and "loose_ediff" in flags and "settings_mismatch:ISMEAR" in flags
    assert any("a DOS run with tetrahedron smearing" in m for m in messages)
    assert any("EDIFF = 0.001 eV in ads" in m for m in messages)
    assert any("(known in only one of them): kpoints" in m for m in messages), messages


def test_every_kpoints_mode_is_compared(tmp_path):
    from chefe.io.vasp import read_kpoints

    def kp(text, header=None):
        (tmp_path / "KPOINTS").write_text(text)
        return vasp_settings({}, header or {}, [], read_kpoints(tmp_path / "KPOINTS"))["kpoints"]

    assert kp("auto\n0\nGamma\n4 4 1\n0 0 0\n") == "g4x4x1"
    assert kp("auto\n0\nMonkhorst-Pack\n4 4 1\n") == "m4x4x1"
    # fully automatic: the mesh VASP generated (from the OUTCAR) or the length itself
    assert kp("auto\n0\nAuto\n20\n", {"kmesh": [5, 5, 1]}) == "g5x5x1"
    assert kp("auto\n0\nAuto\n20\n") == "auto L=20.0"
    assert kp("explicit\n2\nReciprocal\n0 0 0 1\n0.5 0 0 1\n") == "2 explicit k-points"


def test_potcar_titles_from_a_list_beside_the_run(tmp_path):
    from chefe.io.vasp import potcar_titles

    (tmp_path / "POTCAR.titles").write_text("# PAW sets\nTITEL = PAW_PBE Fe 06Sep2000\nPAW_PBE O 08Apr2002\n")
    assert potcar_titles(tmp_path) == ["PAW_PBE Fe 06Sep2000", "PAW_PBE O 08Apr2002"]


def test_flagged_catalysts_are_marked_or_left_out(tmp_path):
    """Flags written in an energies file reach the table rows, the legend (†) and the notes;
    --exclude-flagged leaves that catalyst out and names it."""
    from chefe.inputs import load_energies
    from chefe.report import FLAG_MARK, fed_report

    steps = {"NO3_ads": -0.3, "NO3_NO3H": 0.2, "NO3H_NO2": -0.5, "NO2_NO2H": 0.3, "NO2H_NO": -0.6,
             "NO_NOH": 0.4, "NOH_N": -0.2, "N_NH": -0.5, "NH_NH2": -0.3, "NH2_NH3": -0.4, "NH3_des": 0.3}
    import yaml

    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump({"network": "no3rr_sac", "kind": "step", "catalysts": {
        "A": {"energies": steps}, "B": {"energies": steps, "flags": ["*NO:unfinished"]}}}))
    report = fed_report(load_energies(path))
    rows = {r["label"]: r for r in report.rows()}
    assert rows["B"]["flags"] == "*NO:unfinished" and rows["A"]["flags"] == ""
    legends = [s.legend for s in report.plot.panels[0].series]
    assert any(FLAG_MARK in text for text in legends if text.startswith("B")), legends
    assert f"{FLAG_MARK} B: flagged runs: *NO:unfinished" in report.plot.notes
    kept = fed_report(load_energies(path), exclude_flagged=True)
    assert [r["label"] for r in kept.rows()] == ["A"]
    assert any("B: left out (--exclude-flagged): *NO:unfinished" in n for n in kept.energies.notes)


def test_writer_key_check_still_refuses_what_ase_refuses(tmp_path):
    from ase import Atoms
    from ase.db import connect

    from chefe.io.store import validated_once

    db = connect(str(tmp_path / "k.db"))
    with validated_once():
        db.write(Atoms("H"), catalyst="Cu111", species="*H")
        db.write(Atoms("H"), catalyst="Cu111", species="*H")  # seen: not checked again
        # a text that reads as a number is refused by ASE, for a known key too, every time
        for _ in range(2):
            with pytest.raises(ValueError, match="can be interpreted as int"):
                db.write(Atoms("H"), catalyst="111", species="*H")
        with pytest.raises(ValueError, match="Bad key"):
            db.write(Atoms("H"), **{"bad key": 1})
        with pytest.raises(ValueError, match="Bad value"):
            db.write(Atoms("H"), catalyst=["a"])
    import ase.db.core

    assert ase.db.core.check.__module__ == "ase.db.core"  # ASE's own check restored
    assert db.count() == 2


def test_cluster_models_are_not_compared_by_cell():
    """A Pt4 cluster without a cell (pbc False): no lattice to compare, said; composition still checked."""
    from ase.cluster import Octahedron  # noqa: F401  (ASE's cluster tools: any non-periodic model)

    slab = RunRecord("slab", "vasp", "test", -10.0, atoms=Atoms("Pt4", positions=np.eye(4, 3) * 2.5))
    ads = RunRecord("ads", "vasp", "test", -15.0,
                    atoms=Atoms("Pt4O", positions=np.vstack([np.eye(4, 3) * 2.5, [[0, 0, 2.0]]])))
    flags, messages = check_pair(slab, ads, "*O")
    assert "cell_mismatch" not in flags and "composition_mismatch" not in flags
    assert any("not periodic in two directions" in m for m in messages)
    flags, _ = check_pair(slab, ads, "*OH")
    assert "composition_mismatch" in flags
