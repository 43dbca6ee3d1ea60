"""Run every chefe benchmark: ``python benchmarks/run.py`` (after ``pip install -e .``).

The reader/collect benchmarks need the real DFT outputs of ../shared/data and says so when they
are absent; the ML one needs the ``chefe[ml]`` extra and says so when it is absent (its accuracy
table is ``python benchmarks/bench_ml.py --write``, about an hour per relaxed model on 2 cores);
the others need nothing but chefe.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cli  # noqa: E402
import bench_collect  # noqa: E402
import bench_collect_production  # noqa: E402
import bench_engine  # noqa: E402
import bench_ml  # noqa: E402
import bench_screen  # noqa: E402

if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # pymatgen warns on every unconverged run it reads
    print("== CHE engine ==")
    bench_engine.main([])
    print("\n== screen 1,000,000 candidates ==")
    bench_screen.main([])
    print("\n== CLI start-up ==")
    bench_cli.main([])
    print("\n== reading VASP runs (OUTCAR, vasprun.xml) and chefe collect ==")
    bench_collect.main([])
    print("\n== chefe collect on production-size outputs (digests, gzip) ==")
    bench_collect_production.main([])
    print("\n== ML potentials: cost per relaxation and single point (needs chefe[ml]) ==")
    bench_ml.main(["--skip-accuracy"])
