"""``chefe screen``: rank candidates by activity and selectivity; fit and check scaling relations."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("candidates", nargs="?",
                        help="CSV (name, step ids, optional dG_H/class/flags and descriptor columns) "
                             "or an energies YAML file")
    parser.add_argument("--db", help="database from chefe collect instead")
    parser.add_argument("--network", default="no3rr_sac",
                        help="network for CSV/--db input; with --db several, comma-separated (orr,her), "
                             "one block each and output files named FILE_<network>")
    parser.add_argument("--adsorbate-thermo", metavar="TABLE", help="with --db: adsorbate table")
    parser.add_argument("--coadsorption", choices=["calculated", "additive"],
                        help="a state with several adsorbates (*NO2+*O): calculated (default) takes its own "
                             "run; additive approximates one without a run as G(*A) + G(*B) - G(*)")
    parser.add_argument("--site-ligand", choices=["O", "OH"],
                        help="with --db or an energies file: the network on the O- (OH-) capped single-atom "
                             "site, O-M-N4: intermediates *X+*O from their own runs; adds U_cap, the potential "
                             "above which the cap stays")
    parser.add_argument("--references", metavar="FILE",
                        help="with --db: YAML of gas, liquid and aqueous references (as for chefe fed)")
    parser.add_argument("--exclude-flagged", action="store_true",
                        help="leave out candidates whose numbers come from flagged runs (each named in the "
                             "notes); default: kept, their flags in the table and outputs")
    parser.add_argument("--pH", type=float,
                        help="pH (default: an energies file's, else 0; the same precedence as chefe fed)")
    parser.add_argument("--T", type=float,
                        help="temperature in K (default: an energies file's, else 298.15)")
    parser.add_argument("--sort", default="U_L", help="column to rank by (default U_L)")
    parser.add_argument("--filter", help="rows to keep, e.g. \"U_L > -0.5 && UL_minus_UL_HER > 0 && ok\", "
                             "\"class == 'SAC'\", \"class in ('SAC', 'DAC') and not dG_H < -0.3\"; every "
                             "column of the table, its class, flags, name and descriptor columns")
    parser.add_argument("--top", type=int, default=20, help="rows printed (default 20)")
    parser.add_argument("--pareto", action="store_true", help="print only the activity/selectivity Pareto front")
    parser.add_argument("--fit", action="append", default=[], metavar="Y:X",
                        help="fit a scaling relation, e.g. '*NOH:*NO' (species) or 'dG_NH:dG_N' (columns)")
    parser.add_argument("--fit-method", choices=["ols", "huber", "theil-sen"], default="huber",
                        help="scaling-relation fit: ordinary least squares, Huber (robust to a few outliers) or "
                             "Theil-Sen (default: huber)")
    parser.add_argument("--by-class", action="store_true", help="also fit each catalyst class")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="family-wise level of the scaling-violation and class tests: a clean data "
                             "set shows any violator with at most this probability (default 0.05)")
    parser.add_argument("--k", type=float, help=argparse.SUPPRESS)  # deprecated: a fixed |t| cut
    parser.add_argument("--threshold", type=float, help="also a violation when |residual| > this many eV")
    parser.add_argument("--plot", metavar="FILE", help="scaling plot of the first --fit")
    parser.add_argument("--violations", metavar="FILE",
                        help="CSV of every scaling violation (the terminal shows the --top largest)")
    parser.add_argument("--volcano", metavar="SPECIES=FILE",
                        help="volcano of U_L vs one descriptor from fitted step relations, e.g. '*N=volcano.png'")
    parser.add_argument("--map", metavar="SP1,SP2=FILE",
                        help="2-D activity map vs two descriptors, e.g. '*NO3,*NO=map.png'")
    parser.add_argument("--heatmap", metavar="FILE",
                        help="M1 x M2 heatmap of U_L for dual-atom names like 'Ti-Fe' or 'TiFe@g-CN'")
    parser.add_argument("--units", choices=["eV", "kJ/mol", "kcal/mol", "Hartree"],
                        help="energy unit of a candidates CSV (default eV; converted through ase.units). "
                             "An energies YAML names its unit in the file (units: kJ/mol)")
    parser.add_argument("--strict", action="store_true",
                        help="turn plausibility warnings (|ΔG| > 5 eV, |U_L| > 3 V) into errors")
    parser.add_argument("--csv", metavar="FILE", help="write the ranked table as CSV ('-' for stdout)")
    parser.add_argument("--json", metavar="FILE", help="write the ranked table as JSON ('-' for stdout)")
    parser.add_argument("--latex", metavar="FILE", help="write the ranked table as a LaTeX tabular")


def load(args):
    """(ScreenResult, extra descriptor columns) for the chosen input."""
    from pathlib import Path


    from ..conditions import Conditions
    from ..network import load_network
    from ..screen import load_candidates_csv, screen

    # one precedence for every command: the command line, then the file, then the default
    cond = Conditions(0.0, 0.0 if args.pH is None else args.pH, 298.15 if args.T is None else args.T)
    if args.db:
        from ..dbinput import energies_from_db

        from ..report import given_equilibrium_potential

        es = energies_from_db(args.db, args.network, conditions=cond, adsorbate_table=args.adsorbate_thermo,
                              references=args.references, coadsorption=args.coadsorption or "calculated",
                              site_ligand=args.site_ligand)
        given = given_equilibrium_potential(es.network, es.ledger)
        dG_H, h_notes, h_flags = _dG_H_from_db(args, es, cond)
        flags = [tuple(dict.fromkeys((*(es.flags[k] if es.flags else ()), *h_flags.get(n, ()))))
                 for k, n in enumerate(es.names)]
        return screen(es.network, es.dG0, names=es.names, conditions=cond, dG_H=dG_H,
                      flags=[",".join(f) for f in flags] if any(flags) else None,
                      notes=es.notes + ((given[1],) if given else ()) + h_notes,
                      missing_species=es.missing_species or None,
                      U_eq=None if given is None else given[0]), {}
    if not args.candidates:
        from ..errors import InputError

        raise InputError("give a candidates CSV, an energies YAML or --db")
    if args.references:
        from ..errors import InputError

        raise InputError("--references goes with --db; an energies YAML has its own references: block")
    path = Path(args.candidates)
    if path.suffix.lower() in (".yaml", ".yml"):
        from ..inputs import load_energies

        if args.units:
            from ..errors import InputError

            raise InputError(f"--units is for a candidates CSV; in {path} write units: {args.units} instead")
        es = load_energies(path, pH=args.pH, coadsorption=args.coadsorption, site_ligand=args.site_ligand)
        cond = Conditions(0.0, es.conditions.pH if args.pH is None else args.pH,
                          es.conditions.T if args.T is None else args.T)
        if es.ledger is not None and abs(es.ledger.temperature - cond.T) > 1e-9:
            from ..errors import InputError

            raise InputError(f"{path}: thermal corrections were computed at {es.ledger.temperature:g} K but "
                             f"T = {cond.T:g} K was asked; set conditions.T (or references.temperature) in the file")
        return screen(es.network, es.dG0, names=es.names, conditions=cond, notes=es.notes,
                      missing_species=es.missing_species or None), {}
    net = load_network(args.network)
    data = load_candidates_csv(path, net, units=args.units or "eV")
    extra = {c: v for c, v in data["descriptors"].items() if v.dtype != object}
    result = screen(net, data["dG0"], names=data["names"], conditions=cond, dG_H=data["dG_H"],
                    classes=data["classes"], flags=data["flags"], inputs=data["descriptors"],
                    notes=data["notes"])
    return result, extra


def _dG_H_from_db(args, es, cond):
    """ΔG*H per catalyst from the database's *H runs (the HER network's Volmer step), for the
    selectivity columns, with notes and the flags of those runs; None when the database has no *H run or the network is HER."""
    import numpy as np

    from ..dbinput import energies_from_db
    from ..errors import InputError

    if es.network.target == "H2":
        return None, (), {}
    try:
        her = energies_from_db(args.db, "her", conditions=cond, adsorbate_table=args.adsorbate_thermo,
                               references=args.references)
    except InputError as exc:
        return None, (f"ΔG*H not computed from the database ({exc}): HER columns left out",), {}
    volmer = her.network.index("Volmer")
    by_name = {n: float(her.dG0[volmer, k]) for k, n in enumerate(her.names)}
    dG_H = np.array([by_name.get(n, np.nan) for n in es.names])
    if not np.isfinite(dG_H).any():
        return None, (), {}
    lacking = [n for n, v in zip(es.names, dG_H) if not np.isfinite(v)]
    notes = ("ΔG*H from the database's *H runs (HER network, Volmer step)",)
    if lacking:
        more = f" and {len(lacking) - 10} more" if len(lacking) > 10 else ""
        notes += (f"no *H run for {', '.join(map(str, lacking[:10]))}{more}: HER columns blank",)
    # the flags of the runs behind ΔG*H travel with the candidate's other flags
    flags = {n: her.flags[k] for k, n in enumerate(her.names)} if her.flags else {}
    return dG_H, notes, flags


def check_outputs(args) -> None:
    """Every output named on the command line is checked before any work (suffixes, FILE=... forms)."""
    from ..errors import InputError
    from .outputs import check_figure

    for option, spec in (("--volcano", args.volcano), ("--map", args.map)):
        if spec:
            if "=" not in spec:
                raise InputError(f"{option} {spec!r}: write DESCRIPTOR=FILE (D1,D2=FILE for --map)")
            check_figure(spec.rsplit("=", 1)[1], option)
    for option, name in (("--plot", args.plot), ("--heatmap", args.heatmap)):
        if name:
            check_figure(name, option)
    for spec in args.fit:
        if ":" not in spec:
            raise InputError(f"--fit {spec!r}: write Y:X, e.g. '*NOH:*NO'")
    if args.top < 0:
        raise InputError(f"--top {args.top}: give a number of rows, 0 or more")


#: options naming an output file; with several networks each gets one file per network
_OUTPUTS = ("csv", "json", "latex", "plot", "violations", "heatmap")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    check_outputs(args)
    networks = [n.strip() for n in args.network.split(",") if n.strip()]
    if not networks:
        raise InputError(f"--network {args.network!r}: name a network, e.g. --network no3rr_sac")
    if len(networks) == 1:
        args.network = networks[0]
        return run_one(args)
    if not args.db:
        raise InputError(f"--network {args.network!r}: several networks go with --db; a candidates CSV "
                         "holds the steps of one network")
    from copy import copy

    from .fed import per_network

    for i, network in enumerate(networks):
        one = copy(args)
        one.network = network
        for option in _OUTPUTS:
            name = getattr(args, option)
            if name and name != "-":
                setattr(one, option, per_network(name, network))
        for option in ("volcano", "map"):
            spec = getattr(args, option)
            if spec:
                head, name = spec.rsplit("=", 1)
                setattr(one, option, f"{head}={per_network(name, network)}")
        if i:
            sys.stdout.write("\n")
        run_one(one)
    return 0


def run_one(args: argparse.Namespace) -> int:
    """One network's screen (table, fits, plots, files)."""
    import numpy as np

    from ..errors import InputError
    from ..screen import species_energies

    result, extra = load(args)
    from ..plausibility import plausibility_warnings

    warnings_found = plausibility_warnings(result.che.network, result.che.dG0, list(map(str, result.names)),
                                           result.che.U_L)
    if args.strict and warnings_found:
        raise InputError("--strict: " + "; ".join(w.removeprefix("warning: ") for w in warnings_found))
    cols = result.columns()
    mask = result.select(args.filter) if args.filter else np.ones(len(result.names), bool)
    excluded = []
    if args.exclude_flagged:
        flagged = np.array([bool(f) for f in result.flags], dtype=bool)
        excluded = [f"{result.names[k]}: left out (--exclude-flagged): {result.flags[k]}"
                    for k in np.flatnonzero(flagged & mask)]
        mask = mask & ~flagged
    order = [k for k in result.order(args.sort) if mask[k]]
    shown = [k for k in result.pareto() if mask[k]] if args.pareto else order
    # the report goes to stderr when a table is written to stdout (--csv - / --json -)
    out = sys.stderr if "-" in (args.csv, args.json) else sys.stdout
    che = result.che
    out.write(f"{len(result.names)} candidates; network {che.network.name}; product {che.product}; "
              f"pH {che.conditions.pH:g}; U_eq = {che.U_eq:+.3f} V; {int(mask.sum())} pass the filter\n")
    unit = args.units or "eV"
    out.write("U_L, eta and UL_minus_UL_HER in V vs RHE, other columns in eV"
              + (f" (the table's {unit} converted to eV)" if unit != "eV" else "") + "\n")
    heads = ["U_L", "eta"] + [c for c in ("UL_minus_UL_HER", "site_NO3_minus_H") if c in cols]
    heads += [c for c in cols if c.endswith("_release")]
    out.write(f"{'candidate':20s} " + " ".join(f"{h[:16]:>16s}" for h in heads) + "  PDS\n")
    for k in shown[: args.top]:
        vals = " ".join(f"{cols[h][k]:+16.3f}" if np.isfinite(cols[h][k]) else f"{'-':>16s}" for h in heads)
        flag = f"  [{result.flags[k]}]" if result.flags[k] else ""
        out.write(f"{str(result.names[k])[:20]:20s} {vals}  {che.step_id(int(che.pds[k]))}{flag}\n")
    for note in list(result.notes) + excluded:
        out.write(f"note: {note}\n")
    for warning in warnings_found:
        out.write(f"{warning}\n")
    if args.fit:
        import warnings

        from ..scaling import (
            ALPHA,
            class_deviations,
            compare_with_bond_order,
            fit_by_class,
            fit_scaling,
            violations,
        )

        alpha = args.alpha if args.alpha is not None else ALPHA
        if not 0 < alpha < 1:
            raise InputError(f"--alpha must lie between 0 and 1, got {alpha:g}")
        # --k (the old |residual| > k·RMSE rule) is kept as a fixed cut on |t|, deprecated
        k_cut = args.k
        if k_cut is not None:
            out.write(f"note: --k {k_cut:g} is deprecated: violations use |t| > {k_cut:g} instead of the "
                      f"Bonferroni test at family-wise level {alpha:g}\n")

        def off_line(fit, xv, yv):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # noted once above
                return violations(fit, xv, yv, alpha=alpha, threshold=args.threshold, k=k_cut)

        species = species_energies(che)
        pool = {**{k: v for k, v in cols.items()}, **extra, **species}
        for k_fit, spec in enumerate(args.fit):
            if ":" not in spec:
                raise InputError(f"--fit {spec!r}: write Y:X")
            y_name, x_name = spec.split(":", 1)
            for name in (y_name, x_name):
                if name not in pool:
                    raise InputError(f"--fit {spec!r}: no column or species {name!r}; available: {sorted(pool)}")
            x, y = pool[x_name], pool[y_name]
            ok = np.isfinite(x) & np.isfinite(y)
            if args.exclude_flagged:  # flagged runs stay out of the fits too
                ok &= np.array([not f for f in result.flags], dtype=bool)
            names = [str(n) for n, keep in zip(result.names, ok) if keep]
            fit = fit_scaling(x[ok], y[ok], names=names, method=args.fit_method, x_names=(x_name,), y_name=y_name)
            out.write(f"\nscaling {fit.equation()}  R² {fit.r2:.3f}  RMSE {fit.rmse:.3f} eV  MAE {fit.mae:.3f} eV  "
                      f"n {fit.n}  slope CI [{fit.coef_ci[0, 0]:.3f}, {fit.coef_ci[0, 1]:.3f}]\n")
            bo = compare_with_bond_order(fit, y_name, x_name)
            if bo:
                out.write(f"  bond-order slope {bo['predicted']:.3f}: {'inside' if bo['consistent'] else 'outside'} the CI\n")
            for note in fit.notes:
                out.write(f"  note: {note}\n")
            found = off_line(fit, x[ok], y[ok])
            by_size = np.argsort(-np.abs(found.residual), kind="stable")
            for j in by_size[: args.top]:
                v = found[int(j)]
                out.write(f"  breaks scaling: {v.name}  residual {v.residual:+.3f} eV (t {v.t:+.1f}, "
                          f"p {v.p_value:.2g} Bonferroni)\n")
            if len(found) > args.top:
                out.write(f"  ... {len(found) - args.top} more violation(s), largest first above"
                          f"{'; all in ' + args.violations if args.violations else ' (--violations FILE lists all)'}\n")
            if args.violations:
                import csv

                with open(args.violations, "a" if k_fit else "w", newline="") as handle:
                    writer = csv.writer(handle)
                    if not k_fit:
                        writer.writerow(["fit", "name", "residual_eV", "z", "rule", "x", "y", "t", "p_adjusted"])
                    for j in by_size:
                        v = found[int(j)]
                        writer.writerow([spec, v.name, f"{v.residual:.6f}", f"{v.z:.3f}", v.rule,
                                         ";".join(f"{t:.6f}" for t in v.x), f"{v.y:.6f}", f"{v.t:.3f}",
                                         f"{v.p_value:.3g}"])
            if args.by_class:
                classes = np.asarray(result.classes, dtype=object)[ok]
                fits, messages = fit_by_class(x[ok], y[ok], classes, names=names, method=args.fit_method,
                                              x_names=(x_name,), y_name=y_name)
                for cls, f in fits.items():
                    out.write(f"  class {cls}: {f.equation()}  RMSE {f.rmse:.3f} eV  n {f.n}\n")
                for m in messages:
                    out.write(f"  {m}\n")
                for d in class_deviations(x[ok], y[ok], classes, names=names, method=args.fit_method,
                                          alpha=alpha, report_all=True):
                    what = [w for w, flag in (("slope", d["slope_outside"]), ("intercept", d["intercept_outside"]))
                            if flag]
                    verdict = f"deviates ({', '.join(what) or 'jointly'})" if d["deviates"] else "consistent"
                    out.write(f"  class {d['class']} vs the rest: Chow F {d['F']:.2f} (dof {d['dof'][0]}, "
                              f"{d['dof'][1]}), p {d['p_adjusted']:.2g} (Bonferroni over {d['classes_tested']}): "
                              f"{verdict} at α = {alpha:g}\n")
            if args.plot and k_fit == 0:
                import matplotlib

                matplotlib.use("Agg")
                from ..plotting.maps import plot_scaling, scaling_plot_data

                plot_scaling(scaling_plot_data(fit, x[ok], y[ok], off_line(fit, x[ok], y[ok])), filename=args.plot)
    for spec, dims in ((args.volcano, 1), (args.map, 2)):
        if not spec:
            continue
        if "=" not in spec:
            raise InputError(f"{spec!r}: write DESCRIPTOR=FILE (or D1,D2=FILE for --map)")
        import matplotlib

        matplotlib.use("Agg")
        from ..activity import activity_map, fit_step_model
        from ..plotting.maps import map_plot_data, plot_map, plot_volcano, volcano_plot_data
        from ..screen import species_energies

        names_part, filename = spec.rsplit("=", 1)
        descriptors = [d.strip() for d in names_part.split(",") if d.strip()]
        if len(descriptors) != dims:
            raise InputError(f"{spec!r}: give {dims} descriptor(s)")
        model, fits = fit_step_model(result, descriptors)
        sp = species_energies(che)
        grids = []
        for d in descriptors:
            v = sp[d][np.isfinite(sp[d])]
            pad = 0.1 * (v.max() - v.min() + 1e-9)
            grids.append(np.linspace(v.min() - pad, v.max() + pad, 201 if dims == 1 else 81))
        from ..conditions import Conditions

        # the map on the RHE scale, like the candidates' U_L_RHE it is compared with
        rhe = Conditions(0.0, che.conditions.pH, che.conditions.T, "RHE")
        amap = activity_map(model, *grids, conditions=rhe, product=che.product)
        # beyond the fits' one-sided prediction bound: the steps' scatter, not a fixed 0.05 V
        level = args.alpha if args.alpha is not None else 0.05
        margin = amap.optimum_margin(sigma=fits, alpha=level)
        beats = amap.beats_optimum(che.U_L_RHE, sigma=fits, alpha=level)
        if dims == 1:
            plot_volcano(volcano_plot_data(amap, sp[descriptors[0]], che.U_L_RHE, list(map(str, result.names)), beats),
                         filename=filename)
        else:
            plot_map(map_plot_data(amap, (sp[descriptors[0]], sp[descriptors[1]], list(map(str, result.names)))),
                     filename=filename)
        best, where = amap.optimum
        out.write(f"{'volcano' if dims == 1 else 'map'} {filename}: scaling-limited optimum U_L {best:+.3f} V at "
                  f"{', '.join(f'{d} = {w:+.2f} eV' for d, w in zip(descriptors, where))}; "
                  f"{int(beats.sum())} candidate(s) beat it by > {margin:.3f} V (one-sided {1 - level:.0%} "
                  f"prediction bound of the fitted steps): "
                  f"{[str(result.names[k]) for k in np.flatnonzero(beats)][:10]}\n")
    if args.heatmap:
        import re

        import matplotlib

        matplotlib.use("Agg")
        from ..activity import heatmap
        from ..plotting.maps import heatmap_plot_data, plot_heatmap

        pairs, keep, single = [], [], []
        for k, name in enumerate(result.names):
            m = re.match(r"^([A-Z][a-z]?)[-_]?([A-Z][a-z]?)(?:$|[@/_-])", str(name))
            if m:
                pairs.append(m.groups())
                keep.append(k)
            else:
                single.append(str(name))
        if single:
            out.write(f"note: --heatmap: {len(single)} candidate(s) without two metals in the name (e.g. "
                      f"'Ti-Fe', 'TiFe@g-CN') left out of the heatmap: {single[:10]}\n")
        if not pairs:
            out.write("note: --heatmap: no dual-atom candidate, no heatmap written\n")
        if pairs:
            rows, cols_, grid = heatmap([p[0] for p in pairs], [p[1] for p in pairs], che.U_L[keep])
            plot_heatmap(heatmap_plot_data(rows, cols_, grid, f"U$_L$ (V$_{{{che.conditions.scale}}}$)"),
                         filename=args.heatmap)
            out.write(f"heatmap: {args.heatmap}\n")
    indices = shown if (args.pareto or args.filter or args.exclude_flagged) else order
    if args.csv:
        result.to_csv(args.csv, indices)
    if args.json:
        result.to_json(args.json, indices)
    if args.latex:
        result.to_latex(args.latex, indices)
    return 0
