"""Free-energy profiles: cumulative G along one route of one candidate at one potential."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .conditions import Conditions
from .engine import CHEResult
from .errors import InputError
from .network import Network, Route, display_order, is_free, route_states


@dataclass(frozen=True)
class Profile:
    """One pathway drawn in a free-energy diagram.

    Attributes:
        name, label, color: candidate id, legend label and optional colour.
        U: potential (V, on ``scale``) at which the levels are computed; scale: RHE or SHE.
        route_label: the route as text.
        states: name of each state (n_steps + 1), e.g. ``("NO3-", "*NO3", ..., "NH3")``.
        step_ids: id of each step (n_steps).
        G: level free energies (eV), G[0] = 0; dG: step free energies at U (eV).
        pds: position (0-based, within the route) of the potential-determining step.
        dG_pds_U0: ΔG of the PDS at U_RHE = 0 (the number quoted in papers).
        U_L: limiting potential of this route (V, ``scale``).
        n_e: electrons taken up in each step (n_steps; 0: a chemical step, negative: an
            oxidative step such as NO3- adsorption, NO3-(aq) + * -> *NO3 + e-).
        pH, T: conditions of the levels.
    """

    name: str
    label: str
    color: str | None
    U: float
    scale: str
    route_label: str
    states: tuple[str, ...]
    step_ids: tuple[str, ...]
    G: np.ndarray
    dG: np.ndarray
    pds: int
    dG_pds_U0: float
    U_L: float
    n_e: np.ndarray | None = None
    pH: float | None = None
    T: float | None = None
    #: a tandem relay (:func:`relay_profile`): the level of the released intermediate, where
    #: the donor site's part ends and the acceptor site's begins; None for one site
    relay_at: int | None = None
    relay_labels: tuple[str, str] | None = None


def state_names(network: Network, route: Route) -> tuple[str, ...]:
    """Readable names of the states along ``route``.

    The clean surface at the start is named after the feed (``NO3-(aq)``), at the end after the
    product (``NH3(g)``); co-adsorbed species are joined by ``+``.
    """
    states = route_states(network, route)
    names = []
    first = network.steps[route.steps[0]]
    last = network.steps[route.steps[-1]]
    feed = [s.name for s, _ in first.reactants if s.is_reservoir]
    product = [s.name for s, _ in last.products if s.is_reservoir]
    for k, state in enumerate(states):
        # nitrogen-containing (then larger) species first: "*NO2 + *OH", not "*OH + *NO2"
        adsorbed = sorted((p for s in state if not is_free(s) for p in s.split("+")), key=display_order)
        if adsorbed:
            names.append(" + ".join(adsorbed))
        elif k == 0 and feed:
            names.append(" + ".join(feed))
        elif k == len(states) - 1 and product:
            names.append(" + ".join(product))
        else:
            names.append("*")
    return tuple(names)


def _limit(dG_U0: np.ndarray, n_e: np.ndarray, direction: float, U, cond: Conditions) -> tuple[int, float, float]:
    """PDS (position), limiting potential and the asked potential, both V vs RHE, of a path with
    step energies ``dG_U0`` at U_RHE = 0 and electrons ``n_e`` per step; ``U`` as in
    :func:`free_energy_profile`."""
    lim = (np.sign(n_e) == direction) & (n_e != 0)
    per_e = np.where(lim, dG_U0 / np.where(lim, np.abs(n_e), 1.0), -np.inf)
    pds = int(np.argmax(per_e))
    u_l_rhe = -direction * float(per_e[pds])
    if U is None:
        u_rhe = cond.U_RHE
    elif isinstance(U, str):
        if U.upper() not in ("UL", "U_L"):
            raise InputError(f"potential {U!r}: give a number (V) or 'UL'")
        u_rhe = u_l_rhe
    else:
        u_rhe = Conditions(float(U), cond.pH, cond.T, cond.scale).U_RHE
    return pds, u_l_rhe, u_rhe


def free_energy_profile(
    result: CHEResult,
    candidate: int | str,
    U: float | str | None = None,
    *,
    route: int | None = None,
    label: str | None = None,
    color: str | None = None,
    sites=None,
) -> Profile:
    """Profile of one candidate along its best route (or ``route``, an index into result.routes).

    ``U`` is a potential on the result's scale, ``"UL"`` for the route's limiting potential, or
    None for the analysis potential. ``sites`` names the sites in the state labels: the metal on
    each named site (``{"M1": "Cu"}``: *NO3@M1 -> *NO3@Cu), or one site name for a pathway on one
    site of a tandem catalyst (``"Cu"``: *NO3 -> *NO3@Cu).
    """
    from .sites import show_sites

    k = result.index(candidate) if isinstance(candidate, str) else int(candidate)
    j = int(result.best[k]) if route is None else int(route)
    if not 0 <= j < len(result.routes):
        raise InputError(f"route {j} out of range: {len(result.routes)} routes to {result.product}")
    net = result.network
    rt = net.routes[result.routes[j]]
    cond = result.conditions
    dG_U0 = result.dG(Conditions(cond.to_scale(0.0), cond.pH, cond.T, cond.scale))[:, k]
    steps = np.asarray(rt.steps)
    # route's own limiting potential and PDS
    n_e = net.n_e
    direction = 1.0 if net.products[result.product].n_e > 0 else -1.0
    pds, u_l_rhe, u_rhe = _limit(dG_U0[steps], n_e[steps].astype(float), direction, U, cond)
    dG = dG_U0[steps] + n_e[steps] * u_rhe
    G = np.concatenate([[0.0], np.cumsum(dG)])
    return Profile(
        name=result.names[k], label=label or result.names[k], color=color,
        U=float(cond.to_scale(u_rhe)), scale=cond.scale, route_label=show_sites(net.route_label(rt), sites),
        states=tuple(show_sites(x, sites) for x in state_names(net, rt)), step_ids=tuple(net.steps[i].id for i in steps), G=G, dG=dG,
        pds=pds, dG_pds_U0=float(dG_U0[steps[pds]]), U_L=float(cond.to_scale(u_l_rhe)),
        n_e=np.asarray(n_e[steps], dtype=float), pH=float(cond.pH), T=float(cond.T),
    )


def relay_profile(
    target: CHEResult,
    release: CHEResult,
    donor: int,
    acceptor: int,
    U: float | str | None = None,
    *,
    donor_site: str | None = None,
    acceptor_site: str | None = None,
    labels: tuple[str, str] | None = None,
) -> Profile:
    """The relay of a tandem catalyst: the ``donor`` site reduces the feed along its best route
    to the released intermediate (``release``: a result for that product, e.g. NO2-), the
    intermediate re-adsorbs on the ``acceptor`` site (the reverse of the donor's release step,
    evaluated on the acceptor: NO2-(aq) + * -> *NO2 + e-) and the acceptor takes it to the
    target along its best route from the re-adsorbed state (``target``: a result for NH3).

    ``U`` as in :func:`free_energy_profile`; ``"UL"`` is the relay's own limiting potential (its
    largest electrochemical step over both sites). Both results must come from the same network
    and energies.
    """
    from .sites import show_sites

    if target.network is not release.network and target.network.name != release.network.name:
        raise InputError("relay_profile: the two results come from different networks")
    net = target.network
    cond = target.conditions
    u0 = Conditions(cond.to_scale(0.0), cond.pH, cond.T, cond.scale)
    dA = release.dG(u0)[:, donor]
    dB = target.dG(u0)[:, acceptor]
    rel = net.routes[release.routes[int(release.best[donor])]]
    last = rel.steps[-1]
    released_state = route_states(net, rel)[-1]
    bound = route_states(net, rel)[-2]  # the adsorbed intermediate before its release (*NO2)
    names_a = state_names(net, rel)
    best, pick = None, None
    for j in target.routes:
        rt = net.routes[j]
        states = route_states(net, rt)
        if bound not in states:
            continue
        at = states.index(bound)
        steps = rt.steps[at:]
        per_e = [dB[i] / net.n_e[i] for i in steps if net.n_e[i] > 0] or [-np.inf]
        score = max(per_e)
        if best is None or score < best:
            best, pick = score, (rt, at)
    if pick is None:
        raise InputError(f"no route of {net.name} to {target.product} passes {state_names(net, rel)[-2]}, "
                         "the state the donor releases from: no relay to draw")
    rt, at = pick
    names_b = state_names(net, rt)[at:]
    dG_U0 = np.concatenate([dA[list(rel.steps)], [-dB[last]], dB[list(rt.steps[at:])]])
    n_e = np.concatenate([net.n_e[list(rel.steps)], [-net.n_e[last]], net.n_e[list(rt.steps[at:])]]).astype(float)
    direction = 1.0 if net.products[target.product].n_e > 0 else -1.0
    pds, u_l_rhe, u_rhe = _limit(dG_U0, n_e, direction, U, cond)
    dG = dG_U0 + n_e * u_rhe
    G = np.concatenate([[0.0], np.cumsum(dG)])
    released = names_a[-1]
    states = tuple(show_sites(x, donor_site) for x in names_a) + tuple(show_sites(x, acceptor_site) for x in names_b)
    del released_state
    a = labels[0] if labels else str(target.names[donor])
    b = labels[1] if labels else str(target.names[acceptor])
    ids = tuple(net.steps[i].id for i in rel.steps) + (f"{net.steps[last].id} (reverse)",) \
        + tuple(net.steps[i].id for i in rt.steps[at:])
    return Profile(
        name=f"{target.names[donor]}->{target.names[acceptor]}", label=f"{a} \u2192 {b} relay", color=None,
        U=float(cond.to_scale(u_rhe)), scale=cond.scale,
        route_label=f"{released} released by {a}, taken up by {b}", states=states, step_ids=ids, G=G, dG=dG,
        pds=pds, dG_pds_U0=float(dG_U0[pds]), U_L=float(cond.to_scale(u_l_rhe)), n_e=n_e,
        pH=float(cond.pH), T=float(cond.T), relay_at=len(names_a) - 1, relay_labels=(a, b),
    )
