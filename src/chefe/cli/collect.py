"""``chefe collect TREE --db results.db``: finished runs -> ASE database, with every problem listed."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tree", help="folder holding the run folders, or an ASE database to import (a "
                        "Catalysis-Hub publication database too: its structures, each reaction checked)")
    parser.add_argument("--catalyst-key", default="catalyst", help="for a database: key naming the catalyst")
    parser.add_argument("--species-key", default="species", help="for a database: key naming the species")
    parser.add_argument("--db", default="results.db", help="ASE database file or URL (default results.db)")
    parser.add_argument("--manifest", help="YAML/CSV rules: path pattern -> catalyst, species, role")
    parser.add_argument("--workers", type=int, help="reader processes (default: CPUs, at most 8)")
    parser.add_argument("--force", action="store_true", help="re-read runs whose files are unchanged")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON ('-' for stdout)")
    parser.add_argument("--report", metavar="FILE",
                        help="write the full report (every flagged run with its flags, every problem) as text; "
                             "the screen shows counts per flag")
    parser.add_argument("--wait", type=float, metavar="SECONDS", default=None,
                        help="how long to wait for another collect writing the same SQLite file "
                             "(default 600)")
    parser.add_argument("--digest", choices=["blake3", "xxh3", "sha256", "none"], default="blake3",
                        help="provenance digest of every file read: blake3 (default, cryptographic), xxh3 "
                             "(XXH3-128: several times faster, tells changed or damaged files but not "
                             "forged ones), sha256, or none (size and modification time only; the rows "
                             "say so)")


def run(args: argparse.Namespace) -> int:
    """Collect, print the report (and write it as JSON); 128 + N when stopped by signal N."""
    import json
    import sys
    from pathlib import Path

    from ..collect import collect, collect_ase_db
    from ..errors import InputError

    if args.wait is not None and not args.wait >= 0:
        raise InputError(f"--wait {args.wait:g}: give a number of seconds >= 0")
    for option, name in (("--json", args.json), ("--report", args.report)):
        if not name or name == "-":
            continue
        # checked before the sweep: a report that cannot be written is known before any work
        folder = Path(name).parent
        if not folder.is_dir():
            raise InputError(f"{option} {name}: the folder {folder} does not exist; create it or give another path")
        if Path(name).is_dir():
            raise InputError(f"{option} {name}: is a folder; give a file name")
        if not os.access(folder, os.W_OK):
            raise InputError(f"{option} {name}: the folder {folder} is not writable")
    if Path(args.tree).is_file():
        report = collect_ase_db(args.tree, args.db, catalyst_key=args.catalyst_key,
                                species_key=args.species_key)
    else:
        report = collect(args.tree, args.db, manifest=args.manifest, workers=args.workers,
                         progress=not args.quiet and sys.stderr.isatty(), force=args.force, wait=args.wait,
                         digest=args.digest)
    if args.json:
        text = json.dumps(report.to_dict(), indent=1)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as handle:
                handle.write(text + "\n")
    if args.report:
        with open(args.report, "w") as handle:
            handle.write("\n".join(report.lines()) + "\n")
    print("\n".join(report.summary(args.report)), file=sys.stderr if args.json == "-" else sys.stdout)
    return 128 + report.stopped_by if report.stopped_by is not None else 0
