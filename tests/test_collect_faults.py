"""Collect survives being killed, run several times at once, and paths spelled several ways.

Each test runs ``chefe collect`` as a separate process (as SLURM and users do) over a tree of
copies of a real VASP run and compares the database with one written by an uninterrupted
collect, row for row, with SQLite's own ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SPECIES = ["slab", "NO3", "NO2", "NO", "NOH", "N", "NH", "NH2", "NH3", "NO3H", "NO2H", "OH"]

# the CLI with a small batch, so that a kill lands between, inside and after many transactions
RUNNER = """
import sys
import chefe.collect
chefe.collect.BATCH = 8
from chefe.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory, files_dir):
    root = tmp_path_factory.mktemp("faults") / "runs"
    source = files_dir / "vasp" / "Fe2O2_relax"
    for c in range(6):
        for s in SPECIES:
            folder = root / f"Cat{c}" / s
            folder.mkdir(parents=True)
            for name in ("OUTCAR.gz", "INCAR", "KPOINTS"):
                shutil.copy(source / name, folder / name)
    return root


def start(tree, db, *extra, cwd=None):
    return subprocess.Popen([sys.executable, "-c", RUNNER, "collect", str(tree), "--db", str(db), "--quiet", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def collect(tree, db, *extra, cwd=None, timeout=120):
    process = start(tree, db, *extra, cwd=cwd)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def rows(db) -> list[tuple]:
    """Every row as the fields a user reads, sorted; with SQLite's integrity check."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    from ase.db import connect

    out = []
    for row in connect(db).select():
        out.append((row.run_path, row.catalyst, row.species, row.role, round(row.get("e_dft", 0.0), 8),
                    bool(row.ok), row.get("flags", ""), row.natoms))
    return sorted(out)


@pytest.fixture(scope="module")
def clean(tree, tmp_path_factory):
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    rc, out, err = collect(tree, db)
    assert rc == 0, err
    return rows(db)


@pytest.mark.parametrize("seed", range(20))
def test_a_killed_collect_is_finished_by_the_next_one(tree, clean, tmp_path, seed):
    """SIGKILL (even seeds) or SIGTERM (odd) at a seeded moment: reading, writing or the closing
    consistency pass; the unattended re-run completes the store row for row."""
    rng = random.Random(seed)
    sig = signal.SIGKILL if seed % 2 == 0 else signal.SIGTERM
    db = tmp_path / "results.db"
    process = start(tree, db, "--workers", "2")
    time.sleep(rng.uniform(0.3, 2.0))
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    if sig == signal.SIGTERM and process.returncode == 128 + signal.SIGTERM:
        assert "Traceback" not in err
        assert "stopped by SIGTERM" in out, out
    elif sig == signal.SIGTERM:  # before the collect began (Python still starting: killed) or after it ended
        assert process.returncode in (0, -signal.SIGTERM), (process.returncode, out[-2000:], err[-3000:])
    rc, out, err = collect(tree, db, "--wait", "30", timeout=90)
    assert rc == 0, err
    assert rows(db) == clean


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")
def test_workers_exit_when_their_collect_is_killed(tree, tmp_path):
    process = start(tree, tmp_path / "results.db", "--workers", "3", "--force")
    workers: list[int] = []
    deadline = time.time() + 20
    while not workers and time.time() < deadline and process.poll() is None:
        workers = _children(process.pid)
        time.sleep(0.02)
    if not workers:
        pytest.skip("the collect finished before its workers could be seen")
    process.kill()
    process.communicate(timeout=30)
    deadline = time.time() + 10
    alive = workers
    while alive and time.time() < deadline:
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        time.sleep(0.1)
    assert not alive, f"worker processes {alive} outlived their collect"


def test_four_collects_at_once_serialise(tree, clean, tmp_path):
    db = tmp_path / "results.db"
    processes = [start(tree, db, "--workers", "1") for _ in range(4)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], [r[1] for r in results]
    assert any("being written by another collect" in err for _, err in results)
    assert rows(db) == clean


def test_a_collect_held_too_long_gives_up_with_the_reason(tree, tmp_path):
    from chefe.io.writelock import WriterLock

    db = tmp_path / "results.db"
    with WriterLock(db, notify=lambda message: None):
        rc, out, err = collect(tree, db, "--wait", "1")
    assert rc == 2
    assert f"PID {os.getpid()}" in err and "postgresql://" in err and "Traceback" not in err
    assert not db.exists() or rows(db) == []


def test_a_stale_ase_lock_file_is_cleared_with_a_message(tree, clean, tmp_path):
    db = tmp_path / "results.db"
    lock = Path(str(db) + ".lock")
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    rc, out, err = collect(tree, db)
    assert rc == 0, err
    assert f"removed {lock}, a lock file left by a killed ase.db writer" in err
    assert not lock.exists()
    assert rows(db) == clean


def test_one_run_however_its_path_is_spelled(tree, clean, tmp_path):
    db = tmp_path / "results.db"
    parent = tree.parent
    for spelling, cwd in ((tree.name, parent), (str(tree), None), (f"../{parent.name}/{tree.name}", parent),
                          (f"./{tree.name}/../{tree.name}", parent)):
        rc, out, err = collect(spelling, db, "--force", cwd=cwd)
        assert rc == 0, err
    assert rows(db) == clean
    # nested roots: a catalyst folder collected on its own is the same runs again
    rc, out, err = collect(tree / "Cat0", db)
    assert rc == 0, err
    assert len(rows(db)) == len(clean)


def test_duplicate_rows_of_older_versions_are_repaired(tree, clean, tmp_path):
    from ase.db import connect

    db = tmp_path / "results.db"
    assert collect(tree, db)[0] == 0
    # what older versions stored: the same run under the path as spelled (relative, with ..)
    database = connect(str(db))
    extra = []
    for row in database.select(catalyst="Cat1"):
        spelled = os.path.relpath(row.run_path, tmp_path)
        extra.append(database.write(row.toatoms(), key_value_pairs={**row.key_value_pairs, "run_path": spelled},
                                    data=row.data))
    assert len(rows(db)) == len(clean) + len(extra)
    rc, out, err = collect(tree, db, cwd=tmp_path)
    assert rc == 0, err
    assert f"{len(extra)} duplicate rows" in out
    assert rows(db) == clean


def test_json_report_folder_is_checked_before_the_sweep(tree, tmp_path):
    db = tmp_path / "results.db"
    rc, out, err = collect(tree, db, "--json", str(tmp_path / "missing" / "report.json"))
    assert rc == 2 and "the folder" in err and "does not exist" in err
    assert not db.exists()
    rc, out, err = collect(tree, tmp_path / "nowhere" / "results.db")
    assert rc == 2 and "does not exist" in err and not (tmp_path / "nowhere").exists()
    rc, out, err = collect(tree, db, "--json", str(tmp_path / "report.json"))
    assert rc == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["written"] == len(SPECIES) * 6 and report["stopped_by_signal"] is None
