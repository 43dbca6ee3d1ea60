"""``chefe export --db results.db``: CatMAP energies.txt and a flat CSV of every run."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database written by chefe collect")
    parser.add_argument("--catmap", metavar="FILE", help="write CatMAP energies.txt")
    parser.add_argument("--csv", metavar="FILE", help="write one CSV row per run")
    parser.add_argument("--references", default="H2,H2O,NH3",
                        help="gas references for CatMAP formation energies (default H2,H2O,NH3)")
    parser.add_argument("--T", type=float, default=298.15,
                        help="temperature (K) of the H2 thermal correction the CatMAP pe line carries (default 298.15)")


def run(args: argparse.Namespace) -> int:
    from ..interop import export_catmap, export_csv

    if not (args.catmap or args.csv):
        from ..errors import InputError

        raise InputError("nothing to do: give --catmap FILE and/or --csv FILE")
    if args.csv:
        print(f"{export_csv(args.db, args.csv)} runs -> {args.csv}")
    if args.catmap:
        refs = tuple(x.strip() for x in args.references.split(",") if x.strip())
        n, notes = export_catmap(args.db, args.catmap, refs, temperature=args.T)
        for note in notes:
            print(f"note: {note}")
        print(f"{n} rows + the pe line -> {args.catmap}")
    return 0
