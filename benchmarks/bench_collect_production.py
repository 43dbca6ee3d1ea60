"""`chefe collect` on production-size VASP outputs: digest or not, plain or gzipped, against
reading every byte once and against ase.io.read.

Sources: every OUTCAR and vasprun.xml found (at any depth, plain or ``.gz``) under
``../shared/data/vasp/production`` (1-20 MB each, real finished runs). Four trees of ``-n`` run
folders each (``cat*/sub*/run*``, nested two levels, files hard-linked so they cost no disk) are
built from them: OUTCAR, vasprun.xml, OUTCAR.gz and vasprun.xml.gz. For each tree, in the same
run and with a warm page cache:

* **read every byte once**: one process reading each file in 1 MiB blocks into one buffer (the
  floor of any full-file digest); for the gzipped trees also **decompress every file once**
  (one process; ISA-L), the floor of anything that reads their content;
* ``ase.io.read(index=-1)``: each distinct source file read once and the time summed over the
  tree's folders (ASE takes 0.1-2 s per file; reading 600 would take minutes);
* ``collect`` with ``--digest blake3`` (default), ``xxh3`` (XXH3-128, the fastest full-file
  digest), ``sha256`` (chefe before BLAKE3) and ``none`` (size and mtime only), each into a fresh
  database, best of ``--rounds``.

Run: ``python benchmarks/bench_collect_production.py [-n 600] [--workers W]``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PRODUCTION = Path(__file__).resolve().parents[2] / "shared" / "data" / "vasp" / "production"
KINDS = (("OUTCAR", "OUTCAR"), ("vasprun.xml", "vasprun.xml"), ("OUTCAR.gz", "OUTCAR"),
         ("vasprun.xml.gz", "vasprun.xml"))


def find_sources(root: Path) -> dict[str, list[Path]]:
    """Every OUTCAR / vasprun.xml under ``root`` at any depth, by the name it will have in a tree."""
    out: dict[str, list[Path]] = {name: [] for name, _ in KINDS}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        for name, _ in KINDS:
            if path.name == name:
                out[name].append(path)
    return out


def plain_copies(sources: dict[str, list[Path]], into: Path) -> None:
    """Decompress each gzipped source once, so that plain trees exist for every source."""
    into.mkdir(parents=True, exist_ok=True)
    for gz_name, plain_name in (("OUTCAR.gz", "OUTCAR"), ("vasprun.xml.gz", "vasprun.xml")):
        for k, src in enumerate(sources[gz_name]):
            dst = into / f"{k:02d}_{src.parent.name}_{plain_name}"
            with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
            sources[plain_name].append(dst)


def build_tree(root: Path, n: int, files: list[Path], name: str) -> list[tuple[Path, Path]]:
    """``n`` nested run folders, each with ``name`` hard-linked to one of ``files`` in turn."""
    made = []
    for k in range(n):
        folder = root / f"cat{k // 100:02d}" / f"sub{(k // 10) % 10}" / f"run{k:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        src = files[k % len(files)]
        try:
            os.link(src, folder / name)
        except OSError:
            shutil.copy(src, folder / name)
        made.append((folder / name, src))
    return made


def read_every_byte(paths) -> float:
    buffer = bytearray(1 << 20)
    t = time.perf_counter()
    for p in paths:
        with open(p, "rb", buffering=0) as handle:
            while handle.readinto(buffer):
                pass
    return time.perf_counter() - t


def decompress_every_file(paths) -> float:
    """The floor of a gzipped tree: every file decompressed once (the way chefe does it)."""
    from chefe.io.tail import read_all

    t = time.perf_counter()
    for p in paths:
        read_all(p)
    return time.perf_counter() - t


def ase_time(made, cache: dict) -> float:
    """ase.io.read of the final image of each distinct source, summed over the tree."""
    import ase.io

    total = 0.0
    for path, src in made:
        if src not in cache:
            t = time.perf_counter()
            ase.io.read(path, index=-1).get_potential_energy()
            cache[src] = time.perf_counter() - t
        total += cache[src]
    return total


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=600, help="run folders per tree (default 600)")
    parser.add_argument("--workers", type=int, default=None, help="collect's reader processes (default: its own)")
    parser.add_argument("--rounds", type=int, default=2, help="collects per digest and tree (best kept)")
    parser.add_argument("--production", type=Path, default=PRODUCTION, help="folder of the source outputs")
    args = parser.parse_args(argv)
    if not args.production.is_dir():
        print(f"{args.production} not found: the benchmark needs the production-size VASP outputs", file=sys.stderr)
        return {}
    import ase.db  # noqa: F401 - imported before any timing

    from chefe.collect import collect

    tmp = Path(tempfile.mkdtemp(prefix="chefe-bench-prod-"))
    results: dict = {}
    try:
        sources = find_sources(args.production)
        plain_copies(sources, tmp / "plain")
        workers = args.workers or min(os.cpu_count() or 1, 8)
        print(f"{sum(len(v) for v in sources.values())} source files; {args.n} run folders per tree; "
              f"collect with {workers} worker(s); {os.cpu_count()} CPUs")
        header = (f"{'tree':16s} {'MB':>7s} {'read all':>9s} {'ase.io':>8s} {'blake3':>8s} {'xxh3':>8s} "
                  f"{'sha256':>8s} {'none':>8s}   {'blake3/read':>11s} {'xxh3/read':>9s} {'ASE/blake3':>10s} "
                  f"{'ASE/xxh3':>8s} {'ASE/none':>8s} {'ASE/read':>8s}")
        print(header)
        for name, _ in KINDS:
            files = sources[name]
            if not files:
                continue
            made = build_tree(tmp / name.replace(".", "_"), args.n, files, name)
            paths = [p for p, _ in made]
            mb = sum(p.stat().st_size for p in paths) / 2**20
            read_every_byte(paths)  # warm the page cache for everyone alike
            t_read = min(read_every_byte(paths) for _ in range(3))
            t_gunzip = decompress_every_file(paths) if name.endswith(".gz") else None
            t_ase = ase_time(made, {})
            times = {}
            for digest in ("blake3", "xxh3", "sha256", "none"):
                best = float("inf")
                for k in range(args.rounds):
                    db = tmp / f"{name}_{digest}_{k}.db"
                    t = time.perf_counter()
                    report = collect(made[0][0].parents[3], str(db), workers=workers, progress=False,
                                     digest=digest)
                    best = min(best, time.perf_counter() - t)
                    assert report.written == args.n, (name, digest, report.lines())
                    db.unlink()
                times[digest] = best
            print(f"{name:16s} {mb:7.0f} {t_read:8.2f}s {t_ase:7.1f}s {times['blake3']:7.2f}s "
                  f"{times['xxh3']:7.2f}s {times['sha256']:7.2f}s {times['none']:7.2f}s   "
                  f"{times['blake3'] / t_read:10.2f}x {times['xxh3'] / t_read:8.2f}x "
                  f"{t_ase / times['blake3']:9.0f}x {t_ase / times['xxh3']:7.0f}x {t_ase / times['none']:7.0f}x "
                  f"{t_ase / t_read:7.0f}x")
            if t_gunzip is not None:
                print(f"{'':16s} decompress every file once: {t_gunzip:.2f} s (ASE/that {t_ase / t_gunzip:.0f}x; "
                      f"collect none / that {times['none'] / t_gunzip:.2f}x)")
            results[name] = {"MB": mb, "read_all_s": t_read, "ase_s": t_ase, "gunzip_s": t_gunzip, **{f"collect_{d}_s": v for d, v in times.items()}}
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    main()
