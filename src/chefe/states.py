"""Co-adsorbed states as calculations: a network's steps resolved by the surface state they act in.

On a model with two or more sites a route visits states with several adsorbates at once
(``*NO2 + *O`` after N–O scission). Their free energy is one calculation of the co-adsorbed
structure, G(*NO2+*O), not the sum G(*NO2) + G(*O) − G(*) of separate runs: the adsorbates
interact, and on a heteronuclear dual site they sit on different metals. A step then depends on
its spectators: *O + H+ + e- -> *OH alone and beside *NO2 are different steps.

:func:`resolve_states` rewrites a network so that every step goes from one state to the next,
each state written as one species (``*``, ``*NO3``, ``*NO2+*O``), and keeps the routes of the
source network (each route's steps in the same order). A step used in several states gets one
step per state; the one without spectators keeps its id, the others are named after their
spectators (``O_OH[*NO2]``). Its ΔG is then G(state after) − G(state before) plus the gas,
liquid and aqueous species of the step, and a co-adsorbed state without an energy of its own
leaves its routes out (:func:`state_energies`), unless the additive approximation is asked for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from .errors import NetworkError
from .network import Network, State, _apply, display_order, is_free
from .reaction import parse_step
from .species import coadsorbed_parts, parse_species

COADSORPTION_MODES = ("calculated", "additive")


def state_species(state: State) -> str:
    """The species naming one surface state: ``*`` (clean), ``*NO3`` or ``*NO2+*O``."""
    parts = sorted((p for s in state if not is_free(s) for p in s.split("+")), key=display_order)
    if not parts:
        return "*"
    return parse_species("+".join(parts)).name if len(parts) > 1 else parts[0]


def coadsorbed_states(network: Network) -> tuple[str, ...]:
    """Co-adsorbed states (two adsorbates or more) that the network's routes visit, in first-visit
    order. Empty for one-site networks."""
    if network.state_resolved:
        return tuple(n for n in network.adsorbates if "+" in n)
    seen: dict[str, None] = {}
    for route in network.routes:
        state = network.start
        for i in route.steps:
            state = _apply(state, network.steps[i])
            name = state_species(state)
            if "+" in name:
                seen[name] = None
    return tuple(seen)


def _term(sp, n: float) -> str:
    return sp.name if abs(n - 1) < 1e-12 else f"{n:g}{sp.name}"


def resolve_states(network: Network) -> Network:
    """The network with every step written from one surface state to the next (see module
    docstring); a network without co-adsorbed states, or one resolved already, is returned as it
    is."""
    if network.state_resolved or not coadsorbed_states(network):
        return network
    contexts: dict[tuple[int, State], tuple[State, State]] = {}
    sequences_raw = []
    for route in network.routes:
        state = network.start
        seq = []
        for i in route.steps:
            nxt = _apply(state, network.steps[i])
            contexts.setdefault((i, state), (state, nxt))
            seq.append((i, state))
            state = nxt
        sequences_raw.append(seq)
    # new steps in the source's order (which sets route preference), fewest spectators first
    def spectators(i: int, state: State) -> list[str]:
        left = network.steps[i].surface_reactants()
        out = []
        for s in sorted(state, key=display_order):
            if left.get(s, 0) > 0:
                left[s] -= 1
            elif not is_free(s):
                out.append(s)
        return out

    keys = sorted(contexts, key=lambda k: (k[0], len(spectators(*k)), state_species(k[1])))
    index: dict[tuple[int, State], int] = {}
    steps = []
    for k in keys:
        i, state = k
        pre, post = contexts[k]
        step = network.steps[i]
        extra = spectators(i, state)
        sid = step.id if not extra else f"{step.id}[{'+'.join(extra)}]"
        left = [state_species(pre)] + [_term(sp, n) for sp, n in step.reactants if not sp.is_surface]
        right = [state_species(post)] + [_term(sp, n) for sp, n in step.products if not sp.is_surface]
        try:
            steps.append(parse_step(sid, " + ".join(left) + " -> " + " + ".join(right), label=step.label))
        except NetworkError:  # pragma: no cover - the source step was balanced
            raise
        index[k] = len(steps) - 1
    sequences = tuple(tuple(index[k] for k in seq) for seq in sequences_raw)
    return dataclasses.replace(
        network, steps=tuple(steps), route_steps=sequences, state_resolved=True, _index={},
        description=(network.description + "\nco-adsorbed states resolved: each state one calculation").strip(),
    )


def additive_energy(name: str, G: Mapping[str, float]) -> float | None:
    """G(*A) + G(*B) + ... − (n − 1)·G(*) for a co-adsorbed state, or None when a part or the
    clean site is missing (the additive approximation of separate single-adsorbate runs)."""
    parts = coadsorbed_parts(name)
    if "*" not in G or any(p not in G for p in parts):
        return None
    return float(sum(G[p] for p in parts) - (len(parts) - 1) * G["*"])


def state_energies(network: Network, G: Mapping[str, float], *, mode: str = "calculated",
                   where: str = "") -> tuple[dict[str, float], list[str], list[str]]:
    """Free energies of every state species of a resolved network for one catalyst.

    ``G`` holds the catalyst's species (single adsorbates, the clean site, and any co-adsorbed
    state computed as one structure). Returns ``(G_states, additive, missing)``: the values
    (given ones unchanged), the co-adsorbed states filled additively (``mode="additive"``
    only) and those left without an energy (their routes are then skipped).
    """
    if mode not in COADSORPTION_MODES:
        raise NetworkError(f"coadsorption {mode!r} unknown: use one of {COADSORPTION_MODES}")
    out = dict(G)
    additive, missing = [], []
    for name in coadsorbed_states(network):
        if name in out and np.isfinite(out[name]):
            continue
        value = additive_energy(name, out) if mode == "additive" else None
        if value is None:
            missing.append(name)
        else:
            out[name] = value
            additive.append(name)
    return out, additive, missing


__all__ = ["COADSORPTION_MODES", "additive_energy", "coadsorbed_states", "resolve_states",
           "state_energies", "state_species"]
