"""Surface states of a network built as single structures: one adsorbate, or several co-adsorbed.

A state is what a network's route visits (``("*NO2", "*O")`` after N–O scission on a dual
site): every adsorbate of it goes on its own site of one model, so that the state is one
calculation, not a sum of separate runs. Sites, unless named: the metal of a SAC (one
adsorbate only); the two metals of a DAC, in the model's order; on a slab the default top site
and then the top-layer atoms farthest from the adsorbates already placed (so that co-adsorbates
start apart and the relaxation brings them together if they attract).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .adsorbates import label_of, place_adsorbate
from .model import Model, Site


def _metal_sites(model: Model) -> list[str]:
    """The top sites of a SAC's or DAC's metals, default first."""
    tops = [name for name, s in model.sites.items() if s.kind == "top"]
    unique, seen = [], set()
    for name in [model.default_site] + tops:
        s = model.sites.get(name)
        if s is not None and s.metals not in seen:
            seen.add(s.metals)
            unique.append(name)
    return unique


def _slab_top_sites(model: Model, n: int) -> dict[str, Site]:
    """``n`` top sites of a slab: the default one, then each next top-layer atom the farthest
    (periodic images included) from those chosen."""
    from ase.geometry import get_distances

    atoms = model.atoms
    first = model.site()
    tags = atoms.get_tags()
    top = np.flatnonzero(tags == 1) if (tags == 1).any() else np.flatnonzero(
        atoms.positions[:, 2] > atoms.positions[:, 2].max() - 0.5)
    chosen = [first.metals[0]]
    while len(chosen) < n:
        _, d = get_distances(atoms.positions[top], atoms.positions[chosen], cell=atoms.cell, pbc=atoms.pbc)
        nearest = d.min(axis=1)
        nearest[np.isin(top, chosen)] = -1.0
        if nearest.max() <= 0:
            raise InputError(f"{model.catalyst}: {n} adsorbates need {n} top-layer atoms; the slab has "
                             f"{len(top)}: build a larger surface cell")
        chosen.append(int(top[int(np.argmax(nearest))]))
    sites = {}
    for k, index in enumerate(chosen):
        name = first.name if k == 0 else f"top{k + 1}"
        sites[name] = Site(name, "top", atoms.positions[index].copy(), first.normal, (index,))
    return sites


#: smallest distance between co-adsorbates, over the sum of covalent radii: beyond the 1.1 x
#: natural cutoff at which they would count as bonded
APART = 1.25
#: tilts (degrees) of a co-adsorbate's site normal away from the adsorbates already placed
TILTS = (0.0, 15.0, 30.0, 45.0)


def _ratio(atoms, new: list[int], old: list[int]) -> float:
    from ase.data import covalent_radii
    from ase.geometry import get_distances

    if not old:
        return float("inf")
    _, d = get_distances(atoms.positions[new], atoms.positions[old], cell=atoms.cell, pbc=atoms.pbc)
    radii = covalent_radii[atoms.numbers[new]][:, None] + covalent_radii[atoms.numbers[old]][None, :]
    return float((d / radii).min())


def _place_apart(current: Model, ads: str, site: str, mode, symmetric: bool, n_substrate: int, label: str):
    """Place ``ads`` on ``site`` of ``current`` (which may hold co-adsorbates already), its site
    normal tilted away from them as far as needed to keep them apart (``APART``)."""
    base = current.atoms
    old = list(range(n_substrate, len(base)))
    s = current.site(site)
    away = np.zeros(3)
    if old:
        away = s.position - base.positions[old].mean(0)
        away -= np.dot(away, s.normal) * s.normal
    best = None
    for tilt in TILTS if np.linalg.norm(away) > 1e-6 else (0.0,):
        t = np.radians(tilt)
        normal = s.normal if tilt == 0 else (np.cos(t) * s.normal + np.sin(t) * away / np.linalg.norm(away))
        tilted = Site(s.name, s.kind, s.position, normal / np.linalg.norm(normal), s.metals)
        model = Model(current.catalyst, base, {**current.sites, s.name: tilted}, current.default_site,
                      current.family)
        try:
            atoms = place_adsorbate(model, ads, s.name, mode, symmetric=symmetric)
        except InputError:
            continue
        r = _ratio(atoms, list(range(len(base), len(atoms))), old)
        if r >= APART:
            return atoms
        if best is None or r > best[0]:
            best = (r, atoms)
    raise InputError(f"{current.catalyst}: {ads} on site {site} cannot be placed clear of the other "
                     f"adsorbates of the state {label}"
                     + (f" (closest {best[0]:.2f} x the covalent-radius sum)" if best else "")
                     + "; name other sites or build a larger cell")


def state_label(state) -> str:
    """``("*NO2", "*O", "*")`` -> ``"*NO2+*O"`` (the clean site: ``"*"``)."""
    adsorbates = sorted(label_of(x) for x in state if x != "*")
    return "+".join(adsorbates) if adsorbates else "*"


def place_state(model: Model, state, sites=None, modes: dict | None = None, *, symmetric: bool = False):
    """Atoms of ``model`` holding every adsorbate of ``state`` (a tuple such as ``("*NO2", "*O")``,
    free sites ``"*"`` ignored), each on its own site.

    ``sites``: one site name per adsorbate (in the order of ``state``'s adsorbates); default as
    in the module docstring. ``modes``: binding mode per adsorbate label. ``info['state']`` is
    the state's label (``*NO2+*O``), ``info['adsorbates']`` and ``info['sites']`` the
    adsorbates and their sites in placement order.
    """
    adsorbates = [label_of(x) for x in state if x != "*"]
    modes = {label_of(k): v for k, v in (modes or {}).items()}
    label = state_label(state)
    if not adsorbates:
        atoms = model.atoms.copy()
        atoms.info = {k: v for k, v in model.atoms.info.items() if k != "adsorbate_info"}
        atoms.info.update(state="*", default_site=model.default_site)
        return atoms
    extra: dict[str, Site] = {}
    if sites is None:
        if model.family == "slab":
            extra = _slab_top_sites(model, len(adsorbates))
            sites = list(extra)
        else:
            sites = _metal_sites(model)[: len(adsorbates)]
    sites = list(sites)
    if len(sites) < len(adsorbates):
        raise InputError(f"{model.catalyst}: the state {label} needs {len(adsorbates)} sites; this "
                         f"{model.family or 'model'} has {len(sites)} ({', '.join(sites) or 'none'}); name them "
                         "with sites=[...] or build a model with more metal sites")
    if len(set(sites)) < len(adsorbates):
        raise InputError(f"{model.catalyst}: the state {label} puts two adsorbates on one site ({sites})")
    atoms = None
    current = Model(model.catalyst, model.atoms, {**model.sites, **extra}, model.default_site, model.family)
    placed = []
    for ads, site in zip(adsorbates, sites):
        atoms = _place_apart(current, ads, site, modes.get(ads), symmetric, len(model.atoms), label)
        placed.append(atoms.info.copy())
        current = Model(model.catalyst, atoms, current.sites, model.default_site, model.family)
    info = dict(atoms.info)
    info.pop("adsorbate_info", None)
    if len(adsorbates) > 1:
        start = len(model.atoms)
        info.update(adsorbate=label, adsorbate_indices=",".join(str(k) for k in range(start, len(atoms))),
                    binding_atoms=",".join(p["binding_atoms"] for p in placed),
                    binding_mode="+".join(p["binding_mode"] for p in placed),
                    site_metals=",".join(p["site_metals"] for p in placed))
    info.update(state=label, adsorbates=",".join(adsorbates), sites=",".join(sites))
    atoms.info = info
    return atoms


__all__ = ["place_state", "state_label"]
