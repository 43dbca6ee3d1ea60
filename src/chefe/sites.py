"""Named sites of a catalyst: which metal each site of a network is, and equivalent sites.

A network may name its sites (``sites: [M1, M2]``, or ``site_labels: true`` on a network written
with anonymous sites), so that *NO3 on M1 and on M2 are different species. On one catalyst the
names stand for metals (``{M1: Cu, M2: Co}``): energies may then be keyed by the metal
(``*NO3@Cu``) and figures show it. On a homonuclear pair the sites can be declared equivalent:
an energy given on one site stands for the same species on the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from .errors import ChefeError, InputError
from .network import Network
from .species import canonical


def _describe(network: Network, metals: Mapping[str, str] | None) -> str:
    return ", ".join(f"{n} (= {metals[n]})" if metals and n in metals else n for n in network.site_names)


def check_site_metals(network: Network, metals: Mapping[str, str] | None, where: str) -> None:
    """A catalyst's ``sites:`` must name sites the network has."""
    if not metals:
        return
    if not network.site_names:
        raise InputError(f"{where}: sites {dict(metals)} given but network {network.name!r} does not name its "
                         "sites: set site_labels: true (or write the network with sites: [M1, M2])")
    unknown = sorted(set(metals) - set(network.site_names))
    if unknown:
        raise InputError(f"{where}: sites {unknown} are not sites of network {network.name!r}; its sites are "
                         f"{list(network.site_names)}")


def site_species(label: str, network: Network, metals: Mapping[str, str] | None = None, *,
                 equivalent: bool = False, where: str = "") -> str:
    """Canonical name of ``label`` with each site written as the network names it.

    ``*NO3@Cu`` becomes ``*NO3@M1`` when ``metals`` says M1 is Cu; on equivalent sites an
    adsorbate without a site is taken on the first site (``*NO3`` -> ``*NO3@M1``).

    Raises:
        InputError: naming ``where``, the species and the catalyst's sites, for a site that
            names no site or metal of the catalyst, an ambiguous metal, or a missing site.
    """
    try:
        name = canonical(str(label))
    except ChefeError as exc:
        raise InputError(f"{where}: {exc}") from None
    names = network.site_names
    if not names:
        if "@" in name:
            raise InputError(f"{where}: {label!r} names a site but network {network.name!r} has anonymous sites: "
                             "write it without '@' or set site_labels: true to name the sites")
        return name
    out = []
    for part in name.split("+"):
        if part == "*":
            out.append(part)
            continue
        if "@" not in part:
            if equivalent:
                out.append(f"{part}@{names[0]}")
                continue
            raise InputError(f"{where}: {label!r} names no site; network {network.name!r} names its sites "
                             f"{_describe(network, metals)}: write {part}@{names[0]} (or declare "
                             "equivalent_sites: true for a homonuclear pair)")
        bare, site = part.split("@", 1)
        if site in names:
            out.append(part)
            continue
        hits = [k for k, v in (metals or {}).items() if v == site]
        if len(hits) == 1 or (hits and equivalent):
            out.append(f"{bare}@{hits[0]}")
            continue
        if hits:
            raise InputError(f"{where}: {label!r}: {site} is sites {hits} of this catalyst: write {bare}@{hits[0]} "
                             f"or {bare}@{hits[1]}, or declare equivalent_sites: true")
        raise InputError(f"{where}: {label!r}: site label {site!r} names no site or metal of this catalyst; its "
                         f"sites are {_describe(network, metals)}"
                         + ("" if metals else " (give sites: {M1: Cu, M2: Co} to key energies by metal)"))
    return canonical("+".join(out))


def _relabel(name: str, mapping: Mapping[str, str]) -> str:
    parts = []
    for part in name.split("+"):
        if "@" in part:
            bare, site = part.split("@", 1)
            part = f"{bare}@{mapping.get(site, site)}"
        parts.append(part)
    return canonical("+".join(parts))


def fill_equivalent(network: Network, G: dict, *, needed=None) -> list[str]:
    """On equivalent sites, give every species of ``network`` (or ``needed``) missing from ``G``
    the value of the same species on permuted sites; returns the names filled."""
    names = network.site_names
    filled = []
    for sp in (needed if needed is not None else network.species):
        if sp in G or "@" not in sp:
            continue
        for perm in itertools.permutations(names):
            other = _relabel(sp, dict(zip(names, perm)))
            if other in G:
                G[sp] = G[other]
                filled.append(sp)
                break
    return filled


def show_sites(text: str, sites: Mapping[str, str] | str | None) -> str:
    """A label with each site name replaced by its metal (``*NO3@M1`` -> ``*NO3@Cu``); with one
    site name (a tandem catalyst's site), every adsorbate gets it (``*NO3`` -> ``*NO3@Cu``)."""
    import re

    if not sites:
        return text
    if isinstance(sites, str):
        return re.sub(r"(\*[A-Za-z0-9]+)(?![A-Za-z0-9@])", lambda m: f"{m.group(1)}@{sites}", text)
    return re.sub(r"@([A-Za-z][A-Za-z0-9_]*)", lambda m: "@" + sites.get(m.group(1), m.group(1)), text)


__all__ = ["check_site_metals", "fill_equivalent", "show_sites", "site_species"]
