"""U_L and PDS for 1,000,000 candidates on the full branched NO3RR network vs a bare numpy max.

The baseline is ``np.max(dG, axis=0)`` over an array of the same shape (n_steps, n), step-major,
measured in the same run. Goal: chefe within 5x of it.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from chefe.engine import analyse
from chefe.network import load_network


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--network", default="no3rr_sac")
    args = parser.parse_args(argv)
    net = load_network(args.network)
    rng = np.random.default_rng(0)
    dG0 = rng.normal(-0.2, 0.5, (len(net.steps), args.n))
    analyse(net, dG0[:, :100])  # warm up (route enumeration, imports)
    t_bare = best_of(lambda: np.max(dG0, axis=0), args.repeat)
    t_ul = best_of(lambda: analyse(net, dG0, keep_routes=False), args.repeat)
    t_all = best_of(lambda: analyse(net, dG0, keep_routes=True), args.repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    routes = len(net.routes_to(net.target))
    print(f"network {net.name}: {len(net.steps)} steps, {routes} routes to {net.target}, n = {args.n:,}")
    print(f"  bare numpy max over ({len(net.steps)}, {args.n:,}) float64 : {t_bare * 1e3:8.1f} ms")
    print(f"  chefe U_L + PDS + best route (+ side steps)  : {t_ul * 1e3:8.1f} ms   ratio {t_ul / t_bare:5.2f}x")
    print(f"  ... also keeping every route's U_L           : {t_all * 1e3:8.1f} ms   ratio {t_all / t_bare:5.2f}x")
    print(f"  throughput {args.n / t_ul / 1e6:.1f} M candidates/s; peak RSS {rss:.0f} MiB "
          f"(input array {dG0.nbytes / 2**20:.0f} MiB)")
    return {"bare_ms": t_bare * 1e3, "chefe_ms": t_ul * 1e3, "ratio": t_ul / t_bare,
            "all_routes_ms": t_all * 1e3, "ratio_all": t_all / t_bare}


if __name__ == "__main__":
    main()
