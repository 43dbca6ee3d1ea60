"""``chefe build``: SAC, DAC and slab models with the NO3RR intermediates, written as DFT inputs."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", choices=["sac", "dac", "gcn", "slab", "bulk", "gas", "vib"],
                        help="sac METAL [COORD] | dac METAL1 METAL2 [COORD] | gcn METAL1 METAL2 (M1M2 in "
                             "g-C3N4; 'gcn screen' = the 36 Ti..Cu pairs) | slab METAL [FACET] | "
                             "bulk METAL... (cell relaxations under bulk/, for --lattice) | "
                             "gas [MOLECULE...] (default: the CHE references) | vib RUN_FOLDER... "
                             "(finite-difference inputs in RUN/vib from the relaxed CONTCAR)")
    parser.add_argument("args", nargs="*", help="metal(s), then coordination (N4, N3, N3V, N2C2, N6, "
                                                "N8, N2-N2) or facet (111, 100, 211, 0001)")
    parser.add_argument("--from", dest="from_file", metavar="YAML",
                        help="catalysts from a YAML list ({kind: sac, metal: Cu, ...}), as workflows/")
    parser.add_argument("-o", "--out", help="tree root for the DFT inputs")
    parser.add_argument("--code", choices=["vasp", "qe"], default="vasp",
                        help="DFT code whose inputs are written: vasp (POSCAR, INCAR, KPOINTS) or qe (pw.x input) "
                             "(default: vasp)")
    parser.add_argument("--db", help="also store every structure in this ase.db")
    parser.add_argument("--host", choices=["plane", "tube"], default="plane", help="SAC/DAC host")
    parser.add_argument("--chirality", default=None, help="tube (n,m), e.g. 8,0")
    parser.add_argument("--axial", choices=["O", "OH", "Cl"], help="SAC axial ligand")
    parser.add_argument("--ring", choices=["pyridinic", "pyrrolic"], default="pyridinic",
                        help="SAC: coordinating atoms in six-membered (pyridinic) or five-membered "
                             "(pyrrolic, porphyrin-like; zigzag tubes only) rings")
    parser.add_argument("--size", default=None, help="graphene supercell, e.g. 7,7")
    parser.add_argument("--single-atom", help="slab: single-atom-alloy element in the top layer")
    parser.add_argument("--lattice", help="slab: the bulk lattice constant: pbe-d3bj (default: the functional "
                        "of the DFT inputs), pbe, pbe-d3, experimental, a number in Å, or a relaxed bulk run "
                        "(e.g. TREE/bulk/Cu after 'chefe build bulk Cu')")
    parser.add_argument("--sites", help="comma-separated site names (default: the model's metal/ontop)")
    parser.add_argument("--adsorbates", default="all",
                        help="comma-separated labels (default: the whole NO3RR set)")
    parser.add_argument("--network", help="build every state this network's routes visit (adsorbates "
                        "and co-adsorbed states, each one structure) instead of --adsorbates, e.g. "
                        "no3rr_dual_site")
    parser.add_argument("--site-ligand", choices=["O", "OH"],
                        help="with --network on a SAC: the states of the O- (OH-) capped site O-M-N4 (the "
                             "ligand on the face opposite the reaction): CAT/O and each intermediate as "
                             "CAT/NO3+O, for fed/screen --site-ligand")
    parser.add_argument("--mode", action="append", default=[], metavar="ADS=MODE",
                        help="binding mode, e.g. '*NO3=bidentate' (repeatable)")
    parser.add_argument("--with-gas", action="store_true",
                        help="also write the gas references (H2, H2O, NH3, HNO3, NO, N2) under gas/")
    parser.add_argument("--overwrite", action="store_true",
                        help="write into run folders that already hold results (default: refuse)")
    parser.add_argument("--skip-unplaceable", action="store_true",
                        help="leave out (and report) placements that would overlap the substrate")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (there is none unless on a terminal)")


_COMMON = ("out", "code", "db", "sites", "adsorbates", "network", "mode", "with_gas", "overwrite", "skip_unplaceable",
           "quiet")
#: per kind: usage, what it builds, the options that apply, examples
KINDS = {
    "sac": ("chefe build sac METAL [COORD]",
            "a single-atom catalyst: METAL in graphene (or a nanotube) coordinated by COORD (N4, N3, N3V, "
            "N2C2; default N4), with every intermediate of the network on the metal",
            _COMMON + ("host", "chirality", "axial", "ring", "size", "site_ligand"),
            ["chefe build sac Cu N4 -o runs", "chefe build sac Cu N3 --host tube --chirality 8,0 -o runs",
             "chefe build sac Fe N4 --network no3rr_sac --site-ligand O -o runs"]),
    "dac": ("chefe build dac METAL1 METAL2 [COORD]",
            "a dual-atom catalyst M1M2-N6 (or N8, N2-N2) in graphene, the intermediates on the sites M1, M2 "
            "and bridging; co-adsorbed states as one structure each",
            _COMMON + ("host", "size"),
            ["chefe build dac Cu Co N6 -o runs", "chefe build dac Fe Cu N6 --network no3rr_dual_site -o runs"]),
    "gcn": ("chefe build gcn METAL1 METAL2 | chefe build gcn screen",
            "a metal pair M1M2 in a g-C3N4 cavity, each metal bonded to two pyridinic N; 'screen' builds the "
            "36 pairs of Ti ... Cu",
            _COMMON,
            ["chefe build gcn Ti Fe -o runs", "chefe build gcn screen -o runs --adsorbates '*NO3,*NO2'"]),
    "slab": ("chefe build slab METAL [FACET]",
             "a metal slab (111, 100, 211, 0001) at the lattice constant of the chosen functional, with the "
             "intermediates in their usual binding modes",
             _COMMON + ("single_atom", "lattice", "size"),
             ["chefe build slab Cu 111 -o runs", "chefe build slab Cu 111 --single-atom Pd -o runs",
              "chefe build slab Pt 211 --lattice pbe -o runs"]),
    "bulk": ("chefe build bulk METAL...",
             "bulk cell relaxations under bulk/, whose relaxed lattice constant a later slab takes with "
             "--lattice TREE/bulk/METAL",
             ("out", "code", "db", "overwrite"),
             ["chefe build bulk Cu Pt -o runs"]),
    "gas": ("chefe build gas [MOLECULE...]",
            "gas-phase references in a box (default: the CHE references H2, H2O, NH3, HNO3, NO, N2)",
            ("out", "code", "db", "overwrite"),
            ["chefe build gas -o runs", "chefe build gas NH3 NO -o runs"]),
    "vib": ("chefe build vib RUN_FOLDER...",
            "finite-difference frequency inputs in RUN/vib from each relaxed CONTCAR (adsorbate atoms free, "
            "the rest fixed)",
            ("code", "overwrite"),
            ["chefe build vib runs/Cu-N4-plane/NO3 runs/Cu-N4-plane/NO2  (after the relaxations finished)"]),
}


def kind_help(kind: str) -> str:
    """``chefe build KIND --help``: only the options that apply to KIND, with examples."""
    full = argparse.ArgumentParser(prog="chefe build", add_help=False)
    add_arguments(full)
    usage, what, options, examples = KINDS[kind]
    sub = argparse.ArgumentParser(prog=f"chefe build {kind}", usage=usage + " [options]", description=what,
                                  epilog="examples:\n  " + "\n  ".join(examples),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    for action in full._actions:
        if action.dest in options and action.option_strings:
            sub._add_action(action)
    return sub.format_help()


def _integers(text: str, option: str, example: str) -> list[int]:
    from ..errors import InputError

    try:
        values = [int(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"{option} {text!r}: give whole numbers separated by commas, e.g. {example}") from None
    if len(values) != 2 or min(values) < 0:
        raise InputError(f"{option} {text!r}: give two whole numbers, e.g. {example}")
    return values


def specs_from_args(args) -> list[dict]:
    from ..errors import InputError

    if args.from_file:
        from ..schema import validate_catalogue
        from ..textfile import read_yaml

        data, lines = read_yaml(args.from_file, what="catalogue", lines=True)
        validate_catalogue(data, source=args.from_file, lines=lines)  # every entry, before any is built
        return data.get("catalysts") if isinstance(data, dict) else data
    if not args.kind or (not args.args and args.kind != "gcn"):
        raise InputError("name a kind and its metal(s), e.g. 'chefe build sac Cu N4', or use --from")
    a = list(args.args)
    if args.kind == "gcn":
        if a in ([], ["screen"]):
            import itertools

            from ..build.gcn import SCREEN_METALS

            return [{"kind": "gcn_dac", "metals": list(pair)}
                    for pair in itertools.combinations_with_replacement(SCREEN_METALS, 2)]
        if len(a) != 2:
            raise InputError("gcn needs two metals (e.g. 'chefe build gcn Ti Fe') or 'screen'")
        return [{"kind": "gcn_dac", "metals": a}]
    if args.kind == "sac":
        spec = {"kind": "sac", "metal": a[0], "host": args.host}
        if len(a) > 1:
            spec["coordination"] = a[1]
        if args.axial:
            spec["axial"] = args.axial
        if args.ring != "pyridinic":
            spec["ring"] = args.ring
    elif args.kind == "dac":
        if len(a) < 2:
            raise InputError("dac needs two metals, e.g. 'chefe build dac Fe Co N6'")
        spec = {"kind": "dac", "metals": a[:2], "host": args.host}
        if len(a) > 2:
            spec["coordination"] = a[2]
    else:
        spec = {"kind": "slab", "metal": a[0]}
        if len(a) > 1:
            spec["facet"] = a[1]
        if args.single_atom:
            spec["single_atom"] = args.single_atom
        if args.lattice:
            spec["lattice"] = args.lattice
    if args.size and args.kind in ("sac", "dac"):
        spec["size"] = _integers(args.size, "--size", "7,7")
    if args.chirality and args.kind in ("sac", "dac"):
        spec["chirality"] = _integers(args.chirality, "--chirality", "8,0")
    return [spec]


def _vibrations(folders, write) -> int:
    """Vibration inputs for each adsorbate and gas run; clean sites and other folders skipped, said."""
    import json
    import sys
    from pathlib import Path

    from ..errors import InputError
    from ..io.tree import VIB_NAMES

    failed = written = 0
    unique = list(dict.fromkeys(Path(f).resolve() for f in folders))  # a glob may name a folder twice
    shown = {Path(f).resolve(): Path(f) for f in reversed(folders)}
    for folder in (shown[f] for f in unique):
        meta = folder / "chefe_build.json"
        if folder.name.lower() in VIB_NAMES:
            print(f"skipped {folder}: already a vibration folder")
            continue
        if not folder.exists():
            print(f"chefe build: error: {folder}: no such folder", file=sys.stderr)
            failed += 1
            continue
        if not folder.is_dir() or not meta.is_file():
            print(f"skipped {folder}: not a run folder written by chefe build (no chefe_build.json)")
            continue
        try:
            info = json.loads(meta.read_text())
        except (OSError, ValueError):
            info = {}
        if info.get("family") != "gas" and not str(info.get("adsorbate_indices", "") or ""):
            print(f"skipped {folder}: a clean site (the CHE needs no vibrations of the bare site)")
            continue
        try:
            print(f"wrote {write(folder)}")
            written += 1
        except InputError as exc:
            print(f"chefe build: error: {exc}", file=sys.stderr)
            failed += 1
    print(f"{written} vibration input(s) written" + (f", {failed} failed (see above)" if failed else ""))
    return 2 if failed else 0


def _preset_lattice(code: str) -> str:
    """The lattice method of the shipped preset the inputs are written with."""
    from ..build.output import load_preset

    return str(load_preset("qe_adsorption" if code == "qe" else "vasp_adsorption").get("lattice", "pbe-d3bj"))


def _lattice_line(info: dict, preset_method: str) -> str:
    """The slab's lattice constant, its source, and the strain against the inputs' functional."""
    from ..build.lattice import functional_lattice

    c = f", c = {info['lattice_c']:.4f} Å" if info.get("lattice_c") else ""
    method = info.get("lattice_method")
    text = f"lattice a = {info['lattice_a']:.4f} Å{c} (" + (info["lattice_source"] if method == "run" else method) + ")"
    if info.get("lattice_method") in ("experimental", "pbe", "pbe-d3", "given"):
        try:
            own = functional_lattice(info["catalyst_metal"], preset_method)
        except Exception:  # noqa: BLE001 - no reference for this metal: nothing to compare
            return text
        strain = info["lattice_a"] / own.a - 1
        if abs(strain) > 0.005:
            text += (f"; warning: {100 * strain:+.1f} % against the {preset_method} lattice of the DFT inputs "
                     f"({own.a:.4f} Å): the relaxed slab stays strained")
    return text


def run(args) -> int:
    from ..build import NO3RR_SET, REFERENCE_MOLECULES, build_model, reaction_set, reference_set, write_db, write_tree
    from ..errors import InputError

    if args.kind == "vib":
        from ..build.vibrations import write_vibration_inputs

        if not args.args:
            raise InputError("name the relaxed run folders, e.g. 'chefe build vib runs/Cu-N4-plane/*'")
        return _vibrations(args.args, write_vibration_inputs)
    if not args.out and not args.db:
        raise InputError("say where to write: -o TREE and/or --db FILE")
    modes = {}
    for item in args.mode:
        if "=" not in item:
            raise InputError(f"--mode {item!r}: write it as ADS=MODE, e.g. '*NO3=bidentate'")
        ads, mode = item.split("=", 1)
        modes[ads if ads.startswith("*") else "*" + ads] = mode
    adsorbates = NO3RR_SET if args.adsorbates == "all" else [x.strip() for x in args.adsorbates.split(",") if x.strip()]
    structures = []
    if args.kind == "gas" or args.with_gas:
        gases = reference_set(args.args if args.kind == "gas" and args.args else REFERENCE_MOLECULES)
        structures.extend(gases)
        print(f"gas references: {', '.join(g.info['molecule'] for g in gases)}")
    if args.kind == "bulk":
        from ..build.lattice import bulk_crystal

        if not args.args:
            raise InputError("name the metal(s), e.g. 'chefe build bulk Cu Pt'")
        for metal in args.args:
            crystal = bulk_crystal(metal, args.lattice or _preset_lattice(args.code))
            structures.append(crystal)
            print(f"bulk {metal} ({crystal.info['structure']}): a = {crystal.info['lattice_a']:.4f} Å to start "
                  f"({crystal.info['lattice_method']})")
    if args.site_ligand and not args.network:
        raise InputError("--site-ligand builds the states of a network on the capped site: add --network, "
                         "e.g. --network no3rr_sac")
    if args.lattice and args.kind not in ("slab", "bulk"):
        raise InputError("--lattice sets the bulk lattice constant of 'slab' and 'bulk'; SAC/DAC sheets take none")
    specs = [] if args.kind in ("gas", "bulk") else specs_from_args(args)
    for number, spec in enumerate(specs):
        if spec.get("kind") == "slab" and "lattice" not in spec and "a" not in spec:
            spec = {**spec, "lattice": _preset_lattice(args.code)}  # the functional of the inputs written
        model = build_model(spec)
        if number == 0:
            print(f"{'catalyst':28s} {'family':6s} {'atoms':>5s} {'sites':16s} structures")
        sites = (spec.get("sites") if isinstance(spec, dict) else None) or \
            ([s.strip() for s in args.sites.split(",")] if args.sites else None)
        spec_modes = {**modes, **(spec.get("modes") or {})}
        spec_ads = spec.get("adsorbates") or adsorbates
        if args.network:
            from ..build.sets import state_set

            network = args.network
            if args.site_ligand:
                from ..network import load_network, with_site_ligand

                network = with_site_ligand(load_network(args.network), args.site_ligand)
            made = state_set(model, network, sites, spec_modes, skip_unplaceable=args.skip_unplaceable)
        else:
            made = reaction_set(model, spec_ads, sites, spec_modes, skip_unplaceable=args.skip_unplaceable)
        structures.extend(made)
        print(f"{model.catalyst:28s} {model.family:6s} {len(model.atoms):5d} "
              f"{','.join(sites or [model.default_site]):16s} {len(made)}")
        if "lattice_a" in model.atoms.info:
            print("  " + _lattice_line(model.atoms.info, _preset_lattice(args.code)))
        if made[0].info.get("skipped"):
            for line in made[0].info["skipped"].split(" | "):
                print(f"  skipped: {line}")
    if args.out:
        import sys

        paths = write_tree(structures, args.out, code=args.code,
                           progress=len(structures) > 100 and not args.quiet and sys.stderr.isatty(),
                           overwrite=args.overwrite)
        print(f"wrote {len(paths)} {args.code.upper() if args.code == 'qe' else 'VASP'} input folders under {args.out}")
    if args.db:
        ids = write_db(structures, args.db)
        print(f"stored {len(ids)} structures in {args.db}")
    return 0
