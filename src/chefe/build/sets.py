"""The whole NO3RR set for a catalyst (clean site plus every intermediate on every chosen site),
and catalysts described as plain dictionaries (YAML / CLI)."""

from __future__ import annotations

from ..errors import InputError
from .adsorbates import NO3RR_SET, label_of, place_adsorbate, surface_mode
from .model import Model

def build_model(spec: dict) -> Model:
    """A model from ``{kind: sac|dac|slab|oxide, ...builder arguments}``.

    e.g. ``{kind: sac, metal: Cu, coordination: N3, host: tube}``,
    ``{kind: dac, metals: [Fe, Co], coordination: N6}``, ``{kind: gcn_dac, metals: [Ti, Fe]}``, ``{kind: slab, metal: Pt, facet: '111'}``,
    ``{kind: surface, bulk: PtRu3.cif, miller: [1, 1, 1]}``, ``{kind: oxide, bulk: TiO2.cif, miller: [1, 1, 0]}``.
    """
    from ..schema.catalogue import builder, validate_entry

    entry = validate_entry(spec)
    args = entry.model_dump(exclude_unset=True, exclude={"kind", "sites", "adsorbates", "modes"})
    for key in ("size", "chirality", "miller"):
        if key in args:
            args[key] = tuple(args[key])
    kind = entry.kind
    make = builder(kind)
    try:
        if kind in ("dac", "gcn_dac"):
            m1, m2 = args.pop("metals")
            return make(m1, m2, **args)
        return make(args.pop("bulk" if kind in ("surface", "oxide") else "metal"), **args)
    except TypeError as exc:
        raise InputError(f"catalyst {dict(spec)!r}: {exc}") from exc


def reaction_set(model: Model, adsorbates=NO3RR_SET, sites=None, modes: dict | None = None,
                 skip_unplaceable: bool = False):
    """``[clean, *adsorbate structures]`` for ``model``: every adsorbate on every site in ``sites``
    (default: the model's default site), in its default mode unless ``modes`` names one. With
    several sites each gets its own pathway folder, ``CAT/<site>/<ADS>`` (the tandem Cu-site vs
    Co-site diagram), all paired with the one clean ``CAT/slab``.

    A placement that would overlap the substrate raises, or with ``skip_unplaceable`` is left
    out and reported in the clean structure's ``info['skipped']``.
    """
    clean = model.atoms.copy()
    clean.info = {k: v for k, v in model.atoms.info.items() if k != "adsorbate_info"}
    clean.info["default_site"] = model.default_site
    out = [clean]
    skipped = []
    modes = {label_of(k): v for k, v in (modes or {}).items()}
    sites = list(sites or [model.default_site])
    for site in sites:
        for ads in adsorbates:
            mode, place_at = modes.get(label_of(ads)), site
            if mode is None and site == model.default_site and surface_mode(model, ads):
                place_at, mode = surface_mode(model, ads)  # flat tridentate nitrate in the fcc hollow
            try:
                atoms = place_adsorbate(model, ads, place_at, mode)
            except InputError as exc:
                if not skip_unplaceable:
                    raise
                skipped.append(str(exc))
                continue
            atoms.info.pop("adsorbate_info", None)
            if place_at != site:  # bound on its own site, filed in the pathway of the site asked for
                atoms.info.update(site=site, binding_site=place_at)
            if len(sites) > 1:
                atoms.info["site_folder"] = True  # one pathway per site: CAT/<site>/<ADS>
            out.append(atoms)
    if skipped:
        clean.info["skipped"] = " | ".join(skipped)
    return out


def network_states(network) -> tuple[list[str], list[tuple[str, ...]]]:
    """(adsorbates alone, co-adsorbed states) that the routes of ``network`` (a name or a
    :class:`~chefe.network.Network`) visit, in route order."""
    from ..network import Network, is_free, load_network, route_states

    net = network if isinstance(network, Network) else load_network(network)
    singles: list[str] = []
    multi: list[tuple[str, ...]] = []
    for route in net.routes:
        for state in route_states(net, route):
            ads = tuple(sorted(x for x in state if not is_free(x)))
            if len(ads) == 1 and ads[0] not in singles:
                singles.append(ads[0])
            elif len(ads) > 1 and ads not in multi:
                multi.append(ads)
    return singles, multi


def state_set(model: Model, network, sites=None, modes: dict | None = None, skip_unplaceable: bool = False):
    """Every state ``network``'s routes visit, built on ``model``: ``[clean, each adsorbate on each
    site in ``sites``, each co-adsorbed state as one structure]``. A co-adsorbed state needs as
    many sites as adsorbates (a SAC has one): one the model cannot hold is left out and named in
    the clean structure's ``info['skipped']``, as are unplaceable ones with ``skip_unplaceable``."""
    from ..network import Network, load_network
    from .states import place_state, state_label

    net = network if isinstance(network, Network) else load_network(network)
    if net.start_state:
        return _capped_state_set(model, net, modes, skip_unplaceable)
    if model.family == "DAC" and net.sites == 2:
        return _dac_state_set(model, net, modes, skip_unplaceable)
    singles, multi = network_states(net)
    out = reaction_set(model, singles, sites, modes, skip_unplaceable)
    clean = out[0]
    skipped = [clean.info["skipped"]] if clean.info.get("skipped") else []
    too_few = []
    for state in multi:
        try:
            atoms = place_state(model, state, modes=modes)
        except InputError as exc:
            if "needs" in str(exc):
                too_few.append(state_label(state))
                continue
            if not skip_unplaceable:
                raise
            skipped.append(str(exc))
            continue
        out.append(atoms)
    if too_few:
        n_sites = max(len(s) for s in multi)
        skipped.append(f"{model.catalyst}: {len(too_few)} co-adsorbed states need up to {n_sites} sites and this "
                       f"{model.family or 'model'} has fewer ({', '.join(too_few[:4])}"
                       + (", ..." if len(too_few) > 4 else "") + "): build them on a DAC or a slab")
    if skipped:
        clean.info["skipped"] = " | ".join(skipped)
    return out


def capped_model(model: Model, ligand: str) -> Model:
    """``model`` (a single-atom site) with ``ligand`` (O, OH) on the metal's face opposite the site
    normal, at the covalent-radius distance: the capped site O–M–N4 whose other face reacts."""
    from .carbon import _axial

    if model.family != "SAC":
        raise InputError(f"{model.catalyst}: a capped site is a single-atom site; this is a {model.family or 'model'}")
    site = model.site()
    atoms = model.atoms.copy()
    start = len(atoms)
    _axial(atoms, site.metals[0], site.normal, ligand)
    atoms.info = {k: v for k, v in model.atoms.info.items() if k != "adsorbate_info"}
    atoms.info.update(adsorbate=f"*{ligand}", binding_mode="axial", binding_atoms=str(start),
                      adsorbate_indices=",".join(str(k) for k in range(start, len(atoms))),
                      site=site.name, default_site=model.default_site, site_metals=str(site.metals[0]),
                      ligand=ligand)
    return Model(model.catalyst, atoms, model.sites, model.default_site, model.family)


def _capped_state_set(model: Model, network, modes, skip_unplaceable: bool):
    """Every state of a capped-site network (:func:`chefe.network.with_site_ligand`) on a SAC: the
    bare clean site (``CAT/slab``), the capped clean site (``CAT/O``: O–M–N4) and each
    intermediate on the capped site's other face as one structure (``CAT/NO3+O``)."""
    from ..species import canonical

    ligand = network.start_state[0].lstrip("*")
    cap = capped_model(model, ligand)
    clean = model.atoms.copy()
    clean.info = {k: v for k, v in model.atoms.info.items() if k != "adsorbate_info"}
    clean.info["default_site"] = model.default_site
    out, skipped = [clean, cap.atoms], []
    modes = {label_of(k): v for k, v in (modes or {}).items()}
    n_cap = len(cap.atoms) - len(model.atoms)
    for name in network.adsorbates:
        if name == network.start_state[0]:
            continue
        parts = name.split("+")
        if network.start_state[0] not in parts or len(parts) != 2:
            continue
        parts.remove(network.start_state[0])  # once: *O+*O is O on both faces
        try:
            atoms = place_adsorbate(cap, parts[0], None, modes.get(label_of(parts[0])))
        except InputError as exc:
            if not skip_unplaceable:
                raise
            skipped.append(str(exc))
            continue
        first = len(model.atoms)
        atoms.info.pop("adsorbate_info", None)
        atoms.info.update(adsorbate=canonical(name), state=canonical(name), ligand=ligand,
                          adsorbate_indices=",".join(str(k) for k in range(first, len(atoms))),
                          binding_atoms=atoms.info["binding_atoms"] + f",{first}",
                          binding_mode=f"{atoms.info['binding_mode']}+axial", ligand_atoms=n_cap)
        out.append(atoms)
    if skipped:
        clean.info["skipped"] = " | ".join(skipped)
    return out


def _dac_state_set(model: Model, network, modes, skip_unplaceable: bool):
    """Every state of ``network`` on the two metals of a DAC, each site named: M1 is the model's
    first metal, M2 the second. Folders name the metal (``NO3@Cu``, ``NO2@Cu+O@Co``) on a
    heteronuclear pair; on a homonuclear pair the sites are equivalent, so each state is built
    once, named by site (``NO2@M1+O@M2``). Each adsorbate of a co-adsorbed state is also built
    alone on its site (what the additive approximation and the interaction energy need)."""
    from ..network import route_states, with_site_labels
    from ..species import canonical
    from .states import place_state

    labelled = with_site_labels(network, ("M1", "M2"))
    names = labelled.site_names
    # the network's site names as the model's sites: the model's own names (Cu, Co), else by position
    where = {n: (n if n in model.sites else ("M1", "M2")[k]) for k, n in enumerate(names)}
    metal = {n: model.atoms[model.sites[where[n]].metals[0]].symbol for n in names}
    homonuclear = len(set(metal.values())) == 1
    show = {n: n for n in names} if homonuclear else metal

    def label(state, names) -> str:
        parts = [f"{x.split('@')[0]}@{names[x.split('@')[1]]}" for x in state if not x.startswith("*@")]
        return canonical("+".join(parts))

    states: dict[str, tuple] = {}
    for route in labelled.routes:
        for state in route_states(labelled, route):
            if all(x.startswith("*@") for x in state):
                continue
            adsorbed = [x for x in state if not x.startswith("*@")]
            if len(adsorbed) > 1:  # each adsorbate of a co-adsorbed state also alone on its site
                for x in adsorbed:
                    site = x.split("@")[1]
                    alone = tuple([x] + [f"*@{n}" for n in names if n != site])
                    states.setdefault(label(alone, show), alone)
            key = label(state, show)
            if homonuclear:
                swapped = label(state, dict(zip(names, names[::-1])))
                if swapped in states:
                    continue
            states.setdefault(key, state)
    clean = model.atoms.copy()
    clean.info = {k: v for k, v in model.atoms.info.items() if k != "adsorbate_info"}
    clean.info["default_site"] = model.default_site
    out, skipped = [clean], []
    for key, state in sorted(states.items(), key=lambda kv: (kv[0].count("+"), kv[0])):
        adsorbed = [x for x in state if not x.startswith("*@")]
        try:
            atoms = place_state(model, tuple(x.split("@")[0] for x in adsorbed),
                                sites=[where[x.split("@")[1]] for x in adsorbed], modes=modes)
        except InputError as exc:
            if not skip_unplaceable:
                raise
            skipped.append(str(exc))
            continue
        atoms.info.update(adsorbate=key, state=key)
        out.append(atoms)
    if skipped:
        clean.info["skipped"] = " | ".join(skipped)
    return out
