"""``chefe collect TREE --db results.db``: finished runs -> ASE database, with every problem listed."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tree", help="folder holding the run folders, or an ASE database to import")
    parser.add_argument("--catalyst-key", default="catalyst", help="for a database: key naming the catalyst")
    parser.add_argument("--species-key", default="species", help="for a database: key naming the species")
    parser.add_argument("--db", default="results.db", help="ASE database file or URL (default results.db)")
    parser.add_argument("--manifest", help="YAML/CSV rules: path pattern -> catalyst, species, role")
    parser.add_argument("--workers", type=int, help="reader processes (default: CPUs, at most 8)")
    parser.add_argument("--force", action="store_true", help="re-read runs whose files are unchanged")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON ('-' for stdout)")


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from ..collect import collect

    from pathlib import Path

    if Path(args.tree).is_file():
        from ..collect import collect_ase_db

        report = collect_ase_db(args.tree, args.db, catalyst_key=args.catalyst_key,
                                species_key=args.species_key)
    else:
        report = collect(args.tree, args.db, manifest=args.manifest, workers=args.workers,
                         progress=not args.quiet and sys.stderr.isatty(), force=args.force)
    if args.json:
        payload = {"root": report.root, "db": report.db, "found": report.found, "written": report.written,
                   "updated": report.updated, "skipped": report.skipped, "flagged": report.flagged,
                   "problems": report.problems}
        text = json.dumps(payload, indent=1)
        if args.json == "-":
            print(text)
            return 0
        with open(args.json, "w") as handle:
            handle.write(text + "\n")
    print("\n".join(report.lines()))
    return 0
