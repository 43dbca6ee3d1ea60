"""The 36 M1M2/g-C3N4 pairs (M = Ti ... Cu) as an M1 x M2 heatmap of U_L: an ML quick look.

    python examples/ml_quicklook/fig12c_gcn_screen/run.py [--workers 2] [--model 7net-0] [--pairs N]

Every relaxed start goes into quicklook.db as it finishes, so the screen can be computed over
several sittings: each run computes only the pairs and states still missing (``--pairs N`` stops
after the first N pairs of the order below; TiFe, the published best pair, comes first). The
heatmap shows the pairs computed so far; the others are blank and counted in the title.

Published reference: TiFe/g-C3N4 is the best pair of the 36, U_L = -0.21 V (Lv et al., J. Mater.
Chem. A 2024, doi:10.1039/d3ta07167g), through a dissociation-association path on the two metals.
This quick look uses the single-site associative network no3rr_sac on the M1 metal of each pair
(15 states; the dual-site network has 88 states per pair) with one start per state, to fit a
2-core machine; thermal corrections from ML frequencies, as in the other quick looks.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PUBLISHED = ("Ti", "Fe", -0.21, "Lv et al., J. Mater. Chem. A 2024")


def pairs(metals):
    """The 36 pairs, M1 before M2 in the order Ti ... Cu; the published best pair first."""
    out = list(itertools.combinations_with_replacement(metals, 2))
    best = (PUBLISHED[0], PUBLISHED[1])
    return [best] + [p for p in out if p != best]


def main(argv=None) -> int:
    from chefe.build.gcn import SCREEN_METALS
    from chefe.ml.quicklook import Settings, quicklook

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--model", default="7net-0")
    p.add_argument("--pairs", type=int, default=36, help="compute at most the first N pairs (default all 36)")
    p.add_argument("--steps", type=int, default=200)
    args = p.parse_args(argv)

    order = pairs(SCREEN_METALS)
    todo = order[: args.pairs]
    entries = [{"kind": "gcn_dac", "metals": list(pair)} for pair in todo]
    t0 = time.perf_counter()
    settings = Settings(steps=args.steps, max_starts=1)
    result = quicklook(entries, "no3rr_sac", db=str(HERE / "quicklook.db"), models=[args.model],
                       settings=settings, workers=args.workers, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - t0
    res = result.results[args.model]
    es = result.energies[args.model]
    ul = {}
    for name, u in zip(res.names, res.U_L):
        m1m2 = name.split("@")[0]
        for a, b in itertools.product(SCREEN_METALS, repeat=2):
            if m1m2 == a + b:
                ul[(a, b)] = float(u)
    # a pair is listed as M1 <= M2 in the Ti ... Cu order whichever way the builder names it
    grid = np.full((len(SCREEN_METALS), len(SCREEN_METALS)), np.nan)
    idx = {m: k for k, m in enumerate(SCREEN_METALS)}
    for (a, b), u in ul.items():
        i, j = sorted((idx[a], idx[b]))
        grid[i, j] = u
    done = int(np.isfinite(grid).sum())
    ranked = sorted(((u, f"{SCREEN_METALS[i]}{SCREEN_METALS[j]}") for (i, j), u in np.ndenumerate(grid)
                     if np.isfinite(u)), reverse=True)
    with open(HERE / "ranking.csv", "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["rank", "pair", "U_L_V", "model"])
        for k, (u, name) in enumerate(ranked, 1):
            w.writerow([k, name, f"{u:.3f}", args.model])
    best = PUBLISHED[0] + PUBLISHED[1]
    place = next((k for k, (_, n) in enumerate(ranked, 1) if n == best), None)
    lines = [f"ML quick look ({args.model}), no3rr_sac on M1, {done} of 36 pairs computed, "
             f"{result.computed} relaxations this run ({seconds:.0f} s, {args.workers} worker{'s' if args.workers != 1 else ''})"]
    if ranked:
        lines.append("best by chefe: " + ", ".join(f"{n} {u:+.2f} V" for u, n in ranked[:5]))
    if place is not None:
        u_best = dict((n, u) for u, n in ranked)[best]
        so_far = "" if done == 36 else f" of the {done} pairs computed so far"
        verdict = (f"agrees: TiFe is chefe's best pair{so_far} too" if place == 1 else
                   f"disagrees: TiFe ranks {place}{so_far or f' of {len(ranked)}'}")
        lines.append(f"published best {best} U_L = {PUBLISHED[2]:+.2f} V ({PUBLISHED[3]}); chefe: "
                     f"{u_best:+.2f} V, {verdict}")
    # compute time per pair from the rows themselves (relaxation + finite differences, summed)
    from ase.db import connect

    per_pair = {}
    for row in connect(str(HERE / "quicklook.db")).select():
        cat = row.get("catalyst") or ""
        if cat and row.get("relax_seconds") is not None:
            per_pair[cat] = per_pair.get(cat, 0.0) + row.get("relax_seconds") + (row.get("vib_seconds") or 0.0)
    if per_pair:
        lines.append(f"compute time per pair: {np.mean(list(per_pair.values())) / 60:.0f} core-minutes "
                     "(relaxations + finite differences, summed from the rows' timings)")
    for line in lines:
        print(line)
    (HERE / "summary.txt").write_text("\n".join(lines) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    from chefe.ml.models import error_text
    from chefe.plotting.maps import heatmap_plot_data, plot_heatmap

    mark = [(PUBLISHED[0], PUBLISHED[1], f"published best {PUBLISHED[2]:+.2f} V".replace("-", "\u2212"))]
    title = (f"ML quick look ({args.model}): {done}/36 pairs (M$_1$ \u2264 M$_2$; the lower triangle repeats them); "
             f"{es.network.name} on M$_1$\n{error_text(args.model, short=True)}")
    data = heatmap_plot_data(SCREEN_METALS, SCREEN_METALS, grid, "U$_L$ (V$_{RHE}$)", marks=mark, title=title)
    plot_heatmap(data, filename=[HERE / "fig12c.png"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
