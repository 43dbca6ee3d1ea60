"""Reading finished VASP runs: chefe vs ase.io.read (final image) vs pymatgen, same files, same run.

A tree of run folders is built from the real OUTCAR and vasprun.xml files in ../shared/data
(hard links, so it costs no disk), then read by:

* chefe's fast readers (head + tail of OUTCAR; head + last <calculation> of vasprun.xml);
* ``chefe collect`` end to end (discovery, reading, BLAKE3 digest of every file, SQLite writes);
* ``ase.io.read(..., index=-1)`` and pymatgen ``Outcar`` / ``Vasprun`` on a sample (they are
  slow; their per-run time is extrapolated to the whole tree).

Every energy is compared with ASE's on the sample (must agree to 1e-6 eV). Goal: chefe at least
50x faster than ``ase.io.read`` of the final image.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "vasp"


def sources() -> tuple[list[Path], list[Path]]:
    import ase.io

    outcars, vaspruns = [], []
    for path in sorted(SHARED.glob("*/*OUTCAR*")) + sorted(SHARED.glob("*/*.outcar")):
        try:
            ase.io.read(path, format="vasp-out")
            outcars.append(path)
        except Exception:  # noqa: BLE001 - only files every reader can read are benchmarked
            pass
    try:
        from pymatgen.io.vasp.outputs import Vasprun
    except ImportError:
        Vasprun = None
    for path in sorted(SHARED.glob("*/vasprun*.xml")):
        try:
            ase.io.read(path, format="vasp-xml")
            if Vasprun is not None:
                Vasprun(path, parse_dos=False, parse_eigen=False, parse_potcar_file=False)
            vaspruns.append(path)
        except Exception:  # noqa: BLE001 - a file one of the readers rejects is left out
            pass
    return outcars, vaspruns


def build_tree(root: Path, n: int, files: list[Path], name: str) -> list[Path]:
    folders = []
    for k in range(n):
        folder = root / f"cat{k // 50:03d}" / f"run{k:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        src = files[k % len(files)]
        dst = folder / name
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy(src, dst)
        folders.append(folder)
    return folders


_TIMING = """
import json, sys, time
from pathlib import Path
from chefe.collect import collect
from chefe.io.vasp import read_outcar, read_vasprun
tree, xml, db = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
out = {}
folders = sorted(p.parent for p in tree.glob("*/*/OUTCAR"))
xfolders = sorted(p.parent for p in xml.glob("*/*/vasprun.xml"))
def best(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)
out["read_outcar"] = best(lambda: [read_outcar(f / "OUTCAR", hash_files=False) for f in folders])
out["read_vasprun"] = best(lambda: [read_vasprun(f / "vasprun.xml", hash_files=False) for f in xfolders])
t = time.perf_counter(); collect(tree, db, workers=2, progress=False)
out["collect"] = time.perf_counter() - t
print(json.dumps(out))
"""


def before_after(before: str, tree: Path, xml: Path, tmp: Path, rounds: int = 5) -> dict:
    """Reader and collect times of the code at git revision ``before`` and of this checkout,
    on the same tree in the same run (alternating, best of ``rounds``; each in a fresh process
    and a fresh database)."""
    import json
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    old = tmp / "before"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(repo), "archive", before, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for k in range(rounds):
        for label, src in (("before", old / "src"), ("after", repo / "src")):
            db = tmp / f"{label}{k}.db"
            env = {**os.environ, "PYTHONPATH": str(src)}
            res = subprocess.run([sys.executable, "-c", _TIMING, str(tree), str(xml), str(db)], env=env,
                                 capture_output=True, text=True, check=True)
            for key, value in json.loads(res.stdout.strip().splitlines()[-1]).items():
                best[label][key] = min(best[label].get(key, float("inf")), value)
    print(f"before/after ({before} -> this checkout; best of {rounds}, same tree, same run):")
    for key in best["after"]:
        b, a = best["before"][key], best["after"][key]
        print(f"  {key:14s} {b:7.3f} s -> {a:7.3f} s  ({100 * (a / b - 1):+.1f} %)")
    return best


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="OUTCAR run folders (default 2000)")
    parser.add_argument("--n-xml", type=int, default=200, help="vasprun.xml run folders")
    parser.add_argument("--sample", type=int, default=60, help="runs read by ASE (extrapolated)")
    parser.add_argument("--pmg-sample", type=int, default=12, help="runs read by pymatgen")
    parser.add_argument("--before", metavar="REV", help="also time the readers and collect of git revision "
                        "REV on the same tree (e.g. the commit before a change), in the same run")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"{SHARED} not found: the benchmark needs ../shared/data", file=sys.stderr)
        return {}
    from chefe.collect import collect
    from chefe.io.vasp import read_outcar, read_vasprun

    outcars, vaspruns = sources()
    tmp = Path(tempfile.mkdtemp(prefix="chefe-bench-"))
    try:
        out_folders = build_tree(tmp / "tree", args.n, outcars, "OUTCAR")
        xml_folders = build_tree(tmp / "xmltree", args.n_xml, vaspruns, "vasprun.xml")
        out_mb = sum((f / "OUTCAR").stat().st_size for f in out_folders) / 2**20
        xml_mb = sum((f / "vasprun.xml").stat().st_size for f in xml_folders) / 2**20
        print(f"tree: {args.n} OUTCAR runs ({out_mb:.0f} MB, {len(outcars)} distinct real files), "
              f"{args.n_xml} vasprun.xml runs ({xml_mb:.0f} MB, {len(vaspruns)} distinct)")
        # warm the page cache for everyone alike
        for f in out_folders[: len(outcars)] + xml_folders[: len(vaspruns)]:
            for p in f.iterdir():
                p.read_bytes()

        t_chefe, recs = timed(lambda: [read_outcar(f / "OUTCAR", hash_files=False) for f in out_folders])
        t_chefe_xml, xrecs = timed(lambda: [read_vasprun(f / "vasprun.xml", hash_files=False) for f in xml_folders])
        import ase.io

        sample = out_folders[: args.sample]
        t_ase, ase_e = timed(lambda: [ase.io.read(f / "OUTCAR", format="vasp-out", index=-1).get_potential_energy()
                                      for f in sample])
        xsample = xml_folders[: max(args.sample // 3, len(vaspruns))]
        t_ase_xml, ase_xe = timed(lambda: [ase.io.read(f / "vasprun.xml", format="vasp-xml", index=-1).get_potential_energy()
                                           for f in xsample])
        worst = max(abs(r.energy - e) for r, e in zip(recs, ase_e))
        worst_xml = max(abs(r.energy - e) for r, e in zip(xrecs, ase_xe))
        per_ase = t_ase / len(sample)
        per_ase_xml = t_ase_xml / len(xsample)
        results = {"chefe_outcar_s": t_chefe, "ase_outcar_s_extrapolated": per_ase * args.n}
        try:
            from pymatgen.io.vasp.outputs import Outcar, Vasprun

            psample = out_folders[: args.pmg_sample]
            t_pmg, _ = timed(lambda: [Outcar(f / "OUTCAR").final_energy for f in psample])
            t_pmg_xml, _ = timed(lambda: [Vasprun(f / "vasprun.xml", parse_dos=False, parse_eigen=False,
                                                  parse_potcar_file=False).final_energy
                                          for f in xml_folders[: args.pmg_sample]])
            per_pmg, per_pmg_xml = t_pmg / len(psample), t_pmg_xml / args.pmg_sample
        except ImportError:
            per_pmg = per_pmg_xml = float("nan")
        db = tmp / "bench.db"
        t_collect, report = timed(lambda: collect(tmp / "tree", str(db), workers=2, progress=False))
        t_recollect, _ = timed(lambda: collect(tmp / "tree", str(db), workers=2, progress=False))

        def line(label, seconds, n, mb):
            return f"  {label:44s} {seconds:8.2f} s  {n / seconds:9.0f} runs/s  {mb / seconds:8.0f} MB/s"

        print(f"OUTCAR, {args.n} runs:")
        print(line("chefe read_outcar (energy, structure, flags)", t_chefe, args.n, out_mb))
        print(line(f"ase.io.read final image (x{args.n}/{len(sample)})", per_ase * args.n, args.n, out_mb))
        print(line(f"pymatgen Outcar (x{args.n}/{args.pmg_sample})", per_pmg * args.n, args.n, out_mb))
        print(line("chefe collect -> SQLite (+blake3, 2 workers)", t_collect, args.n, out_mb))
        print(line("chefe collect again (nothing changed)", t_recollect, args.n, out_mb))
        print(f"  speed-up over ASE: {per_ase * args.n / t_chefe:.0f}x (reader), "
              f"{per_ase * args.n / t_collect:.0f}x (whole collect); over pymatgen: "
              f"{per_pmg * args.n / t_chefe:.0f}x; max |ΔE| vs ASE {worst:.1e} eV")
        # per distinct file: chefe's cost is set by the last step's printout, ASE's by the file
        per_file = []
        for src in outcars:
            def chefe_20(src=src):
                return [read_outcar(src, hash_files=False) for _ in range(20)]

            t_c = min(timed(chefe_20)[0] for _ in range(3)) / 20
            def ase_final(src=src):
                return ase.io.read(src, format="vasp-out", index=-1)

            t_a = min(timed(ase_final)[0] for _ in range(3))
            per_file.append((t_a / t_c, t_c, t_a, src))
        per_file.sort()
        print("  per distinct file (best of 3), chefe vs ASE:")
        picks = (per_file[0], per_file[len(per_file) // 2], per_file[-1])
        for label, (r, t_c, t_a, src) in zip(("lowest", "median", "highest"), picks, strict=True):
            print(f"    {label:8s}{r:4.0f}x  {t_c * 1e6:5.0f} µs vs {t_a * 1e3:5.1f} ms  "
                  f"{src.parent.name}/{src.name} ({src.stat().st_size / 2**20:.2f} MB)")
        print(f"vasprun.xml, {args.n_xml} runs:")
        print(line("chefe read_vasprun", t_chefe_xml, args.n_xml, xml_mb))
        print(line("ase.io.read final image (extrapolated)", per_ase_xml * args.n_xml, args.n_xml, xml_mb))
        print(line("pymatgen Vasprun (extrapolated)", per_pmg_xml * args.n_xml, args.n_xml, xml_mb))
        print(f"  speed-up over ASE: {per_ase_xml * args.n_xml / t_chefe_xml:.0f}x, over pymatgen: "
              f"{per_pmg_xml * args.n_xml / t_chefe_xml:.0f}x; max |ΔE| vs ASE {worst_xml:.1e} eV")
        results.update(speedup_ase=per_ase * args.n / t_chefe, worst_dE=worst, collect_s=t_collect,
                       report_found=report.found)
        if args.before:
            results["before_after"] = before_after(args.before, tmp / "tree", tmp / "xmltree", tmp)
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # pymatgen warns on every unconverged run it reads
    main()
