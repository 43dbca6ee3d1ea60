"""Scaling relations: least-squares and robust fits, uncertainties, and their violations.

A scaling relation ΔG_B = a·ΔG_A + b (or with two descriptors) is fitted by ordinary least
squares or robustly (Huber M-estimator by iteratively reweighted least squares, or Theil–Sen for
one descriptor). Each fit reports slope(s), intercept, R², RMSE, MAE, leave-one-out residuals
and confidence intervals; too few points raise :class:`ScalingError`, few points warn.

A candidate *violates* the relation when its residual exceeds k·RMSE (default 2) or a fixed
threshold in eV (CHE_REFERENCE §5 (i)); a catalyst class violates it when its own slope or
intercept lies outside the confidence interval fitted on all the other candidates (§5 (ii)).
Bond-order scaling (Abild-Pedersen et al., PRL 99, 016105 (2007)) predicts slope
γ = (x_max - x)/x_max for AH_x against A: 2/3 for NH, 1/3 for NH2, 1/2 for OH.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import ChefeError

METHODS = ("ols", "huber", "theil-sen")
#: Valences x_max of central atoms for the bond-order slope rule.
VALENCE = {"C": 4, "N": 3, "O": 2, "S": 2}
#: Huber's tuning constant (95 % efficiency under normal errors).
HUBER_C = 1.345


class ScalingError(ChefeError, ValueError):
    """A fit cannot be made (too few points, degenerate descriptors)."""


class ScalingWarning(UserWarning):
    """A fit is made on few points: its uncertainties are large."""


@dataclass(frozen=True)
class LinearFit:
    """A fitted scaling relation y = coef·x + intercept.

    Attributes:
        y_name, x_names: what was fitted against what.
        method: ``"ols"``, ``"huber"`` or ``"theil-sen"``.
        coef: slopes, shape (p,); intercept: eV.
        coef_ci, intercept_ci: confidence intervals at ``level`` (shape (p, 2) and (2,)).
        r2, rmse, mae: goodness of fit (eV for rmse and mae).
        residuals: y - prediction, shape (n,); loo_residuals: leave-one-out residuals.
        names: candidate names (n,); n: number of points.
        notes: warnings raised while fitting.
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

    @property
    def n(self) -> int:
        return len(self.residuals)

    def predict(self, x) -> np.ndarray:
        """ΔG_B predicted for descriptor values ``x`` (shape (m,) or (m, p))."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1 and len(self.coef) == 1:
            x = x[:, None]
        return x @ self.coef + self.intercept

    def equation(self) -> str:
        terms = " ".join(f"{c:+.3f}·{n}" for c, n in zip(self.coef, self.x_names))
        return f"{self.y_name} = {terms} {self.intercept:+.3f} eV".replace("= +", "= ")

    def to_dict(self) -> dict:
        return {
            "y": self.y_name, "x": list(self.x_names), "method": self.method,
            "slope": self.coef.tolist(), "intercept": self.intercept,
            "slope_ci": self.coef_ci.tolist(), "intercept_ci": self.intercept_ci.tolist(),
            "r2": self.r2, "rmse": self.rmse, "mae": self.mae, "n": self.n, "notes": list(self.notes),
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


def _huber(X: np.ndarray, y: np.ndarray, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Huber M-estimate by IRLS with the MAD scale; returns (beta, final weights)."""
    beta = _wls(X, y)
    w = np.ones(len(y))
    for _ in range(max_iter):
        r = y - X @ beta
        scale = 1.4826 * np.median(np.abs(r - np.median(r)))
        if scale <= 1e-12:
            break
        u = np.abs(r) / (HUBER_C * scale)
        w_new = np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-12))
        beta_new = _wls(X, y, w_new)
        converged = np.allclose(beta_new, beta, atol=1e-10, rtol=0)
        beta, w = beta_new, w_new
        if converged:
            break
    return beta, w


#: Above these sizes the robust fits switch from exact to the stated large-sample forms.
LOO_EXACT_MAX = 300  # leave-one-out by refitting (cost n refits)
THEIL_SEN_EXACT_MAX = 1500  # all n(n−1)/2 pairwise slopes
THEIL_SEN_PAIRS = 1_000_000  # random pairs (seeded) for larger n
BOOTSTRAP_MAX = {"huber": 1000, "theil-sen": 300}  # m-out-of-n bootstrap resample size


def _theil_sen(x: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Theil–Sen: median pairwise slope; intercept median(y) − slope·median(x) (scipy's
    'separate' rule). Exact (scipy) up to THEIL_SEN_EXACT_MAX points, else the median over
    THEIL_SEN_PAIRS random pairs (seeded): the randomised estimator, O(pairs) not O(n²)."""
    n = len(x)
    if n <= THEIL_SEN_EXACT_MAX:
        from scipy.stats import theilslopes

        slope, intercept, _, _ = theilslopes(y, x)
        return np.array([slope, intercept])
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, THEIL_SEN_PAIRS)
    j = rng.integers(0, n, THEIL_SEN_PAIRS)
    dx = x[j] - x[i]
    ok = dx != 0
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok]))
    return np.array([slope, float(np.median(y) - slope * np.median(x))])


def _bootstrap_ci(x, X, y, beta, method, n_boot, alpha, seed):
    """Percentile bootstrap CI; m-out-of-n (m = BOOTSTRAP_MAX) with √(m/n) scaling for large n."""
    n = len(y)
    m = min(n, BOOTSTRAP_MAX[method])
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, m)
        if np.any(np.ptp(x[idx], axis=0) < 1e-12):
            continue
        boots.append(_estimate(X[idx], y[idx], method))
    boots = np.array(boots)
    if m == n:
        return np.column_stack([np.quantile(boots, alpha / 2, axis=0),
                                np.quantile(boots, 1 - alpha / 2, axis=0)]), None
    scale = np.sqrt(m / n)
    dev = boots - beta
    ci = np.column_stack([beta + scale * np.quantile(dev, alpha / 2, axis=0),
                          beta + scale * np.quantile(dev, 1 - alpha / 2, axis=0)])
    return ci, f"CI from an m-out-of-n bootstrap (m = {m} of n = {n}, widths scaled by √(m/n))"


def _robust_loo(X, y, resid, method):
    """Leave-one-out residuals of a robust fit: refitted up to LOO_EXACT_MAX points; above, the
    one-step form r_i / (1 − h_i) with the Huber weights' hat matrix (Theil–Sen: r_i, the
    influence of one point on a median of O(n²) slopes being O(1/n))."""
    n = len(y)
    if n <= LOO_EXACT_MAX:
        loo = np.empty(n)
        for k in range(n):
            keep = np.arange(n) != k
            loo[k] = y[k] - X[k] @ _estimate(X[keep], y[keep], method)
        return loo, None
    if method == "huber":
        _, w = _huber(X, y)
        XtWX_inv = np.linalg.pinv((X * w[:, None]).T @ X)
        hat = w * np.einsum("ij,jk,ik->i", X, XtWX_inv, X)
        return resid / np.clip(1.0 - hat, 1e-12, None), \
            f"leave-one-out residuals in the one-step form r/(1-h) (n = {n} > {LOO_EXACT_MAX})"
    return resid.copy(), f"leave-one-out residuals taken as the residuals (theil-sen, n = {n} > {LOO_EXACT_MAX})"


def _estimate(X: np.ndarray, y: np.ndarray, method: str) -> np.ndarray:
    if method == "ols":
        return _wls(X, y)
    if method == "huber":
        return _huber(X, y)[0]
    if method == "theil-sen":
        return _theil_sen(X[:, 0], y)
    raise ScalingError(f"unknown fit method {method!r}; use one of {METHODS}")


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
    LOO_EXACT_MAX points and in the one-step form above; every large-sample form is named in
    ``notes``.

    Raises:
        ScalingError: for NaN input, fewer than p + 2 points (no residual degree of freedom),
            a constant descriptor, or ``theil-sen`` with two descriptors.
    Warns:
        ScalingWarning: for fewer than p + 5 points.
    """
    from scipy.special import stdtrit  # Student-t quantile (scipy.stats takes ~1 s to import)

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
    if method == "ols":
        ols = _ols_centred(x, y, sums if bad is None else None)
        if ols is None:
            raise ScalingError(_constant_message(y_name, x_names))
        beta, resid, cov, ss_tot, ss_res = ols.beta, ols.resid, ols.cov, ols.ss_tot, ols.ss_res
        mae = ols.abs_sum / n
    else:
        X = _design(x)
        beta = _estimate(X, y, method)
        resid = y - X @ beta
        yc = y - y.mean()
        ss_tot = float(yc @ yc)
        ss_res = float(resid @ resid)
        mae = float(np.abs(resid).mean())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    rmse = float(np.sqrt(ss_res / n))
    dof = n - (p + 1)
    alpha = 1.0 - level
    if method == "ols":
        sigma2 = ss_res / dof
        se = np.sqrt(np.diag(cov) * sigma2)
        t = stdtrit(dof, 1 - alpha / 2)
        ci = np.column_stack([beta - t * se, beta + t * se])
        loo = ols.loo
    else:
        ci, note = _bootstrap_ci(x, X, y, beta, method, n_boot, alpha, seed)
        if note:
            notes.append(note)
        loo, note = _robust_loo(X, y, resid, method)
        if note:
            notes.append(note)
    return LinearFit(
        y_name=y_name, x_names=tuple(x_names)[:p] if len(x_names) >= p else tuple(f"x{i}" for i in range(p)),
        method=method, coef=beta[:p], intercept=float(beta[p]), coef_ci=ci[:p], intercept_ci=ci[p],
        r2=r2, rmse=rmse, mae=mae, residuals=resid, loo_residuals=loo, names=names, level=level,
        notes=tuple(notes),
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


@dataclass(frozen=True)
class Violation:
    """A candidate off the scaling line: residual (eV), residual / RMSE, and the rule broken."""

    name: str
    residual: float
    z: float
    rule: str
    x: tuple[float, ...]
    y: float


class Violations(Sequence):
    """The violators of one fit, held as arrays; each item is a :class:`Violation` made on access.

    ``indices`` are the violators' positions among the fitted points; ``residual`` (eV) and
    ``z`` (residual / RMSE) are arrays in the same order.
    """

    def __init__(self, fit: LinearFit, indices, residual, by_k, by_t, x, y, k, threshold):
        self.fit, self.indices, self.residual = fit, indices, residual
        self.z = residual / fit.rmse if fit.rmse else np.full(len(residual), np.inf)
        self._by_k, self._by_t, self._x, self._y = by_k, by_t, x, y
        self._k, self._threshold = k, threshold

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        rules = []
        if self._by_k[j]:
            rules.append(f"|residual| > {self._k:g}·RMSE")
        if self._by_t[j]:
            rules.append(f"|residual| > {self._threshold:g} eV")
        i = int(self.indices[j])
        return Violation(self.fit.names[i], float(self.residual[j]), float(self.z[j]), "; ".join(rules),
                         tuple(float(v) for v in self._x[j]), float(self._y[j]))

    def __repr__(self) -> str:
        return f"Violations({len(self)} of {self.fit.n} points off {self.fit.y_name} vs {list(self.fit.x_names)})"


def violations(fit: LinearFit, x, y, *, k: float = 2.0, threshold: float | None = None,
               use_loo: bool = True) -> Violations:
    """Candidates whose (leave-one-out) residual exceeds ``k``·RMSE or ``threshold`` eV.

    Leave-one-out residuals are used by default so an outlier cannot hide by pulling the line.
    Returns a sequence of :class:`Violation` (built lazily: a million-point screen with tens of
    thousands of violators costs one vectorised selection).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    res = np.asarray(fit.loo_residuals if use_loo else fit.residuals)
    y = np.asarray(y, dtype=float)

    def outside(limit: float) -> np.ndarray:  # |res| > limit without an |res| array
        out = np.greater(res, limit)
        out |= np.less(res, -limit)
        return out

    by_k = outside(k * fit.rmse) if fit.rmse > 0 else None
    by_t = outside(threshold) if threshold is not None else None
    hit = by_k if by_t is None else by_t if by_k is None else by_k | by_t
    idx = np.flatnonzero(hit) if hit is not None else np.zeros(0, dtype=np.intp)
    none = np.zeros(len(idx), bool)
    return Violations(fit, idx, res[idx], by_k[idx] if by_k is not None else none,
                      by_t[idx] if by_t is not None else none, x[idx], y[idx], k, threshold)


def class_deviations(x, y, classes: Sequence[str], *, names=None, method: str = "ols",
                     level: float = 0.95) -> list[dict]:
    """Classes whose own slope or intercept lies outside the CI of the fit on all other points."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    classes = np.asarray(classes, dtype=object)
    own, _ = fit_by_class(x, y, classes, names=names, method=method, level=level)
    out = []
    for cls, fit in own.items():
        rest = classes != cls
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingWarning)
                others = fit_scaling(x[rest], y[rest], method=method, level=level)
        except ScalingError:
            continue
        slope_out = bool(np.any((fit.coef < others.coef_ci[:, 0]) | (fit.coef > others.coef_ci[:, 1])))
        icpt_out = not (others.intercept_ci[0] <= fit.intercept <= others.intercept_ci[1])
        if slope_out or icpt_out:
            out.append({"class": cls, "slope": fit.coef.tolist(), "intercept": fit.intercept,
                        "others_slope_ci": others.coef_ci.tolist(), "others_intercept_ci": others.intercept_ci.tolist(),
                        "slope_outside": slope_out, "intercept_outside": icpt_out})
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
