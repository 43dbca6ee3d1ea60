"""The example energies files and candidates CSV (examples/energies) against the quick-look
results they were written from, each other, and a hand calculation."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

import chefe
from chefe import ThermoPolicy, analyse, load_energies, load_network
from chefe.candidates import load_candidates_csv

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "examples" / "energies"
FIG7A = ROOT / "examples" / "ml_quicklook" / "fig7a_cu_sacs"
FIG12C = ROOT / "examples" / "ml_quicklook" / "fig12c_gcn_screen"
POLICY = ThermoPolicy(low_frequency="raise", cutoff_cm=100.0, imaginary="drop")


def _ul(es) -> dict[str, float]:
    res = analyse(es.network, es.dG0, es.conditions, names=es.names)
    return dict(zip(es.names, (float(u) for u in res.U_L)))


@pytest.fixture(scope="module")
def published() -> dict[str, float]:
    """U_L of the Fig. 7a quick look as its example wrote them (fed.csv)."""
    with (FIG7A / "fed.csv").open() as fh:
        return {r["catalyst"]: float(r["U_L"]) for r in csv.DictReader(fh)}


@pytest.mark.parametrize("kind", ["total", "adsorption", "step"])
def test_each_energies_file_gives_the_quick_look_limiting_potentials(kind, published):
    es = load_energies(HERE / f"cu_sacs_{kind}.yaml")
    ul = _ul(es)
    assert set(ul) == set(published)
    for cat, u in published.items():
        # the files keep energies to 1 μeV and frequencies to 0.01 cm-1
        assert ul[cat] == pytest.approx(u, abs=2e-5), (kind, cat)


def test_the_total_file_is_what_fed_db_reads():
    from_db = chefe.energies_from_db(str(FIG7A / "quicklook.db"), "no3rr_sac", policy=POLICY)
    es = load_energies(HERE / "cu_sacs_total.yaml")
    order = [from_db.names.index(n) for n in es.names]
    np.testing.assert_allclose(es.dG0, from_db.dG0[:, order], atol=2e-5)
    # the flags fed --db reports travel into the file
    assert [tuple(f) for f in es.flags] == [tuple(from_db.flags[k]) for k in order]


def _harmonic_g(freqs_cm, T=298.15, cutoff=100.0) -> float:
    """ZPE + ∫Cv dT − TS of a harmonic adsorbate, written out: imaginary modes dropped, modes
    below the cut-off raised to it (the quick look's policy); h·c and k_B from CODATA 2018."""
    hc = 1.239841984e-4  # eV·cm
    kB = 8.617333262e-5  # eV/K
    e = np.array([max(f, cutoff) for f in freqs_cm if f > 0]) * hc
    x = e / (kB * T)
    zpe = e.sum() / 2
    u_th = (e / np.expm1(x)).sum()
    s = kB * (x / np.expm1(x) - np.log1p(-np.exp(-x))).sum()
    return zpe + u_th - T * s


def test_one_step_by_hand():
    """ΔG(*NO2 -> *NO2H) on Cu-N3 (tube) minus the same on Cu-N3 (plane): the references
    cancel, so the difference is four total energies and four harmonic corrections."""
    data = yaml.safe_load((HERE / "cu_sacs_total.yaml").read_text(encoding="utf-8"))

    def g(cat, sp):
        c = data["catalysts"][cat]
        return c["energies"][sp] + _harmonic_g(c["thermo"][sp]["frequencies"])

    by_hand = (g("CuN3-tube", "*NO2H") - g("CuN3-tube", "*NO2")) - (g("CuN3-plane", "*NO2H") - g("CuN3-plane", "*NO2"))
    es = load_energies(HERE / "cu_sacs_step.yaml")
    i = es.network.step_ids.index("NO2_NO2H")
    chefe_diff = es.dG0[i, es.names.index("CuN3-tube")] - es.dG0[i, es.names.index("CuN3-plane")]
    assert chefe_diff == pytest.approx(by_hand, abs=1e-4)


def test_the_candidates_csv_ranks_as_the_fig12c_example():
    net = load_network("no3rr_sac")
    spec = load_candidates_csv(HERE / "gcn_pairs.csv", net)
    res = analyse(net, spec["dG0"], names=spec["names"])
    with (FIG12C / "ranking.csv").open() as fh:
        ranking = {r["pair"]: float(r["U_L_V"]) for r in csv.DictReader(fh)}
    ul = {n.split("@")[0]: float(u) for n, u in zip(spec["names"], res.U_L)}
    assert set(ul) <= set(ranking) and len(ul) >= 10
    for pair, u in ul.items():
        assert u == pytest.approx(ranking[pair], abs=6e-4), pair


def test_gas_geometries_are_read_beside_the_file(tmp_path, monkeypatch):
    """atoms: gas/H2O.xyz is the file next to the energies file, from any working folder."""
    monkeypatch.chdir(tmp_path)
    es = load_energies(HERE / "cu_sacs_total.yaml")
    assert es.ledger.has("H2O(l)")
    bad = yaml.safe_load((HERE / "cu_sacs_total.yaml").read_text(encoding="utf-8"))
    bad["references"]["species"]["H2O(l)"]["thermo"]["atoms"] = "gas/H2O_missing.xyz"
    import shutil

    shutil.copytree(HERE / "gas", tmp_path / "gas")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(chefe.InputError, match="no file .*H2O_missing.xyz"):
        load_energies(tmp_path / "bad.yaml")
