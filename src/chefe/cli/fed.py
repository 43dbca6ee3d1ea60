"""``chefe fed ENERGIES``: table of U_L, PDS and η per catalyst, and the free-energy diagram."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("energies", nargs="?", help="energies file (YAML; see chefe.inputs), or a CatMAP "
                        "energies.txt")
    parser.add_argument("--db", help="ASE database from `chefe collect` instead of an energies file")
    parser.add_argument("--network", default="no3rr_sac",
                        help="network(s) for --db or a CatMAP energies.txt, comma-separated for one "
                             "block each, e.g. orr,her (default no3rr_sac)")
    parser.add_argument("--references", metavar="FILE",
                        help="with --db: YAML of gas, liquid and aqueous references (species: {H2(g): "
                             "{energy: E, thermo: {...}}, O2(g): {water_cycle: computed}, ...}, nitrate:, "
                             "equilibrium_potentials: {H2O: 1.23}); replaces the database's gas runs of "
                             "the same species")
    parser.add_argument("--adsorbate-thermo", metavar="TABLE",
                        help="with --db: table for adsorbates without a vibration run "
                             "(e.g. adsorbates_pt111_kreitz)")
    parser.add_argument("--low-frequency", choices=["harmonic", "raise"], default="harmonic",
                        help="with --db: low-frequency policy (raise = 100 cm-1 floor)")
    parser.add_argument("--imaginary", choices=["fail", "drop", "real"], default="fail",
                        help="with --db: what to do with imaginary modes (default: fail, naming the run)")
    parser.add_argument("--nitrate-adsorption", choices=["oxidative", "chemical"],
                        help="NO3- adsorption as an oxidative step (NO3- + * -> *NO3 + e-, default) or a "
                             "chemical one (its ΔG at 0 V, pH 0, at every potential)")
    parser.add_argument("--nitrate-dissociation", action="store_true",
                        help="add dissociative NO3- adsorption, NO3- + * -> *O + NO2- (step NO3_dissads), "
                             "*O then reduced through *OH")
    parser.add_argument("--site-ligand", choices=["O", "OH"],
                        help="the network on the O- (OH-) capped single-atom site, O-M-N4: clean site *O, "
                             "intermediates *X+*O from their own runs (chefe build --network NAME --site-ligand "
                             "O writes them); the notes say above which potential the cap stays")
    parser.add_argument("--hydrogenation", choices=["pcet", "adsorbed_h"],
                        help="pcet: each hydrogenation by H+ + e- (default); adsorbed_h: by H adsorbed on a "
                             "free site (Volmer, then *X + *H; networks with two or more sites)")
    parser.add_argument("--coadsorption", choices=["calculated", "additive"],
                        help="a state with several adsorbates (*NO2+*O): calculated (default) takes its own "
                             "run; additive approximates one without a run as G(*A) + G(*B) - G(*), named "
                             "in the notes")
    parser.add_argument("--site-labels", action="store_true",
                        help="name the sites of a network with anonymous sites (M1, M2: *NO3@M1 and *NO3@M2 "
                             "are different species); set on its own when the runs name their sites")
    parser.add_argument("--gas-corrections", choices=["formation"],
                        help="with --db: correct the DFT gas energies so that their reactions with "
                             "H2, H2O(l) and NH3 reproduce the formation table (reported in the notes)")
    parser.add_argument("--solvation", metavar="FILE",
                        help="with --db: YAML of solvation corrections per adsorbate (eV), "
                             "added to G like the thermal corrections")
    parser.add_argument("--strict", action="store_true",
                        help="turn plausibility and consistency warnings into errors (no output written)")
    parser.add_argument("-o", "--output", action="append", default=[],
                        help="figure file(s): .png, .pdf or .svg (repeat for several)")
    parser.add_argument("--U", nargs="+", metavar="U",
                        help="potentials of the diagram panels in V, or UL for each catalyst's "
                             "limiting potential (default: 0 UL)")
    parser.add_argument("--pH", type=float, help="pH (default: the file's, else 0)")
    parser.add_argument("--T", type=float, help="temperature in K (default: the file's, else 298.15)")
    parser.add_argument("--scale", choices=["RHE", "SHE"], help="potential scale (default RHE)")
    parser.add_argument("--product", help="product to analyse (default: the network's target)")
    parser.add_argument("--catalysts", help="comma-separated catalysts to draw (default: all)")
    parser.add_argument("--label-mode", choices=["auto", "axis", "levels"], default="auto",
                        help="intermediate labels on the x axis or above each level")
    parser.add_argument("--exclude-flagged", action="store_true",
                        help="leave out catalysts whose numbers come from flagged runs (default: keep them, "
                             "marked \u2020 with their flags)")
    parser.add_argument("--json", metavar="FILE", help="write results as JSON ('-' for stdout)")
    parser.add_argument("--csv", metavar="FILE", help="write the summary table as CSV ('-' for stdout)")
    parser.add_argument("--panels", action="store_true",
                        help="one panel per potential even for a single catalyst (default: a single catalyst's "
                             "potentials share one axis)")
    parser.add_argument("--relay", metavar="DONOR,ACCEPTOR",
                        help="tandem catalyst: draw the relay in which the DONOR site reduces NO3- and releases "
                             "NO2-, which the ACCEPTOR site takes to NH3 (site or catalyst names, e.g. Cu,Co)")
    from .outputs import add_figure_arguments

    add_figure_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..inputs import load_energies
    from ..report import fed_report

    from .outputs import check_figure, check_output

    _positional_after_U(args)
    from .outputs import check_figure_arguments

    check_figure_arguments(args)
    relay = None
    if args.relay:
        relay = tuple(x.strip() for x in args.relay.split(","))
        if len(relay) != 2 or not all(relay):
            from ..errors import InputError

            raise InputError(f"--relay {args.relay!r}: name the donor and the acceptor site, e.g. --relay Cu,Co")
    for name in args.output:
        check_figure(name)
    for option, name in (("--json", args.json), ("--csv", args.csv)):
        if name:
            check_output(name, option)
    if args.U:
        bad = [u for u in args.U if u.upper() != "UL" and not _is_number(u)]
        if bad:
            from ..errors import InputError

            raise InputError(f"--U {bad[0]!r}: give potentials in V or UL, e.g. --U 0 UL")
    if bool(args.energies) == bool(args.db):
        from ..errors import InputError

        raise InputError("give an energies file or --db (one of them)")
    if not args.db and (args.solvation or args.gas_corrections or args.references):
        from ..errors import InputError

        raise InputError("--solvation, --gas-corrections and --references go with --db; in an energies "
                         "file write solvation: {...} and references: {species: {...}, gas_corrections: "
                         "{scheme: formation}}")
    from ..io.catmap import is_catmap_table

    catmap = bool(args.energies) and is_catmap_table(args.energies)
    several = args.db or catmap
    networks = [n.strip() for n in args.network.split(",") if n.strip()] if several else [None]
    if several and not networks:
        from ..errors import InputError

        raise InputError(f"--network {args.network!r}: name a network, e.g. --network orr,her")
    if len(networks) > 1 and args.product:
        from ..errors import InputError

        raise InputError("--product names one network's product; with several networks leave it out "
                         "(each block analyses its network's target)")
    reports = []
    for network in networks:
        if args.db:
            from ..conditions import Conditions
            from ..dbinput import energies_from_db
            from ..thermo import ThermoPolicy

            energies = energies_from_db(
                args.db, network,
                conditions=Conditions(0.0, args.pH or 0.0, args.T or 298.15, args.scale or "RHE"),
                policy=ThermoPolicy(low_frequency=args.low_frequency, imaginary=args.imaginary),
                adsorbate_table=args.adsorbate_thermo,
                nitrate_adsorption=args.nitrate_adsorption or "oxidative",
                hydrogenation=args.hydrogenation or "pcet",
                nitrate_dissociation=args.nitrate_dissociation,
                coadsorption=args.coadsorption or "calculated", site_labels=args.site_labels,
                site_ligand=args.site_ligand,
                solvation={"table": args.solvation} if args.solvation else None,
                gas_corrections={"scheme": args.gas_corrections} if args.gas_corrections else None,
                references=args.references)
        elif catmap:
            from ..io.catmap import load_catmap

            energies = load_catmap(args.energies, network, nitrate_adsorption=args.nitrate_adsorption,
                                   pH=args.pH, temperature=args.T)
        else:
            energies = load_energies(args.energies, nitrate_adsorption=args.nitrate_adsorption, pH=args.pH,
                                     hydrogenation=args.hydrogenation,
                                     nitrate_dissociation=args.nitrate_dissociation,
                                     coadsorption=args.coadsorption, site_labels=args.site_labels or None,
                                     site_ligand=args.site_ligand)
        report = fed_report(
            energies, potentials=args.U, pH=args.pH, temperature=args.T, scale=args.scale,
            product=args.product,
            catalysts=[c.strip() for c in args.catalysts.split(",")] if args.catalysts else None,
            label_mode=args.label_mode, exclude_flagged=args.exclude_flagged,
            one_axis=False if args.panels else None, relay=relay,
        )
        if args.strict and report.warnings:
            from ..errors import InputError

            raise InputError("--strict: " + "; ".join(w.removeprefix("warning: ") for w in report.warnings))
        reports.append(report)
    to_stdout = args.json == "-" or args.csv == "-"
    several = len(reports) > 1
    if not to_stdout:
        for i, report in enumerate(reports):
            if i:
                sys.stdout.write("\n")
            print_table(report, report.rows())
    if args.json:
        write_json(reports, args.json)
    if args.csv:
        write_csv(reports, args.csv)
    if args.output:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from ..plotting.fed import plot_fed
        from .outputs import figure_kwargs

        written = []
        for report in reports:
            names = [per_network(name, report.result.network.name) if several else name for name in args.output]
            fig = plot_fed(report.plot, filename=names, **figure_kwargs(args))
            plt.close(fig)
            written.extend(names)
        if not to_stdout:
            print("figure: " + ", ".join(written))
    return 0


def per_network(filename: str, network: str) -> str:
    """``fed.pdf`` -> ``fed_orr.pdf``: one figure per network when several are analysed."""
    from pathlib import Path

    path = Path(filename)
    return str(path.with_name(f"{path.stem}_{network}{path.suffix}"))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _positional_after_U(args) -> None:
    """``chefe fed --U 0 UL file.yaml``: the file that --U swallowed is the energies file."""
    if args.U and args.energies is None and not args.db:
        last = args.U[-1]
        if last.upper() != "UL" and not _is_number(last):
            args.energies = last
            args.U = args.U[:-1] or None


def print_table(report, rows) -> None:
    result = report.result
    cond = result.conditions
    out = sys.stdout
    title = report.energies.title or report.energies.source
    out.write(f"{title}\n")
    out.write(f"network {result.network.name}; product {result.product}; pH {cond.pH:g}; "
              f"T {cond.T:g} K; potentials vs {cond.scale}; U_eq = {result.U_eq:+.3f} V\n")
    for note in report.energies.notes + result.notes:
        out.write(f"  {note}\n" if note.startswith("warning:") else f"  note: {note}\n")
    for warning in report.warnings:
        if warning not in report.energies.notes:
            out.write(f"  {warning}\n")
    counter_ids = {r["counter_step"] for r in rows if r["counter_step"]}
    counter_head = (f"{'/'.join(sorted(counter_ids))} @U_L" if counter_ids else "counter @U_L")[:18]
    route_names = {}
    for row in rows:
        route_names.setdefault(row["best_route"], f"R{len(route_names) + 1}")
    header = f"{'catalyst':22s} {'route':>5s} {'U_L/V':>7s} {'η/V':>6s}  {'PDS':34s} {'ΔG_PDS':>7s}  {'max chem.':>17s}  {counter_head:>18s}"
    has_rds = result.rds is not None
    if has_rds:
        header += f"  {'RDS (Ea/eV)':>20s}"
    out.write(header + "\n")
    for row in rows:
        chem = f"{row['max_chemical_step']} {row['dG_max_chemical']:+.2f}" if row["max_chemical_step"] else "-"
        counter = f"{row['dG_counter_at_UL']:+.2f}{'' if row['counter_downhill_at_UL'] else ' (up)'}" if row["counter_step"] else "-"
        name = f"{row['label'][:20]} \u2020" if row.get("flags") else row["label"][:22]
        line = (f"{name:22s} {route_names[row['best_route']]:>5s} {row['U_L']:+7.3f} {row['eta']:6.3f}  {row['PDS'][:34]:34s} "
                f"{row['dG_PDS']:+7.3f}  {chem:>17s}  {counter:>18s}")
        if has_rds:
            rds = f"{row['RDS_id']} {row['barrier_RDS']:.2f}" if row.get("RDS_id") else "-"
            line += f"  {rds:>20s}"
        out.write(line + "\n")
    for route, short in route_names.items():
        out.write(f"{short}: {route}\n")
    for row in rows:
        if row.get("flags"):
            out.write(f"\u2020 {row['label']}: flagged runs: {row['flags']}\n")
    reduction = result.direction > 0
    best = max(rows, key=lambda r: r["U_L"]) if reduction else min(rows, key=lambda r: r["U_L"])
    out.write(f"most active: {best['label']} (U_L = {best['U_L']:+.3f} V, route {route_names[best['best_route']]})\n")


def write_json(reports, target: str) -> None:
    """One JSON object per network (a list of them under ``networks`` when there are several)."""
    import json

    payloads = [_payload(report) for report in reports]
    payload = payloads[0] if len(payloads) == 1 else {"networks": payloads}
    text = json.dumps(payload, indent=1, ensure_ascii=False)
    if target == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(target, "w") as handle:
            handle.write(text + "\n")


def _payload(report) -> dict:
    rows = report.rows()
    return {
        "source": report.energies.source,
        "network": report.result.network.name,
        "product": report.result.product,
        "conditions": {"pH": report.result.conditions.pH, "T": report.result.conditions.T,
                       "scale": report.result.conditions.scale},
        "U_eq": report.result.U_eq,
        "notes": list(report.energies.notes + report.result.notes),
        "catalysts": rows,
        "plot": report.plot.to_dict(),
    }


def write_csv(reports, target: str) -> None:
    """The summary tables as one CSV; with several networks, a ``network`` column first."""
    import csv

    several = len(reports) > 1
    rows = []
    for report in reports:
        for row in report.rows():
            rows.append({"network": report.result.network.name, **row} if several else row)
    fields = list(dict.fromkeys(k for row in rows for k in row if k != "route_UL"))
    handle = sys.stdout if target == "-" else open(target, "w", newline="")
    try:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    finally:
        if handle is not sys.stdout:
            handle.close()
