"""chefe collect: mapping, checks, storage, idempotent re-runs, bad files, DFT runs -> figure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ase import Atoms
from ase.db import connect

from chefe.collect import collect
from chefe.io.tree import classify, load_manifest


def _copy_run(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        shutil.copy(f, dst / f.name)


@pytest.fixture()
def tree(tmp_path, files_dir) -> Path:
    root = tmp_path / "runs"
    _copy_run(files_dir / "vasp" / "Fe2O2_relax", root / "FeO" / "slab")
    _copy_run(files_dir / "vasp" / "Fe16S32_unfinished", root / "FeO" / "NO3")
    (root / "gas" / "NH3" / "vib").mkdir(parents=True)
    shutil.copy(files_dir / "rsgrad_NH3_IBRION5_modes.txt", root / "gas" / "NH3" / "vib" / "OUTCAR")
    (root / "qe").mkdir(parents=True)
    shutil.copy(files_dir / "qe" / "pw_relax_success.out", root / "qe" / "pw.out")
    return root


def test_folder_convention():
    assert classify("CuN4/slab") == ("CuN4", "*", "slab")
    assert classify("SAC/CuN4/NO3") == ("SAC/CuN4", "*NO3", "adsorbate")
    assert classify("CuN4/HNO") == ("CuN4", "*NHO", "adsorbate")  # aliases fold
    assert classify("CuN4/NOH/vib") == ("CuN4", "*NOH", "vibrations")
    assert classify("gas/H2O") == ("", "H2O", "gas")
    assert classify("gas/NH3/freq") == ("", "NH3", "vibrations")
    assert classify("lonely") == ("", "", "unknown")


def test_manifest_yaml_and_csv(tmp_path):
    yaml_path = tmp_path / "m.yaml"
    yaml_path.write_text("runs:\n  - {pattern: 'calc/*/clean', catalyst: '{1}', species: '*', role: slab}\n"
                         "  - {pattern: 'calc/*/ads_*', catalyst: '{1}', species: '{2}', role: adsorbate}\n")
    rules = load_manifest(yaml_path)
    assert classify("calc/Pt111/clean", rules) == ("Pt111", "*", "slab")
    assert classify("calc/Pt111/ads_NOH", rules) == ("Pt111", "*NOH", "adsorbate")
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("pattern,catalyst,species,role\nmols/**,,{1},gas\n")
    assert classify("mols/NH3", load_manifest(csv_path)) == ("", "NH3", "gas")


def test_collect_stores_flags_and_provenance(tree, tmp_path):
    db_path = tmp_path / "r.db"
    report = collect(tree, str(db_path), workers=1, progress=False)
    assert report.found == 4 and report.written == 4
    db = connect(db_path)
    slab = db.get(catalyst="FeO", role="slab")
    assert slab.e_dft == pytest.approx(-28.21851457, abs=1e-9) and slab.ok
    assert slab.energy == pytest.approx(slab.e_dft)  # SinglePointCalculator: `ase db` shows it
    files = slab.data["files"]
    assert any(f["path"].endswith("OUTCAR.gz") and f["digest"].startswith("blake3:") for f in files)
    assert slab.data["settings"]["ENCUT"] == 520.0 and slab.data["chefe_version"]
    ads = db.get(catalyst="FeO", species="*NO3")
    flags = set(ads.flags.split(","))
    # the adsorbate run is a different, unfinished calculation: every mismatch is named
    assert {"unfinished", "positive_energy", "settings_mismatch:LDAU", "settings_mismatch:kpoints",
            "cell_mismatch", "composition_mismatch"} <= flags
    assert not ads.ok
    assert any("LDAU differs from the slab run" in p for p in report.problems)
    vib = db.get(role="vibrations")
    assert vib.data["frequencies"][0] == pytest.approx(3627.910256) and "imaginary_modes:1" in vib.flags
    assert any("not mapped" in p for p in report.problems)  # qe/pw.out has no catalyst/species


def test_rerun_is_idempotent_and_updates_changed_runs(tree, tmp_path):
    db_path = str(tmp_path / "r.db")
    collect(tree, db_path, workers=1, progress=False)
    again = collect(tree, db_path, workers=1, progress=False)
    assert again.skipped == 4 and again.written == 0 and again.updated == 0
    assert len(list(connect(db_path).select())) == 4
    outcar = tree / "FeO" / "slab" / "OUTCAR.gz"
    os.utime(outcar, ns=(outcar.stat().st_atime_ns, outcar.stat().st_mtime_ns + 10**9))  # touched
    third = collect(tree, db_path, workers=1, progress=False)
    assert third.updated == 1 and third.skipped == 3
    assert len(list(connect(db_path).select())) == 4


def test_rows_are_written_once_with_their_consistency_flags(tree, tmp_path, monkeypatch):
    """Slab runs are stored first, so each adsorbate row is written with its flags against its
    slab (no second write per row); a slab added later still updates the rows it concerns."""
    from ase.db.sqlite import SQLite3Database

    updates = []
    real_update = SQLite3Database.update
    def counted_update(self, id, *args, **kwargs):
        updates.append(id)
        return real_update(self, id, *args, **kwargs)

    monkeypatch.setattr(SQLite3Database, "update", counted_update)
    slab = tree / "FeO" / "slab"
    hidden = tmp_path / "slab_later"
    shutil.move(slab, hidden)  # first collect: the adsorbate has no slab yet
    db_path = str(tmp_path / "r.db")
    collect(tree, db_path, workers=1, progress=False)
    assert updates == []
    ads = connect(db_path).get(species="*NO3")
    assert ads.flags.split(",")[-1] == "no_slab"
    shutil.move(hidden, slab)
    collect(tree, db_path, workers=1, progress=False)
    assert updates == [ads.id]  # the old adsorbate row, now checked against the new slab
    flags = set(connect(db_path).get(id=ads.id).flags.split(","))
    assert "no_slab" not in flags and {"settings_mismatch:LDAU", "cell_mismatch"} <= flags
    updates.clear()
    fresh = str(tmp_path / "fresh.db")
    collect(tree, fresh, workers=1, progress=False)
    assert updates == []
    assert set(connect(fresh).get(species="*NO3").flags.split(",")) == flags


def test_sqlite_key_tables_indexed_by_row_id(tree, tmp_path):
    """Updating a row deletes its keys by id; without an index that is a full-table scan per row
    (quadratic collects). The indices are added to new and to existing ase.db files, and the
    query planner uses them for exactly ase.db's delete."""
    import sqlite3

    old = tmp_path / "old.db"
    connect(str(old)).write(Atoms("H"), catalyst="x")  # a plain ase.db, made without chefe
    for db_path in (tmp_path / "new.db", old):
        collect(tree, str(db_path), workers=1, progress=False)
        con = sqlite3.connect(db_path)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"chefe_keys_id", "chefe_text_key_values_id", "chefe_number_key_values_id",
                "chefe_species_id"} <= names
        plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN DELETE FROM keys WHERE id in (3)"))
        assert "chefe_keys_id" in plan
        con.close()


def test_killed_collect_leaves_consistent_db_and_rerun_completes(tree, tmp_path, monkeypatch):
    import chefe.collect as mod

    db_path = str(tmp_path / "r.db")
    calls = {"n": 0}
    real_write = mod._write

    def dying_write(database, batch, stored, report, slabs=None):
        calls["n"] += 1
        real_write(database, batch[:2], stored, report, slabs)  # first rows committed...
        raise KeyboardInterrupt  # ...then the job is killed

    monkeypatch.setattr(mod, "_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        collect(tree, db_path, workers=1, progress=False)
    assert len(list(connect(db_path).select())) == 2
    monkeypatch.setattr(mod, "_write", real_write)
    report = collect(tree, db_path, workers=1, progress=False)
    assert report.skipped == 2 and report.written == 2
    assert len(list(connect(db_path).select())) == 4


def test_bad_files_each_reported_and_sweep_goes_on(tree, tmp_path):
    (tree / "FeO" / "NOH").mkdir()
    (tree / "FeO" / "NOH" / "OUTCAR").write_bytes(b"")  # zero-byte
    (tree / "FeO" / "NHO").mkdir()
    (tree / "FeO" / "NHO" / "OUTCAR").write_bytes(os.urandom(4096))  # binary junk
    (tree / "FeO" / "N").mkdir()
    (tree / "FeO" / "N" / "vasprun.xml").write_text("<?xml version='1.0'?><modeling><generator>")  # corrupted
    (tree / "FeO" / "NH").mkdir()
    os.symlink(tmp_path / "gone", tree / "FeO" / "NH" / "OUTCAR")  # unreadable: a dangling link
    os.symlink(tree, tree / "FeO" / "loop")  # symlink loop
    db_path = str(tmp_path / "r.db")
    report = collect(tree, db_path, workers=1, progress=False)
    db = connect(db_path)
    flags = {row.species: row.flags for row in db.select(catalyst="FeO")}
    assert "empty" in flags["*NOH"]
    assert flags["*NHO"] and "no_energy" in flags["*NHO"]
    assert "truncated" in flags["*N"] or "unreadable" in flags["*N"]
    assert "no_energy" in flags["*NH"]
    assert any("NH/OUTCAR: broken symbolic link" in p for p in report.problems)
    assert any("loop: symbolic link to a folder, not followed" in p for p in report.problems)
    assert db.get(catalyst="FeO", role="slab").ok  # nothing already good is lost


def test_parallel_workers_give_the_same_rows(tree, tmp_path):
    serial = collect(tree, str(tmp_path / "a.db"), workers=1, progress=False)
    for i in range(6):  # enough runs to use the process pool
        _copy_run(tree / "FeO" / "slab", tree / f"X{i}" / "slab")
    parallel = collect(tree, str(tmp_path / "b.db"), workers=2, progress=False)
    assert parallel.written == serial.written + 6
    a = {r.run_path: r.get("e_dft") for r in connect(str(tmp_path / "a.db")).select()}
    b = {r.run_path: r.get("e_dft") for r in connect(str(tmp_path / "b.db")).select()}
    assert all(b[k] == v for k, v in a.items() if v is not None)


def test_dft_runs_to_figure_in_two_commands(tmp_path):
    """EMT runs written as ASE trajectories -> chefe collect -> chefe fed --db (HER)."""
    from ase.build import add_adsorbate, fcc111, molecule
    from ase.calculators.emt import EMT
    from ase.io import write

    from chefe.cli.main import main

    root = tmp_path / "runs"
    slab = fcc111("Pt", size=(2, 2, 3), vacuum=8.0)
    for name, atoms in {"Pt111/slab": slab.copy(), "Pt111/H": slab.copy(), "gas/H2": molecule("H2")}.items():
        if name == "Pt111/H":
            add_adsorbate(atoms, "H", 1.0, "fcc")
        if name.startswith("gas"):
            atoms.center(vacuum=6.0)
        atoms.calc = EMT()
        atoms.get_potential_energy()
        (root / name).mkdir(parents=True)
        write(root / name / "run.traj", atoms)
    db_path = str(tmp_path / "r.db")
    assert main(["collect", str(root), "--db", db_path, "--quiet", "--workers", "1"]) == 0
    out = tmp_path / "her.png"
    assert main(["fed", "--db", db_path, "--network", "her", "--adsorbate-thermo",
                 "adsorbates_pt111_kreitz", "-o", str(out), "--U", "0"]) == 0
    assert out.stat().st_size > 0
    # by hand: ΔG*H = E(slab+H) - E(slab) - ½E(H2) + G_corr(*H) - ½(ZPE + ∫Cp dT - TS)(H2); no H2
    # vibration run, so the H2 correction is the experimental ideal gas; by hand from tables:
    # ZPE = ½hc·4401 cm-1, H°(298)-H°(0) = 8.467 kJ/mol, S° = 130.680 J/mol/K (NIST-JANAF H-050)
    from ase import units

    g_h2 = 0.5 * 4401 * units.invcm + 8.467 * units.kJ / units.mol - 298.15 * 130.680 * units.J / units.mol
    db = connect(db_path)
    e_slab = db.get(role="slab").e_dft
    e_h = db.get(species="*H").e_dft
    e_h2 = db.get(role="gas").e_dft
    from chefe.dbinput import energies_from_db
    from chefe.thermo import table_correction

    es = energies_from_db(db_path, "her", adsorbate_table="adsorbates_pt111_kreitz")
    g_h = table_correction("*H", "adsorbates_pt111_kreitz").g
    expected = e_h + g_h - e_slab - 0.5 * (e_h2 + g_h2)
    assert es.dG0[es.network.index("Volmer"), 0] == pytest.approx(expected, abs=3e-3)


def test_import_pif_ase_database(shared_data, tmp_path):
    """The Kavalsky SAA data set (GPAW via an ASE JSON db, PIF data) imports with the published energies."""
    import csv

    src = shared_data / "datasets" / "kavalsky_NRR_SAA_closed_loop"
    from chefe.collect import collect_ase_db

    db_path = str(tmp_path / "saa.db")
    report = collect_ase_db(src / "dft_data.db", db_path, catalyst_key="saa_key", species_key="adsorbate")
    assert report.found == 69 and report.written == 69
    db = connect(db_path)
    table = list(csv.DictReader(open(src / "SAA_dGN_and_volcano_UL.csv")))
    clean_col = [c for c in table[0] if c.startswith("E_total_clean")][0]
    for row in table:
        key = row["saa_key(host-dopant)"]
        assert db.get(catalyst=key, role="slab").e_dft == pytest.approx(float(row[clean_col]), abs=1e-9)
        assert db.get(catalyst=key, species="*N").e_dft == pytest.approx(float(row["E_total_N_eV"]), abs=1e-9)
    again = collect_ase_db(src / "dft_data.db", db_path, catalyst_key="saa_key", species_key="adsorbate")
    assert again.skipped == 69 and again.written == 0


def test_ase_vibrations_cache_frequencies(tmp_path, monkeypatch):
    from ase.build import molecule
    from ase.calculators.emt import EMT
    from ase.vibrations import Vibrations

    from chefe.io.vibrations import ase_vibrations_frequencies

    monkeypatch.chdir(tmp_path)
    atoms = molecule("N2")
    atoms.calc = EMT()
    vib = Vibrations(atoms, name="n2vib")
    vib.run()
    ref = vib.get_frequencies()
    ours = ase_vibrations_frequencies(atoms, name="n2vib")
    assert max(ours) == pytest.approx(float(max(ref.real)), abs=1e-9)
    assert len(ours) == 6


def test_collect_into_postgresql_gives_the_sqlite_rows(tree, tmp_path):
    """Any ase.db URL works unchanged. Runs when CHEFE_POSTGRES_URL names a scratch database
    (e.g. postgresql://postgres@127.0.0.1:5433/chefe_test); its rows are deleted first."""
    url = os.environ.get("CHEFE_POSTGRES_URL")
    if not url:
        pytest.skip("set CHEFE_POSTGRES_URL to a scratch PostgreSQL database to run this test")
    pytest.importorskip("psycopg2")
    pytest.importorskip("ase_db_backends")  # ASE's PostgreSQL backend: pip install "chefe[postgres]"
    pg = connect(url)
    pg.delete([row.id for row in pg.select()])
    sqlite_path = str(tmp_path / "r.db")
    collect(tree, sqlite_path, workers=1, progress=False)
    report = collect(tree, url, workers=2, progress=False)
    assert report.written == 4

    def rows(db):
        return sorted((r.get("catalyst", ""), r.get("species", ""), r.role, r.get("e_dft"), r.get("flags", ""),
                       r.data["files"][0]["digest"]) for r in connect(db).select(include_data=True))

    assert rows(url) == rows(sqlite_path)
    again = collect(tree, url, workers=1, progress=False)
    assert again.skipped == 4 and again.written == 0


def test_collect_finds_a_gpaw_text_output(files_dir, tmp_path):
    root = tmp_path / "runs" / "gas" / "H2"
    root.mkdir(parents=True)
    shutil.copy(files_dir / "gpaw" / "h2_relax_gpaw26.txt", root / "h2.txt")
    report = collect(tmp_path / "runs", str(tmp_path / "r.db"), workers=1, progress=False)
    row = connect(tmp_path / "r.db").get(role="gas")
    assert report.found == 1 and row.species == "H2" and row.code == "gpaw"
    assert row.e_dft == pytest.approx(-6.496603, abs=1e-9) and row.ok


def test_stored_row_equals_ase_singlepoint_row(files_dir, tmp_path):
    """Rows written by collect hold what ASE's own path writes for Atoms with a
    SinglePointCalculator (chefe builds the row directly, which changes only the speed): every
    column of the systems table but the row's id, unique id and times."""
    import sqlite3

    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms

    from chefe.io.readers import read_run
    from chefe.io.record import RunRecord
    from chefe.io.store import row_payload
    from chefe.io.tree import RunKey

    record = read_run(files_dir / "vasp" / "Fe2O2_relax", "vasp")
    # and one with constraints, initial moments and tags, and one without an energy
    extra = record.atoms.copy()
    extra.set_constraint(FixAtoms(indices=[0]))
    extra.set_initial_magnetic_moments([1.0] * len(extra))
    extra.set_tags(range(len(extra)))
    records = [record, RunRecord("x", "vasp", "test", -5.0, atoms=extra, magmom=2.0),
               RunRecord("y", "vasp", "test", None, atoms=extra)]
    db_path = tmp_path / "rows.db"
    db = connect(db_path)
    pairs = []
    for rec in records:
        row, kvp, data = row_payload(rec, RunKey("FeO", "*", "slab"))
        plain = rec.atoms.copy()
        if rec.energy is not None:
            plain.calc = SinglePointCalculator(plain, energy=rec.energy, free_energy=rec.free_energy,
                                               magmom=rec.magmom)
        pairs.append((db.write(row, key_value_pairs=kvp, data=data), db.write(plain, key_value_pairs=kvp, data=data)))
    con = sqlite3.connect(db_path)
    names = [r[1] for r in con.execute("pragma table_info(systems)")]
    skip = {"id", "unique_id", "ctime", "mtime"}
    for ours_id, theirs_id in pairs:
        ours = dict(zip(names, con.execute("select * from systems where id = ?", (ours_id,)).fetchone()))
        theirs = dict(zip(names, con.execute("select * from systems where id = ?", (theirs_id,)).fetchone()))
        assert {k: v for k, v in ours.items() if k not in skip} == {k: v for k, v in theirs.items() if k not in skip}
    assert connect(db_path).get(id=pairs[0][0]).energy == record.energy
    assert connect(db_path).get(id=pairs[1][0]).constraints[0].index.tolist() == [0]


def test_all_rows_reads_over_one_connection(tmp_path, monkeypatch):
    """ase.db's SQLite backend opens a connection per returned row outside a transaction."""
    from ase.db.sqlite import SQLite3Database

    from chefe.io.store import all_rows

    db = connect(tmp_path / "rows.db")
    with db:
        for k in range(30):
            db.write(Atoms("H", positions=[(0, 0, k)]), catalyst="ab"[k % 2], data={"k": k})
    opened = []
    real_connect = SQLite3Database._connect
    monkeypatch.setattr(SQLite3Database, "_connect",
                        lambda self: opened.append(1) or real_connect(self))
    rows = all_rows(db, catalyst="b")
    assert [r.data["k"] for r in rows] == list(range(1, 30, 2)) and len(opened) == 1


def test_report_of_rows_checked_when_written_equals_a_full_check(tree, tmp_path):
    from chefe.collect import CollectReport, check_consistency

    db_path = str(tmp_path / "r.db")
    report = collect(tree, db_path, workers=1, progress=False)
    full = CollectReport(str(tree), db_path)
    check_consistency(connect(db_path), full)
    assert report.flagged == full.flagged and len(full.flagged) == 2
    assert set(full.problems) <= set(report.problems)
    assert any("no slab run" in p or "differs from the slab run" in p for p in full.problems)


def test_pool_reads_in_order_with_a_bounded_read_ahead(tree):
    """Records come back in the order of the runs, whichever worker read them, and no more
    than 4 chunks per worker are read ahead of the consumer."""
    from concurrent.futures import ProcessPoolExecutor

    import chefe.collect as mod

    for i in range(10):
        _copy_run(tree / "FeO" / "slab", tree / f"X{i:02d}" / "slab")
    found, _ = mod.find_runs(tree)
    serial = [(f.path, r.energy, r.flags) for f, r in map(mod._read, found)]
    submitted = []

    class CountingPool(ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    with CountingPool(max_workers=2) as pool:
        reader = mod._read_in_pool(pool, found, workers=2, chunk=1)
        first = next(reader)
        assert len(submitted) == 8  # 4 chunks per worker, then the first result is handed out
        parallel = [first] + list(reader)
    assert [(f.path, r.energy, r.flags) for f, r in parallel] == serial
    assert len(submitted) == len(found) and set(submitted) == {1}


def test_collect_screen_summary_counts_flags_and_report_file_has_all(tree, tmp_path, capsys):
    """`chefe collect` ends with one row per flag (how many runs, one example); `--report FILE`
    holds every flagged run with all its flags."""
    from chefe.cli.main import main

    report_file = tmp_path / "collect_report.txt"
    assert main(["collect", str(tree), "--db", str(tmp_path / "r.db"), "--quiet", "--workers", "1",
                 "--report", str(report_file)]) == 0
    out = capsys.readouterr().out
    db = connect(tmp_path / "r.db")
    per_flag = {}
    for row in db.select():
        for f in filter(None, (row.get("flags") or "").split(",")):
            per_flag[f] = per_flag.get(f, 0) + 1
    assert per_flag
    lines = out.splitlines()
    for flag, n in per_flag.items():
        assert any(line.split()[:2] == [flag, str(n)] for line in lines), (flag, n, out)
    assert f"full list: {report_file}" in out
    full = report_file.read_text()
    ads = db.get(catalyst="FeO", species="*NO3")
    assert all(f in full for f in ads.flags.split(",")) and "FeO/NO3" in full


def test_collect_summary_cuts_long_problem_lists_and_keeps_the_stop_line_last():
    """Eight problems, two flagged runs, a note and a stop by SIGTERM: the screen shows the flag
    table, five problems and '... 3 more', the note, where the full list is, then the stop line;
    the full report has every problem and every run."""
    import signal

    from chefe.collect import CollectReport

    r = CollectReport(root="runs", db="r.db", found=10, written=10,
                      problems=[f"runs/p{k}: unreadable" for k in range(8)],
                      flagged={"runs/a": ["unfinished", "cell_mismatch"], "runs/b": ["unfinished"]},
                      notes=["a note"], stopped_by=int(signal.SIGTERM))
    s = r.summary("rep.txt")
    assert s[1] == "2 runs flagged:" and s[3].split() == ["unfinished", "2", "runs/a"]
    assert s[4].split() == ["cell_mismatch", "1", "runs/a"]
    assert "  runs/p4: unreadable" in s and "  runs/p5: unreadable" not in s and "  ... 3 more" in s
    assert "  a note" in s and s[-2] == "full list: rep.txt" and s[-1].startswith("stopped by SIGTERM")
    full = r.lines()
    assert all(f"  runs/p{k}: unreadable" in full for k in range(8)) and "  runs/a: unfinished, cell_mismatch" in full
