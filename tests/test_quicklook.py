"""ML quick look: a tiny quick look (a 12-atom Pt(111) slab, ORR's three intermediates, SevenNet-0,
one optimiser step) through the local pool, a Parsl local configuration and a Dask LocalCluster
gives identical rows; a re-run computes nothing; every row carries the model's name, version and
weights checksum; bad input gets a clear message.

Skipped without the ML extra (``pip install 'chefe[ml]'``); the executor cases also need
``chefe[cluster]``. Independent checks: the weights checksum is recomputed here with hashlib on
the file inside the installed package; the free energy of *H is written out by hand from the
stored rows (ΔG = E(*H) − E(*) − ½E(H2) + corrections at 0 V).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from chefe.errors import InputError

FILES = Path(__file__).parent / "files"
TINY = {"kind": "slab", "metal": "Pt", "facet": "111", "size": [2, 2, 3]}


def _rows(path):
    from ase.db import connect

    out = {}
    for row in connect(str(path)).select():
        e = row.get("e_dft")
        freq = row.data.get("frequencies")
        out[row.get("run_path")] = (row.get("role"), row.get("species"), row.get("flags"),
                                    None if e is None else round(e, 6), row.get("ml_sha256"),
                                    None if freq is None else tuple(round(f, 2) for f in freq))
    return out


def _run(tmp_path, name, executor=None, workers=1, network="orr", steps=1):
    from chefe.ml.quicklook import Settings, quicklook

    settings = Settings(steps=steps, max_starts=1, threads=1)
    return quicklook([TINY], network, db=str(tmp_path / f"{name}.db"), models=["7net-0"],
                     settings=settings, executor=executor, workers=workers)


def test_missing_extra_names_the_pip_command(monkeypatch):
    from chefe.ml import models

    models.calculator.cache_clear()
    monkeypatch.setitem(sys.modules, "sevenn", None)
    monkeypatch.setitem(sys.modules, "sevenn.calculator", None)
    with pytest.raises(InputError, match=r"pip install 'chefe\[ml\]'"):
        models.calculator("7net-0", "cpu")
    models.calculator.cache_clear()


def test_model_names_checked():
    from chefe.ml.models import model_record

    with pytest.raises(InputError, match="downloads its weights at first use.*sevenn:PATH.pth"):
        model_record("7net-omat")
    with pytest.raises(InputError, match="did you mean '7net-0'"):
        model_record("7net-O")


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    pytest.importorskip("sevenn")
    tmp = tmp_path_factory.mktemp("ql")
    return tmp, _run(tmp, "local", "local:1")


def test_tiny_quicklook_rows_and_records(local_run):
    from ase.db import connect

    from chefe.ml.models import MODELS, model_record

    tmp, result = local_run
    rows = list(connect(str(tmp / "local.db")).select())
    kept = {r.species: r for r in rows if r.role in ("slab", "adsorbate", "gas")}
    assert {"*", "*OOH", "*O", "*OH", "H2", "H2O"} <= set(kept)
    # the model on every row, and the weights checksum recomputed from the shipped file
    import importlib.util

    spec = importlib.util.find_spec("sevenn")
    weights = Path(spec.origin).parent / MODELS["7net-0"].weights
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    for r in rows:
        assert r.get("ml_model") == "7net-0"
        if r.role != "vibrations":
            assert r.get("ml_sha256") == sha and r.get("ml_version") and r.get("ml_licence").startswith("MIT")
    assert model_record("7net-0")["ml_sha256"] == sha
    # one optimiser step: a relaxation whose largest force is above fmax (0.05 eV/Å) says so
    for r in rows:
        if r.role in ("slab", "adsorbate", "gas"):
            assert bool(r.get("flag_unconverged")) == (r.max_force > 0.05), (r.species, r.max_force)
    # the quick look's title and notes say what made the numbers
    es = result.energies["7net-0"]
    assert es.title.startswith("ML quick look (7net-0)")
    assert any("sha256" in n and "MIT" in n for n in es.notes)
    assert any("finite differences" in n for n in es.notes) and any("imaginary=drop" in n for n in es.notes)
    assert result.computed == 6 and result.reused == 0 and not result.failed
    assert len(result.results["7net-0"].names) == 1


def test_rerun_computes_nothing(local_run):
    tmp, first = local_run
    again = _run(tmp, "local", "local:1")
    assert again.computed == 0 and again.reused == first.computed
    assert float(again.results["7net-0"].U_L[0]) == pytest.approx(float(first.results["7net-0"].U_L[0]), abs=1e-9)


def _harmonic_by_hand(freqs_cm, T=298.15):
    """ZPE + U_vib(T) − T·S_vib (eV) of harmonic modes, imaginary ones (stored negative) dropped
    and those below 100 cm⁻¹ raised to 100 cm⁻¹, written out from the partition function."""
    import math

    from ase.units import invcm, kB

    g = 0.0
    for nu in freqs_cm:
        if nu < 0:
            continue
        eps = max(nu, 100.0) * invcm
        x = eps / (kB * T)
        g += eps / 2 + eps / math.expm1(x) - T * kB * (x / math.expm1(x) - math.log(1 - math.exp(-x)))
    return g


def _h2_by_hand(atoms, freq_cm, T=298.15, p=1e5):
    """G − E of H2 as an ideal gas (linear rotor, σ = 2) at 1 bar from its ML geometry and stretch
    frequency: translation, rotation, vibration written out (Sackur-Tetrode, rigid rotor)."""
    import math

    from ase.units import _amu, _e, _hplanck, _k, invcm, kB

    m = atoms.get_masses().sum() * _amu
    d = atoms.get_distance(0, 1) * 1e-10
    inertia = atoms.get_masses()[0] * _amu * d ** 2 / 2
    s_trans = _k * (math.log((2 * math.pi * m * _k * T / _hplanck ** 2) ** 1.5 * _k * T / p) + 2.5)
    s_rot = _k * (math.log(8 * math.pi ** 2 * inertia * _k * T / (2 * _hplanck ** 2)) + 1)
    eps = freq_cm * invcm
    x = eps / (kB * T)
    s_vib = kB * (x / math.expm1(x) - math.log(1 - math.exp(-x)))
    h = eps / 2 + eps / math.expm1(x) + 3.5 * kB * T
    return h - T * ((s_trans + s_rot) / _e + s_vib)


def test_free_energy_by_hand(local_run):
    tmp, result = local_run
    _check_by_hand(tmp / "local.db", result, "7net-0")


def test_any_ase_calculator_without_the_ml_extra(tmp_path):
    """ASE's EMT through CustomModel: the same pipeline, rows and hand-checked ΔG, no torch."""
    from ase.calculators.emt import EMT

    import ase
    from chefe.ml import CustomModel, Settings, quicklook

    model = CustomModel("emt", EMT, package="ase", reference="ASE effective medium theory")
    result = quicklook([TINY], "orr", db=str(tmp_path / "emt.db"), models=[model],
                       settings=Settings(steps=3, max_starts=1), executor="local:1")
    rows = _rows(tmp_path / "emt.db")
    assert len([v for v in rows.values() if v[0] in ("slab", "adsorbate", "gas")]) == 6
    from ase.db import connect

    for row in connect(str(tmp_path / "emt.db")).select():
        assert row.ml_model == "emt" and row.ml_package == "ase" and row.ml_version == ase.__version__
    assert result.energies["emt"].title.startswith("ML quick look (emt)")
    _check_by_hand(tmp_path / "emt.db", result, "emt")
    again = quicklook([TINY], "orr", db=str(tmp_path / "emt.db"), models=[model],
                      settings=Settings(steps=3, max_starts=1), executor="local:1")
    assert again.computed == 0


def _check_by_hand(path, result, model):
    """ΔG(*O + H+ + e− -> *OH) at 0 V_RHE from the stored rows, written out: E differences plus
    harmonic corrections of *O and *OH minus ½G(H2), H2 an ideal gas at 1 bar."""
    from ase.db import connect

    db = connect(str(path))
    rows = {r.species: r for r in db.select() if r.role in ("slab", "adsorbate", "gas")}
    vib = {r.species: r.data["frequencies"] for r in db.select(role="vibrations")}
    h2 = rows["H2"]
    g_h2 = h2.e_dft + _h2_by_hand(h2.toatoms(), max(vib["H2"]))
    dG = (rows["*OH"].e_dft + _harmonic_by_hand(vib["*OH"])
          - rows["*O"].e_dft - _harmonic_by_hand(vib["*O"]) - 0.5 * g_h2)
    es = result.energies[model]
    step = [s.id for s in es.network.steps].index("O_OH")
    assert float(es.dG0[step, 0]) == pytest.approx(dG, abs=1e-3)


def test_failed_relaxation_reported_others_completed(tmp_path, monkeypatch):
    """A relaxation that raises is retried once, then reported per state; the rest are stored."""
    pytest.importorskip("sevenn")
    import importlib

    ql = importlib.import_module("chefe.ml.quicklook")  # the module (chefe.ml.quicklook is also the function's name)

    real = ql.relax_start

    def flaky(task):
        atoms = task[0]
        if atoms.info.get("adsorbate") == "*OH":
            raise RuntimeError("optimiser diverged")
        return real(task)

    monkeypatch.setattr(ql, "relax_start", flaky)
    import concurrent.futures as cf

    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        result = _run(tmp_path, "flaky", executor=pool)
    assert any("*OH" in line and "optimiser diverged" in line for line in result.failed)
    rows = _rows(tmp_path / "flaky.db")
    assert sum(1 for v in rows.values() if v[2] == "relaxation_failed") == 1
    assert sum(1 for v in rows.values() if v[0] in ("slab", "adsorbate", "gas")) == 5
    # the state without an energy is named, and the catalyst has no complete route
    assert result.energies["7net-0"].missing_species == (("*OH",),)
    assert np.isnan(result.results["7net-0"].U_L[0])
    # a re-run tries the failed start again, and only it
    monkeypatch.setattr(ql, "relax_start", real)
    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        again = _run(tmp_path, "flaky", executor=pool)
    assert again.computed == 1 and not again.failed


@pytest.mark.parametrize("spec", ["dask:local", f"parsl:{FILES / 'parsl' / 'local_threads.py'}"])
def test_executors_give_the_local_rows(spec, local_run, tmp_path, monkeypatch):
    pytest.importorskip("distributed" if spec.startswith("dask") else "parsl")
    tmp, _ = local_run
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    _run(tmp_path, "other", spec, workers=2)
    assert _rows(tmp_path / "other.db") == _rows(tmp / "local.db")
