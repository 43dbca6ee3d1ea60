"""The shipped ML potentials against real DFT, and their cost on 2 CPU cores.

Accuracy: N adsorption on the dopant of 34 fcc(111) single-atom alloys, GPAW BEEF-vdW (Kavalsky et
al., "A multiobjective closed-loop approach towards autonomous discovery of electrocatalysts for
nitrogen reduction", Digital Discovery (2023); data release aced-differentiate/
auto-electrocatalyst-discovery @ 7ec439c8dbe3, MIT licence). For every pair of DFT-relaxed
structures (clean and with N) each model gives ΔE_N = E(slab+N) − E(slab) as single points at the
DFT geometries and after relaxing both structures with the model (bottom two layers fixed, as in
the DFT); a constant offset (the N reference and the functional's systematic shift: BEEF-vdW
against the models' PBE) is removed before the errors are formed. ``--write`` stores the table
that every quick-look figure quotes (``adsorbate_refs/ml_adsorption_errors.json``).

Cost: for each model, seconds per relaxation of *NO3 and *NO on Cu–N4 graphene (71–75 atoms,
FIRE to 0.05 eV/Å, at most 300 steps, one torch thread), the same per single-point energy and
forces call, their ratio, and the peak memory of the process (each model in its own process).

    python benchmarks/bench_ml.py [--data DIR] [--models 7net-0,chgnet] [--write] [--no-relax]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "datasets" / "kavalsky_NRR_SAA_closed_loop"
TABLE = HERE.parent / "adsorbate_refs" / "ml_adsorption_errors.json"
SOURCE = ("Kavalsky, Hanselman, Hsieh, Viswanathan et al., Digital Discovery (2023) "
          "(chemRxiv doi:10.26434/chemrxiv-2023-vmbt3-v2); data release "
          "aced-differentiate/auto-electrocatalyst-discovery @ 7ec439c8dbe3, data/dft_data.db "
          "(MIT licence); GPAW 20.1, BEEF-vdW, 0.18 Å grid, Fermi-Dirac 0.05 eV")


def _pif_atoms(row):
    """The structure of one PIF record of the data release (symbols, positions, cell)."""
    from ase import Atoms

    props = {p["name"]: p for p in row.data["properties"]}
    symbols = [s["value"] for s in props["Symbols"]["scalars"]]
    pos = [[v["value"] for v in vec] for vec in props["Positions"]["vectors"]]
    cell = [[v["value"] for v in vec] for vec in props["Cell Vectors"]["vectors"]]
    energy = props["Total Energy"]["scalars"][0]["value"]
    return Atoms(symbols, positions=pos, cell=cell, pbc=(True, True, False)), float(energy)


def saa_pairs(data: Path = DATA) -> list[dict]:
    """Per single-atom alloy (host-dopant): the clean and N-covered DFT structures and energies."""
    from ase.db import connect

    db = connect(str(data / "dft_data.db"), type="json")
    by = {}
    for row in db.select():
        atoms, energy = _pif_atoms(row)
        by.setdefault(row.key_value_pairs["saa_key"], {})[row.key_value_pairs["adsorbate"]] = (atoms, energy)
    out = []
    for key, d in sorted(by.items()):
        if "clean" in d and "N" in d:
            out.append({"key": key, "clean": d["clean"][0], "N": d["N"][0],
                        "dE_dft": d["N"][1] - d["clean"][1]})
    return out


def _fix_bottom(atoms, layers: int = 2):
    from ase.constraints import FixAtoms

    metal = [a.index for a in atoms if a.symbol != "N"]
    z = np.round(atoms.positions[metal, 2], 1)
    bottom = sorted(set(z))[:layers]
    atoms.set_constraint(FixAtoms(indices=[i for i in metal if z[metal.index(i)] in bottom]))
    return atoms


def _energy(atoms, calc, relax: bool) -> tuple[float, int]:
    from ase.optimize import FIRE

    a = _fix_bottom(atoms.copy())
    a.calc = calc
    steps = 0
    if relax:
        opt = FIRE(a, logfile=None)
        opt.run(fmax=0.05, steps=300)
        steps = opt.get_number_of_steps()
    return float(a.get_potential_energy()), steps


def errors(values: np.ndarray, reference: np.ndarray) -> dict:
    """MAE, RMSE and largest error (eV) of ``values`` against ``reference`` after removing their
    mean difference (the offset, also returned), and the Spearman rank correlation."""
    from scipy.stats import spearmanr

    diff = values - reference
    offset = float(diff.mean())
    dev = diff - offset
    return {"offset": offset, "mae": float(np.abs(dev).mean()), "rmse": float(np.sqrt((dev ** 2).mean())),
            "max": float(np.abs(dev).max()), "spearman": float(spearmanr(values, reference)[0]), "n": len(values)}


def accuracy(models, data: Path = DATA, relax=True) -> dict:
    """``relax``: True (every model), False, or the names of the models also relaxed."""
    from chefe.ml.models import calculator, model_record, set_threads

    set_threads(1)
    pairs = saa_pairs(data)
    systems = [{"saa": p["key"], "dE_dft": p["dE_dft"]} for p in pairs]
    summary = {}
    ref = np.array([p["dE_dft"] for p in pairs])
    for name in models:
        calc = calculator(name, "cpu")
        t0 = time.perf_counter()
        sp, rx, steps = [], [], []
        relax_this = relax is True or (relax and name in relax)
        for p, s in zip(pairs, systems):
            e_clean, _ = _energy(p["clean"], calc, False)
            e_n, _ = _energy(p["N"], calc, False)
            sp.append(e_n - e_clean)
            s[f"{name}:single_point"] = sp[-1]
            if relax_this:
                (r_clean, n1), (r_n, n2) = _energy(p["clean"], calc, True), _energy(p["N"], calc, True)
                rx.append(r_n - r_clean)
                steps.append(max(n1, n2))
                s[f"{name}:relaxed"] = rx[-1]
        record = model_record(name)
        summary[name] = {"single_point": errors(np.array(sp), ref), "ml_version": record["ml_version"],
                         "ml_sha256": record["ml_sha256"], "seconds": round(time.perf_counter() - t0, 1)}
        if relax_this:
            summary[name]["relaxed"] = errors(np.array(rx), ref)
            summary[name]["relax_steps_max"] = int(max(steps))
        print(f"{name:10s} single points: MAE {summary[name]['single_point']['mae']:.3f} eV"
              + (f", relaxed: MAE {summary[name]['relaxed']['mae']:.3f} eV" if relax_this else "")
              + f" ({len(pairs)} SAAs, offset removed; {summary[name]['seconds']:.0f} s)", flush=True)
    return {"systems": systems, "models": summary}


# ---------------------------------------------------------------------------------------------
# cost


def _cost_one(name: str) -> dict:
    """Timing of one model in this process (run in a subprocess per model)."""
    import resource

    from chefe.build import place_adsorbate
    from chefe.build.carbon import sac
    from chefe.build.relax import relax
    from chefe.ml.models import calculator, set_threads

    set_threads(1)
    t0 = time.perf_counter()
    calc = calculator(name, "cpu")
    load = time.perf_counter() - t0
    model = sac("Cu", "N4")
    out = {"model": name, "load_s": round(load, 2), "relaxations": []}
    sp_times = []
    for ads in ("*NO3", "*NO"):
        atoms = place_adsorbate(model, ads, model.default_site)
        a = atoms.copy()
        a.calc = calc
        a.get_potential_energy()  # warm-up (graph build, first call)
        for _ in range(3):
            a.rattle(1e-4, seed=len(sp_times))
            t = time.perf_counter()
            a.get_potential_energy()
            a.get_forces()
            sp_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        final, _ = relax(atoms, calc, fmax=0.05, steps=300)
        seconds = time.perf_counter() - t
        out["relaxations"].append({"state": ads, "atoms": len(atoms), "seconds": round(seconds, 1),
                                   "steps": int(final.info.get("relax_steps", 0)),
                                   "converged": bool(final.info.get("relax_converged"))})
    sp = float(np.median(sp_times))
    out["single_point_s"] = round(sp, 3)
    out["s_per_relaxation"] = round(float(np.mean([r["seconds"] for r in out["relaxations"]])), 1)
    out["ratio_relaxation_to_single_point"] = round(out["s_per_relaxation"] / sp, 0)
    out["peak_rss_MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return out


def cost(models) -> list[dict]:
    out = []
    for name in models:
        proc = subprocess.run([sys.executable, __file__, "--cost-one", name], capture_output=True, text=True)
        if proc.returncode:
            print(f"{name}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'}")
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        out.append(res)
        print(f"{name:10s} {res['s_per_relaxation']:6.1f} s/relaxation ({', '.join(str(r['steps']) for r in res['relaxations'])} steps), "
              f"{res['single_point_s']:.3f} s/single point, ratio {res['ratio_relaxation_to_single_point']:.0f}, "
              f"peak {res['peak_rss_MB']:.0f} MB, load {res['load_s']:.1f} s", flush=True)
    return out


def per_catalyst(db_path: Path) -> dict:
    """Seconds per catalyst of a finished quick look (relaxations plus finite differences)."""
    from ase.db import connect

    total = {}
    for row in connect(str(db_path)).select():
        if row.get("relax_seconds") is None:
            continue
        key = (row.get("ml_model"), row.get("catalyst") or "gas references")
        total[key] = total.get(key, 0.0) + row.get("relax_seconds") + (row.get("vib_seconds") or 0.0)
    return {f"{m} {c}": round(s) for (m, c), s in sorted(total.items())}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--models", default="7net-0,7net-l3i5,7net-mf-0,chgnet")
    p.add_argument("--write", action="store_true", help=f"store the accuracy table in {TABLE.name}")
    p.add_argument("--no-relax", action="store_true", help="single points only")
    p.add_argument("--relax-models", help="relax only these models (comma-separated); the others single points")
    p.add_argument("--skip-accuracy", action="store_true")
    p.add_argument("--skip-cost", action="store_true")
    p.add_argument("--cost-out", type=Path, default=HERE / "results" / "ml_cost.json",
                   help="where the cost figures are written (JSON)")
    p.add_argument("--cost-one", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.cost_one:
        print(json.dumps(_cost_one(args.cost_one)))
        return 0
    try:
        import sevenn  # noqa: F401
    except ImportError:
        print("the ML benchmark needs the ML extra: pip install 'chefe[ml]'")
        return 0
    models = [m for m in args.models.split(",") if m]
    if not args.skip_accuracy:
        if not (args.data / "dft_data.db").is_file():
            print(f"no data release at {args.data}: accuracy skipped")
        else:
            print("== ML potentials against GPAW BEEF-vdW: ΔE_N on 34 single-atom alloys ==")
            relax = False if args.no_relax else (args.relax_models.split(",") if args.relax_models else True)
            table = accuracy(models, args.data, relax=relax)
            if args.write:
                import chefe

                doc = {"name": "ml_adsorption_errors",
                       "title": "Errors of the shipped ML potentials on DFT N adsorption energies of 34 single-atom alloys",
                       "source": SOURCE,
                       "quantity": ("ΔE_N = E(slab+N) − E(slab), eV, N on the dopant of host(111) single-atom alloys "
                                    "(3x3 cells, 4 layers); ML single points at the DFT geometries and ML relaxations "
                                    "from them (bottom two layers fixed, FIRE to 0.05 eV/Å); the mean ML − DFT "
                                    "difference (offset) removed before MAE, RMSE and the largest error are formed"),
                       "computed_by": f"benchmarks/bench_ml.py --write (chefe {chefe.__version__}, 1 torch thread, CPU)",
                       **table}
                TABLE.write_text(json.dumps(doc, indent=1) + "\n")
                print(f"written {TABLE}")
    if not args.skip_cost:
        print("\n== cost on this machine (one torch thread per process) ==")
        rows = cost(models)
        catalysts = {}
        for db in sorted((HERE.parent / "examples" / "ml_quicklook").glob("*/quicklook.db")):
            catalysts[db.parent.name] = per_catalyst(db)
            print(f"per catalyst, {db.parent.name}: {catalysts[db.parent.name]}")
        import os
        import platform

        import chefe

        args.cost_out.parent.mkdir(parents=True, exist_ok=True)
        args.cost_out.write_text(json.dumps({
            "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                        "python": platform.python_version()},
            "chefe": chefe.__version__, "torch_threads": 1, "models": rows,
            "seconds_per_catalyst": catalysts}, indent=1) + "\n")
        print(f"written {args.cost_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
