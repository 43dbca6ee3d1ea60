"""Scaling relations: least-squares and robust fits, uncertainties, and their violations.

A scaling relation ΔG_B = a·ΔG_A + b (or with two descriptors) is fitted by ordinary least
squares or robustly (Huber M-estimator with Huber's Proposal-2 scale by iteratively reweighted
least squares, or Theil–Sen for one descriptor: median pairwise slope, intercept
median(y − slope·x)). Each fit reports slope(s), intercept, R², RMSE, MAE, leave-one-out
residuals, a residual scale and confidence intervals; too few points raise
:class:`ScalingError`, few points warn.

Violations (CHE_REFERENCE §5) are decided by tests at a stated level, not by fixed cut-offs:

(i) :func:`violations`: a candidate is off the line when its externally studentized residual
    t_i = d_i·√(1 − h_ii) / s_(i) (d_i the leave-one-out residual, h_ii the leverage, s_(i) the
    residual scale of the fit without point i; for OLS this is e_i / (s_(i)·√(1 − h_ii)) with
    s_(i)² = (SSE − e_i²/(1 − h_ii)) / (n − p − 2), exactly Student-t with n − p − 2 degrees of
    freedom) exceeds the Bonferroni critical value t_{1 − α/(2n), ν}: the chance that a clean
    data set shows any violator is at most α (family-wise, default 0.05). Robust fits use a robust
    scale (see :func:`_clipped_scale`). An absolute ``threshold`` in eV can be added.
(ii) :func:`class_deviations`: a class breaks the common relation when the Chow F test of its own
    line (slope and intercept) against the line of all other points rejects at α, Bonferroni
    corrected over the classes tested.
(iii) :meth:`chefe.activity.ActivityMap.beats_optimum`: a candidate beats the scaling-limited
    optimum only beyond a one-sided prediction bound from the fits' scatter.

The Student-t and F distributions come from :mod:`scipy.stats`.

Bond-order scaling (Abild-Pedersen et al., PRL 99, 016105 (2007)) predicts slope
γ = (x_max - x)/x_max for AH_x against A: 2/3 for NH, 1/3 for NH2, 1/2 for OH.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .errors import ChefeError

METHODS = ("ols", "huber", "theil-sen")
#: Valences x_max of central atoms for the bond-order slope rule.
VALENCE = {"C": 4, "N": 3, "O": 2, "S": 2}
#: Huber's tuning constant (95 % efficiency under normal errors).
HUBER_C = 1.345
#: Default family-wise level of the violation and class tests.
ALPHA = 0.05
#: Window of the robust scale, in units of the scale: residuals beyond it do not enter it.
CLIP = 3.0
#: Smallest residual scale (eV) a test divides by: below a nano-eV, scatter is round-off of an
#: exact relation (a published linear model, dependent columns), not chemistry.
SCALE_FLOOR = 1e-9


class ScalingError(ChefeError, ValueError):
    """A fit cannot be made (too few points, degenerate descriptors)."""


class ScalingWarning(UserWarning):
    """A fit is made on few points: its uncertainties are large."""


# --------------------------------------------------------------------------------------------
# Distributions (scipy.stats)
# --------------------------------------------------------------------------------------------


def _t_sf(t, df) -> np.ndarray:
    """Upper tail P(T > t) of Student's t with ``df`` degrees of freedom."""
    from scipy.stats import t as student

    return np.asarray(student.sf(t, df), dtype=float)


def _f_sf(f, d1, d2) -> np.ndarray:
    """Upper tail P(F > f) of the F distribution with (d1, d2) degrees of freedom."""
    from scipy.stats import f as fisher

    return np.asarray(fisher.sf(f, d1, d2), dtype=float)


def _t_ppf(q, df) -> np.ndarray:
    """Quantile of Student's t: the t with P(T ≤ t) = q."""
    from scipy.stats import t as student

    return np.asarray(student.ppf(q, df), dtype=float)


@lru_cache(maxsize=512)
def _t_quantile(q: float, df: float) -> float:
    """:func:`_t_ppf` of one value, cached (confidence intervals ask for the same few)."""
    return float(_t_ppf(q, df))


@lru_cache(maxsize=512)
def _bonferroni_t(alpha: float, m: int, df: float) -> float:
    """Two-sided Bonferroni critical value t_{1 − α/(2m), df} for m simultaneous tests."""
    return _t_quantile(1.0 - alpha / (2.0 * m), df)


def _normal_window_kappa2(c: float) -> float:
    """E[Z² | |Z| ≤ c] for a standard normal Z: the consistency factor of a scale clipped at c."""
    inside = math.erf(c / math.sqrt(2.0))
    return 1.0 - 2.0 * c * math.exp(-c * c / 2) / math.sqrt(2 * math.pi) / inside


_KAPPA2 = _normal_window_kappa2(CLIP)


def _huber_beta(c: float) -> float:
    """E[ψ_c(Z)²] for Huber's ψ_c(u) = max(−c, min(c, u)): the consistency constant of Proposal 2."""
    Phi = 0.5 * (1.0 + math.erf(c / math.sqrt(2.0)))
    phi = math.exp(-c * c / 2) / math.sqrt(2 * math.pi)
    return (2 * Phi - 1) - 2 * c * phi + 2 * c * c * (1 - Phi)


_HUBER_BETA = _huber_beta(HUBER_C)


# --------------------------------------------------------------------------------------------
# Fits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearFit:
    """A fitted scaling relation y = coef·x + intercept.

    Attributes:
        y_name, x_names: what was fitted against what.
        method: ``"ols"``, ``"huber"`` or ``"theil-sen"``.
        coef: slopes, shape (p,); intercept: eV.
        coef_ci, intercept_ci: confidence intervals at ``level`` (shape (p, 2) and (2,)).
        r2, rmse, mae: goodness of fit (eV for rmse and mae; rmse = √(SSE/n), descriptive).
        residuals: y - prediction, shape (n,); loo_residuals: leave-one-out residuals
            y_i − ŷ_(i)(x_i), the prediction of the fit made without point i.
        names: candidate names (n,); n: number of points.
        notes: warnings raised while fitting.
        scale: residual scale s (eV): √(SSE/(n − p − 1)) for OLS; for the robust fits the
            MAD-started clipped scale of :func:`_clipped_scale`. dof: its degrees of freedom.
        leverage, loo_scale, loo_dof: (robust fits) h_ii of the design, and the scale s_(i) (eV)
            and degrees of freedom of the fit without point i, from which :func:`violations`
            studentizes; None for OLS, where they follow exactly from the residuals.
        cov_unscaled: (XᵀX)⁻¹ of the design [x, 1], for :meth:`prediction_sd`.
    """

    y_name: str
    x_names: tuple[str, ...]
    method: str
    coef: np.ndarray
    intercept: float
    coef_ci: np.ndarray
    intercept_ci: np.ndarray
    r2: float
    rmse: float
    mae: float
    residuals: np.ndarray
    loo_residuals: np.ndarray
    names: tuple[str, ...]
    level: float = 0.95
    notes: tuple[str, ...] = field(default=())
    scale: float = float("nan")
    dof: int = 0
    leverage: np.ndarray | None = None
    loo_scale: np.ndarray | None = None
    loo_dof: np.ndarray | None = None
    cov_unscaled: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.residuals)

    def predict(self, x) -> np.ndarray:
        """ΔG_B predicted for descriptor values ``x`` (shape (m,) or (m, p))."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1 and len(self.coef) == 1:
            x = x[:, None]
        return x @ self.coef + self.intercept

    def prediction_sd(self, x) -> np.ndarray | float:
        """Standard deviation (eV) of a new point's y about the fitted line at descriptor ``x``.

        s·√(1 + x̃ᵀ(XᵀX)⁻¹x̃) with x̃ = [x, 1]: the scatter of the points about the line and the
        uncertainty of the line itself (leverage of ``x``). ``x``: shape (p,) for one point
        (returns a float) or (m, p) / (m,) for p = 1.
        """
        p = len(self.coef)
        x = np.asarray(x, dtype=float)
        single = x.ndim == 0 or (x.ndim == 1 and (p > 1 or x.size == 1))
        xt = np.atleast_2d(x.reshape(-1, p) if x.ndim <= 1 else x)
        xt = np.column_stack([xt, np.ones(len(xt))])
        cov = self.cov_unscaled if self.cov_unscaled is not None else np.zeros((p + 1, p + 1))
        sd = self.scale * np.sqrt(1.0 + np.einsum("ij,jk,ik->i", xt, cov, xt))
        return float(sd[0]) if single else sd

    def equation(self) -> str:
        """``*NOH = 0.489·*NO - 2.249 eV``: every sign an operator between its terms."""
        def term(value: float, text: str, first: bool) -> str:
            if first:
                return f"{value:.3f}{text}"
            return f"{'-' if value < 0 else '+'} {abs(value):.3f}{text}"

        parts = [term(c, f"·{n}", k == 0) for k, (c, n) in enumerate(zip(self.coef, self.x_names))]
        parts.append(term(self.intercept, " eV", False))
        return f"{self.y_name} = {' '.join(parts)}"

    def to_dict(self) -> dict:
        return {
            "y": self.y_name, "x": list(self.x_names), "method": self.method,
            "slope": self.coef.tolist(), "intercept": self.intercept,
            "slope_ci": self.coef_ci.tolist(), "intercept_ci": self.intercept_ci.tolist(),
            "r2": self.r2, "rmse": self.rmse, "mae": self.mae, "scale": self.scale, "n": self.n,
            "notes": list(self.notes),
        }


def _design(x: np.ndarray) -> np.ndarray:
    return np.column_stack([x, np.ones(len(x))])


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    if w is None:
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        return beta
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    return beta


def _wls_rows(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted least squares of y on [x, 1] for a stack of data sets at once.

    ``x``: (R, m, p), ``y``: (R, m), ``w``: (R, m) non-negative weights (None: all 1; 0/1 weights
    select subsets). Centred weighted normal equations, so off-centre descriptors lose no digits.
    Returns (R, p + 1): slopes then intercept. A subset whose descriptor is constant gets slope
    0 and the (weighted) mean of y as intercept.
    """
    R, m, p = x.shape
    if w is None:
        xm = x.mean(axis=1)
        ym = y.mean(axis=1)
    else:
        sw = w.sum(axis=1)
        sw = np.where(sw > 0, sw, 1.0)
        xm = np.einsum("rm,rmp->rp", w, x) / sw[:, None]
        ym = np.einsum("rm,rm->r", w, y) / sw
    xc = x - xm[:, None, :]
    yc = y - ym[:, None]
    wx = xc if w is None else xc * w[:, :, None]
    S = np.einsum("rmi,rmj->rij", wx, xc)
    sxy = np.einsum("rmi,rm->ri", wx, yc)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            coef = sxy / S[:, :, 0]
        else:
            det = np.linalg.det(S)
            ok = np.abs(det) > 1e-300
            coef = np.zeros((R, p))
            if ok.any():
                coef[ok] = np.linalg.solve(S[ok], sxy[ok][:, :, None])[:, :, 0]
            coef[~ok] = np.nan
    scale = np.einsum("rmi,rmi->ri", wx, xc)  # Σ w (x − x̄)² per descriptor
    coef = np.where(np.isfinite(coef) & (scale > 1e-24 * m), coef, 0.0)
    return np.concatenate([coef, (ym - np.einsum("rp,rp->r", xm, coef))[:, None]], axis=1)


def _predict_rows(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """[x, 1]·beta for x (R, m, p) and beta (R, p + 1): (R, m)."""
    p = x.shape[2]
    return np.einsum("rmp,rp->rm", x, beta[:, :p]) + beta[:, p:]


def _leverage_rows(x: np.ndarray) -> np.ndarray:
    """Diagonal h_ii of the hat matrix of [x, 1] per data set: x (R, m, p) -> (R, m)."""
    R, m, p = x.shape
    xc = x - x.mean(axis=1, keepdims=True)
    S = np.einsum("rmi,rmj->rij", xc, xc)
    S_inv = np.linalg.pinv(S)
    return 1.0 / m + np.einsum("rmi,rij,rmj->rm", xc, S_inv, xc)


def _cov_unscaled(x: np.ndarray) -> np.ndarray:
    """(XᵀX)⁻¹ of [x, 1] for x (n, p), from the centred cross products."""
    n, p = x.shape
    xm = x.mean(axis=0)
    xc = x - xm
    S_inv = np.linalg.pinv(xc.T @ xc)
    cov = np.empty((p + 1, p + 1))
    cov[:p, :p] = S_inv
    cov[:p, p] = cov[p, :p] = -S_inv @ xm
    cov[p, p] = 1.0 / n + xm @ S_inv @ xm
    return cov


def _constant_message(y_name: str, x_names) -> str:
    return f"{y_name} vs {list(x_names)}: a descriptor is constant over the points"


@dataclass(frozen=True)
class _OLS:
    """Ordinary least squares of y on [x, 1]: coefficients (slopes, intercept), residuals,
    leave-one-out residuals e_i / (1 − h_ii), covariance factor (XᵀX)⁻¹ and sums of squares."""

    beta: np.ndarray
    resid: np.ndarray
    loo: np.ndarray
    cov: np.ndarray
    ss_tot: float
    ss_res: float
    abs_sum: float


def _ols_centred(x: np.ndarray, y: np.ndarray, sums=None, chunk: int = 1 << 14) -> _OLS | None:
    """Least squares on centred data, in blocks of ``chunk`` points.

    ``sums``: (Σx per column, Σy) when already computed. One pass gathers the centred cross
    products, a second writes residuals and leave-one-out residuals (leverage h_ii = 1/n +
    (x_i − x̄)ᵀ S⁻¹ (x_i − x̄)); nothing but those two n-sized arrays is made. Returns None when
    a descriptor is constant (spread below 1e-12 eV: Σ(x − x̄)² ≤ n·1e-24). With centred
    columns the normal equations are well conditioned unless the descriptors are nearly
    collinear; then (condition number above 1e8) the SVD solution is used instead.
    """
    n, p = x.shape
    if sums is None:
        sums = np.add.reduce(x, axis=0), float(np.add.reduce(y))
    xm = sums[0] / n
    ym = sums[1] / n
    S = np.zeros((p, p))
    sxy = np.zeros(p)
    ss_tot = 0.0
    for start in range(0, n, chunk):
        xc = x[start: start + chunk] - xm
        yc = y[start: start + chunk] - ym
        S += xc.T @ xc
        sxy += xc.T @ yc
        ss_tot += float(yc @ yc)
    if np.any(np.diag(S) <= n * 1e-24):
        return None
    if np.linalg.cond(S) > 1e8:
        X = _design(x)
        beta = _wls(X, y)
        cov = np.linalg.pinv(X.T @ X)
        resid = y - X @ beta
        hat = np.einsum("ij,jk,ik->i", X, cov, X)
        loo = resid / np.clip(1.0 - hat, 1e-12, None)
        return _OLS(beta, resid, loo, cov, ss_tot, float(resid @ resid), float(np.abs(resid).sum()))
    S_inv = np.linalg.inv(S)
    coef = S_inv @ sxy
    beta = np.append(coef, ym - xm @ coef)
    # covariance of (coef, intercept) for the design [x, 1], from the centred blocks
    cov = np.empty((p + 1, p + 1))
    cov[:p, :p] = S_inv
    cov[:p, p] = cov[p, :p] = -S_inv @ xm
    cov[p, p] = 1.0 / n + xm @ S_inv @ xm
    resid = np.empty(n)
    loo = np.empty(n)
    ss_res = abs_sum = 0.0
    x1 = x[:, 0] if p == 1 else None
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        r, e = resid[sl], loo[sl]
        np.subtract(y[sl], ym, out=r)
        if p == 1:
            xc = np.subtract(x1[sl], xm[0])
            r -= coef[0] * xc  # y − ȳ − b(x − x̄)
            np.multiply(xc, xc, out=xc)
            xc *= -S_inv[0, 0]  # −(x − x̄)² / Sxx
            lev = xc
        else:
            xc = x[sl] - xm
            r -= xc @ coef
            lev = -np.einsum("ij,ij->i", xc @ S_inv, xc)
        lev += 1.0 - 1.0 / n  # 1 − h_ii
        np.divide(r, np.maximum(lev, 1e-12, out=lev), out=e)
        ss_res += float(r @ r)
        abs_sum += float(np.add.reduce(np.abs(r, out=lev)))
    return _OLS(beta, resid, loo, cov, ss_tot, ss_res, abs_sum)


#: Above these sizes the robust fits switch from exact to the stated large-sample forms.
LOO_EXACT_MAX = 300  # Huber leave-one-out by refitting (n refits, made as one stacked IRLS)
THEIL_SEN_EXACT_MAX = 1500  # all n(n−1)/2 pairwise slopes (and the exact leave-one-out)
THEIL_SEN_PAIRS = 1_000_000  # random pairs (seeded) for larger n
BOOTSTRAP_MAX = {"huber": 1000, "theil-sen": 300}  # m-out-of-n bootstrap resample size
_BLOCK = 1 << 22  # elements per block of the stacked robust fits (memory bound)


def _huber_rows(x: np.ndarray, y: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Huber M-estimates by IRLS for a stack of data sets: x (R, m, p), y (R, m).

    Huber's Proposal 2: coefficients and scale s solve Σ ψ_c(r_i/s)·x̃_i = 0 and
    Σ ψ_c(r_i/s)² = (m − p − 1)·E[ψ_c(Z)²], ψ_c the Huber function with c = HUBER_C; iterated from
    least squares and s = 1.4826·MAD of its residuals, weights min(1, c·s/|r_i|), one scale update
    per step. The scale cannot implode (shrink onto a subset the line passes through), which the
    MAD re-taken at each step does on small data sets. Each data set iterates on its own until no
    coefficient moves by more than 1e-10 and the scale by more than a relative 1e-10 (or its
    scale is below 1e-12). Returns (beta (R, p + 1), final weights (R, m)).
    """
    R, m, p = x.shape
    beta = _wls_rows(x, y)
    w = np.ones((R, m))
    r = y - _predict_rows(x, beta)
    scale = 1.4826 * np.median(np.abs(r - np.median(r, axis=1, keepdims=True)), axis=1)
    norm = max(m - p - 1, 1) * _HUBER_BETA
    active = np.flatnonzero(scale > 1e-12)
    for _ in range(max_iter):
        if not len(active):
            break
        xa, ya, ba, sa = x[active], y[active], beta[active], scale[active]
        r = ya - _predict_rows(xa, ba)
        u = r / sa[:, None]
        psi = np.clip(u, -HUBER_C, HUBER_C)
        s_new = sa * np.sqrt(np.einsum("rm,rm->r", psi, psi) / norm)
        go = s_new > 1e-12
        au = np.abs(r) / (HUBER_C * np.where(go, s_new, 1.0))[:, None]
        w_new = np.where(au <= 1.0, 1.0, 1.0 / np.maximum(au, 1e-12))
        b_new = _wls_rows(xa, ya, w_new)
        converged = np.all(np.abs(b_new - ba) <= 1e-10, axis=1) & (np.abs(s_new - sa) <= 1e-10 * sa)
        upd = active[go]
        beta[upd], w[upd], scale[upd] = b_new[go], w_new[go], s_new[go]
        active = active[go & ~converged]
    return beta, w


def _huber(X: np.ndarray, y: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Huber M-estimate (Proposal 2, :func:`_huber_rows`) of one data set; returns (beta, weights)."""
    beta, w = _huber_rows(X[None, :, :-1], y[None], max_iter)
    return beta[0], w[0]


def _theil_sen_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact Theil–Sen for a stack of data sets x, y (R, m): (R, 2) slope and intercept.

    The slope is the median of (y_j − y_i)/(x_j − x_i) over the pairs with x_i ≠ x_j, the
    intercept median(y − slope·x) (scipy.stats.theilslopes with method='joint'), exactly. (The
    'separate' intercept median(y) − slope·median(x) is not regression equivariant: its error
    grows with the slope, so tests on its residuals would depend on the true line.)
    """
    R, m = x.shape
    i, j = np.triu_indices(m, 1)
    out = np.empty((R, 2))
    rows = max(1, _BLOCK // max(len(i), 1))
    for start in range(0, R, rows):
        sl = slice(start, min(start + rows, R))
        dx = x[sl][:, j] - x[sl][:, i]
        dy = y[sl][:, j] - y[sl][:, i]
        ok = dx != 0
        s = np.divide(dy, dx, out=np.full(dx.shape, np.inf), where=ok)
        s.sort(axis=1)
        cnt = ok.sum(axis=1)
        k = np.arange(s.shape[0])
        lo, hi = np.maximum((cnt - 1) // 2, 0), np.maximum(cnt // 2, 0)
        slope = (s[k, lo] + s[k, np.minimum(hi, s.shape[1] - 1)]) / 2
        out[sl, 0] = np.where(cnt > 0, slope, np.nan)
    out[:, 1] = np.median(y - out[:, :1] * x, axis=1)
    return out


def _theil_sen(x: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Theil–Sen: median pairwise slope; intercept median(y − slope·x) (scipy's 'joint' rule).
    Exact up to THEIL_SEN_EXACT_MAX points, else the median over THEIL_SEN_PAIRS random pairs
    (seeded): the randomised estimator, O(pairs) not O(n²)."""
    n = len(x)
    if n <= THEIL_SEN_EXACT_MAX:
        return _theil_sen_rows(x[None], y[None])[0]
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, THEIL_SEN_PAIRS)
    j = rng.integers(0, n, THEIL_SEN_PAIRS)
    dx = x[j] - x[i]
    ok = dx != 0
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok]))
    return np.array([slope, float(np.median(y - slope * x))])


def _kth_remaining(ranks: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Position in a sorted array of the element of rank ``ranks`` once the sorted positions
    ``excluded`` (last axis, padded with a large value) are taken out: rank + #{m: P_m − m ≤ rank}."""
    offset = excluded - np.arange(excluded.shape[-1])
    return ranks + np.sum(offset <= ranks[..., None], axis=-1)


def _loo_index(n: int) -> np.ndarray:
    """(n, n − 1) indices: row i lists every point but i."""
    j = np.arange(n - 1)
    i = np.arange(n)[:, None]
    return np.where(j < i, j, j + 1)


def _theil_sen_loo_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact leave-one-out Theil–Sen fits of each point for a stack x, y (R, n): (R, n, 2).

    The fit without point k uses every pairwise slope but the n − 1 through k: its median is
    read off the sorted slopes of the full set by rank arithmetic (:func:`_kth_remaining`),
    so all n slopes cost one sort, O(n² log n), instead of n; the intercepts are medians of the
    other n − 1 residuals.
    """
    R, n = x.shape
    iu, ju = np.triu_indices(n, 1)
    N = len(iu)
    big = 4 * N + 4 * n
    out = np.empty((R, n, 2))
    idx = _loo_index(n)
    rows = max(1, _BLOCK // max(N + 2 * n * n, 1))
    for start in range(0, R, rows):
        sl = slice(start, min(start + rows, R))
        xs, ys = x[sl], y[sl]
        r = xs.shape[0]
        dx = xs[:, ju] - xs[:, iu]
        dy = ys[:, ju] - ys[:, iu]
        ok = dx != 0
        s = np.divide(dy, dx, out=np.full(dx.shape, np.inf), where=ok)
        order = np.argsort(s, axis=1, kind="stable")
        srt = np.take_along_axis(s, order, axis=1)
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(N)[None, :], axis=1)
        rank = np.where(ok, rank, big)
        full = np.full((r, n, n), big, dtype=np.int64)
        full[:, iu, ju] = rank
        full[:, ju, iu] = rank
        P = np.take_along_axis(full, np.broadcast_to(idx, (r, n, n - 1)), axis=2)
        P.sort(axis=2)
        remaining = ok.sum(axis=1)[:, None] - np.sum(P < big, axis=2)  # (r, n)
        lo = np.maximum((remaining - 1) // 2, 0)
        hi = np.maximum(remaining // 2, 0)
        q_lo = np.minimum(_kth_remaining(lo, P), N - 1)
        q_hi = np.minimum(_kth_remaining(hi, P), N - 1)
        slope = (np.take_along_axis(srt, q_lo, axis=1) + np.take_along_axis(srt, q_hi, axis=1)) / 2
        slope = np.where(remaining > 0, slope, np.nan)
        out[sl, :, 0] = slope
        # intercept of fit k: median over j ≠ k of y_j − slope_k·x_j
        resid = ys[:, idx] - slope[:, :, None] * xs[:, idx]
        out[sl, :, 1] = np.median(resid, axis=2)
    return out


def _estimate_rows(x: np.ndarray, y: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(beta (R, p + 1), Huber weights or None) for a stack of data sets x (R, m, p), y (R, m)."""
    R, m, p = x.shape
    if method == "ols":
        return _wls_rows(x, y), None
    if method == "huber":
        rows = max(1, _BLOCK // max(m * p, 1))
        if R <= rows:
            return _huber_rows(x, y)
        parts = [_huber_rows(x[s: s + rows], y[s: s + rows]) for s in range(0, R, rows)]
        return np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts])
    if method == "theil-sen":
        if m <= THEIL_SEN_EXACT_MAX:
            return _theil_sen_rows(x[:, :, 0], y), None
        return np.array([_theil_sen(x[k, :, 0], y[k]) for k in range(R)]), None
    raise ScalingError(f"unknown fit method {method!r}; use one of {METHODS}")


def _estimate(X: np.ndarray, y: np.ndarray, method: str) -> np.ndarray:
    """Coefficients (slopes, intercept) of one data set; ``X`` is the design [x, 1]."""
    if method == "ols":
        return _wls(X, y)
    if method not in METHODS:
        raise ScalingError(f"unknown fit method {method!r}; use one of {METHODS}")
    return _estimate_rows(X[None, :, :-1], y[None], method)[0][0]


def _clipped_scale(r: np.ndarray, h: np.ndarray, p: int, c: float = CLIP, max_iter: int = 50):
    """Robust residual scale per row of residuals r (R, m) with leverages h (R, m) or (m,).

    Residuals are first put on one footing, u_j = r_j/√(1 − h_jj) (leverage handled). Start: the
    median-type scale s₀ = 1.4826·|u|_(k), the k-th smallest with k = ⌈(m + p + 1)/2⌉ (the median,
    skipping the p + 1 residuals a fit can make zero, as least median of squares does). Then,
    iterated until the set K stops changing, s² = Σ_K r_j² / ((|K| − p − 1)·κ²) over the points
    with |u_j| ≤ c_ν·s, where κ² = E[Z² | |Z| ≤ c_ν] makes it consistent for normal errors and the
    window c_ν = c·(1 + 5/ν), ν = m − p − 1, carries Rousseeuw & Leroy's small-sample factor for a
    median scale (1987, ch. 5): 3 at large m (CLIP), wider on few points, where a window of
    3 scales would drop clean points and shrink the scale. Outliers do not enter it, as with the
    MAD; on clean data it is the least-squares scale with its |K| − p − 1 degrees of freedom
    (efficiency near 1 where the MAD's is 0.37), which keeps both the power of the tests and
    their Student-t calibration.

    Returns (s (R,), degrees of freedom |K| − p − 1 (R,), K as a mask (R, m)).
    """
    r = np.atleast_2d(r)
    m = r.shape[1]
    u = np.abs(r) / np.sqrt(np.clip(1.0 - h, 1e-12, None))
    r2 = r * r
    k = min(m, (m + p + 2) // 2)
    s = 1.4826 * np.partition(u, k - 1, axis=1)[:, k - 1]
    window = c * (1.0 + 5.0 / max(m - p - 1, 1))
    kappa2 = _normal_window_kappa2(window)
    keep = None
    dof = np.full(len(r), m - p - 1)
    for _ in range(max_iter):
        new = u <= window * s[:, None]
        if keep is not None and np.array_equal(new, keep):
            break
        keep = new
        dof = keep.sum(axis=1) - p - 1
        ss = np.einsum("rm,rm->r", r2, keep)
        s = np.where(dof > 0, np.sqrt(ss / np.maximum(dof, 1) / kappa2), s)
    return s, dof, keep


@dataclass(frozen=True)
class _Robust:
    """A robust fit of a stack of data sets and what its violation test needs (arrays per set)."""

    beta: np.ndarray  # (S, p + 1)
    resid: np.ndarray  # (S, n)
    loo: np.ndarray  # (S, n) leave-one-out residuals
    leverage: np.ndarray  # (S, n)
    scale: np.ndarray  # (S,)
    dof: np.ndarray  # (S,)
    loo_scale: np.ndarray  # (S, n)
    loo_dof: np.ndarray  # (S, n)
    notes: tuple[str, ...]


def _robust_core(x: np.ndarray, y: np.ndarray, method: str) -> _Robust:
    """Robust fit, leave-one-out residuals and external scales for data sets x (S, n, p), y (S, n).

    Leave-one-out: exact refits (Huber up to LOO_EXACT_MAX points, made as one stacked IRLS;
    Theil–Sen up to THEIL_SEN_EXACT_MAX from the sorted slopes); the scale s_(i) of point i is
    then the clipped scale of the residuals of the fit without i on the other n − 1 points.
    Above those sizes: the one-step form r_i/(1 − h_i) with the Huber weights' hat matrix
    (Theil–Sen: r_i, the influence of one point on a median of O(n²) slopes being O(1/n)), and
    s_(i) from the full set by deleting point i's term. Each large-sample form is named in notes.
    """
    S, n, p = x.shape
    beta, w = _estimate_rows(x, y, method)
    resid = y - _predict_rows(x, beta)
    h = _leverage_rows(x)
    scale, dof, keep = _clipped_scale(resid, h, p)
    notes = []
    exact = n <= (LOO_EXACT_MAX if method == "huber" else THEIL_SEN_EXACT_MAX)
    if exact:
        idx = _loo_index(n)
        if method == "huber":
            B = np.empty((S, n, p + 1))
            rows = max(1, _BLOCK // max(n * n * p, 1))
            for s0 in range(0, S, rows):
                sl = slice(s0, min(s0 + rows, S))
                xs, ys = x[sl][:, idx], y[sl][:, idx]  # (r, n, n − 1, p), (r, n, n − 1)
                r = xs.shape[0]
                B[sl] = _estimate_rows(xs.reshape(r * n, n - 1, p), ys.reshape(r * n, n - 1),
                                       method)[0].reshape(r, n, p + 1)
        else:
            B = _theil_sen_loo_rows(x[:, :, 0], y)
        loo = y - np.einsum("snp,snp->sn", x, B[:, :, :p]) - B[:, :, p]
        loo_scale = np.empty((S, n))
        loo_dof = np.empty((S, n), dtype=int)
        rows = max(1, _BLOCK // max(n * n * p, 1))
        for s0 in range(0, S, rows):
            sl = slice(s0, min(s0 + rows, S))
            xs, ys = x[sl][:, idx], y[sl][:, idx]
            r = xs.shape[0]
            res = ys - np.einsum("snmp,snp->snm", xs, B[sl, :, :p]) - B[sl, :, p:]
            hs = h[sl][:, idx]
            sc, df, _ = _clipped_scale(res.reshape(r * n, n - 1), hs.reshape(r * n, n - 1), p)
            loo_scale[sl] = sc.reshape(r, n)
            loo_dof[sl] = df.reshape(r, n)
    else:
        if method == "huber":
            xt = np.concatenate([x, np.ones((S, n, 1))], axis=2)
            A = np.linalg.pinv(np.einsum("snp,sn,snq->spq", xt, w, xt))
            hw = w * np.einsum("snp,spq,snq->sn", xt, A, xt)
            loo = resid / np.clip(1.0 - hw, 1e-12, None)
            notes.append(f"leave-one-out residuals in the one-step form r/(1-h) (n = {n} > {LOO_EXACT_MAX})")
        else:
            loo = resid.copy()
            notes.append(f"leave-one-out residuals taken as the residuals (theil-sen, n = {n} > "
                         f"{THEIL_SEN_EXACT_MAX})")
        ss = scale ** 2 * np.maximum(dof, 1) * _KAPPA2
        drop = keep * resid ** 2 / np.clip(1.0 - h, 1e-12, None)
        loo_dof = dof[:, None] - keep.astype(int)
        loo_scale = np.sqrt(np.maximum(ss[:, None] - drop, 0.0) / np.maximum(loo_dof, 1) / _KAPPA2)
        notes.append(f"robust scale without point i from the full set's (n = {n})")
    return _Robust(beta, resid, loo, h, scale, dof, loo_scale, loo_dof, tuple(notes))


def _bootstrap_ci(x, y, beta, method, n_boot, alpha, seed):
    """Percentile bootstrap CI; m-out-of-n (m = BOOTSTRAP_MAX) with √(m/n) scaling for large n.

    ``x``: (n, p). Resamples whose descriptor is constant are skipped; the rest are fitted as one
    stack.
    """
    n = len(y)
    m = min(n, BOOTSTRAP_MAX[method])
    rng = np.random.default_rng(seed)
    idx = np.array([rng.integers(0, n, m) for _ in range(n_boot)]).reshape(n_boot, m)
    ok = ~np.any(np.ptp(x[idx], axis=1) < 1e-12, axis=1)
    idx = idx[ok]
    boots = _estimate_rows(x[idx], y[idx], method)[0]
    if m == n:
        return np.column_stack([np.quantile(boots, alpha / 2, axis=0),
                                np.quantile(boots, 1 - alpha / 2, axis=0)]), None
    scale = np.sqrt(m / n)
    dev = boots - beta
    ci = np.column_stack([beta + scale * np.quantile(dev, alpha / 2, axis=0),
                          beta + scale * np.quantile(dev, 1 - alpha / 2, axis=0)])
    return ci, f"CI from an m-out-of-n bootstrap (m = {m} of n = {n}, widths scaled by √(m/n))"


def fit_scaling(
    x,
    y,
    *,
    names: Sequence[str] | None = None,
    method: str = "ols",
    x_names: Sequence[str] = ("ΔG_A",),
    y_name: str = "ΔG_B",
    level: float = 0.95,
    n_boot: int = 400,
    seed: int = 0,
) -> LinearFit:
    """Fit y against one or two descriptors.

    Confidence intervals: Student-t on the OLS covariance for ``ols``; a seeded bootstrap over
    candidates for the robust methods (m-out-of-n above BOOTSTRAP_MAX points). Leave-one-out
    residuals: exact (e_i / (1 - h_ii)) for OLS, refitted for the robust methods up to
    LOO_EXACT_MAX (Huber) or THEIL_SEN_EXACT_MAX (Theil–Sen) points and in the one-step form
    above; every large-sample form is named in ``notes``. The residual scale (``scale``, eV) is
    √(SSE/(n − p − 1)) for OLS and the robust clipped scale (:func:`_clipped_scale`) otherwise.

    Raises:
        ScalingError: for NaN input, fewer than p + 2 points (no residual degree of freedom),
            a constant descriptor, or ``theil-sen`` with two descriptors.
    Warns:
        ScalingWarning: for fewer than p + 5 points.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n, p = x.shape
    if names is None:
        from .engine import _AutoNames

        names = _AutoNames(n)
    else:
        names = tuple(names)
    if len(y) != n or len(names) != n:
        raise ScalingError(f"{y_name} vs {list(x_names)}: x has {n} rows, y {len(y)}, names {len(names)}")
    # sums carry any NaN or inf (and give the means): the element-wise check runs only then
    sums = np.add.reduce(x, axis=0), float(np.add.reduce(y))
    bad = None if np.isfinite(sums[0]).all() and np.isfinite(sums[1]) else (
        ~np.isfinite(y) | ~np.isfinite(x).all(axis=1))
    if bad is not None and bad.any():
        raise ScalingError(f"{y_name} vs {list(x_names)}: NaN or inf for {[names[k] for k in np.flatnonzero(bad)][:10]}")
    if method not in METHODS:
        raise ScalingError(f"unknown fit method {method!r}; use one of {METHODS}")
    if method == "theil-sen" and p != 1:
        raise ScalingError("theil-sen fits one descriptor; use huber for two")
    if n < p + 2:
        raise ScalingError(
            f"{y_name} vs {list(x_names)}: {n} point(s) cannot determine {p + 1} parameters and an "
            f"error estimate (need at least {p + 2})"
        )
    if method != "ols" and np.any(np.ptp(x, axis=0) < 1e-12):  # (OLS checks its centred sums)
        raise ScalingError(_constant_message(y_name, x_names))
    notes = []
    if n < p + 5:
        msg = f"{y_name} vs {list(x_names)} fitted on only {n} points: uncertainties are large"
        warnings.warn(msg, ScalingWarning, stacklevel=2)
        notes.append(msg)
    dof = n - (p + 1)
    alpha = 1.0 - level
    robust = None
    if method == "ols":
        ols = _ols_centred(x, y, sums if bad is None else None)
        if ols is None:
            raise ScalingError(_constant_message(y_name, x_names))
        beta, resid, cov, ss_tot, ss_res = ols.beta, ols.resid, ols.cov, ols.ss_tot, ols.ss_res
        mae = ols.abs_sum / n
        scale = math.sqrt(ss_res / dof)
        se = np.sqrt(np.diag(cov) * scale ** 2)
        t = _t_quantile(1 - alpha / 2, float(dof))
        ci = np.column_stack([beta - t * se, beta + t * se])
        loo = ols.loo
    else:
        robust = _robust_core(x[None], y[None], method)
        beta, resid, loo = robust.beta[0], robust.resid[0], robust.loo[0]
        yc = y - y.mean()
        ss_tot = float(yc @ yc)
        ss_res = float(resid @ resid)
        mae = float(np.abs(resid).mean())
        cov = _cov_unscaled(x)
        scale, dof = float(robust.scale[0]), int(robust.dof[0])
        ci, note = _bootstrap_ci(x, y, beta, method, n_boot, alpha, seed)
        if note:
            notes.append(note)
        if method == "huber" and n < 30:
            notes.append(f"percentile-bootstrap CI of a Huber fit on {n} points is too narrow "
                         "(about 90 % coverage for a nominal 95 % at n = 5-10): read it with care")
        notes.extend(robust.notes)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    rmse = float(np.sqrt(ss_res / n))
    return LinearFit(
        y_name=y_name, x_names=tuple(x_names)[:p] if len(x_names) >= p else tuple(f"x{i}" for i in range(p)),
        method=method, coef=beta[:p], intercept=float(beta[p]), coef_ci=ci[:p], intercept_ci=ci[p],
        r2=r2, rmse=rmse, mae=mae, residuals=resid, loo_residuals=loo, names=names, level=level,
        notes=tuple(notes), scale=scale, dof=int(dof),
        leverage=None if robust is None else robust.leverage[0],
        loo_scale=None if robust is None else robust.loo_scale[0],
        loo_dof=None if robust is None else robust.loo_dof[0],
        cov_unscaled=cov,
    )


def fit_by_class(x, y, classes: Sequence[str], *, names: Sequence[str] | None = None,
                 **kwargs) -> tuple[dict[str, LinearFit], list[str]]:
    """One fit per catalyst class (SAC/DAC/slab, metal, coordination) with enough points.

    Returns the fits and a message for every class too small to fit.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    classes = np.asarray(classes, dtype=object)
    names = np.asarray(names if names is not None else [f"#{k}" for k in range(len(y))], dtype=object)
    p = 1 if x.ndim == 1 else x.shape[1]
    fits, messages = {}, []
    for cls in dict.fromkeys(classes.tolist()):
        sel = classes == cls
        if sel.sum() < p + 2:
            messages.append(f"class {cls!r}: {int(sel.sum())} point(s), too few for a fit (need {p + 2})")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingWarning)
            fits[str(cls)] = fit_scaling(x[sel], y[sel], names=names[sel].tolist(), **kwargs)
    return fits, messages


# --------------------------------------------------------------------------------------------
# Violations of one relation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """A candidate off the scaling line.

    residual: its (leave-one-out) residual, eV; z: residual / RMSE (descriptive only); rule: the
    rule(s) broken; x, y: its descriptor(s) and value; t: its externally studentized residual
    (dimensionless, the test statistic); p_value: the Bonferroni-adjusted two-sided p-value of t
    (min(1, 2n·P(T > |t|))).
    """

    name: str
    residual: float
    z: float
    rule: str
    x: tuple[float, ...]
    y: float
    t: float = float("nan")
    p_value: float = float("nan")


class Violations(Sequence):
    """The violators of one fit, held as arrays; each item is a :class:`Violation` made on access.

    ``indices`` are the violators' positions among the fitted points; ``residual`` (eV), ``z``
    (residual / RMSE), ``t`` (studentized residual), ``p_value`` (Bonferroni-adjusted) and
    ``critical`` (the critical |t| each was held to) are arrays in the same order. ``alpha`` is the
    family-wise level used.
    """

    def __init__(self, fit: LinearFit, indices, residual, t, dof, by_test, by_threshold,
                 x, y, alpha, threshold, k=None):
        self.fit, self.indices, self.residual = fit, indices, residual
        self.t, self.dof = t, dof
        self.z = residual / fit.rmse if fit.rmse else np.full(len(residual), np.inf)
        self._by_test, self._by_t, self._x, self._y = by_test, by_threshold, x, y
        self.alpha, self.threshold, self._k = alpha, threshold, k
        self._p = None

    @property
    def critical(self) -> np.ndarray:
        """The critical |t| each violator was held to."""
        return _critical(self.dof, self.fit.n, self.alpha, self._k)

    @property
    def p_value(self) -> np.ndarray:
        """Bonferroni-adjusted two-sided p-values min(1, 2n·P(T_ν > |t|)), computed on first use."""
        if self._p is None:
            n = self.fit.n
            ok = self.dof >= 1
            p = np.ones(len(self.t))
            if ok.any():
                p[ok] = np.minimum(1.0, 2.0 * n * _t_sf(np.abs(self.t[ok]), self.dof[ok]))
            self._p = p
        return self._p

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        rules = []
        if self._by_test[j]:
            if self._k is not None:
                rules.append(f"|t| > {self._k:g} (fixed k, no multiplicity correction)")
            else:
                crit = _critical(self.dof[j: j + 1], self.fit.n, self.alpha)[0]
                rules.append(f"|t| > {crit:.3g} (studentized residual, family-wise "
                             f"α = {self.alpha:g} over {self.fit.n} points)")
        if self._by_t[j]:
            rules.append(f"|residual| > {self.threshold:g} eV")
        i = int(self.indices[j])
        return Violation(self.fit.names[i], float(self.residual[j]), float(self.z[j]), "; ".join(rules),
                         tuple(float(v) for v in self._x[j]), float(self._y[j]), float(self.t[j]),
                         float(self.p_value[j]))

    def __repr__(self) -> str:
        return f"Violations({len(self)} of {self.fit.n} points off {self.fit.y_name} vs {list(self.fit.x_names)})"


def studentized_residuals(fit: LinearFit) -> tuple[np.ndarray, np.ndarray]:
    """Externally studentized residuals t_i of a fit and their degrees of freedom ν_i.

    OLS: t_i = e_i / (s_(i)·√(1 − h_ii)), s_(i)² = (SSE − e_i²/(1 − h_ii)) / (n − p − 2), which is
    Student-t with n − p − 2 degrees of freedom for normal errors whatever the leverage (the
    leverage is read off the residuals as 1 − h_ii = e_i / d_i). Robust fits:
    t_i = d_i·√(1 − h_ii) / s_(i), d_i the leave-one-out residual and s_(i) the robust scale of
    the fit without point i (the OLS formula again when the robust fit is least squares).
    Undefined ones (no degree of freedom left, or an exact fit) are 0.
    """
    n, p = fit.n, len(fit.coef)
    e = np.asarray(fit.residuals, dtype=float)
    d = np.asarray(fit.loo_residuals, dtype=float)
    if fit.method == "ols" or fit.loo_scale is None:
        nu = n - p - 2
        g = e * d  # e_i² / (1 − h_ii)
        sse = fit.rmse ** 2 * n
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (np.sign(e) * np.sqrt(g / (np.maximum(sse - g, nu * SCALE_FLOOR ** 2) / nu))
                 if nu > 0 else np.zeros(n))
        t = np.where(np.isnan(t), 0.0, t)
        return t, np.full(n, nu)
    return _robust_t(d, fit.leverage, fit.loo_scale, fit.loo_dof), np.asarray(fit.loo_dof)


def _robust_t(loo, leverage, loo_scale, loo_dof) -> np.ndarray:
    """t_i = d_i·√(1 − h_ii)/s_(i) (0 where undefined), element-wise on arrays of any shape."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = loo * np.sqrt(np.clip(1.0 - leverage, 0.0, None)) / np.maximum(loo_scale, SCALE_FLOOR)
    return np.where(np.isnan(t) | (np.asarray(loo_dof) < 1), 0.0, t)


def _critical(dof, n: int, alpha: float = ALPHA, k: float | None = None) -> np.ndarray:
    """Critical |t| of :func:`violations` for degrees of freedom ``dof`` (any shape): the
    Bonferroni value t_{1 − α/(2n), ν} (``k`` instead when given), inf where ν < 1."""
    dof = np.asarray(dof)
    crit = np.full(dof.shape, np.inf)
    for df in np.unique(dof[dof >= 1]):
        crit[dof == df] = float(k) if k is not None else _bonferroni_t(float(alpha), int(n), float(df))
    return crit


def _any_flagged(t: np.ndarray, dof: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Per row of studentized residuals t (S, n) with degrees of freedom (S, n): is any |t_i|
    above its critical value (:func:`_critical`)? The rule of :func:`violations`, for simulations."""
    return np.any(np.abs(t) > _critical(dof, t.shape[1], alpha), axis=1)


def violations(fit: LinearFit, x, y, *, alpha: float = ALPHA, threshold: float | None = None,
               k: float | None = None, use_loo: bool = True) -> Violations:
    """Candidates off the fitted line, by a test at family-wise level ``alpha`` (default 0.05).

    Statistic: the externally studentized residual t_i (:func:`studentized_residuals`,
    dimensionless); a candidate violates the relation when |t_i| > t_{1 − α/(2n), ν_i}, the
    Bonferroni critical value of Student's t with the fit's ν_i = n − p − 2 degrees of freedom
    (robust fits: those of their clipped scale). For a data set without violators and normal
    errors, the chance of flagging any point is then at most ``alpha`` (OLS: exactly, whatever n
    and the leverage of the points); ``p_value`` reports each violator's Bonferroni-adjusted p-value.
    Robust fits (huber, theil-sen) studentize with a robust scale, so outliers neither widen the
    scale nor pull the line: several outliers do not mask one another, up to the fit's breakdown
    (Huber, an M-estimator, gives way near 25–30 % one-sided outliers; Theil–Sen holds past 30 %).
    The robust tests hold their level from about 10 points (a ScalingWarning below). A residual
    scale below :data:`SCALE_FLOOR` counts as that floor: an exact relation has no violators.

    Args:
        alpha: family-wise level, 0 < alpha < 1.
        threshold: also flag any |residual| above this many eV (an absolute rule, union).
        k: deprecated. Formerly |residual| > k·RMSE; now, when given, a fixed critical value on
            |t_i| (no multiplicity correction: in a data set of n clean points about
            n·P(|T| > k) are flagged), with a DeprecationWarning.
        use_loo: report (and compare with ``threshold``) leave-one-out residuals (default) or
            plain residuals; the test statistic is the same.

    Returns a sequence of :class:`Violation` (built lazily: a million-point screen with tens of
    thousands of violators costs one vectorised selection).
    """
    if not 0.0 < alpha < 1.0:
        raise ScalingError(f"alpha must lie in (0, 1), not {alpha!r}")
    if fit.method != "ols" and fit.n < 10:
        warnings.warn(
            f"{fit.y_name}: the {fit.method} violation test holds its level from about 10 points; on "
            f"{fit.n} points it flags clean data sets up to twice as often as alpha (measured): use "
            "method='ols' or more points", ScalingWarning, stacklevel=2)
    if k is not None:
        warnings.warn(
            "violations(k=...) is deprecated: violations are decided by the externally studentized "
            "residual at family-wise level alpha (Bonferroni); k now sets a fixed critical |t| "
            "without multiplicity correction", DeprecationWarning, stacklevel=2)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(y, dtype=float)
    n, p = fit.n, len(fit.coef)
    res = np.asarray(fit.loo_residuals if use_loo else fit.residuals)
    if fit.method == "ols" or fit.loo_scale is None:
        # g_i = e_i·d_i = e_i²/(1 − h_ii), SSE − g_i = ν·s_(i)²
        nu = n - p - 2
        if nu >= 1:
            c = float(k) if k is not None else _bonferroni_t(float(alpha), n, nu)
            # |t_i| > c  ⇔  g_i·ν > c²·max(SSE − g_i, ν·floor²): the scale without i floored
            g = np.multiply(fit.residuals, fit.loo_residuals)
            rest = np.subtract(fit.rmse ** 2 * n, g)
            np.maximum(rest, nu * SCALE_FLOOR ** 2, out=rest)
            rest *= c * c
            g *= nu
            by_test = np.greater(g, rest)
        else:
            by_test = np.zeros(n, bool)
        t_all = None
    else:
        t_all, dof = studentized_residuals(fit)
        by_test = np.abs(t_all) > _critical(dof, n, alpha, k)
    if threshold is not None:
        by_abs = np.greater(res, threshold)
        by_abs |= np.less(res, -threshold)
        hit = by_test | by_abs
    else:
        by_abs = None
        hit = by_test
    idx = np.flatnonzero(hit)
    if t_all is None:
        nu = n - p - 2
        e, d = np.asarray(fit.residuals)[idx], np.asarray(fit.loo_residuals)[idx]
        g = e * d
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.sign(e) * np.sqrt(g / (np.maximum(fit.rmse ** 2 * n - g, 0.0) / nu)) if nu > 0 \
                else np.zeros(len(idx))
        t = np.where(np.isnan(t), 0.0, t)
        dfs = np.full(len(idx), float(max(nu, 0)))
    else:
        t, dfs = t_all[idx], np.asarray(dof, dtype=float)[idx]
    return Violations(fit, idx, res[idx], t, dfs, by_test[idx],
                      by_abs[idx] if by_abs is not None else np.zeros(len(idx), bool),
                      x[idx], y[idx], alpha, threshold, k)


# --------------------------------------------------------------------------------------------
# Classes against the rest: Chow test
# --------------------------------------------------------------------------------------------


def _chow_rows(x: np.ndarray, y: np.ndarray, member: np.ndarray) -> dict:
    """Chow F test of a subset's own line against the line of the other points, stacked.

    ``x`` (R, m, p), ``y`` (R, m), ``member`` (R, m) bool (the class). Under one common line
    with normal errors, F = [(SSE_pooled − SSE_class − SSE_rest)/(p + 1)] /
    [(SSE_class + SSE_rest)/(m − 2(p + 1))] is F-distributed with (p + 1, m − 2(p + 1)) degrees
    of freedom: the test of the interaction model y = [x, 1]β + 1_class·[x, 1]γ against γ = 0.
    Also returned: the differences class − rest of each slope and of the intercept, and their
    t statistics (same denominator, m − 2(p + 1) degrees of freedom).
    """
    R, m, p = x.shape
    wc = member.astype(float)
    wr = 1.0 - wc

    def sse(w):
        beta = _wls_rows(x, y, w)
        r = y - _predict_rows(x, beta)
        return np.einsum("rm,rm->r", r * r, w if w is not None else np.ones_like(r)), beta

    def cov(w):  # (XᵀWX)⁻¹ diagonal for [x, 1] on the subset
        sw = w.sum(axis=1)
        xm = np.einsum("rm,rmp->rp", w, x) / np.maximum(sw, 1.0)[:, None]
        xc = x - xm[:, None, :]
        S_inv = np.linalg.pinv(np.einsum("rm,rmi,rmj->rij", w, xc, xc))
        diag = np.concatenate([np.einsum("rii->ri", S_inv),
                               (1.0 / np.maximum(sw, 1.0) + np.einsum("ri,rij,rj->r", xm, S_inv, xm))[:, None]],
                              axis=1)
        return diag

    sse_all, _ = sse(None)
    sse_c, beta_c = sse(wc)
    sse_r, beta_r = sse(wr)
    d1, d2 = p + 1, m - 2 * (p + 1)
    within = sse_c + sse_r
    between = np.maximum(sse_all - within, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        F = np.where(within > 0, (between / d1) / (within / d2), np.where(between > 0, np.inf, 0.0))
        s2 = within / d2
        diff = beta_c - beta_r
        t = diff / np.sqrt(s2[:, None] * (cov(wc) + cov(wr)))
    t = np.where(np.isnan(t), 0.0, t)
    return {"F": F, "dof": (d1, d2), "p_value": _f_sf(F, d1, d2), "difference": diff, "t": t,
            "p_diff": 2.0 * _t_sf(np.abs(t), d2), "sse": (sse_all, sse_c, sse_r)}


def class_deviations(x, y, classes: Sequence[str], *, names=None, method: str = "ols",
                     level: float = 0.95, alpha: float | None = None,
                     report_all: bool = False) -> list[dict]:
    """Classes whose line differs from the line of all the other points (Chow F test).

    For each class with at least p + 2 points (and at least p + 2 others), the statistic is the
    Chow F (:func:`_chow_rows`: the class's own slope(s) and intercept against those of the rest,
    jointly; F with (p + 1, n − 2(p + 1)) degrees of freedom for one common line and normal
    errors). A class deviates when its p-value, Bonferroni corrected over the K classes tested
    (K = 1 when two classes make up the data: both tests are then the same), is below ``alpha``
    (default 1 − ``level`` = 0.05): on data with one common line the chance that any class is
    flagged is at most ``alpha``. ``slope_outside`` / ``intercept_outside`` tell which part
    differs (t tests of the differences at the same corrected level; either may be False when
    only the joint test rejects). With a robust ``method`` the points that :func:`violations` of
    the robust fit of all points flags are left out of the test first (listed in ``excluded``);
    the class's own line and the CI of the others' line (``others_*_ci``, at ``level``) are
    fitted with ``method``.

    Returns one dict per deviating class (every tested class with ``report_all``).
    """
    alpha = 1.0 - level if alpha is None else float(alpha)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x2 = x[:, None] if x.ndim == 1 else x
    n, p = x2.shape
    classes = np.asarray(classes, dtype=object)
    name_arr = np.asarray(names if names is not None else [f"#{k}" for k in range(n)], dtype=object)
    keep = np.ones(n, bool)
    if method != "ols":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingWarning)
            overall = fit_scaling(x, y, names=list(name_arr), method=method, level=level)
        keep[violations(overall, x, y, alpha=alpha).indices] = False
    excluded = [str(v) for v in name_arr[~keep]]
    own, _ = fit_by_class(x, y, classes, names=list(name_arr), method=method, level=level)
    xk, yk, ck = x2[keep], y[keep], classes[keep]
    labels = list(dict.fromkeys(ck.tolist()))
    tested = []
    for cls in labels:
        sel = ck == cls
        if sel.sum() < p + 2 or (~sel).sum() < p + 2 or len(yk) - 2 * (p + 1) < 1:
            continue
        if np.any(np.ptp(xk[sel], axis=0) < 1e-12) or np.any(np.ptp(xk[~sel], axis=0) < 1e-12):
            continue
        tested.append(cls)
    if not tested:
        return []
    K = 1 if (len(tested) == 2 and len(labels) == 2) else len(tested)
    member = np.array([ck == cls for cls in tested])
    stats = _chow_rows(np.broadcast_to(xk, (len(tested),) + xk.shape), np.broadcast_to(yk, member.shape), member)
    out = []
    for j, cls in enumerate(tested):
        p_adj = min(1.0, K * float(stats["p_value"][j]))
        p_diff = np.minimum(1.0, K * stats["p_diff"][j])
        deviates = p_adj < alpha
        if not (deviates or report_all):
            continue
        rest = classes != cls
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingWarning)
                others = fit_scaling(x[rest], y[rest], method=method, level=level)
            o_slope, o_icpt = others.coef_ci.tolist(), others.intercept_ci.tolist()
        except ScalingError:
            o_slope = o_icpt = None
        fit = own.get(str(cls))
        out.append({
            "class": cls, "n": int(member[j].sum()),
            "slope": fit.coef.tolist() if fit else None, "intercept": fit.intercept if fit else None,
            "F": float(stats["F"][j]), "dof": stats["dof"], "p_value": float(stats["p_value"][j]),
            "p_adjusted": p_adj, "alpha": alpha, "classes_tested": K, "deviates": bool(deviates),
            "slope_difference": stats["difference"][j, :p].tolist(),
            "intercept_difference": float(stats["difference"][j, p]),
            "slope_outside": bool(np.any(p_diff[:p] < alpha)), "intercept_outside": bool(p_diff[p] < alpha),
            "others_slope_ci": o_slope, "others_intercept_ci": o_icpt, "excluded": excluded,
        })
    return out


def bond_order_slope(adsorbate: str, parent: str) -> float | None:
    """Abild-Pedersen slope γ = (x_max - x)/x_max when ``adsorbate`` is AH_x of ``parent`` = A.

    ``bond_order_slope("*NH", "*N")`` = 2/3; ``("*OH", "*O")`` = 1/2; None when the pair is not
    of that kind (other atoms than H added, or unknown valence).
    """
    from .species import parse_species

    a = dict(parse_species(adsorbate).composition)
    b = dict(parse_species(parent).composition)
    if len(b) != 1:
        return None
    (atom, count), = b.items()
    if count != 1 or atom not in VALENCE or a.get(atom) != 1 or set(a) - {atom, "H"}:
        return None
    x = a.get("H", 0)
    x_max = VALENCE[atom]
    if x >= x_max or x == 0:
        return None
    return (x_max - x) / x_max


def compare_with_bond_order(fit: LinearFit, adsorbate: str, parent: str) -> dict | None:
    """Fitted slope vs the bond-order prediction, and whether the prediction lies in the CI."""
    gamma = bond_order_slope(adsorbate, parent)
    if gamma is None or len(fit.coef) != 1:
        return None
    lo, hi = fit.coef_ci[0]
    return {"predicted": gamma, "fitted": float(fit.coef[0]), "ci": [float(lo), float(hi)],
            "consistent": bool(lo <= gamma <= hi)}
