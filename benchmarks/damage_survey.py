"""Damaged copies of every real output file in ../shared/data: how many wrong energies pass unflagged.

For each real VASP (OUTCAR, vasprun.xml, OSZICAR), Quantum ESPRESSO (pw.x) and GPAW output whose
undamaged read has an energy and no flag, ``--per-kind`` seeded mutants of each kind are read:
a cut anywhere or near the end, a flipped byte anywhere or near the end, a deleted or duplicated
line, a number replaced by NaN/inf/``****``/``1e999``, a letter inside a number, a binary block,
a NUL tail, UTF-16, a broken gzip stream. Counted: exceptions escaping a reader, and energies
different from the undamaged one (> 1e-6 eV) without a damage flag, with digit-into-digit
rewrites (undetectable: another valid number) and OSZICAR cuts at a line end (a valid shorter
file) counted apart.

    python benchmarks/damage_survey.py [--per-kind 30] [--workers 8]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KINDS = ["cut", "cut_near_end", "flip", "flip_near_end", "delete_line", "duplicate_line", "bad_number",
         "letter_in_number", "binary_block", "nul_tail", "utf16", "broken_gzip"]
DAMAGE_FLAGS = {"unreadable", "empty", "truncated", "unfinished", "no_energy", "final_step_unreadable",
                "final_structure_unreadable", "bad_number", "inconsistent"}
NUMBER = re.compile(rb"-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")


def reader_of(path: Path):
    from chefe.io.espresso import read_pw
    from chefe.io.gpaw import read_gpaw_text
    from chefe.io.vasp import read_oszicar, read_outcar, read_vasprun

    name = path.name
    if "OUTCAR" in name:
        return read_outcar, "OUTCAR"
    if "vasprun" in name:
        return read_vasprun, "vasprun.xml"
    if "OSZICAR" in name:
        return read_oszicar, "OSZICAR"
    head = path.read_bytes()[:8192]
    if b"Program PWSCF" in head:
        return read_pw, "pw.out"
    if b"GPAW" in head or b"___ ___ ___ _ _ _" in head:
        return read_gpaw_text, "gpaw.txt"
    return None, None


def plain(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def mutate(data: bytes, kind: str, rng: random.Random, oszicar: bool) -> tuple[bytes, str | None]:
    """A damaged copy and, for the undetectable damages, why it is exempt."""
    near = max(0, len(data) - 4000)
    if kind.startswith("cut"):
        out = data[: rng.randrange(near if kind == "cut_near_end" else 0, len(data))]
        if oszicar and re.search(rb"F=[^\n]*\n\Z", out):
            return out, "OSZICAR cut at a line end"
        return out, None
    if kind.startswith("flip"):
        at = rng.randrange(near if kind == "flip_near_end" else 0, len(data))
        new = rng.choice([b for b in range(256) if b != data[at]])
        exempt = "digit into digit" if chr(data[at]).isdigit() and chr(new).isdigit() else None
        return data[:at] + bytes([new]) + data[at + 1:], exempt
    if kind in ("delete_line", "duplicate_line"):
        lines = data.splitlines(keepends=True)
        i = rng.randrange(max(0, len(lines) - 80), len(lines)) if rng.random() < 0.5 else rng.randrange(len(lines))
        middle = [] if kind == "delete_line" else [lines[i], lines[i]]
        return b"".join(lines[:i] + middle + lines[i + 1:]), None
    if kind in ("bad_number", "letter_in_number"):
        numbers = list(NUMBER.finditer(data, near)) or list(NUMBER.finditer(data))
        if not numbers:
            return data, "no number"
        m = rng.choice(numbers)
        if kind == "bad_number":
            token = rng.choice([b"NaN", b"inf", b"-Infinity", b"********", b"1e999", b"-1e999", b"-1.0E+30"])
        else:
            cut = rng.randrange(1, max(2, len(m.group())))
            token = m.group()[:cut] + rng.choice([b"x", b"q", b"#"]) + m.group()[cut:]
        return data[:m.start()] + token + data[m.end():], None
    if kind == "binary_block":
        at = rng.randrange(near, len(data) + 1)
        return data[:at] + os.urandom(rng.randrange(8, 200)) + data[at:], None
    if kind == "nul_tail":
        return data[: rng.randrange(near, len(data) + 1)] + b"\x00" * rng.randrange(1, 4096), None
    if kind == "utf16":
        return data.decode("latin-1").encode("utf-16"), None
    packed = gzip.compress(data, compresslevel=1)
    return packed[: rng.randrange(10, len(packed))], None


def survey_file(args: tuple[str, int, int]) -> tuple[str, Counter, list[str]]:
    path, per_kind, seed = Path(args[0]), args[1], args[2]
    reader, name = reader_of(path)
    counts: Counter = Counter()
    examples: list[str] = []
    data = plain(path)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / name
        clean_path = Path(tmp) / ("clean_" + name)
        clean_path.write_bytes(data)
        clean = reader(clean_path)
        if clean.energy is None or clean.flags:
            return str(path), Counter(skipped=1), []
        rng = random.Random(f"{seed}:{path.name}")
        for kind in KINDS:
            for _ in range(per_kind):
                mutant, exempt = mutate(data, kind, rng, name == "OSZICAR")
                target.write_bytes(mutant)
                counts["mutants"] += 1
                try:
                    record = reader(target)
                except Exception as exc:  # noqa: BLE001 - counted: nothing may escape a reader
                    counts["exceptions"] += 1
                    examples.append(f"{path.name} {kind}: {type(exc).__name__}: {exc}")
                    continue
                if record.energy is not None and abs(record.energy - clean.energy) <= 1e-6:
                    counts["same energy"] += 1
                elif set(record.flags) & DAMAGE_FLAGS:
                    counts["flagged"] += 1
                elif exempt:
                    counts[f"exempt: {exempt}"] += 1
                else:
                    counts["WRONG, unflagged"] += 1
                    if record.ok:
                        counts["WRONG, ok=True"] += 1
                    examples.append(f"{path.name} {kind}: {record.energy} vs {clean.energy} {record.flags}")
    return str(path), counts, examples[:5]


def main(argv=None) -> Counter:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=30, help="mutants per damage kind and file (default 30)")
    parser.add_argument("--workers", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-mb", type=float, default=30.0, help="skip files larger than this (uncompressed)")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"{SHARED} not found: the survey needs the third-party data", file=sys.stderr)
        return Counter()
    files = []
    for path in sorted(SHARED.rglob("*")):
        if path.is_file() and path.stat().st_size and reader_of(path)[0] is not None:
            if len(plain(path)) <= args.max_mb * 2**20:
                files.append(str(path))
    total: Counter = Counter()
    examples: list[str] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for path, counts, ex in pool.map(survey_file, [(f, args.per_kind, args.seed) for f in files]):
            total.update(counts)
            examples += ex
    print(f"{len(files) - total['skipped']} real files (of {len(files)}; {total['skipped']} already flagged "
          f"undamaged), {total['mutants']} damaged copies:")
    for key in ("same energy", "flagged", "exempt: digit into digit", "exempt: OSZICAR cut at a line end",
                "WRONG, unflagged", "WRONG, ok=True", "exceptions"):
        print(f"  {key:36s} {total[key]:7d}")
    for line in examples[:20]:
        print("   ", line)
    return total


if __name__ == "__main__":
    main()
