"""``chefe quicklook``: free energies from a machine-learned potential before any DFT run."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", choices=["sac", "dac", "gcn", "slab"],
                        help="model kind, as for chefe build (or --from a catalogue)")
    parser.add_argument("args", nargs="*", help="metal(s), then coordination or facet, as for chefe build "
                        "(sac Cu N4; dac Cu Co N6; gcn Ti Fe; gcn screen; slab Cu 111)")
    parser.add_argument("--from", dest="from_file", metavar="YAML", help="catalogue of catalysts to look at")
    parser.add_argument("--host", choices=["plane", "tube"], default="plane", help="SAC/DAC host (default plane)")
    parser.add_argument("--chirality", default=None, help="tube (n,m), e.g. 8,0")
    parser.add_argument("--size", default=None, help="graphene supercell, e.g. 7,7")
    parser.add_argument("--sites", help="one pathway per named site, comma-separated (M1,M2: the two metals "
                        "of a dual-atom catalyst, as for chefe build)")
    parser.add_argument("--network", default="no3rr_sac", help="reaction network (default no3rr_sac)")
    parser.add_argument("--model", default="7net-0",
                        help="comma-separated ML models; several give the spread as an error bar "
                        "(offered: 7net-0, 7net-l3i5, 7net-mf-0 (sevenn, MIT licence), chgnet (modified BSD), "
                        "or sevenn:PATH.pth; default 7net-0; --list-models for versions and references)")
    parser.add_argument("--list-models", action="store_true",
                        help="list the offered models with package, version, licence, weights checksum and error vs DFT")
    parser.add_argument("--db", default="quicklook.db",
                        help="ase.db for every relaxed start (default quicklook.db); a re-run computes only "
                        "what it lacks")
    parser.add_argument("--executor", default=None,
                        help="where relaxations run: local[:N] (default, a process pool), parsl:CONFIG.py "
                        "or dask:ADDRESS (dask:local for a LocalCluster)")
    parser.add_argument("--workers", type=int, default=1, help="local workers (default 1)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker (default 1)")
    parser.add_argument("--device", default=None, help="torch device (default: cuda when torch sees a GPU, else cpu)")
    parser.add_argument("--fmax", type=float, default=0.05, help="force criterion in eV/Å (default 0.05)")
    parser.add_argument("--steps", type=int, default=300, help="optimiser steps per start (default 300)")
    parser.add_argument("--starts", type=int, default=3, help="starting modes/sites per intermediate (default 3)")
    parser.add_argument("--thermo", default="ml",
                        help="thermal corrections: ml (finite-difference frequencies with the same potential, "
                        "default) or a shipped adsorbate table (adsorbates_pt111_kreitz)")
    parser.add_argument("-o", "--output", action="append", default=[], help="figure file(s) (.png, .pdf, .svg)")
    parser.add_argument("--U", nargs="+", default=["0", "UL"], metavar="U",
                        help="diagram panels: potentials in V and/or UL (default 0 UL)")
    parser.add_argument("--csv", metavar="FILE", help="write the summary table as CSV")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from .build import specs_from_args
    from .outputs import check_figure, check_output

    if args.list_models:
        return list_models()
    from ..executors import parse_spec

    parse_spec(args.executor)  # a misspelt executor fails before anything is built
    for name in args.output:
        check_figure(name)
    if args.csv:
        check_output(args.csv, "--csv")
    args.axial = None
    args.ring = "pyridinic"
    args.single_atom = None
    args.lattice = None
    specs = specs_from_args(args)
    if args.sites:
        if args.from_file:
            raise InputError("--sites: with --from, name the sites in each catalogue entry (sites: [M1, M2])")
        specs = [{**spec, "sites": [x.strip() for x in args.sites.split(",") if x.strip()]} for spec in specs]
    try:
        from ..ml.quicklook import Settings, quicklook
    except ImportError as exc:  # pragma: no cover - the module itself imports nothing optional
        raise InputError(f"the ML quick look cannot start: {exc}") from None
    models = [m.strip() for m in args.model.split(",") if m.strip()]
    if not models:
        raise InputError("--model: name at least one model, e.g. --model 7net-0")
    settings = Settings(fmax=args.fmax, steps=args.steps, threads=args.threads, device=args.device,
                        thermo=args.thermo, max_starts=args.starts)
    result = quicklook(specs, args.network, db=args.db, models=models, settings=settings,
                       executor=args.executor, workers=args.workers,
                       progress=not args.quiet and sys.stderr.isatty())
    return report(result, args)


def list_models() -> int:
    """One block per offered model: what is installed and what chefe measured."""
    from ..errors import InputError
    from ..ml.models import MODELS, error_text, model_record

    for name, model in MODELS.items():
        try:
            rec = model_record(name)
        except InputError as exc:
            print(f"{name}: {exc}")
            continue
        print(f"{name}: {rec['ml_package']} {rec['ml_version']}, licence {rec['ml_licence']}, weights "
              f"{rec['ml_weights']} (sha256 {rec['ml_sha256'][:16]}...)\n  {model.reference}\n  {error_text(name)}")
    return 0


def report(result, args) -> int:
    """Print the quick look's table (per model, with the spread across models), and write its CSV
    and figure (the first model's diagram, error bars from the others)."""
    from ..ml.models import error_text
    from ..report import fed_report
    from .fed import print_table

    out = sys.stdout
    out.write(f"ML quick look: {result.computed} relaxations computed, {result.reused} reused from "
              f"{args.db}, {result.seconds:.0f} s\n")
    for line in result.failed:
        out.write(f"  failed: {line}\n")
    for line in result.rejected:
        out.write(f"  start not kept: {line}\n")
    reports = [fed_report(result.energies[m], potentials=args.U) for m in result.models]
    for rep in reports:
        print_table(rep, rep.rows())
    spread, steps = result.spread(), result.step_spread()
    names = result.energies[result.models[0]].names
    if spread is not None:
        out.write(f"spread across {', '.join(result.models)} (half range):\n")
        ids = result.energies[result.models[0]].network.step_ids
        for k, name in enumerate(names):
            per_step = ", ".join(f"{i} \u00b1{v:.2f}" for i, v in zip(ids, steps[:, k]) if v == v)
            out.write(f"  {name}: U_L \u00b1{spread[k]:.2f} V; \u0394G (eV): {per_step}\n")
    if args.csv:
        _write_csv(result, reports, spread, args.csv)
    if args.output:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from dataclasses import replace

        from ..plotting.data import level_spread, with_spread
        from ..plotting.fed import plot_fed

        first = result.models[0]
        title = f"ML quick look ({first}): {result.energies[first].network.name}"
        if len(result.models) > 1:
            title += f"; error bars: spread over {', '.join(result.models)}"
        ul = result.results[first].U_L
        title += "\n$U_\\mathrm{L}$: " + ", ".join(
            f"{n} {_minus(u)}" + ("" if spread is None else f" \u00b1 {spread[k]:.2f}") + " V"
            for k, (n, u) in enumerate(zip(names, ul)) if u == u)
        title += "\n" + error_text(first, short=True)
        notes = ()
        spread_levels = {}
        if len(result.models) > 1:
            at_zero = [fed_report(result.energies[m], potentials=["0"]).plot for m in result.models]
            spread_levels, notes = level_spread(at_zero)
        plot = with_spread(reports[0].plot, spread_levels, title=title)
        plot = replace(plot, notes=plot.notes + notes)
        fig = plot_fed(plot, filename=args.output)
        plt.close(fig)
        out.write("figure: " + ", ".join(args.output) + "\n")
    return 0


def _write_csv(result, reports, spread, target: str) -> None:
    """One row per model and catalyst: the fed table's columns, the model, its record and the
    U_L spread across the models."""
    import csv

    rows = []
    for model, rep in zip(result.models, reports):
        record = result.records[model]
        first = list(result.energies[result.models[0]].names)
        for row in rep.rows():
            extra = {"ml_model": model, "ml_version": record["ml_version"], "ml_sha256": record["ml_sha256"]}
            if spread is not None and row.get("catalyst") in first:
                extra["U_L_spread"] = round(float(spread[first.index(row["catalyst"])]), 4)
            rows.append({**extra, **row})
    fields = list(dict.fromkeys(k for row in rows for k in row if k != "route_UL"))
    handle = sys.stdout if target == "-" else open(target, "w", newline="")
    try:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if handle is not sys.stdout:
            handle.close()


def _minus(x: float) -> str:
    return f"{x:+.2f}".replace("-", "\u2212")
