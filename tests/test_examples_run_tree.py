"""The run-tree example (examples/run_tree: GPAW runs of H on Cu(111)) through collect -> fed --db
-> export, against numbers read off the output files by hand and a hand-written statistical
mechanics of *H (harmonic) and H2 (ideal gas, rigid rotor)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.db import connect
from ase.data import atomic_masses
from ase.units import _amu, _c, _hplanck, _k, kB

from chefe.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "examples" / "run_tree" / "runs"
T = 298.15

# the last 'Extrapolated:' line of each relax.txt, as printed
E_SLAB, E_H, E_H2 = -37.485669, -41.103109, -6.663923
# the last forces table of runs/Cu111/H/relax.txt (eV/A); rows 0-7 are the fixed bottom layers
FREE_FORCES = [(-0.02887, -0.01667, -0.02872), (0.02144, -0.01512, -0.03243),
               (-0.00238, 0.02613, -0.03243), (-0.00229, -0.00132, -0.01015), (-0.00311, -0.00179, -0.01997)]


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    work = tmp_path_factory.mktemp("run_tree")
    shutil.copytree(TREE, work / "runs")
    db = work / "results.db"
    assert main(["collect", str(work / "runs"), "--db", str(db), "--quiet"]) == 0
    assert main(["fed", "--db", str(db), "--network", "her", "--csv", str(work / "her.csv"),
                 "-o", str(work / "her.png")]) == 0
    assert main(["export", "--db", str(db), "--catmap", str(work / "energies.txt"), "--references", "H2"]) == 0
    return work


def _hnu(cm: float) -> float:
    """h·c·ν̃ in eV."""
    return _hplanck * _c * 100.0 * cm / (_k / kB)


def _harmonic(cms) -> tuple[float, float, float]:
    """ZPE, ∫Cv dT and T·S (eV) of independent harmonic oscillators at T."""
    zpe = cv = ts = 0.0
    for cm in cms:
        e = _hnu(cm)
        x = e / (kB * T)
        zpe += e / 2
        cv += e / np.expm1(x)
        ts += kB * T * (x / np.expm1(x) - np.log(1 - np.exp(-x)))
    return zpe, cv, ts


def _h2_gas(stretch_cm: float, bond: float) -> float:
    """ZPE + ∫Cp dT − T·S (eV) of H2 at 1 bar: Sackur–Tetrode, a rigid rotor (σ = 2, singlet),
    one harmonic stretch."""
    m_h = atomic_masses[1] * _amu
    m = 2 * m_h
    p = 1e5
    kt_j = _k * T
    s_trans = _k * (np.log((2 * np.pi * m * kt_j / _hplanck**2) ** 1.5 * kt_j / p) + 2.5)
    inertia = 2 * m_h * (bond * 1e-10 / 2) ** 2
    s_rot = _k * (np.log(8 * np.pi**2 * inertia * kt_j / (2 * _hplanck**2)) + 1)
    zpe, cv, ts_vib = _harmonic([stretch_cm])
    ts = T * (s_trans + s_rot) / _k * kB + ts_vib
    return zpe + 3.5 * kB * T + cv - ts


def test_collect_stores_every_run_exactly_and_flags_nothing(done):
    rows = {(r.catalyst, r.species, r.role): r for r in connect(done / "results.db").select()}
    assert set(rows) == {("Cu111", "*", "slab"), ("Cu111", "*H", "adsorbate"), ("Cu111", "*H", "vibrations"),
                         ("", "H2", "gas"), ("", "H2", "vibrations")}
    assert rows["Cu111", "*", "slab"].e_dft == E_SLAB
    assert rows["Cu111", "*H", "adsorbate"].e_dft == E_H
    assert rows["", "H2", "gas"].e_dft == E_H2
    assert all(r.ok and not r.flags for r in rows.values())  # H2's slightly imaginary rotations are not flagged
    # the largest force on the free atoms, not the residual force on the fixed layers (0.27 eV/A)
    hand = max(np.linalg.norm(f) for f in FREE_FORCES)
    assert rows["Cu111", "*H", "adsorbate"].max_force == pytest.approx(hand, abs=1e-6)
    assert rows["Cu111", "*H", "adsorbate"].max_force < 0.05


def test_limiting_potential_is_the_hand_calculation(done):
    from ase.io import read

    rows = {(r.catalyst, r.species, r.role): r for r in connect(done / "results.db").select()}
    h_modes = sorted(rows["Cu111", "*H", "vibrations"].data["frequencies"])
    h2_modes = rows["", "H2", "vibrations"].data["frequencies"]
    stretch = max(h2_modes)
    h2 = read(TREE / "gas" / "H2" / "vib" / "POSCAR")
    bond = h2.get_distance(0, 1, mic=True)
    zpe, cv, ts = _harmonic(h_modes)
    dg_h = (E_H - E_SLAB - 0.5 * E_H2) + zpe + cv - ts - 0.5 * _h2_gas(stretch, bond)
    with (done / "her.csv").open() as fh:
        (row,) = list(csv.DictReader(fh))
    # HER: Volmer ΔG = ΔG_H, Heyrovsky ΔG = −ΔG_H; here ΔG_H < 0, so Heyrovsky limits at U_L = ΔG_H
    assert dg_h < 0
    assert float(row["U_L"]) == pytest.approx(dg_h, abs=1e-4)
    assert row["PDS_id"] == "Heyrovsky"
    assert row["flags"] == ""
    # the tutorial's numbers
    page = (ROOT / "docs" / "_src" / "runs_to_diagram.md").read_text(encoding="utf-8")
    assert f"ΔG(*H) = {dg_h:.3f} eV".replace("-", "−") in page
    assert f"U_L = {dg_h:.3f} V".replace("-", "−") in page
    assert f"thermal\nterms add +{dg_h - (E_H - E_SLAB - 0.5 * E_H2):.3f} eV" in page


def test_catmap_export_formation_energy_is_the_hand_difference(done):
    lines = (done / "energies.txt").read_text().splitlines()
    (h_line,) = [ln for ln in lines if ln.split("\t")[:3] == ["Cu111", "site", "H"]]
    assert float(h_line.split("\t")[3]) == pytest.approx(E_H - E_SLAB - 0.5 * E_H2, abs=1e-6)
