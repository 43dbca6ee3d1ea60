"""From an energies set to limiting potentials, profiles and diagram data (the ``chefe fed`` job)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .conditions import Conditions
from .engine import CHEResult, analyse
from .errors import InputError
from .inputs import EnergySet
from .plotting.data import FEDPlotData, fed_plot_data
from .profile import Profile, free_energy_profile


@dataclass(frozen=True)
class FedReport:
    """Result of :func:`fed_report`: the engine result, the profiles drawn and their plot data."""

    energies: EnergySet
    result: CHEResult
    profiles: tuple[tuple[Profile, ...], ...]
    plot: FEDPlotData
    selected: tuple[int, ...]
    #: plausibility warnings (``warning: ...`` lines); ``--strict`` makes them errors
    warnings: tuple[str, ...] = ()

    def rows(self) -> list[dict]:
        """Summary rows (one per catalyst), with plain-text labels."""
        from .sites import show_sites

        rows = self.result.table()
        es = self.energies
        flags = es.flags or tuple(() for _ in rows)
        for k, (row, label, fl) in enumerate(zip(rows, es.labels, flags)):
            row["label"] = plain_label(label)
            row["flags"] = ",".join(fl)
            sites = (es.site_metals[k] if es.site_metals else None) or es.sites[k]
            if sites:
                row["best_route"] = show_sites(row["best_route"], sites)
                row["PDS"] = show_sites(row["PDS"], sites)
                if "route_UL" in row:
                    row["route_UL"] = {show_sites(r, sites): v for r, v in row["route_UL"].items()}
        return rows


def given_equilibrium_potential(network, ledger, product: str | None = None) -> tuple[float, str] | None:
    """U_eq (V vs RHE) and its note when the references fix it for ``product``, else None."""
    if ledger is None:
        return None
    product = product or network.target
    overall = network.products.get(product)
    if overall is None:
        return None
    return ledger.given_equilibrium_potential(overall, product)


def incomplete_reason(energies: EnergySet, result: CHEResult, k: int) -> str:
    """Why catalyst ``k`` completes no route: the species it has no energy for, else the steps."""
    from .network import fewest_missing

    net = result.network
    if energies.missing_species and energies.missing_species[k]:
        lacking = fewest_missing(net, result.routes, energies.missing_species[k])
        if lacking:
            return f"no energy for {', '.join(lacking)}"
    steps = sorted({net.steps[i].id for r in result.routes for i in net.routes[r].unique_steps
                    if not np.isfinite(result.dG0[i, k])})
    return f"no ΔG for step(s) {', '.join(steps)}"


def _leave_out_incomplete(energies: EnergySet, result: CHEResult) -> tuple[EnergySet, CHEResult]:
    """Catalysts without a complete route are reported by name and left out; the rest go on."""
    lacking = np.flatnonzero(result.best < 0)
    if not lacking.size:
        return energies, result
    target = result.product
    lines = [f"{energies.names[int(k)]}: left out, no complete route to {target}: "
             f"{incomplete_reason(energies, result, int(k))}" for k in lacking]
    keep = np.flatnonzero(result.best >= 0)
    if not keep.size:
        raise InputError(f"{energies.source}: no catalyst completes a route to {target}:\n  " + "\n  ".join(lines))
    from dataclasses import replace

    energies = energies.take(keep)
    energies = replace(energies, notes=energies.notes + tuple(f"warning: {line}" for line in lines))
    return energies, result.take(keep)


#: Mark of a catalyst whose numbers come from flagged runs (legend; the flags are in the notes).
FLAG_MARK = "\u2020"


def _leave_out_flagged(energies: EnergySet, result: CHEResult) -> tuple[EnergySet, CHEResult]:
    """``--exclude-flagged``: catalysts with any flag are left out, each named with its flags."""
    if not energies.flags or not any(energies.flags):
        return energies, result
    keep = np.array([k for k, f in enumerate(energies.flags) if not f], dtype=int)
    lines = [f"{energies.names[k]}: left out (--exclude-flagged): {', '.join(f)}"
             for k, f in enumerate(energies.flags) if f]
    if not keep.size:
        raise InputError(f"{energies.source}: every catalyst is flagged; without --exclude-flagged they are "
                         "analysed and marked:\n  " + "\n  ".join(lines))
    from dataclasses import replace

    energies = energies.take(keep)
    energies = replace(energies, notes=energies.notes + tuple(lines))
    return energies, result.take(keep)


def plain_label(label: str) -> str:
    """Strip mathtext from a label: ``s-$\\mathrm{Pt_{83}Ru_{17}}$`` -> ``s-Pt83Ru17``.

    Only the parts between ``$`` signs are mathtext: ``0N0_Ag`` stays ``0N0_Ag``.
    """
    if "$" not in label:
        return label
    parts = label.split("$")
    # even parts are plain text, odd parts mathtext
    return "".join(p if i % 2 == 0 else _plain_math(p) for i, p in enumerate(parts))


def _plain_math(label: str) -> str:
    text = re.sub(r"[_^]\{([^{}]*)\}", r"\1", label)
    text = re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", text)
    return text.replace("$", "").replace("\\", "").replace("_", "").replace("^", "")


def parse_potentials(values: Sequence[str | float] | None) -> list[float | str]:
    """Potentials for the diagram panels: numbers (V) or ``UL``."""
    out: list[float | str] = []
    for v in values or ["0", "UL"]:
        if isinstance(v, str) and v.strip().upper() in ("UL", "U_L"):
            out.append("UL")
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            raise InputError(f"potential {v!r}: give a number in V or 'UL'") from None
    return out


def _find_site(energies: EnergySet, name: str) -> int:
    """Index of the catalyst whose site (or name, or label) is ``name``."""
    for k in range(len(energies.names)):
        if name in (energies.sites[k], energies.names[k], plain_label(energies.labels[k])):
            return k
    sites = [s for s in energies.sites if s]
    raise InputError(f"--relay: no site or catalyst {name!r} in {energies.source}; sites: {sites or 'none'}, "
                     f"catalysts: {list(energies.names)}")


def _relay_panels(energies, result, cond, relay, relay_product, pots, product):
    """One panel per potential with the relay profile of the tandem catalyst."""
    from .profile import relay_profile

    donor, acceptor = (_find_site(energies, r) for r in relay)
    if donor == acceptor:
        raise InputError(f"--relay {relay[0]},{relay[1]}: donor and acceptor are the same catalyst")
    net = energies.network
    if relay_product not in net.products:
        raise InputError(f"--relay: {net.name} has no product {relay_product!r} to relay; products: "
                         f"{list(net.products)}")
    release = analyse(net, result.dG0, cond, names=result.names, product=relay_product,
                      barriers=energies.barriers, beta=0.5 if energies.beta is None else energies.beta,
                      incomplete="keep")
    if not np.isfinite(release.U_L[donor]):
        raise InputError(f"--relay: {energies.names[donor]} has no complete route to {relay_product}")
    labels = tuple(energies.sites[k] and f"{energies.sites[k]} site" or plain_label(energies.labels[k])
                   for k in (donor, acceptor))
    return [(relay_profile(result, release, donor, acceptor, u, donor_site=energies.sites[donor] or None,
                           acceptor_site=energies.sites[acceptor] or None, labels=labels),) for u in pots]


def fed_report(
    energies: EnergySet,
    *,
    potentials: Sequence[str | float] | None = None,
    pH: float | None = None,
    temperature: float | None = None,
    scale: str | None = None,
    product: str | None = None,
    catalysts: Sequence[str] | None = None,
    label_mode: str = "auto",
    exclude_flagged: bool = False,
    one_axis: bool | None = None,
    relay: tuple[str, str] | None = None,
    relay_product: str = "NO2-",
) -> FedReport:
    """Analyse every catalyst and lay out a diagram of the selected ones.

    Args:
        energies: from :func:`chefe.inputs.load_energies`.
        potentials: one panel per entry: a potential in V (on ``scale``) or ``"UL"`` (each
            catalyst at its own limiting potential). Default: the file's, else ``[0, "UL"]``.
        pH: overrides the file's pH.
        temperature: overrides the file's temperature (K).
        scale: overrides the file's potential scale (``RHE`` or ``SHE``).
        product: product to analyse (default: the network's target).
        catalysts: names (or labels) to draw; default all.
        label_mode: see :func:`chefe.plotting.data.fed_plot_data`.
        exclude_flagged: leave out (with a note) every catalyst whose numbers come from a
            flagged run; otherwise flagged catalysts are marked † in the legend and named in the
            figure's notes.
        one_axis: a single catalyst's potentials on one axis (default) or, False, one panel each.
        relay: ``(donor, acceptor)`` sites (or catalyst names) of a tandem catalyst: draw the
            relay in which the donor releases ``relay_product`` and the acceptor takes it to the
            target (:func:`chefe.profile.relay_profile`) instead of the separate pathways.
    """
    base = energies.conditions
    ledger = energies.ledger
    if temperature is not None and ledger is not None and abs(ledger.temperature - temperature) > 1e-9:
        raise InputError(
            f"{energies.source}: thermal corrections were computed at {ledger.temperature:g} K but "
            f"T = {temperature:g} K was asked; set conditions.T (or references.temperature) in the file"
        )
    cond = Conditions(base.U, base.pH if pH is None else pH, base.T if temperature is None else temperature,
                      base.scale if scale is None else scale)
    given = given_equilibrium_potential(energies.network, ledger, product)
    try:
        result = analyse(energies.network, energies.dG0, cond, names=energies.names, product=product,
                         barriers=energies.barriers,
                         beta=0.5 if energies.beta is None else energies.beta,
                         formation_table=ledger.formation_table if ledger is not None else "crc",
                         incomplete="keep", U_eq=None if given is None else given[0])
    except InputError as exc:
        raise InputError(f"{energies.source}: {exc}") from None
    if given is not None:
        from dataclasses import replace as _replace

        energies = _replace(energies, notes=energies.notes + (given[1],))
    energies, result = _leave_out_incomplete(energies, result)
    from .ligation import capping_notes

    capped = capping_notes(result, [plain_label(x) for x in energies.labels])
    if capped:
        from dataclasses import replace as _replace

        energies = _replace(energies, notes=energies.notes + tuple(capped))
    if exclude_flagged:
        energies, result = _leave_out_flagged(energies, result)
    if potentials is None:
        potentials = list(energies.potentials or []) or None
        if potentials is not None and "UL" not in [str(p).upper() for p in potentials]:
            potentials = [*potentials, "UL"]
    pots = parse_potentials(potentials)
    if catalysts:
        selected = []
        for c in catalysts:
            if c in energies.names:
                selected.append(energies.names.index(c))
            elif c in energies.labels or c in [plain_label(x) for x in energies.labels]:
                plain = [plain_label(x) for x in energies.labels]
                selected.append(energies.labels.index(c) if c in energies.labels else plain.index(c))
            else:
                raise InputError(f"no catalyst {c!r} in {energies.source}; catalysts: {list(energies.names)}")
    else:
        selected = list(range(len(energies.names)))
    panels = []
    if relay is not None:
        panels = _relay_panels(energies, result, cond, relay, relay_product, pots, product)
        selected = [_find_site(energies, r) for r in relay]
    for u in ([] if relay is not None else pots):
        row = []
        for k in selected:
            label = energies.labels[k]
            site = energies.sites[k]
            if site and not label.endswith("/" + site):  # CAT/Co names its site already
                label = f"{label} ({site} site)"
            named = energies.site_metals[k] if energies.site_metals else None
            if energies.flags and energies.flags[k]:
                label = f"{label} {FLAG_MARK}"
            row.append(free_energy_profile(result, k, u, label=label, color=energies.colors[k],
                                           sites=named or site))
        panels.append(tuple(row))
    plot = fed_plot_data(panels, label_mode=label_mode, one_axis=False if relay is not None else one_axis)
    from .plausibility import plausibility_warnings

    found = [n for n in energies.notes if n.startswith("warning:")]
    found += plausibility_warnings(energies.network, energies.dG0, energies.names, result.U_L)
    from dataclasses import replace

    marks = [f"{FLAG_MARK} {plain_label(energies.labels[k])}: flagged runs: {', '.join(energies.flags[k])}"
             for k in selected if energies.flags and energies.flags[k]]
    plot = replace(plot, notes=tuple(found) + tuple(marks))
    return FedReport(energies, result, tuple(panels), plot, tuple(selected), tuple(found))
