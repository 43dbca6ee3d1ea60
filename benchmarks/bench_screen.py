"""Screen 1,000,000 candidates: full NO3RR network, selectivity descriptors, one scaling fit.

Baseline: a bare numpy pass over the same step array (``np.max(dG0, axis=0)``), measured in the
same run; every part is timed as the best of ``--repeat`` runs. Goals: at most 10 s on this 2-core machine and within 5x of the bare pass.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from chefe.network import load_network
from chefe.scaling import fit_scaling, violations
from chefe.screen import screen, species_energies


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--network", default="no3rr_sac")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs of each part")
    args = parser.parse_args(argv)
    net = load_network(args.network)
    rng = np.random.default_rng(0)
    dG0 = rng.normal(-0.2, 0.4, (len(net.steps), args.n))
    dG_H = rng.normal(0.0, 0.3, args.n)
    warm = screen(net, dG0[:, :100], dG_H=dG_H[:100])  # warm-up: route enumeration, imports
    warm_sp = species_energies(warm.che)
    fit_scaling(warm_sp["*NO"], warm_sp["*NOH"])
    def best_of(fn, repeat):
        times, out = [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    def fit_and_flag():
        species = species_energies(result.che, only=("*NO", "*NOH"))
        x, y = species["*NO"], species["*NOH"]
        fit = fit_scaling(x, y, method="ols", x_names=("*NO",), y_name="*NOH")
        return violations(fit, x, y)

    t_bare, _ = best_of(lambda: np.max(dG0, axis=0), args.repeat)
    def screen_all():
        out = screen(net, dG0, dG_H=dG_H)
        out.columns()  # every column, the lazily derived η included
        return out

    t_screen, result = best_of(screen_all, args.repeat)
    t_fit, bad = best_of(fit_and_flag, args.repeat)
    total = t_screen + t_fit
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"network {net.name}: {len(net.steps)} steps, n = {args.n:,} candidates")
    print(f"  bare numpy max over ({len(net.steps)}, {args.n:,})      : {t_bare * 1e3:8.1f} ms")
    print(f"  screen (U_L, PDS, η, HER and release descriptors): {t_screen * 1e3:8.1f} ms")
    print(f"  species energies + OLS fit *NOH vs *NO + violations: {t_fit * 1e3:8.1f} ms ({len(bad):,} flagged)")
    print(f"  total {total:.2f} s (goal ≤ 10 s); ratio to the bare pass {total / t_bare:.1f}x (goal ≤ 5x)")
    print(f"  peak RSS {rss:.0f} MiB (input {dG0.nbytes / 2**20:.0f} MiB)")
    return {"total_s": total, "ratio": total / t_bare, "rss_mib": rss}


if __name__ == "__main__":
    main()
