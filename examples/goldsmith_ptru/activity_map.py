"""The Liu et al. (2019) NO3RR relations as a 2-D activity map, with the PtRu surfaces placed on it.

    python examples/goldsmith_ptru/activity_map.py docs/ptru_map.png

The map comes from the same coefficients as ptru_no3rr.yaml (read through chefe.load_energies,
which evaluates them for the surfaces; the model is linear, so a least-squares solve recovers
it exactly and the test suite checks that).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
from ase import units

import chefe
from chefe.activity import DescriptorModel, activity_map
from chefe.plotting.maps import map_plot_data, plot_map
from chefe.report import plain_label

HERE = Path(__file__).resolve().parent


def main(out: str = "out/ptru_map.png") -> None:
    import matplotlib

    matplotlib.use("Agg")
    es = chefe.load_energies(HERE / "ptru_no3rr.yaml")
    kj = units.kJ / units.mol
    rows = list(csv.DictReader(open(HERE / "volcano_marker_EO_EN.csv")))
    # descriptors in eV, positive = stronger binding (the model's do, dn divided by kJ/mol)
    D = np.array([[-float(r["EO"]) for r in rows], [-float(r["EN"]) for r in rows]])
    A = np.column_stack([D.T, np.ones(len(rows))])
    coef, *_ = np.linalg.lstsq(A, es.dG0.T, rcond=None)
    model = DescriptorModel(es.network, ("O binding −E$_O$ (eV)", "N binding −E$_N$ (eV)"),
                            coef[:2].T, coef[2], "Liu et al. 2019 relations")
    amap = activity_map(model, np.linspace(200 * kj, 700 * kj, 101), np.linspace(200 * kj, 700 * kj, 101),
                        conditions=chefe.Conditions(T=300))
    labels = [plain_label(r["label"]) for r in rows]
    data = map_plot_data(amap, (D[0], D[1], labels))
    plot_map(data, filename=out)
    best = data["best"]
    where = best["where"]
    edge = " (a corner of the range: the optimum lies beyond the data)" if best["corner"] else (
        " (on the edge of the range: the optimum lies beyond the data)" if best["edge"] else "")
    print(f"best U_L within the surfaces' range {best['U_L']:+.3f} V at -E_O = {where[0]:.2f} eV, "
          f"-E_N = {where[1]:.2f} eV{edge}; figure {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
