"""Scaling fits: known answers by construction, robust fits, violations, classes, bond order."""

from __future__ import annotations

import numpy as np
import pytest

from chefe.scaling import (
    ScalingError,
    ScalingWarning,
    bond_order_slope,
    class_deviations,
    compare_with_bond_order,
    fit_by_class,
    fit_scaling,
    violations,
)


@pytest.fixture()
def planted():
    """40 points on ΔG_NH = 2/3 ΔG_N + 0.30 with 0.05 eV noise, and two planted outliers."""
    rng = np.random.default_rng(42)
    x = rng.uniform(-1.5, 1.0, 40)
    y = 2 / 3 * x + 0.30 + rng.normal(0, 0.05, 40)
    y[7] += 0.60  # planted
    y[23] -= 0.45  # planted
    names = [f"cat{k}" for k in range(40)]
    return x, y, names


def test_ols_by_hand():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 3.1, 4.9, 7.0])
    with pytest.warns(ScalingWarning, match="only 4 points"):
        fit = fit_scaling(x, y, method="ols")
    # slope = Σ(x-x̄)(y-ȳ)/Σ(x-x̄)²: x̄ = 1.5, ȳ = 4.0; Sxy = 9.9, Sxx = 5 -> 1.98; b = 4.0 - 1.98·1.5 = 1.03
    assert fit.coef[0] == pytest.approx(1.98, abs=1e-12)
    assert fit.intercept == pytest.approx(1.03, abs=1e-12)
    resid = y - (1.98 * x + 1.03)
    np.testing.assert_allclose(fit.residuals, resid, atol=1e-12)
    assert fit.rmse == pytest.approx(np.sqrt((resid ** 2).mean()), abs=1e-12)
    assert fit.r2 == pytest.approx(1 - (resid ** 2).sum() / ((y - 4.0) ** 2).sum(), abs=1e-12)
    # |resid| = 0.03, 0.09, 0.09, 0.03 -> MAE 0.06
    assert fit.mae == pytest.approx(0.06, abs=1e-12)


def test_violation_rules_by_hand(planted):
    x, y, names = planted
    fit = fit_scaling(x, y, names=names, method="ols")
    loo = np.asarray(fit.loo_residuals)
    for k, threshold in ((2.0, None), (1.5, 0.2), (10.0, 0.3)):
        found = violations(fit, x, y, k=k, threshold=threshold)
        by_k = np.abs(loo) > k * fit.rmse
        by_t = np.abs(loo) > threshold if threshold is not None else np.zeros(40, bool)
        np.testing.assert_array_equal(found.indices, np.flatnonzero(by_k | by_t))
        for v, i in zip(found, found.indices):
            assert v.residual == loo[i]
            assert ("RMSE" in v.rule) == bool(by_k[i]) and (" eV" in v.rule) == bool(by_t[i])


def test_planted_outliers_found_and_robust_fit_recovers_truth(planted):
    x, y, names = planted
    ols = fit_scaling(x, y, names=names, method="ols", x_names=("ΔG_N",), y_name="ΔG_NH")
    found = {v.name for v in violations(ols, x, y, k=2.0)}
    assert {"cat7", "cat23"} <= found
    assert len(found) <= 4  # at most a couple of 2σ noise points besides the planted ones
    huber = fit_scaling(x, y, names=names, method="huber")
    assert huber.coef[0] == pytest.approx(2 / 3, abs=0.03)
    assert huber.intercept == pytest.approx(0.30, abs=0.03)
    assert abs(huber.coef[0] - 2 / 3) < abs(ols.coef[0] - 2 / 3) + 0.01
    ts = fit_scaling(x, y, names=names, method="theil-sen")
    assert ts.coef[0] == pytest.approx(2 / 3, abs=0.04)
    assert ts.coef_ci[0, 0] < ts.coef[0] < ts.coef_ci[0, 1]
    assert "ΔG_NH = " in ols.equation()


def test_bond_order_prediction(planted):
    x, y, names = planted
    fit = fit_scaling(x, y, method="huber")
    assert bond_order_slope("*NH", "*N") == pytest.approx(2 / 3)
    assert bond_order_slope("*NH2", "*N") == pytest.approx(1 / 3)
    assert bond_order_slope("*OH", "*O") == pytest.approx(1 / 2)
    assert bond_order_slope("*NO", "*N") is None
    assert compare_with_bond_order(fit, "*NH", "*N")["consistent"]
    assert not compare_with_bond_order(fit, "*NH2", "*N")["consistent"]


def test_two_descriptor_fit():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (30, 2))
    y = 0.4 * X[:, 0] - 0.7 * X[:, 1] + 0.1 + rng.normal(0, 0.01, 30)
    fit = fit_scaling(X, y, x_names=("ΔG_O", "ΔG_N"))
    np.testing.assert_allclose(fit.coef, [0.4, -0.7], atol=0.02)
    assert fit.predict([[0.0, 0.0]])[0] == pytest.approx(fit.intercept)


@pytest.mark.parametrize("p", [1, 2])
def test_ols_centred_fast_path_equals_the_svd_design_fit(p):
    """The centred normal equations give lstsq's coefficients, the textbook (XᵀX)⁻¹ CIs and the
    hat-matrix leave-one-out residuals e/(1−h) of the full design [x, 1]."""
    from scipy.stats import t as student_t

    rng = np.random.default_rng(7)
    n = 500
    x = rng.normal(3.0, 0.5, (n, p))  # off-centre descriptors: where uncentred sums lose digits
    y = x @ np.array([0.7, -0.2][:p]) + 1.5 + rng.normal(0, 0.05, n)
    fit = fit_scaling(x if p > 1 else x[:, 0], y, method="ols")
    X = np.column_stack([x, np.ones(n)])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(np.append(fit.coef, fit.intercept), beta, rtol=0, atol=1e-10)
    e = y - X @ beta
    inv = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, inv, X)
    np.testing.assert_allclose(fit.loo_residuals, e / (1 - h), rtol=0, atol=1e-10)
    se = np.sqrt(np.diag(inv) * (e @ e) / (n - p - 1))
    half = student_t.ppf(0.975, n - p - 1) * se
    np.testing.assert_allclose(fit.coef_ci[:, 1] - fit.coef, half[:p], rtol=1e-9)
    assert fit.intercept_ci[1] - fit.intercept == pytest.approx(half[p], rel=1e-9)


def test_ols_nearly_collinear_descriptors_fall_back_to_svd():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 200)
    x = np.column_stack([a, a + 1e-7 * rng.normal(0, 1, 200)])
    y = 0.5 * a + rng.normal(0, 0.01, 200)
    fit = fit_scaling(x, y)
    beta, *_ = np.linalg.lstsq(np.column_stack([x, np.ones(200)]), y, rcond=None)
    np.testing.assert_allclose(fit.predict(x), np.column_stack([x, np.ones(200)]) @ beta, atol=1e-8)


def test_underdetermined_and_bad_input():
    with pytest.raises(ScalingError, match="need at least 3"):
        fit_scaling([0.1, 0.2], [1.0, 2.0])
    with pytest.raises(ScalingError, match="constant"):
        fit_scaling([0.1, 0.1, 0.1], [1.0, 2.0, 3.0])
    rng = np.random.default_rng(5)
    for method in ("ols", "huber"):  # one of two descriptors constant (OLS: from its centred sums)
        with pytest.raises(ScalingError, match="constant"):
            fit_scaling(np.column_stack([rng.normal(size=20), np.full(20, 0.3)]), rng.normal(size=20),
                        method=method)
    with pytest.raises(ScalingError, match=r"NaN or inf for \['c'\]"):
        fit_scaling([0.1, 0.2, 0.3, 0.4], [1.0, 2.0, np.inf, 4.0], names=list("abcd"))
    with pytest.raises(ScalingError, match="NaN"):
        fit_scaling([0.1, 0.2, np.nan, 0.4], [1.0, 2.0, 3.0, 4.0], names=list("abcd"))
    with pytest.warns(ScalingWarning, match="only 4 points"):
        fit_scaling([0.1, 0.2, 0.3, 0.5], [1.0, 2.1, 2.9, 5.0])


def test_classes_and_class_deviation():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 60)
    classes = np.array(["SAC"] * 30 + ["DAC"] * 25 + ["lonely"] * 5)
    y = np.where(classes == "DAC", 0.2 * x - 0.5, 0.6 * x + 0.1) + rng.normal(0, 0.03, 60)
    fits, messages = fit_by_class(x, y, classes)
    assert fits["SAC"].coef[0] == pytest.approx(0.6, abs=0.05)
    assert fits["DAC"].coef[0] == pytest.approx(0.2, abs=0.05)
    dev = {d["class"] for d in class_deviations(x, y, classes)}
    assert "DAC" in dev
    single = fit_by_class(x[:31], y[:31], list(classes[:30]) + ["one"])[1]
    assert single == ["class 'one': 1 point(s), too few for a fit (need 3)"]


def test_robust_fits_scale_to_large_screens():
    """Huber and Theil–Sen on thousands of points: the large-sample forms agree with the exact ones."""
    from scipy.stats import theilslopes

    from chefe import scaling

    rng = np.random.default_rng(5)
    n = 2000
    x = rng.normal(0, 0.5, n)
    y = 0.6 * x + 0.1 + rng.normal(0, 0.05, n)
    y[:20] += 0.8  # outliers
    hub = fit_scaling(x, y, method="huber")
    assert any("one-step" in note for note in hub.notes) and any("m-out-of-n" in note for note in hub.notes)
    # the one-step LOO residual of an outlier equals an explicit refit without it to 1e-3 eV
    X = np.column_stack([x, np.ones(n)])
    keep = np.arange(n) != 0
    refit = scaling._estimate(X[keep], y[keep], "huber")
    assert hub.loo_residuals[0] == pytest.approx(y[0] - X[0] @ refit, abs=1e-3)
    assert hub.coef_ci[0, 0] < 0.6 < hub.coef_ci[0, 1]
    # randomised Theil–Sen (1e6 pairs) vs all 2e6 pairs (scipy)
    ts = fit_scaling(x, y, method="theil-sen")
    exact = theilslopes(y, x)
    assert ts.coef[0] == pytest.approx(exact[0], abs=2e-3)
    assert ts.intercept == pytest.approx(exact[1], abs=2e-3)
