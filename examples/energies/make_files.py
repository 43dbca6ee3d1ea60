"""Write the example energies files and candidates CSV of this folder from chefe's ML quick looks.

    python examples/energies/make_files.py

Every number comes from a chefe computation stated in the file it lands in:

- ``cu_sacs_total.yaml`` (``kind: total``): the SevenNet-0 total energies and finite-difference
  frequencies of the Fig. 7a quick look (``examples/ml_quicklook/fig7a_cu_sacs/quicklook.db``):
  the clean sites, the kept start of every intermediate, and the five gas references with their
  relaxed geometries (``gas/*.xyz``);
- ``cu_sacs_adsorption.yaml`` (``kind: adsorption``): the same states as ΔG(*X) against
  μ_H = ½G(H2), μ_O = G(H2O) − G(H2), μ_N = G(NH3) − 3/2 G(H2), computed by chefe from the total file;
- ``cu_sacs_step.yaml`` (``kind: step``): ΔG of every step at 0 V_RHE, pH 0, computed by chefe
  from the total file;
- ``gcn_pairs.csv``: a candidates CSV for ``chefe screen``: ΔG of every step of ``no3rr_sac`` on
  the M1 site of the M1M2/g-C3N4 pairs computed so far by the Fig. 12c quick look
  (``examples/ml_quicklook/fig12c_gcn_screen/quicklook.db``).

The three energies files give the same limiting potentials as ``chefe fed --db`` on the quick-look
database (and as each other); the test suite checks it.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from ase.db import connect
from ase.io import write

import chefe
from chefe import ThermoPolicy, harmonic_correction

HERE = Path(__file__).resolve().parent
QUICKLOOK = HERE.parent / "ml_quicklook"
FIG7A = QUICKLOOK / "fig7a_cu_sacs" / "quicklook.db"
FIG12C = QUICKLOOK / "fig12c_gcn_screen" / "quicklook.db"
NETWORK = "no3rr_sac"
MODEL = "7net-0"
#: the quick look's thermo policy: modes below 100 cm-1 raised to 100, imaginary modes dropped
POLICY = {"low_frequency": "raise", "cutoff_cm": 100.0, "imaginary": "drop", "heat_capacity": True}
LABELS = {"CuN3-tube": "Cu–N$_3$ (tube)", "CuN3-plane": "Cu–N$_3$ (plane)", "CuN4-plane": "Cu–N$_4$ (plane)"}
#: gas rows of the quick look -> reservoir species of an energies file
GASES = {"H2": "H2(g)", "H2O": "H2O(l)", "NH3": "NH3(g)", "HNO3": "HNO3(g)", "NO": "NO(g)"}
HEADER = ("# {what}\n# Written by examples/energies/make_files.py from the ML quick look of the review's Fig. 7a\n"
          "# (SevenNet-0, sevenn {version}, weights sha256 {sha}): ML energies, not DFT. Regenerate with\n"
          "#     python examples/energies/make_files.py\n")


def _e(x) -> float:
    return round(float(x), 6)  # eV to 1 μeV: well below any difference chefe reports


def _freqs(values) -> list[float]:
    return [round(float(f), 2) for f in values]  # cm-1 to 0.01 (imaginary modes negative)


def _rows(db_path: Path):
    """(slab, adsorbate, vibration, gas) rows of one model, keyed as chefe collect keys them."""
    db = connect(str(db_path))
    slab, ads, vib, gas = {}, defaultdict(dict), {}, {}
    for row in db.select(ml_model=MODEL):
        role, cat, sp = row.get("role"), row.get("catalyst", ""), row.get("species", "")
        if role == "slab":
            slab[cat] = row
        elif role == "adsorbate":
            ads[cat][sp] = row
        elif role == "vibrations":
            vib[(cat, sp)] = row
        elif role == "gas":
            gas[sp] = row
    return slab, ads, vib, gas


def _model_info() -> dict:
    """Package version and weights checksum of the model, as the quick-look rows record them."""
    row = next(connect(str(FIG7A)).select(ml_model=MODEL, role="slab"))
    return {"version": row.ml_version, "sha": row.ml_sha256[:12]}


def _dump(path: Path, header: str, data: dict) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    path.write_text(header + text, encoding="utf-8")


def total_file(out: Path) -> dict:
    """The ``kind: total`` file: DFT-style totals and frequencies, exactly what fed --db reads."""
    slab, ads, vib, gas = _rows(FIG7A)
    from_db = chefe.energies_from_db(str(FIG7A), NETWORK, policy=ThermoPolicy(**POLICY))
    flags = dict(zip(from_db.names, from_db.flags))
    gas_dir = out.parent / "gas"
    gas_dir.mkdir(exist_ok=True)
    species = {}
    for mol, name in GASES.items():
        row = gas[mol]
        write(gas_dir / f"{mol}.xyz", row.toatoms(), format="extxyz")
        species[name] = {"energy": _e(row.e_dft),
                         "thermo": {"frequencies": _freqs(vib[("", mol)].data["frequencies"]),
                                    "atoms": f"gas/{mol}.xyz"},
                         "source": f"SevenNet-0 relaxation, quick-look run {row.run_path}"}
    catalysts = {}
    for cat in sorted(slab):
        energies = {"*": _e(slab[cat].e_dft)}
        thermo = {}
        for sp, row in sorted(ads[cat].items()):
            energies[sp] = _e(row.e_dft)
            thermo[sp] = {"frequencies": _freqs(vib[(cat, sp)].data["frequencies"])}
        entry = {"label": LABELS.get(cat, cat), "energies": energies, "thermo": thermo}
        if flags.get(cat):
            entry["flags"] = list(flags[cat])
        catalysts[cat] = entry
    data = {
        "network": NETWORK, "kind": "total",
        "title": "Cu single-atom sites, ML quick look (SevenNet-0)",
        "conditions": {"U": [0.0], "pH": 0, "T": 298.15, "scale": "RHE"},
        "thermo_policy": POLICY,
        "references": {"nitrate": "hno3_cycle", "formation_table": "crc", "species": species},
        "catalysts": catalysts,
    }
    _dump(out, HEADER.format(what="kind: total -- DFT-style total energies (eV) and frequencies (cm-1) per catalyst",
                             **_model_info()), data)
    return data


def _species_g(total: dict, out_dir: Path):
    """G of every adsorbate (eV) from the total file, through chefe's harmonic correction, and the
    ledger of its references."""
    es = chefe.load_energies(out_dir / "cu_sacs_total.yaml")
    policy = ThermoPolicy(**POLICY)
    g = {}
    for cat, entry in total["catalysts"].items():
        g[cat] = {"*": entry["energies"]["*"]}
        for sp, e in entry["energies"].items():
            if sp != "*":
                g[cat][sp] = e + harmonic_correction(entry["thermo"][sp]["frequencies"], 298.15, policy).g
    return g, es


def adsorption_file(total: dict, out: Path) -> None:
    """``kind: adsorption``: ΔG(*X) against the default basis, from the total file."""
    from chefe import parse_species

    g, es = _species_g(total, out.parent)
    led = es.ledger
    h2, h2o, nh3 = (led.free_energy(s) for s in ("H2(g)", "H2O(l)", "NH3(g)"))
    mu = {"H": 0.5 * h2, "O": h2o - h2, "N": nh3 - 1.5 * h2}
    catalysts = {}
    for cat, species in g.items():
        dg = {}
        for sp, gx in species.items():
            if sp == "*":
                continue
            counts = dict(parse_species(sp).composition)
            dg[sp] = _e(gx - species["*"] - sum(n * mu[el] for el, n in counts.items()))
        entry = {"label": total["catalysts"][cat]["label"], "energies": dg}
        if total["catalysts"][cat].get("flags"):
            entry["flags"] = total["catalysts"][cat]["flags"]
        catalysts[cat] = entry
    data = {"network": NETWORK, "kind": "adsorption", "title": total["title"],
            "conditions": total["conditions"],
            "basis": {"H": "H2(g)", "O": "H2O(l)", "N": "NH3(g)"},
            "references": total["references"], "catalysts": catalysts}
    _dump(out, HEADER.format(what="kind: adsorption -- ΔG(*X) (eV) against ½G(H2), G(H2O)-G(H2), G(NH3)-3/2G(H2); "
                             "from cu_sacs_total.yaml", **_model_info()), data)


def step_file(total: dict, out: Path) -> None:
    """``kind: step``: ΔG of every step at 0 V_RHE and pH 0, from the total file."""
    es = chefe.load_energies(out.parent / "cu_sacs_total.yaml")
    ids = es.network.step_ids
    catalysts = {}
    for k, cat in enumerate(es.names):
        entry = {"label": es.labels[k],
                 "energies": {sid: _e(es.dG0[i, k]) for i, sid in enumerate(ids) if np.isfinite(es.dG0[i, k])}}
        if es.flags and es.flags[k]:
            entry["flags"] = list(es.flags[k])
        catalysts[cat] = entry
    data = {"network": NETWORK, "kind": "step", "title": total["title"], "reference_pH": 0,
            "conditions": total["conditions"], "catalysts": catalysts}
    _dump(out, HEADER.format(what="kind: step -- ΔG (eV) of every step at 0 V vs RHE and pH 0; from cu_sacs_total.yaml",
                             **_model_info()), data)


def candidates_csv(out: Path) -> int:
    """Step ΔG at 0 V_RHE, pH 0 of every complete M1M2/g-C3N4 pair of the Fig. 12c quick look."""
    es = chefe.energies_from_db(str(FIG12C), NETWORK, policy=ThermoPolicy(**POLICY))
    ids = es.network.step_ids
    complete = [k for k in range(len(es.names)) if not es.missing_species[k]]
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "class", *ids, "flags"])
        for k in complete:
            w.writerow([es.names[k], "DAC", *(f"{es.dG0[i, k]:.6f}" for i in range(len(ids))),
                        " ".join(es.flags[k]) if es.flags else ""])
    return len(complete)


def main() -> int:
    total = total_file(HERE / "cu_sacs_total.yaml")
    adsorption_file(total, HERE / "cu_sacs_adsorption.yaml")
    step_file(total, HERE / "cu_sacs_step.yaml")
    n = candidates_csv(HERE / "gcn_pairs.csv")
    print(f"wrote cu_sacs_total.yaml, cu_sacs_adsorption.yaml, cu_sacs_step.yaml and gcn_pairs.csv ({n} pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
