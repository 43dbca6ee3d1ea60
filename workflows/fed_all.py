"""Run ``chefe fed`` on every energies file under a folder and collect one summary table.

Typical HPC post-processing after each catalyst folder has its ``energies.yaml``::

    python workflows/fed_all.py results/ --out summary.csv --figures figs/ --pH 7

Uses only chefe's public API (``chefe.load_energies``, ``chefe.fed_report``, ``chefe.plot_fed``).
A file that fails is reported with its error and the sweep goes on.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import chefe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="folder searched recursively for energies files")
    parser.add_argument("--pattern", default="energies*.yaml", help="file name pattern (default energies*.yaml)")
    parser.add_argument("--out", type=Path, default=Path("summary.csv"), help="summary CSV")
    parser.add_argument("--figures", type=Path, help="folder for one PDF diagram per energies file")
    parser.add_argument("--pH", type=float)
    args = parser.parse_args(argv)

    files = sorted(args.root.rglob(args.pattern))
    if not files:
        print(f"no files matching {args.pattern!r} under {args.root}", file=sys.stderr)
        return 1
    rows, failures = [], []
    for path in files:
        try:
            report = chefe.fed_report(chefe.load_energies(path), pH=args.pH)
        except chefe.ChefeError as exc:
            failures.append((path, exc))
            print(f"FAILED {path}: {exc}", file=sys.stderr)
            continue
        for row in report.rows():
            row.pop("route_UL", None)
            rows.append({"file": str(path), **row})
        if args.figures:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            fig = chefe.plot_fed(report.plot, filename=args.figures / f"{path.parent.name}_{path.stem}.pdf")
            plt.close(fig)
    if rows:
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(files) - len(failures)} of {len(files)} files analysed; {len(rows)} catalysts -> {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
