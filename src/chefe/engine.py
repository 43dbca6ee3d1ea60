"""The CHE engine: step free energies, limiting potentials and the best route, vectorised.

Arrays are step-major: ``dG0`` has shape (n_steps, n_candidates) and holds ΔG° of every step at
U_SHE = 0, pH 0 (with G(H+ + e-) = ½G(H2)). Everything else follows from the step counts:

    ΔG_i(U_RHE, pH) = ΔG°_i + n_e,i·eU_RHE + (n_H,i - n_e,i)·kT ln10·pH

For a network whose product forms by reduction (n_e > 0 overall) each reduction step i is
downhill below U_i = -ΔG_i(0)/n_e,i; the limiting potential of a route is the lowest of these,
U_L = -max_i ΔG_i(0)/n_e,i, and the step attaining it is the potential-determining step (PDS).
For an oxidation (OER) the signs flip: U_L = max_i ΔG_i(0)/|n_e,i|. Steps that transfer
electrons the other way (the oxidative NO3- adsorption of NO3RR) do not set U_L; whether they
are still downhill at U_L is reported separately, as is the largest uphill chemical step.
The best route is the one with the least extreme U_L; every route's U_L is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .conditions import Conditions
from .constants import ln10_kT
from .errors import InfiniteEnergyError, InputError
from .network import Network

#: Candidates processed per block in the route search (keeps temporaries in cache).
CHUNK = 1 << 14  # 2^14 measured fastest here (2^15: ~30% slower, temporaries spill the cache)
#: Finite floor for rows that only mark missing data (±inf cannot carry a packed step index).
NO_CONTRIBUTION = -1e300


def step_free_energies(network: Network, G: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """ΔG° (eV) of every step from species free energies, shape (n_steps, n_candidates).

    ``G`` maps canonical species names to scalars or arrays of shape (n_candidates,): adsorbate
    and free-site energies per candidate, reservoir species from the reference ledger. H+ and
    e- may be omitted: they default to ½G(H2(g)) and 0. A species missing from ``G`` makes the
    steps that need it NaN (they are then excluded from routes; see :func:`analyse`).
    """
    values = dict(G)
    if "H+" not in values and "H2(g)" in values:
        values["H+"] = 0.5 * np.asarray(values["H2(g)"], dtype=float)
    values.setdefault("e-", 0.0)
    if "*" in values:  # a named free site (*@M2) is the clean structure's, as is *
        for name in network.species:
            if name.startswith("*@"):
                values.setdefault(name, values["*"])
    n = 1
    for v in values.values():
        arr = np.asarray(v)
        if arr.ndim:
            n = max(n, arr.shape[0])
    out = np.zeros((len(network.steps), n))
    for i, step in enumerate(network.steps):
        for name, nu in step.net().items():
            g = values.get(name)
            if g is None:
                out[i] = np.nan
                break
            out[i] += nu * np.asarray(g, dtype=float)
    return out


def shift_to_conditions(network: Network, dG0: np.ndarray, conditions: Conditions) -> np.ndarray:
    """ΔG of every step at ``conditions`` from ΔG° (U_SHE = 0, pH 0)."""
    kt = ln10_kT(conditions.T)
    offset = network.n_e * conditions.U_RHE + (network.n_H - network.n_e) * kt * conditions.pH
    return dG0 + offset[:, None]


@dataclass(frozen=True)
class CHEResult:
    """Result of :func:`analyse` for n candidates (arrays have shape (n,) unless stated).

    Stored: what the route search produces. Derived quantities (ΔG of the PDS, overpotential,
    largest chemical step, the opposite-direction step at U_L) are computed on first access,
    so a screen of millions of candidates pays only for what it reads.

    Attributes:
        network: the network analysed (NH3 renamed to NH3(aq) when so chosen).
        names: candidate names.
        conditions: U, pH, T, scale; U_L, U_eq and η are reported on ``conditions.scale``.
        product: product analysed.
        routes: indices into ``network.routes`` of the routes to ``product``.
        dG0: ΔG° per step, (n_steps, n).
        route_UL: limiting potential of each route, (n_routes, n); NaN where data is missing;
            None when not kept. Exact to ~1e-14 V (see :func:`route_maxima`).
        best: position in ``routes`` of the best route per candidate.
        U_L: limiting potential of the best route (V), exact.
        pds: index of the potential-determining step.
        U_eq: equilibrium potential of ``product`` at pH (V), or NaN.
        rds, barrier_rds: rate-determining step on the best route and its barrier (eV) at the
            conditions' potential, when barriers were given.
        notes: per-run messages (skipped routes, missing tables).
    """

    network: Network
    names: Sequence[str]
    conditions: Conditions
    product: str
    routes: tuple[int, ...]
    dG0: np.ndarray
    route_UL: np.ndarray | None
    best: np.ndarray
    U_L: np.ndarray
    pds: np.ndarray
    U_eq: float
    rds: np.ndarray | None = None
    barrier_rds: np.ndarray | None = None
    barriers0: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a candidate by name."""
        try:
            return self.names.index(name)
        except ValueError:
            raise InputError(f"no candidate {name!r}; candidates are {list(self.names)[:20]}") from None

    def best_route(self, candidate: int | str):
        """The :class:`~chefe.network.Route` chosen for one candidate."""
        k = self.index(candidate) if isinstance(candidate, str) else candidate
        return self.network.routes[self.routes[int(self.best[k])]]

    def step_id(self, index: int) -> str:
        return "" if index < 0 else self.network.steps[index].id

    def take(self, indices) -> CHEResult:
        """The result for a subset of candidates (positions, in the order given)."""
        idx = np.asarray(indices, dtype=np.intp)

        def cols(a):
            return None if a is None else a[..., idx]

        names = self.names.take(idx) if isinstance(self.names, _AutoNames) else tuple(
            self.names[int(k)] for k in idx)
        return CHEResult(
            network=self.network, names=names, conditions=self.conditions, product=self.product,
            routes=self.routes, dG0=self.dG0[:, idx], route_UL=cols(self.route_UL),
            best=self.best[idx], U_L=self.U_L[idx], pds=self.pds[idx], U_eq=self.U_eq,
            rds=cols(self.rds), barrier_rds=cols(self.barrier_rds), barriers0=cols(self.barriers0),
            notes=self.notes)

    def dG(self, conditions: Conditions | None = None) -> np.ndarray:
        """ΔG per step at ``conditions`` (default: the analysis conditions), (n_steps, n)."""
        return shift_to_conditions(self.network, self.dG0, conditions or self.conditions)

    @cached_property
    def direction(self) -> float:
        """+1 when the product forms by reduction, -1 by oxidation."""
        return 1.0 if self.network.products[self.product].n_e > 0 else -1.0

    @cached_property
    def _ph_shift(self) -> np.ndarray:
        net = self.network
        return (net.n_H - net.n_e) * ln10_kT(self.conditions.T) * self.conditions.pH

    def row_U0(self, i: int) -> np.ndarray:
        """ΔG of step i at U_RHE = 0 and the analysis pH, shape (n,)."""
        shift = self._ph_shift[i]
        return self.dG0[i] if shift == 0 else self.dG0[i] + shift

    @cached_property
    def U_L_RHE(self) -> np.ndarray:
        """U_L on the RHE scale (V)."""
        if self.conditions.scale == "RHE":
            return self.U_L
        return self.U_L + ln10_kT(self.conditions.T) * self.conditions.pH

    # ------------------------------------------------------------------ derived
    @cached_property
    def dG_pds(self) -> np.ndarray:
        """ΔG of the PDS at U_RHE = 0 and the analysis pH (eV)."""
        return -self.direction * self.U_L_RHE * np.abs(self.network.n_e)[self.pds]

    @cached_property
    def eta(self) -> np.ndarray:
        """Thermodynamic overpotential: U_eq - U_L (reduction) or U_L - U_eq (oxidation), V."""
        return np.subtract(self.U_eq, self.U_L) if self.direction > 0 else np.subtract(self.U_L, self.U_eq)

    def _secondary(self, mask: np.ndarray, values) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.names)
        seqs = [[i for i in self.network.routes[r].unique_steps if mask[i]] for r in self.routes]
        if not any(seqs):
            return np.full(n, -1, dtype=np.int32), np.full(n, np.nan)
        if all(q == seqs[0] for q in seqs) and len(seqs[0]) == 1:
            i = seqs[0][0]  # the same single step on every route (NH3 desorption, NO3- adsorption)
            return np.full(n, i, dtype=np.int32), values(i)
        rows: list[np.ndarray | None] = [None] * len(self.network.steps)
        for i in {i for q in seqs for i in q}:
            rows[i] = values(i)
        smx, _, _, _ = route_maxima(rows, seqs, n)
        step = unpack_step(smx[self.best, np.arange(n)], len(rows)).astype(np.int32)
        val = np.full(n, np.nan)
        for i in np.unique(step[step >= 0]):
            sel = step == i
            val[sel] = rows[i][sel]
        return step, val

    @cached_property
    def _chem(self) -> tuple[np.ndarray, np.ndarray]:
        return self._secondary(self.network.n_e == 0, self.row_U0)

    @property
    def chem_step(self) -> np.ndarray:
        """Largest uphill chemical step on the best route (step index; -1 if none)."""
        return self._chem[0]

    @property
    def dG_chem(self) -> np.ndarray:
        """ΔG of :attr:`chem_step` (eV; potential-independent)."""
        return self._chem[1]

    @cached_property
    def _counter(self) -> tuple[np.ndarray, np.ndarray]:
        n_e = self.network.n_e
        mask = (np.sign(n_e) == -self.direction) & (n_e != 0)

        def at_ul(i: int) -> np.ndarray:
            out = np.multiply(self.U_L_RHE, n_e[i])
            return np.add(out, self.row_U0(i), out=out)

        return self._secondary(mask, at_ul)

    @property
    def counter_step(self) -> np.ndarray:
        """Step transferring electrons the other way (NO3- adsorption) with the largest ΔG at U_L."""
        return self._counter[0]

    @property
    def dG_counter_at_UL(self) -> np.ndarray:
        """ΔG of :attr:`counter_step` at U_L (eV)."""
        return self._counter[1]

    @property
    def counter_downhill(self) -> np.ndarray:
        """True where that step is still downhill (or absent) at U_L."""
        return ~(self._counter[1] > 0)

    def table(self) -> list[dict]:
        """One plain dict per candidate: the summary printed by ``chefe fed``."""
        rows = []
        for k, name in enumerate(self.names):
            route = self.best_route(k)
            row = {
                "catalyst": name,
                "product": self.product,
                "best_route": self.network.route_label(route),
                "U_L": float(self.U_L[k]),
                "PDS": self.network.steps[self.pds[k]].equation,
                "PDS_id": self.step_id(int(self.pds[k])),
                "dG_PDS": float(self.dG_pds[k]),
                "eta": float(self.eta[k]),
                "U_eq": float(self.U_eq),
                "scale": self.conditions.scale,
                "pH": self.conditions.pH,
                "T": self.conditions.T,
                "max_chemical_step": self.step_id(int(self.chem_step[k])),
                "dG_max_chemical": float(self.dG_chem[k]),
                "counter_step": self.step_id(int(self.counter_step[k])),
                "dG_counter_at_UL": float(self.dG_counter_at_UL[k]),
                "counter_downhill_at_UL": bool(self.counter_downhill[k]),
            }
            if self.rds is not None:
                row["RDS_id"] = self.step_id(int(self.rds[k]))
                row["barrier_RDS"] = float(self.barrier_rds[k])
            if self.route_UL is not None:
                row["route_UL"] = {
                    self.network.route_label(self.network.routes[r]): float(self.route_UL[j, k])
                    for j, r in enumerate(self.routes)
                }
            rows.append(row)
        return rows


# ---------------------------------------------------------------------- route maxima
def _trie(sequences: Sequence[Sequence[int]]) -> dict:
    """Prefix tree of the step sequences; each node's ``ends`` lists the routes ending there.

    The order of steps inside a route does not change its maximum, so steps on every route are
    moved to the front (one shared edge each instead of one per branch), unless that would
    change the order in which the walk meets the routes (which decides ties).
    """
    def build(seqs) -> dict:
        root: dict = {"children": {}, "ends": []}
        for r, seq in enumerate(seqs):
            node = root
            for i in seq:
                node = node["children"].setdefault(i, {"children": {}, "ends": []})
            node["ends"].append(r)
        return root

    plain = build(sequences)
    common = set(sequences[0]).intersection(*sequences[1:]) if sequences else set()
    if not common:
        return plain
    first = [i for i in sequences[0] if i in common]
    hoisted = build([first + [i for i in seq if i not in common] for seq in sequences])
    return hoisted if _end_order(hoisted) == _end_order(plain) else plain


def _end_order(node: dict) -> list[int]:
    """List the routes in the order a depth-first walk of the trie meets their ends."""
    out = list(node["ends"])
    for child in node["children"].values():
        out += _end_order(child)
    return out


def route_maxima(
    rows: Sequence[np.ndarray | None],
    sequences: Sequence[Sequence[int]],
    n: int,
    chunk: int = CHUNK,
    keep_routes: bool = True,
    table: np.ndarray | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """Max and argmax of step values over each route, plus the route with the smallest max.

    Args:
        rows: per step an array of shape (n,) (None for steps no sequence uses). Values must be
            finite or NaN (NaN marks missing data and propagates into the route); an infinite
            value raises ``_InfiniteValue`` (it would lose the packed step index).
        sequences: per route the step indices to reduce over (each non-empty).
        n: number of candidates.
        keep_routes: also return every route's maximum (skip to save memory and time).
        table: optionally a C-contiguous float64 array of shape (len(rows), n) whose row i *is*
            ``rows[i]`` for every row used: the exact maxima are then gathered from it instead
            of from a per-block copy of the rows.

    Returns:
        ``(route_max, best, best_arg, best_max)`` with shapes (n_routes, n) (or None), (n,),
        (n,), (n,): each route's maximum (packed: see below; :func:`unpack_step` gives the
        arg-max step), the route with the smallest maximum (NaN routes never win; ties go to
        the first route; -1 where all are NaN), the step attaining that maximum and its exact
        value.

    Method: routes sharing a prefix share its work (a trie of the sequences is walked once per
    block of ``chunk`` candidates, one ``maximum`` per trie edge). The arg-max rides along in
    the values: each row's step index + 1 is written into the lowest mantissa bits of its
    float64 values (moving them by at most 2**-47 relative, ~1e-14 eV; an infinity becomes a
    NaN), so a plain ``np.maximum`` carries both the maximum and the step attaining it.
    Callers needing the exact value take it from the row at the returned index (``best_max``
    is exact). Every used row lies on a route, so a block whose route maxima are all finite
    has no NaN or inf; only other blocks are searched for infinities.
    """
    n_routes = len(sequences)
    n_rows = len(rows)
    low = np.int64(_pack_mask(n_rows))
    itype = np.int16 if max(n_rows, n_routes) < 32000 else np.int32
    route_max = np.zeros((n_routes, n)) if keep_routes else None  # zeros: faster first touch than empty here
    best = np.empty(n, dtype=itype)
    best_arg = np.empty(n, dtype=itype)
    root = _trie(sequences)
    depth = max((len(q) for q in sequences), default=0) + 1
    width = min(chunk, max(n, 1))
    used = sorted({i for q in sequences for i in q})
    if table is not None and not (table.ndim == 2 and table.shape == (n_rows, n) and table.dtype == np.float64
                                  and table.flags.c_contiguous):
        table = None
    # preallocated temporaries: fresh arrays of this size come from mmap and page-fault on
    # every use, which costs more than the arithmetic itself
    exact = np.empty((n_rows, width)) if table is None else None
    source = table.view(np.int64) if table is not None else exact.view(np.int64)
    gather = table.ravel() if table is not None else exact.ravel()
    stride = n if table is not None else width
    packed = np.empty((n_rows, width))
    packed_bits = packed.view(np.int64)
    best_max = np.empty(n)
    lanes = np.arange(width, dtype=np.intp)
    flat_buf = np.empty(width, dtype=np.intp)
    vals = np.empty((depth, width))
    mask, mask2, mask3 = (np.empty(width, dtype=bool) for _ in range(3))
    tmp = np.empty(width, dtype=itype)
    best_val = np.empty(width)
    best_r = np.empty(width, dtype=itype)
    nonfinite = np.empty(width)  # NaN where some route maximum is NaN

    # the walk meets the routes in index order (the usual case): a route that beats every
    # earlier one has a larger index than the current best, so best_r = max(best_r, m·r);
    # otherwise (a route ending inside another's path is met before it) ties are settled by
    # index and the blend best_r += m·(r − best_r) is used
    in_order = _end_order(root) == list(range(n_routes))

    def walk(node, d: int, sl: slice, w: int) -> None:
        cur = vals[d, :w]
        for r in node["ends"]:
            if route_max is not None:
                route_max[r, sl] = cur
            np.maximum(nonfinite[:w], cur, out=nonfinite[:w])
            if in_order and r == 0:  # the first route wins wherever it is finite
                np.fmin(best_val[:w], cur, out=best_val[:w])
                continue
            m = np.less(cur, best_val[:w], out=mask[:w])  # NaN never wins; ties keep the earlier
            t = tmp[:w]
            if not in_order:  # a tie also goes to this route if it comes before the best so far
                tie = np.equal(cur, best_val[:w], out=mask2[:w])
                tie &= np.greater(best_r[:w], itype(r), out=mask3[:w])
                m |= tie
            np.fmin(best_val[:w], cur, out=best_val[:w])
            if in_order:
                np.multiply(m, itype(r), out=t)
                np.maximum(best_r[:w], t, out=best_r[:w])
            else:
                np.subtract(itype(r), best_r[:w], out=t)
                np.multiply(t, m, out=t)
                np.add(best_r[:w], t, out=best_r[:w])
        children = node["children"]
        # an only child takes over its parent's buffer (nothing else reads it afterwards):
        # fewer buffers in use, and the one in use stays in cache
        nd = d if len(children) == 1 else d + 1
        for i, child in children.items():
            np.maximum(packed[i, :w], cur, out=vals[nd, :w])
            walk(child, nd, sl, w)

    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        w = sl.stop - sl.start
        for i in used:
            if table is None:
                np.copyto(exact[i, :w], rows[i][sl])
                src = source[i, :w]
            else:
                src = source[i, sl]
            view = packed_bits[i, :w]
            np.bitwise_and(src, ~low, out=view)
            np.bitwise_or(view, np.int64(i + 1), out=view)
        vals[0, :w] = -np.inf
        nonfinite[:w] = -np.inf
        best_val[:w] = np.inf
        best_r[:w] = 0 if in_order else -1  # (lanes that no route reaches are set to -1 below)
        walk(root, 0, sl, w)
        has_nan = not np.isfinite(np.add.reduce(nonfinite[:w]))
        if has_nan:  # NaN somewhere: missing data, or an inf?
            for i in used:
                inf = np.flatnonzero(np.isinf(rows[i][sl]))
                if inf.size:
                    raise _InfiniteValue(i, start + int(inf[0]))
        best[sl] = best_r[:w]
        # the arg-max step from the low bits, then the exact value from the row it names
        flat = flat_buf[:w]
        np.bitwise_and(best_val[:w].view(np.int64), low, out=flat)
        flat -= 1
        np.copyto(best_arg[sl], flat, casting="unsafe")
        flat *= stride
        flat += lanes[:w]
        if table is not None:
            flat += start
        np.take(gather, flat, out=best_max[sl], mode="clip")
        if has_nan:  # lanes without a finite route: no route, no step, no value
            lost = ~np.isfinite(best_val[:w])
            if lost.any():
                best[sl][lost] = -1
                best_arg[sl][lost] = -1
                best_max[sl][lost] = np.nan
    return route_max, best, best_arg, best_max


def _pack_mask(n_rows: int) -> int:
    """Mask of the low mantissa bits that carry a step index + 1 (1..n_rows)."""
    return (1 << max(1, n_rows.bit_length())) - 1


def unpack_step(packed: np.ndarray, n_rows: int) -> np.ndarray:
    """Step indices carried in the low mantissa bits by :func:`route_maxima` (-1 if not finite)."""
    out = (np.ascontiguousarray(packed).view(np.int64) & np.int64(_pack_mask(n_rows))).astype(
        np.int16 if n_rows < 32000 else np.int32)
    out -= 1
    out[~np.isfinite(packed)] = -1
    return out


class _AutoNames(tuple):
    """Placeholder names ``cand0, cand1, ...`` created on demand (no million-string tuple);
    after :meth:`take`, the numbers of the candidates kept (``numbers``).
    """

    def __new__(cls, n: int, numbers: np.ndarray | None = None):
        obj = super().__new__(cls)
        obj._n = n
        obj._numbers = numbers
        return obj

    def __len__(self) -> int:
        return self._n

    def _label(self, k: int) -> str:
        return f"cand{k if self._numbers is None else int(self._numbers[k])}"

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self._label(i) for i in range(*k.indices(self._n)))
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        return self._label(k)

    def __iter__(self):
        return (self._label(i) for i in range(self._n))

    def index(self, name, *args):
        if isinstance(name, str) and name.startswith("cand") and name[4:].isdigit():
            k = int(name[4:])
            if self._numbers is None:
                if k < self._n:
                    return k
            else:
                hits = np.flatnonzero(self._numbers == k)
                if hits.size:
                    return int(hits[0])
        raise ValueError(name)

    def take(self, indices: np.ndarray) -> _AutoNames:
        """The names of a subset, keeping each candidate's number."""
        numbers = np.arange(self._n) if self._numbers is None else self._numbers
        return _AutoNames(len(indices), numbers[indices])


# ---------------------------------------------------------------------- analysis
def analyse(
    network: Network,
    dG0: np.ndarray,
    conditions: Conditions = Conditions(),
    *,
    names: Sequence[str] | None = None,
    product: str | None = None,
    barriers: np.ndarray | None = None,
    beta: np.ndarray | float = 0.5,
    formation_table: str = "crc",
    keep_routes: bool = True,
    incomplete: str = "raise",
    U_eq: float | None = None,
) -> CHEResult:
    """Limiting potential, PDS, best route and overpotential for every candidate.

    Args:
        network: the reaction network.
        dG0: ΔG° per step at U_SHE = 0 and pH 0, shape (n_steps, n) or (n_steps,). NaN marks a
            step without data: routes through it are skipped for that candidate.
        conditions: potential (for barriers and :meth:`CHEResult.dG`), pH, T and the scale on
            which U_L and η are reported.
        names: candidate names (default ``cand0, cand1, ...``).
        product: product to analyse (default the network's target).
        barriers: forward activation energies at U_RHE = 0, shape like ``dG0``; NaN = unknown.
            Electrochemical barriers shift by β·n_e·eU and are never below max(ΔG, 0).
        beta: symmetry factor(s) β, scalar or (n_steps,).
        formation_table: table for the equilibrium potential.
        keep_routes: keep every route's U_L (``route_UL``); switch off for very large screens.
        incomplete: ``"raise"`` (default) when a candidate completes no route; ``"keep"``: such
            candidates get best route -1, U_L NaN and PDS -1 (:meth:`CHEResult.take` drops them).
        U_eq: equilibrium potential of ``product`` in V vs RHE when the references fix it (a
            paper's 1.23 V); default: computed from ``formation_table``.

    Raises:
        InputError: for a wrong shape, an inf, or (``incomplete="raise"``) no complete route for
            some candidate.
    """
    if incomplete not in ("raise", "keep"):
        raise InputError(f"incomplete must be 'raise' or 'keep', not {incomplete!r}")
    dG0 = np.asarray(dG0, dtype=float)
    if dG0.ndim == 1:
        dG0 = dG0[:, None]
    n_steps = len(network.steps)
    if dG0.shape[0] != n_steps:
        raise InputError(f"dG0 has {dG0.shape[0]} rows but network {network.name!r} has {n_steps} steps")
    n = dG0.shape[1]
    names = tuple(names) if names is not None else _AutoNames(n)
    if len(names) != n:
        raise InputError(f"{len(names)} names for {n} candidates")
    product = product or network.target
    overall = network.products.get(product)
    if overall is None:
        raise InputError(f"network {network.name!r} has no product {product!r}")
    if overall.n_e == 0:
        raise InputError(f"product {product!r} forms without electron transfer: no limiting potential")
    direction = 1.0 if overall.n_e > 0 else -1.0
    route_idx = network.routes_to(product)
    if not route_idx:
        raise InputError(f"network {network.name!r} has no complete route to {product!r}")
    kt = ln10_kT(conditions.T)
    n_e = network.n_e
    shift = (network.n_H - n_e) * kt * conditions.pH
    limiting = (np.sign(n_e) == direction) & (n_e != 0)
    in_routes = sorted({i for r in route_idx for i in network.routes[r].unique_steps})
    # per step, the value competing for the route maximum: ΔG per electron at U_RHE = 0
    rows: list[np.ndarray | None] = [None] * n_steps
    plain = True  # every row used is dG0's own row (the engine then reads dG0 directly)
    for i in in_routes:
        row = dG0[i] if shift[i] == 0 else dG0[i] + shift[i]
        if limiting[i]:
            rows[i] = row if abs(n_e[i]) == 1 else row / abs(n_e[i])
            plain = plain and shift[i] == 0 and abs(n_e[i]) == 1
        else:
            total = np.add.reduce(row)  # one cheap pass: inf or NaN somewhere in the row?
            if not np.isfinite(total):
                _check_inf(row, i, network, names)
                if np.isnan(row).any():  # carries only "missing" into the route
                    rows[i] = np.where(np.isnan(row), np.nan, NO_CONTRIBUTION)
                    plain = False
    all_steps = [network.routes[r].unique_steps for r in route_idx]
    seqs = [[i for i in seq if rows[i] is not None] for seq in all_steps]
    try:
        mx, best, pds, best_max = route_maxima(rows, seqs, n, keep_routes=keep_routes,
                                               table=dG0 if plain else None)
    except _InfiniteValue as exc:
        raise InfiniteEnergyError(
            f"step {network.steps[exc.step].id!r} of candidate {names[exc.candidate]!r} has an "
            "infinite ΔG"
        ) from None
    if incomplete == "raise" and best.min(initial=0) < 0:
        none = np.flatnonzero(best < 0)
        bad = [names[k] for k in none[:10]]
        raise InputError(
            f"no complete route to {product!r} for {len(none)} candidate(s) {bad}: each needs "
            "every step of at least one route; missing steps: "
            f"{_missing_report(network, dG0, route_idx, none, names)}"
        )
    U_L = np.negative(best_max, out=best_max) if direction > 0 else best_max
    notes = []
    route_UL = None
    if mx is not None:
        route_UL = np.negative(mx, out=mx) if direction > 0 else mx
        skipped = np.isnan(np.add.reduce(route_UL, axis=1))
        for j in np.flatnonzero(skipped):
            missing = np.flatnonzero(np.isnan(route_UL[j]))
            who = ", ".join(str(names[k]) for k in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            notes.append(
                f"route {network.route_label(network.routes[route_idx[j]])} skipped for "
                f"{who}{more}: a step lacks data"
            )
    if U_eq is not None:
        U_eq_rhe = float(U_eq)
    else:
        try:
            from .formation import equilibrium_potential

            U_eq_rhe = equilibrium_potential(overall, conditions.pH, conditions.T, formation_table, "RHE")
        except InputError as exc:
            U_eq_rhe = float("nan")
            notes.append(f"no equilibrium potential for {product}: {exc}")

    rds = barrier_rds = b0 = None
    if barriers is not None:
        b0 = np.asarray(barriers, dtype=float)
        if b0.ndim == 1:
            b0 = b0[:, None]
        if b0.shape != dG0.shape:
            raise InputError(f"barriers have shape {b0.shape}, expected {dG0.shape}")
        rds, barrier_rds = _rate_determining(network, dG0 + shift[:, None], b0, beta, conditions,
                                             all_steps, best)
    if conditions.scale != "RHE":
        U_L = conditions.to_scale(U_L)
        route_UL = None if route_UL is None else conditions.to_scale(route_UL)
    return CHEResult(
        network=network, names=names, conditions=conditions, product=product,
        routes=tuple(route_idx), dG0=dG0, route_UL=route_UL, best=best, U_L=U_L, pds=pds,
        U_eq=float(conditions.to_scale(U_eq_rhe)), rds=rds, barrier_rds=barrier_rds,
        barriers0=b0, notes=tuple(notes),
    )


class _InfiniteValue(Exception):
    def __init__(self, step: int, candidate: int):
        super().__init__(step, candidate)
        self.step, self.candidate = step, candidate


def _check_inf(row: np.ndarray, i: int, network: Network, names) -> None:
    bad = np.flatnonzero(np.isinf(row))
    if bad.size:
        raise InfiniteEnergyError(
            f"step {network.steps[i].id!r} of candidate {names[int(bad[0])]!r} has an infinite ΔG"
        )


def _rate_determining(network, dG_U0, b0, beta, conditions, all_steps, best):
    """RDS: largest forward barrier on the best route at the analysis potential.

    Electrochemical barriers move by β·n_e·eU (U vs RHE); no barrier is below max(ΔG(U), 0).
    """
    n_steps, n = b0.shape
    n_e = network.n_e
    beta_arr = np.broadcast_to(np.asarray(beta, dtype=float), (n_steps,))
    dG_at_U = dG_U0 + (n_e * conditions.U_RHE)[:, None]
    ea = b0 + (beta_arr * n_e * conditions.U_RHE)[:, None]
    ea = np.fmax(ea, np.fmax(dG_at_U, 0.0))
    ea = np.where(np.isnan(b0), np.nan, ea)
    rds = np.full(n, -1, dtype=np.int32)
    barrier = np.full(n, np.nan)
    for j, seq in enumerate(all_steps):
        sel = np.flatnonzero(best == j)
        if not sel.size:
            continue
        seq = np.asarray(seq)
        vals = ea[np.ix_(seq, sel)]
        known = ~np.all(np.isnan(vals), axis=0)
        filled = np.where(np.isnan(vals), -np.inf, vals)
        a = np.argmax(filled, axis=0)
        rds[sel[known]] = seq[a[known]]
        barrier[sel[known]] = filled[a[known], np.flatnonzero(known)]
    return rds, barrier


def _missing_report(network: Network, dG0: np.ndarray, route_idx, cands, names) -> str:
    parts = []
    for k in cands[:5]:
        steps = sorted({network.steps[i].id for r in route_idx for i in network.routes[r].steps
                        if np.isnan(dG0[i, k])})
        parts.append(f"{names[k]}: {steps}")
    return "; ".join(parts)


def limiting_potential(network: Network, dG0: np.ndarray, conditions: Conditions = Conditions(), **kwargs) -> np.ndarray:
    """Shortcut: U_L (V) of the best route for every candidate."""
    return analyse(network, dG0, conditions, **kwargs).U_L
