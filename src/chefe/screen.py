"""Screening: activity, selectivity and quality of many candidates at once (vectorised).

For every candidate: the best route to the target product, U_L, the PDS and η (from
:func:`chefe.engine.analyse`); ΔG*H and U_L(HER) = -|ΔG*H|; and selectivity descriptors read
from the network itself, all at the candidate's own U_L:

``site_NO3_minus_H``
    ΔG(NO3- adsorption) - ΔG*H at U_L: negative when nitrate, not hydrogen, takes the site.
``UL_minus_UL_HER``
    U_L(target) - U_L(HER): positive when the target is limited at a less negative potential.
``<P>_release``
    for every side product P of the network (NO2-, NO, NH2OH, ...): ΔG of the step releasing P
    minus the most favourable competing step from the same intermediate (e.g. *NO -> NO(g)
    against *NO -> *NOH / *NHO). Negative: P leaves before it is reduced further.
``N_N_coupling``
    whether the network allows N-N coupling at all (two sites and a coupling step).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .candidates import candidates_from_columns, load_candidates_csv  # noqa: F401 - screen's inputs
from .conditions import Conditions
from .engine import CHEResult, analyse
from .errors import InfiniteEnergyError, InputError
from .network import Network


@dataclass(frozen=True)
class ScreenResult:
    """Result of :func:`screen`: the CHE result plus per-candidate descriptors and metadata.

    Attributes:
        che: the :class:`~chefe.engine.CHEResult`.
        descriptors: name -> array (n,) of the quantities in the module docstring.
        classes: catalyst class per candidate (SAC/DAC/slab, metal, ...) or empty strings.
        flags: quality flags per candidate (from ``chefe collect``).
        nn_coupling: whether the network allows N-N coupling.
    """

    che: CHEResult
    descriptors: dict[str, np.ndarray]
    classes: tuple[str, ...]
    flags: tuple[str, ...]
    nn_coupling: bool
    notes: tuple[str, ...] = field(default=())
    #: the input table's other columns (descriptors), one value per candidate
    inputs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def names(self):
        return self.che.names

    def columns(self) -> dict[str, np.ndarray]:
        """All per-candidate numbers as arrays (the table's columns)."""
        cols = {"U_L": self.che.U_L, "eta": self.che.eta}
        cols.update(self.descriptors)
        return cols

    def order(self, by: str = "U_L", descending: bool | None = None) -> np.ndarray:
        """Candidate indices sorted by a column (U_L: most positive first for a reduction)."""
        cols = self.columns()
        if by not in cols:
            raise InputError(f"cannot sort by {by!r}; columns: {sorted(cols)}")
        values = cols[by].astype(float)
        if descending is None:
            descending = by == "U_L" and self.che.direction > 0 or by == "UL_minus_UL_HER"
        key = np.where(np.isnan(values), -np.inf if descending else np.inf, values)
        idx = np.argsort(-key if descending else key, kind="stable")
        return idx

    def filter_columns(self) -> dict[str, np.ndarray]:
        """Every column a filter may name: the numbers, ``ok`` (no flags), ``class``, ``flags``,
        the candidate's name and the input table's other columns."""
        n = len(self.names)
        cols: dict[str, np.ndarray] = dict(self.inputs)
        cols.update(self.columns())
        cols["ok"] = (np.ones(n, dtype=bool) if isinstance(self.flags, _Blank)
                      else np.array([not f for f in self.flags], dtype=bool))
        cols["class"] = np.array(list(self.classes), dtype=object)
        cols["flags"] = np.array(list(self.flags), dtype=object)
        cols["name"] = np.array([str(x) for x in self.names], dtype=object)
        return cols

    def select(self, expression: str) -> np.ndarray:
        """Boolean mask from a filter such as ``"U_L > -0.4 and class == 'SAC'"``
        (see :mod:`chefe.filters`: comparisons, and/or/not or &&/||/!, never code execution)."""
        from .filters import select

        return select(expression, self.filter_columns(), len(self.names))

    def pareto(self, activity: str = "U_L", selectivity: str = "UL_minus_UL_HER") -> np.ndarray:
        """Indices of the Pareto front maximising both columns (NaN candidates excluded)."""
        cols = self.columns()
        a = cols[activity].astype(float) * (1 if activity != "eta" else -1)
        s = cols[selectivity].astype(float)
        ok = np.isfinite(a) & np.isfinite(s)
        idx = np.flatnonzero(ok)
        order = idx[np.lexsort((-s[idx], -a[idx]))]  # by activity desc, then selectivity desc
        front, best_s = [], -np.inf
        for k in order:
            if s[k] > best_s:
                front.append(k)
                best_s = s[k]
        return np.array(front, dtype=int)

    def rows(self, indices: Sequence[int] | None = None) -> list[dict]:
        """Plain dicts (one per candidate) for CSV/JSON/LaTeX."""
        cols = self.columns()
        idx = range(len(self.names)) if indices is None else indices
        out = []
        for k in idx:
            row = {"catalyst": self.names[k], "class": self.classes[k],
                   "PDS": self.che.step_id(int(self.che.pds[k]))}
            for name, values in cols.items():
                v = values[k]
                row[name] = bool(v) if isinstance(v, (bool, np.bool_)) else float(v)
            row["flags"] = self.flags[k]
            for name, values in self.inputs.items():
                if name not in row:
                    v = values[k]
                    row[name] = v if isinstance(v, str) else float(v)
            out.append(row)
        return out

    def dataframe(self, indices=None):
        """A pandas DataFrame (requires pandas)."""
        import pandas as pd

        return pd.DataFrame(self.rows(indices))

    def to_csv(self, path: str | Path, indices=None) -> None:
        """The ranked table as CSV; ``path`` ``"-"`` writes to standard output."""
        import sys

        rows = self.rows(indices)
        handle = sys.stdout if str(path) == "-" else open(path, "w", newline="")
        try:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["catalyst"])
            writer.writeheader()
            writer.writerows(rows)
        finally:
            if handle is not sys.stdout:
                handle.close()

    def to_json(self, path: str | Path, indices=None) -> None:
        """The ranked table as JSON; ``path`` ``"-"`` writes to standard output."""
        import sys

        text = json.dumps({"network": self.che.network.name, "product": self.che.product,
                           "U_eq": self.che.U_eq, "notes": list(self.notes),
                           "candidates": self.rows(indices)}, indent=1) + "\n"
        if str(path) == "-":
            sys.stdout.write(text)
        else:
            Path(path).write_text(text)

    def to_latex(self, path: str | Path | None = None, indices=None,
                 columns: Sequence[str] = ("U_L", "eta", "UL_minus_UL_HER")) -> str:
        """A booktabs LaTeX table of the chosen columns (PDS as a step id)."""
        from .report import plain_label

        heads = {"U_L": r"$U_\mathrm{L}$ (V)", "eta": r"$\eta$ (V)", "UL_minus_UL_HER":
                 r"$U_\mathrm{L}-U_\mathrm{L}^\mathrm{HER}$ (V)", "dG_H": r"$\Delta G_{^*\mathrm{H}}$ (eV)"}
        lines = [r"\begin{tabular}{l" + "r" * len(columns) + "l}", r"\toprule",
                 "Catalyst & " + " & ".join(heads.get(c, c.replace("_", r"\_")) for c in columns) + r" & PDS \\",
                 r"\midrule"]
        for row in self.rows(indices):
            vals = " & ".join("--" if math.isnan(row[c]) else f"{row[c]:+.2f}".replace("-", "$-$") for c in columns)
            name = plain_label(str(row["catalyst"])).replace("_", r"\_")
            lines.append(f"{name} & {vals} & {row['PDS'].replace('_', chr(92) + '_')} \\\\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        text = "\n".join(lines) + "\n"
        if path is not None:
            Path(path).write_text(text)
        return text


class _Blank(tuple):
    """``n`` empty strings (no class / no flag) without an n-element tuple."""

    def __new__(cls, n: int):
        obj = super().__new__(cls)
        obj._n = n
        return obj

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return ("",) * len(range(*k.indices(self._n)))
        if not -self._n <= k < self._n:
            raise IndexError(k)
        return ""

    def __iter__(self):
        return ("" for _ in range(self._n))


def _release_rivals(che: CHEResult) -> dict[str, tuple[int, list[int]]]:
    """Per by-product, the step releasing it and its rivals: ``{"<product>_release": (i, rivals)}``.

    The rivals are the other steps leaving the same surface state.
    """
    net = che.network
    out: dict[str, tuple[int, list[int]]] = {}
    target_species = {s.name for s, _ in net.products[che.product].products}
    for pname, overall in net.products.items():
        if pname == che.product:
            continue
        released = {s.name for s, _ in overall.products if s.is_reservoir} - {"H2O(l)"} - target_species
        for i, step in enumerate(net.steps):
            prod = {s.name for s, _ in step.products if s.is_reservoir}
            key = f"{pname}_release"
            if not (prod & released) or key in out:
                continue
            source = step.surface_reactants()
            rivals = [j for j, other in enumerate(net.steps) if j != i and other.surface_reactants() == source]
            if rivals:
                out[key] = (i, rivals)
    return out


def _descriptors(che: CHEResult, dG_H: np.ndarray | None, ads: int | None,
                 chunk: int = 1 << 14) -> dict[str, np.ndarray]:
    """HER, site-competition and release descriptors, computed block by block.

    Each input is read once and each output written once while the block is in cache:

    * ``U_L_HER`` = −|ΔG*H| and ``UL_minus_UL_HER`` = U_L − U_L(HER) (V vs RHE);
    * ``site_NO3_minus_H`` = ΔG(NO3- + * -> *NO3 + e-) − ΔG(H+ + e- + * -> *H) at U_L: the two
      adsorptions at the catalyst's U_L, (ΔG_NO3 − ΔG*H) − 2·U_L (eV);
    * ``<product>_release``: release step minus its best rival at U_L, max over rivals j of
      (ΔG_i − ΔG_j)(U=0) + (n_e,i − n_e,j)·U_L (eV; negative: the release wins);
    * on a capped single-atom site (a network with step ``ligation``): ``U_cap``, the potential
      above which the O/OH cap stays (V vs RHE, :mod:`chefe.ligation`), and ``cap_stays_at_UL``
      (1 where U_L > U_cap).
    """
    n = len(che.names)
    U = che.U_L_RHE
    n_e = che.network.n_e
    out: dict[str, np.ndarray] = {}
    if dG_H is not None:
        out["U_L_HER"] = np.empty(n)
        out["UL_minus_UL_HER"] = np.empty(n)
        if ads is not None:
            out["site_NO3_minus_H"] = np.empty(n)
    site_row = che.row_U0(ads) if ads is not None and dG_H is not None else None
    releases = []
    rows: dict[int, np.ndarray] = {}
    for key, (i, rivals) in _release_rivals(che).items():
        for j in (i, *rivals):
            if j not in rows:
                rows[j] = che.row_U0(j)
        out[key] = np.empty(n)
        releases.append((out[key], i, [(j, n_e[i] - n_e[j]) for j in rivals]))
    scratch = np.empty(min(chunk, max(n, 1)))

    def add_potential(d: np.ndarray, k: float, u: np.ndarray) -> None:
        if k == 1:
            d += u
        elif k == -1:
            d -= u
        elif k:
            d += k * u

    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        u = U[sl]
        if dG_H is not None:
            h = out["U_L_HER"][sl]
            np.copysign(dG_H[sl], -1.0, out=h)  # -|ΔG*H|
            np.subtract(u, h, out=out["UL_minus_UL_HER"][sl])
            if site_row is not None:
                site = out["site_NO3_minus_H"][sl]
                np.subtract(site_row[sl], dG_H[sl], out=site)
                site -= u
                site -= u
        for target, i, rivals in releases:
            desc = target[sl]
            for r, (j, k) in enumerate(rivals):
                d = desc if r == 0 else scratch[: len(desc)]
                np.subtract(rows[i][sl], rows[j][sl], out=d)
                add_potential(d, k, u)
                if r:
                    np.maximum(desc, d, out=desc)
    from .ligation import capping_potential

    u_cap = capping_potential(che)
    if u_cap is not None:  # a capped single-atom site: where its ligand stays (V vs RHE)
        out["U_cap"] = u_cap
        out["cap_stays_at_UL"] = (U > u_cap).astype(float)
    return out


def species_energies(che: CHEResult, only=None, chunk: int = 1 << 14) -> dict[str, np.ndarray]:
    """Free energy of each single-adsorbate state relative to the start, at U_RHE = 0 and pH
    (``only``: just these adsorbates, e.g. the two of a scaling fit).

    Read off the first route that reaches the state (cumulative ΔG of its steps): for energies
    built from species free energies this is ΔG(*X) against the feed and the CHE references,
    the usual axis of a scaling plot.
    """
    from .network import is_free, route_states

    net = che.network
    # first route prefix reaching each single-adsorbate state (no arrays yet)
    wanted: dict[str, tuple[int, ...]] = {}
    for r in che.routes:
        route = net.routes[r]
        for j, state in enumerate(route_states(net, route)[1:], start=1):
            adsorbed = [p for s in state if not is_free(s) for p in s.split("+")]
            if len(adsorbed) == 1 and adsorbed[0] not in wanted:
                wanted[adsorbed[0]] = route.steps[:j]
    if only is not None:
        from .species import canonical

        keep = {canonical(x) for x in only}
        missing = keep - set(wanted)
        if missing:
            raise InputError(f"no single-adsorbate state {sorted(missing)} on the routes of {net.name}")
        wanted = {k: v for k, v in wanted.items() if k in keep}
    # each state from the longest state prefix already summed, block by block (every row read
    # once, every state written once while the block is in cache)
    order = sorted(wanted.items(), key=lambda kv: len(kv[1]))
    plan = []  # (species, prefix state it starts from or None, steps still to add)
    for m, (species, prefix) in enumerate(order):
        k, base = 0, None
        for other, prev in order[:m]:
            if len(prev) > k and prefix[: len(prev)] == prev:
                k, base = len(prev), other
        plan.append((species, base, prefix[k:]))
    n = len(che.names)
    rows = {i: che.row_U0(i) for _, _, steps in plan for i in steps}
    out: dict[str, np.ndarray] = {species: np.empty(n) for species, _, _ in plan}
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        for species, base, steps in plan:
            total = out[species][sl]
            if base is None:
                np.copyto(total, rows[steps[0]][sl])
                steps = steps[1:]
            else:
                np.copyto(total, out[base][sl])
            for i in steps:
                total += rows[i][sl]
    return out


def screen(
    network: Network,
    dG0: np.ndarray,
    *,
    names: Sequence[str] | None = None,
    conditions: Conditions = Conditions(),
    dG_H: np.ndarray | None = None,
    classes: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    product: str | None = None,
    keep_routes: bool = False,
    inputs: dict[str, np.ndarray] | None = None,
    notes: Sequence[str] = (),
    missing_species: Sequence[Sequence[str]] | None = None,
    U_eq: float | None = None,
) -> ScreenResult:
    """Screen candidates given ΔG° per step (n_steps, n); ``dG_H`` (n,) enables the HER descriptors.

    Candidates that complete no route to the product (missing or NaN step energies) are left
    out one by one, each named in ``notes`` with the steps it lacks; the rest are screened.
    ``U_eq`` (V vs RHE) replaces the formation table's equilibrium potential (see
    :func:`chefe.engine.analyse`).
    """
    dG0 = np.asarray(dG0, dtype=float)
    if dG0.ndim == 1:
        dG0 = dG0[:, None]
    n_all = dG0.shape[1]
    names = list(names) if names is not None else [f"cand{k}" for k in range(n_all)] if n_all <= 100_000 else None
    route_idx = network.routes_to(product)
    # one engine pass over everything: a candidate that completes no route comes back with
    # best route -1 (the engine's per-block finiteness checks find it); only those are examined
    notes = list(notes)
    try:
        che = analyse(network, dG0, conditions, names=names, product=product,
                      keep_routes=keep_routes, incomplete="keep", U_eq=U_eq)
    except InfiniteEnergyError:
        # an infinite ΔG is broken data for that candidate, not a reason to stop the screen
        broken = np.isinf(dG0)
        cols = np.flatnonzero(broken.any(axis=0))
        label = (lambda k: names[k]) if names is not None else (lambda k: f"cand{k}")
        notes.append(f"infinite ΔG treated as missing for {len(cols)} candidate(s): "
                     f"{[label(int(k)) for k in cols[:10]]}")
        dG0 = np.where(broken, np.nan, dG0)
        che = analyse(network, dG0, conditions, names=names, product=product,
                      keep_routes=keep_routes, incomplete="keep", U_eq=U_eq)
    if che.best.min(initial=0) < 0:
        lacking = np.flatnonzero(che.best < 0)
        for k in lacking[:1000]:
            who = che.names[int(k)]
            from .network import fewest_missing

            lacking = fewest_missing(network, route_idx, missing_species[k]) if missing_species else []
            if lacking:
                notes.append(f"{who}: left out, no complete route to {product or network.target}: "
                             f"no energy for {', '.join(lacking)}")
                continue
            missing = sorted({network.steps[i].id for r in route_idx for i in network.routes[r].unique_steps
                              if not np.isfinite(dG0[i, k])})
            notes.append(f"{who}: left out, no complete route to {product or network.target} "
                         f"(missing {missing})")
        if len(lacking) > 1000:
            notes.append(f"... and {len(lacking) - 1000} more candidates without a complete route")
        keep = np.flatnonzero(che.best >= 0)
        if not keep.size:
            raise InputError("no candidate completes a route: " + "; ".join(notes[:5]))
        che = che.take(keep)
        dG_H = None if dG_H is None else np.asarray(dG_H, dtype=float)[keep]
        classes = None if classes is None else [classes[k] for k in keep]
        flags = None if flags is None else [flags[k] for k in keep]
        inputs = None if inputs is None else {c: np.asarray(v)[keep] for c, v in inputs.items()}
    n = len(che.names)
    desc: dict[str, np.ndarray] = {}
    notes += list(che.notes)
    ads = [i for i, s in enumerate(network.steps) if s.n_e < 0 and any(sp.name == "NO3-(aq)" for sp, _ in s.reactants)]
    if ads:
        desc["dG_NO3"] = np.asarray(che.row_U0(ads[0]), dtype=float)
    if dG_H is not None:
        dG_H = np.asarray(dG_H, dtype=float)
        if dG_H.shape != (n,):
            raise InputError(f"dG_H has shape {dG_H.shape}, expected ({n},)")
        desc["dG_H"] = dG_H
    else:
        notes.append("no ΔG*H given: HER descriptors left out")
    desc.update(_descriptors(che, dG_H, ads[0] if ads else None))
    nn = network.sites >= 2 and any(
        sum(n_ for sp, n_ in s.reactants if sp.is_surface and "N" in dict(sp.composition)) >= 2
        for s in network.steps)
    classes = tuple(str(c) for c in classes) if classes is not None else _Blank(n)
    flags = tuple(str(f) for f in flags) if flags is not None else _Blank(n)
    return ScreenResult(che, desc, classes, flags, nn, tuple(notes), dict(inputs or {}))
