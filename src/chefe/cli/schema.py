"""``chefe schema [KIND]``: the JSON Schema of an input kind, for editors that validate YAML as it is typed."""

from __future__ import annotations

import argparse
import json
import sys

KINDS = ("energies", "network", "manifest", "catalogue")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", default="energies", choices=KINDS,
                        help="input kind: energies file (default), reaction network, collect manifest "
                             "or build catalogue")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    from ..schema import json_schemas

    text = json.dumps(json_schemas()[args.kind], indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0
