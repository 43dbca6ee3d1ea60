"""Build the full NO3RR set (clean site + every intermediate) for a list of catalysts and write a
ready-to-submit tree of DFT inputs, laid out the way ``chefe collect`` reads it back.

    python workflows/build_no3rr_set.py examples/build/catalysts.yaml -o runs/ [--code qe] [--db runs.db]

Each catalyst is one YAML entry (see examples/build/catalysts.yaml). A ``submit_all.sh`` at the
tree root loops over the run folders with your batch command (``--submit "sbatch job.sh"``, run
inside each folder). The gas references of the CHE ledger (H2, H2O, NH3, HNO3, NO, N2) are written
under ``gas/`` unless ``--no-gas``; after the relaxations, ``chefe build vib RUN...`` writes the
finite-difference runs into ``RUN/vib``. Uses only chefe's public API (``chefe.build``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from chefe.build import NO3RR_SET, build_model, reaction_set, reference_set, write_db, write_tree
from chefe.errors import ChefeError
from chefe.inputs import read_yaml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("catalysts", type=Path, help="YAML with 'catalysts: [...]'")
    parser.add_argument("-o", "--out", type=Path, required=True, help="tree root")
    parser.add_argument("--code", choices=["vasp", "qe"], default="vasp")
    parser.add_argument("--db", help="also store every structure in this ase.db")
    parser.add_argument("--overwrite", action="store_true", help="write into folders that already hold results")
    parser.add_argument("--no-gas", action="store_true", help="leave out the gas references (gas/H2, ...)")
    parser.add_argument("--submit", default="sbatch job.sh", help="command run in each folder by submit_all.sh")
    args = parser.parse_args(argv)

    data = read_yaml(args.catalysts)
    entries = data.get("catalysts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        print(f"{args.catalysts}: expected 'catalysts: [...]'", file=sys.stderr)
        return 2
    structures, failed = ([] if args.no_gas else reference_set()), 0
    for k, spec in enumerate(entries, 1):
        try:
            model = build_model(spec)
            made = reaction_set(model, spec.get("adsorbates") or NO3RR_SET, spec.get("sites"),
                                spec.get("modes"), skip_unplaceable=True)
        except ChefeError as exc:  # one bad entry is reported; the others are still built
            print(f"catalyst #{k}: {exc}", file=sys.stderr)
            failed += 1
            continue
        structures.extend(made)
        print(f"{model.catalyst:28s} {len(model.atoms):4d} atoms  {len(made):3d} structures")
        for line in filter(None, made[0].info.get("skipped", "").split(" | ")):
            print(f"  skipped: {line}")
    try:
        folders = write_tree(structures, args.out, code=args.code, progress=len(structures) > 100,
                             overwrite=args.overwrite)
    except ChefeError as exc:  # e.g. finished runs already in the tree: nothing was written
        print(f"{args.out}: {exc}", file=sys.stderr)
        return 2
    script = args.out / "submit_all.sh"
    rels = sorted(str(f.relative_to(args.out)) for f in folders)
    script.write_text("#!/bin/bash\n# submit every run folder written by build_no3rr_set.py\nset -e\n"
                      'cd "$(dirname "$0")"\n'
                      + "".join(f"(cd {shlex.quote(r)} && {args.submit})\n" for r in rels))
    script.chmod(0o755)
    print(f"wrote {len(folders)} run folders and {script}")
    if args.db:
        write_db(structures, args.db)
        print(f"stored {len(structures)} structures in {args.db}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
