"""Activity maps: step energies as linear functions of descriptors, fed through the CHE engine.

A :class:`DescriptorModel` gives ΔG° of each step as coef·d + const for descriptors d (one for a
volcano, two for a 2-D map); published models (the Liu et al. NO3RR relations) and fitted
scaling relations are both of this form. :func:`activity_map` evaluates the model on a grid and
runs :func:`chefe.engine.analyse` on every grid point, so the volcano, its legs (one per
potential-determining step) and the best route come from the same engine as everything else.
The *scaling-limited optimum* is the best U_L anywhere on the grid: a candidate beating it breaks
the scaling relations behind the model (CHE_REFERENCE §5 (iii)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .conditions import Conditions
from .engine import analyse
from .errors import InputError
from .network import Network


@dataclass(frozen=True)
class DescriptorModel:
    """ΔG°_i(d) = coef[i]·d + const[i] (eV) for descriptors ``d`` of length p.

    Steps without a relation have NaN rows (routes through them are skipped).
    """

    network: Network
    descriptors: tuple[str, ...]
    coef: np.ndarray  # (n_steps, p)
    const: np.ndarray  # (n_steps,)
    source: str = ""

    @classmethod
    def from_relations(cls, network: Network, descriptors: Sequence[str],
                       relations: Mapping[str, Sequence[float]], source: str = "") -> DescriptorModel:
        """``relations``: step id -> (coef_1, ..., coef_p, const) in eV."""
        p = len(descriptors)
        coef = np.full((len(network.steps), p), np.nan)
        const = np.full(len(network.steps), np.nan)
        for step_id, values in relations.items():
            values = list(values)
            if len(values) != p + 1:
                raise InputError(f"relation for {step_id!r} needs {p} coefficients and a constant")
            i = network.index(step_id)
            coef[i], const[i] = values[:p], values[p]
        return cls(network, tuple(descriptors), coef, const, source)

    @classmethod
    def from_fits(cls, network: Network, fits: Mapping[str, object], source: str = "scaling fits") -> DescriptorModel:
        """From :class:`~chefe.scaling.LinearFit` objects fitted per step (same descriptors)."""
        first = next(iter(fits.values()))
        relations = {sid: [*fit.coef.tolist(), fit.intercept] for sid, fit in fits.items()}
        return cls.from_relations(network, first.x_names, relations, source)

    def step_energies(self, d) -> np.ndarray:
        """ΔG° per step for descriptor values ``d`` of shape (p, n) (or (n,) when p = 1)."""
        d = np.asarray(d, dtype=float)
        if d.ndim == 1:
            d = d[None, :]
        if d.shape[0] != len(self.descriptors):
            raise InputError(f"model takes {len(self.descriptors)} descriptor(s), got {d.shape[0]}")
        return self.coef @ d + self.const[:, None]


@dataclass(frozen=True)
class ActivityMap:
    """U_L over a descriptor grid (1-D: a volcano; 2-D: a map).

    Attributes:
        model: the descriptor model whose lines give every step's ΔG°.
        axes: grid coordinates per descriptor (eV).
        U_L: limiting potential (V) at every grid point, shape of the grid.
        pds: index of the potential-determining step at every grid point (-1 where none).
        conditions: pH, T and scale of the map.
        product: the product whose limiting potential is mapped.
        legs: the step ids appearing as PDS (the volcano's legs).
        optimum: best U_L on the grid and where it is.
    """

    model: DescriptorModel
    axes: tuple[np.ndarray, ...]
    U_L: np.ndarray
    pds: np.ndarray
    conditions: Conditions
    product: str

    @property
    def legs(self) -> tuple[str, ...]:
        ids = [self.model.network.steps[i].id for i in np.unique(self.pds[self.pds >= 0])]
        return tuple(ids)

    @property
    def optimum(self) -> tuple[float, tuple[float, ...]]:
        direction = 1.0 if self.model.network.products[self.product].n_e > 0 else -1.0
        values = direction * self.U_L
        k = np.unravel_index(np.nanargmax(values), self.U_L.shape)
        where = tuple(float(ax[i]) for ax, i in zip(self.axes, k[::-1] if len(self.axes) == 2 else k))
        return float(self.U_L[k]), where

    def optimum_margin(self, sigma=None, alpha: float = 0.05) -> float:
        """How far (V) a U_L must lie beyond the optimum to beat it at one-sided level ``alpha``.

        A candidate generated from the model's lines has ΔG_i = line_i + ε_i. For any route r at
        its descriptors d to reach the optimum U* plus a margin M, the step limiting r there must
        drop by (gap_r(d) + M)·|n_e|, gap_r(d) = U* − U_L,r(d) ≥ 0. Taking for every step k the
        smallest gap δ_k of a route it limits anywhere on the grid, the union bound gives
        P(beat) ≤ Σ_k P(ε_k > (δ_k + M)·|n_e,k|), and M is solved so that this sum equals
        ``alpha``. With one limiting step at the optimum this is M = t_{1−α}·σ (the bound is then
        attained); with two routes tied at the top M = t_{1−α/2}·σ; routes far below add nothing.

        Args:
            sigma: the steps' scatter about their lines (eV): a number for every step, or a
                mapping step id -> number or -> :class:`~chefe.scaling.LinearFit` (as returned by
                :func:`fit_step_model`), whose prediction error at the optimum is used,
                s·√(1 + h(d*)) (scatter and uncertainty of the fitted line) with Student-t
                tails on the fit's degrees of freedom. None: no margin (0.0).
            alpha: one-sided level per candidate (default 0.05).
        """
        if sigma is None:
            return 0.0
        if not 0.0 < alpha < 1.0:
            raise InputError(f"alpha must lie in (0, 1), not {alpha!r}")
        from .scaling import _t_sf

        net = self.model.network
        _, where = self.optimum
        gaps = self._step_gaps()
        scale, dof = [], np.inf
        for step_id in gaps:
            if isinstance(sigma, Mapping):
                if step_id not in sigma:
                    raise InputError(f"sigma has no scatter for {step_id!r}, a step that limits a route "
                                     "of the model; give one for every such step")
                value = sigma[step_id]
            else:
                value = sigma
            if hasattr(value, "prediction_sd"):
                sd = float(value.prediction_sd(np.asarray(where, dtype=float)))
                dof = min(dof, float(value.dof)) if value.dof >= 1 else dof
            else:
                sd = float(value)
            if not np.isfinite(sd) or sd < 0:
                raise InputError(f"scatter of {step_id!r} must be a finite non-negative number, not {sd!r}")
            scale.append(sd / max(abs(net.n_e[net.index(step_id)]), 1.0))  # V per unit ε
        delta = np.array(list(gaps.values()))
        scale = np.array(scale)
        noisy = scale > 0
        if not noisy.any():
            return 0.0
        delta, scale = delta[noisy], scale[noisy]

        def excess(m: float) -> float:
            return float(np.sum(_t_sf((delta + m) / scale, dof))) - alpha

        lo, hi = 0.0, float(np.max(scale)) * 50.0
        if excess(lo) <= 0:
            return 0.0
        for _ in range(100):  # bisection to 1e-12 V
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
            if hi - lo < 1e-12:
                break
        return hi

    def _step_gaps(self) -> dict[str, float]:
        """For every step that limits some route somewhere on the grid, the smallest gap (V)
        between that route's U_L there and the optimum."""
        from .engine import analyse

        net = self.model.network
        direction = 1.0 if net.products[self.product].n_e > 0 else -1.0
        if len(self.axes) == 1:
            points = self.axes[0][None, :]
        else:
            xx, yy = np.meshgrid(self.axes[0], self.axes[1])
            points = np.vstack([xx.ravel(), yy.ravel()])
        res = analyse(net, self.model.step_energies(points), self.conditions, product=self.product,
                      incomplete="keep")
        best = float(np.nanmax(direction * self.U_L))
        per_ne = direction * res.dG() / np.where(net.n_e == 0, 1.0, np.abs(net.n_e))[:, None]
        gaps: dict[str, float] = {}
        for j, r in enumerate(res.routes):
            electro = [i for i in net.routes[r].steps if direction * net.n_e[i] > 0]
            if not electro:
                continue
            limiting = np.asarray(electro)[np.argmax(per_ne[electro], axis=0)]
            gap = best - direction * res.route_UL[j]
            for k in np.unique(limiting):
                g = gap[limiting == k]
                g = g[np.isfinite(g)]
                if g.size:
                    step_id = net.steps[int(k)].id
                    gaps[step_id] = min(gaps.get(step_id, np.inf), max(float(g.min()), 0.0))
        return gaps

    def beats_optimum(self, U_L, tolerance: float = 0.0, *, sigma=None, alpha: float = 0.05) -> np.ndarray:
        """True for candidates whose U_L is better than anything the model's lines can reach.

        A candidate beats the scaling-limited optimum when its U_L lies beyond it (in the
        product's direction) by more than ``tolerance`` (V, an absolute allowance) plus
        :meth:`optimum_margin` (``sigma``, ``alpha``): the one-sided (1 − alpha) prediction bound
        of a candidate that follows the lines with the fits' scatter. With ``sigma`` (e.g. the
        fits of :func:`fit_step_model`) a candidate generated from the lines with normal scatter
        is flagged with probability at most ``alpha`` (default 0.05), wherever it lies; without,
        only ``tolerance`` applies and nothing is calibrated.
        """
        best, _ = self.optimum
        direction = 1.0 if self.model.network.products[self.product].n_e > 0 else -1.0
        margin = float(tolerance) + self.optimum_margin(sigma, alpha)
        return direction * (np.asarray(U_L, dtype=float) - best) > margin


def activity_map(model: DescriptorModel, *grids, conditions: Conditions = Conditions(),
                 product: str | None = None) -> ActivityMap:
    """Evaluate U_L on a grid: one array for a volcano, two (x, y) for a 2-D map."""
    if len(grids) != len(model.descriptors):
        raise InputError(f"give {len(model.descriptors)} grid(s) for descriptors {model.descriptors}")
    axes = tuple(np.asarray(g, dtype=float) for g in grids)
    if len(axes) == 1:
        points = axes[0][None, :]
        shape = axes[0].shape
    elif len(axes) == 2:
        xx, yy = np.meshgrid(axes[0], axes[1])
        points = np.vstack([xx.ravel(), yy.ravel()])
        shape = xx.shape
    else:
        raise InputError("activity maps take one or two descriptors")
    dG0 = model.step_energies(points)
    res = analyse(model.network, dG0, conditions, product=product, keep_routes=False)
    return ActivityMap(model, axes, res.U_L.reshape(shape), res.pds.reshape(shape).astype(int),
                       conditions, res.product)


def volcano_legs(amap: ActivityMap) -> dict[str, tuple[float, float]]:
    """Slope and intercept of U_L along each leg of a 1-D volcano (fitted on its grid points)."""
    if len(amap.axes) != 1:
        raise InputError("legs are defined for a 1-D volcano")
    x = amap.axes[0]
    out = {}
    for i in np.unique(amap.pds):
        sel = amap.pds == i
        if sel.sum() >= 2:
            slope, icpt = np.polyfit(x[sel], amap.U_L[sel], 1)
            out[amap.model.network.steps[int(i)].id] = (float(slope), float(icpt))
    return out


def heatmap(rows: Sequence[str], cols: Sequence[str], values) -> tuple[list[str], list[str], np.ndarray]:
    """An M1 x M2 matrix of values (NaN where a pair is missing), e.g. U_L of dual-atom sites.

    Element symbols are ordered by atomic number (Ti, V, Cr, ... Cu, as in the periodic table);
    other labels keep the order of first appearance."""
    from ase.data import atomic_numbers

    def ordered(labels):
        labels = list(dict.fromkeys(labels))
        if all(label in atomic_numbers for label in labels):
            labels.sort(key=atomic_numbers.get)
        return labels

    r_labels = ordered(rows)
    c_labels = ordered(cols)
    grid = np.full((len(r_labels), len(c_labels)), np.nan)
    for r, c, v in zip(rows, cols, np.asarray(values, dtype=float)):
        grid[r_labels.index(r), c_labels.index(c)] = v
    return r_labels, c_labels, grid


def fit_step_model(result, descriptors: Sequence[str], *, method: str = "ols") -> tuple[DescriptorModel, dict]:
    """Fit every step's ΔG (at U = 0 and the analysis pH) against descriptor species energies.

    ``result`` is a :class:`~chefe.screen.ScreenResult`; ``descriptors`` are adsorbates such as
    ``("*N",)`` or ``("*NO3", "*NO")`` whose energies come from
    :func:`chefe.screen.species_energies`. Returns the model and the fit of each step; steps
    without data are left out of the model (NaN rows).
    """
    import warnings

    from .scaling import ScalingError, ScalingWarning, fit_scaling
    from .screen import species_energies

    species = species_energies(result.che)
    missing = [d for d in descriptors if d not in species]
    if missing:
        raise InputError(f"descriptor(s) {missing} are not states of the network; states: {sorted(species)}")
    X = np.column_stack([species[d] for d in descriptors])
    net = result.che.network
    fits = {}
    for i, step in enumerate(net.steps):
        y = np.asarray(result.che.row_U0(i), dtype=float)
        ok = np.isfinite(y) & np.isfinite(X).all(axis=1)
        if ok.sum() < len(descriptors) + 2:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingWarning)
                fits[step.id] = fit_scaling(X[ok], y[ok], method=method, x_names=tuple(descriptors),
                                            y_name=f"ΔG({step.id})")
        except ScalingError:
            continue
    if not fits:
        raise InputError("no step could be fitted against the descriptors")
    model = DescriptorModel.from_fits(net, fits, source=f"{method} fits of every step vs {list(descriptors)}")
    # row_U0 holds the pH shift; the engine adds it again, so express the model at pH 0
    from .constants import ln10_kT

    shift = (net.n_H - net.n_e) * ln10_kT(result.che.conditions.T) * result.che.conditions.pH
    model = DescriptorModel(net, model.descriptors, model.coef, model.const - shift, model.source)
    return model, fits
