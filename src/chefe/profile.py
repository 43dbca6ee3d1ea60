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
    lim = np.array([np.sign(n_e[i]) == direction and n_e[i] != 0 for i in steps])
    per_e = np.where(lim, dG_U0[steps] / np.where(lim, np.abs(n_e[steps]), 1.0), -np.inf)
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
    dG = dG_U0[steps] + n_e[steps] * u_rhe
    G = np.concatenate([[0.0], np.cumsum(dG)])
    return Profile(
        name=result.names[k], label=label or result.names[k], color=color,
        U=float(cond.to_scale(u_rhe)), scale=cond.scale, route_label=show_sites(net.route_label(rt), sites),
        states=tuple(show_sites(x, sites) for x in state_names(net, rt)), step_ids=tuple(net.steps[i].id for i in steps), G=G, dG=dG,
        pds=pds, dG_pds_U0=float(dG_U0[steps[pds]]), U_L=float(cond.to_scale(u_l_rhe)),
    )
