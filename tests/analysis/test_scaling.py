"""Finite-size scaling fits and crossings recover known critical points and exponents."""

import numpy as np
import pytest

from wavelearn.analysis.scaling import collapse, curve_crossings, fit_scaling, pairwise_crossings
from wavelearn.errors import DataError, ParameterError

# Slevin & Ohtsuki, New J. Phys. 16, 015012 (2014): 3D Anderson, box disorder, E = 0.
W_C, NU = 16.54, 1.57


def synthetic(x_c, nu, xs, sizes, sigma, seed, coefficients=(0.47, -0.01, 3e-4), correction=0.0, y=2.0):
    """Q = sum_k a_k u^k + b L^-y with u = (x - x_c) L^(1/nu), plus Gaussian noise sigma."""
    x, L = np.meshgrid(np.asarray(xs, float), np.asarray(sizes, float))
    x, L = x.ravel(), L.ravel()
    u = (x - x_c) * L ** (1 / nu)
    exact = np.polynomial.polynomial.polyval(u, coefficients) + correction * L ** (-y)
    noise = sigma * np.random.default_rng(seed).standard_normal(x.size)
    return x, L, exact + noise, np.full(x.size, sigma), exact


@pytest.mark.parametrize("seed", [0, 1])
def test_fit_recovers_anderson_critical_point_and_exponent(seed):
    x, L, q, sigma, _ = synthetic(W_C, NU, np.linspace(14.5, 18.5, 9), (8, 12, 16, 20), 0.002, seed)
    fit = fit_scaling(x, L, q, sigma, order=2, n_boot=100, seed=seed)
    assert fit.x_c_interval[0] < W_C < fit.x_c_interval[1]
    assert fit.nu_interval[0] < NU < fit.nu_interval[1]
    assert abs(fit.x_c - W_C) < 0.01 * W_C and abs(fit.nu - NU) < 0.05 * NU
    assert fit.x_c_interval[1] - fit.x_c_interval[0] < 0.5  # the data do constrain W_c
    assert 0.5 < fit.chi2_dof < 1.6 and fit.dof == 36 - 5 and fit.n_bootstrap == 100
    assert fit.resampling == "errors" and not fit.at_bound
    assert np.all(np.abs(np.subtract(fit.coefficients, (0.47, -0.01, 3e-4))) < (2e-3, 1e-3, 1e-4))
    u, q_on_curve = collapse(fit, x, L, q)  # the collapsed points lie on the scaling function
    assert np.sqrt(np.mean(((q_on_curve - fit.scaling_function(u)) / sigma) ** 2)) < 1.3


def test_fit_works_on_percolation_scale_and_with_replicas():
    # Quantum site percolation: x = p in [0.38, 0.52]. The bootstrap replicas come from the
    # caller (here: independent redraws of every point, as a bootstrap over realizations gives).
    p_c, nu = 0.45, 1.4
    x, L, q, sigma, exact = synthetic(p_c, nu, np.linspace(0.40, 0.50, 11), (6, 10, 14), 0.003, 6,
                                      coefficients=(0.45, 1.5, -2.0))
    rng = np.random.default_rng(6)
    replicas = q + sigma * rng.standard_normal((150, q.size))
    fit = fit_scaling(x, L, q, sigma, order=2, replicas=replicas)
    assert fit.resampling == "realizations" and fit.n_bootstrap == 150
    assert fit.x_c_interval[0] < p_c < fit.x_c_interval[1]
    assert fit.nu_interval[0] < nu < fit.nu_interval[1]
    assert abs(fit.x_c - p_c) < 0.005
    with pytest.raises(DataError, match="replicas"):
        fit_scaling(x, L, q, sigma, replicas=replicas[:, :5])


def test_irrelevant_correction_removes_the_bias_of_small_sizes():
    # Strong corrections b L^-y: without them the fit is biased (chi^2/dof >> 1, interval
    # missing W_c); with them W_c and nu come back inside their intervals.
    x, L, q, sigma, _ = synthetic(W_C, NU, np.linspace(15.0, 18.0, 9), (6, 8, 12, 16, 24), 0.001, 0,
                                  correction=0.3, y=2.0)
    plain = fit_scaling(x, L, q, sigma, order=2, n_boot=60)
    assert plain.chi2_dof > 2.0 and not plain.x_c_interval[0] < W_C < plain.x_c_interval[1]
    corrected = fit_scaling(x, L, q, sigma, order=2, irrelevant=True, n_boot=60)
    assert corrected.chi2_dof < 1.5
    assert corrected.x_c_interval[0] < W_C < corrected.x_c_interval[1]
    assert corrected.nu_interval[0] < NU < corrected.nu_interval[1]
    assert corrected.correction > 0 and corrected.y > 0
    row = corrected.as_row()
    assert row["irrelevant"] and row["x_c_low"] < row["x_c"] < row["x_c_high"]


def test_fit_flags_an_unconstrained_critical_point():
    # Curves that do not depend on L (no transition in the window): x_c runs to a bound.
    x, L, q, sigma, _ = synthetic(W_C, NU, np.linspace(14.5, 18.5, 9), (8, 12, 16), 0.002, 3)
    flat = 0.5 - 0.01 * (x - 14.5) + sigma * np.random.default_rng(3).standard_normal(x.size)
    fit = fit_scaling(x, L, flat, sigma, order=1, n_boot=30)
    assert fit.at_bound and fit.as_row()["at_bound"]


def test_fit_refuses_what_it_cannot_fit():
    x, L, q, sigma, _ = synthetic(W_C, NU, [15.0, 16.0, 17.0], (8, 12), 0.01, 0)
    with pytest.raises(DataError, match="cannot fit"):
        fit_scaling(x, L, q, sigma, order=3)
    with pytest.raises(DataError, match="two system sizes"):
        fit_scaling(x[:3], L[:3], q[:3], sigma[:3], order=1)
    with pytest.raises(DataError, match="sigma"):
        fit_scaling(x, L, q, np.zeros_like(q), order=1)
    with pytest.raises(ParameterError, match="order"):
        fit_scaling(x, L, q, sigma, order=0)


def test_curve_crossings_of_lines():
    # y = x and y = 2 - x cross at (1, 1); grids need not coincide.
    assert curve_crossings([0, 0.5, 2], [0, 0.5, 2], [0, 1.5, 2], [2, 0.5, 0]) == [pytest.approx((1.0, 1.0))]
    assert curve_crossings([0, 1], [0, 1], [0, 1], [2, 3]) == []  # parallel
    assert curve_crossings([0, 1], [0, 1], [2, 3], [0, 1]) == []  # no overlap


def test_pairwise_crossings_without_and_with_corrections():
    xs = np.linspace(14.0, 19.0, 11)
    # Scaling function linear in u and W_c on the grid: every pair crosses exactly at W_c.
    x, L, q, _, _ = synthetic(16.5, NU, xs, (8, 12, 16), 0.0, 0, coefficients=(0.47, -0.01))
    crossings = pairwise_crossings(x, L, q)
    assert [(c.L1, c.L2) for c in crossings] == [(8, 12), (12, 16)]
    for c in crossings:
        assert c.x == pytest.approx(16.5, abs=1e-9) and c.q == pytest.approx(0.47) and c.n_crossings == 1
        assert np.isnan(c.x_error)  # no errors given, none made up
    # An irrelevant correction shifts the crossings of small sizes; they converge to W_c as L grows.
    x, L, q, sigma, exact = synthetic(16.5, NU, xs, (6, 8, 12, 16, 24), 0.0005, 0, coefficients=(0.47, -0.01),
                                      correction=0.3)
    shifts = [abs(c.x - 16.5) for c in pairwise_crossings(x, L, exact)]
    assert all(a > b for a, b in zip(shifts, shifts[1:])) and shifts[0] > 0.3
    noisy = pairwise_crossings(x, L, q, sigma, n_boot=200)
    assert len(noisy) == 4 and all(c.n_valid > 150 for c in noisy)
    for c, exact_shift in zip(noisy, shifts):  # the noisy crossing sits within its interval of the exact one
        assert c.interval[0] - 0.05 < 16.5 + exact_shift * np.sign(c.x - 16.5) < c.interval[1] + 0.05
        assert c.x_error > 0
