"""Level-spacing ratios against random-matrix theory, Poisson statistics and the Anderson model."""

import math

import numpy as np
import pytest

from wavelearn.analysis.levels import GOE_R, GUE_R, POISSON_R, RatioVariance, mean_ratio, ratio_variance, \
    ratios_by_realization, realizations_needed, spacing_ratios
from wavelearn.errors import DataError, ParameterError
from wavelearn.lattice import LatticeModel, build_hamiltonian


def goe(rng, n):
    a = rng.standard_normal((n, n))
    return (a + a.T) / 2


def gue(rng, n):
    a = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return (a + a.conj().T) / 2


def bulk_ratios(rng, make, n=400, matrices=10):
    """Ratios of the central half of the spectrum of each matrix (the semicircle's edges have
    different local statistics at finite n); one matrix plays one realization."""
    return [spacing_ratios(np.linalg.eigvalsh(make(rng, n))[n // 4: 3 * n // 4]) for _ in range(matrices)]


def test_spacing_ratio_definition():
    np.testing.assert_allclose(spacing_ratios([0.0, 1.0, 2.0, 3.0]), [1.0, 1.0])
    np.testing.assert_allclose(spacing_ratios([3.0, 0.0, 1.0]), [0.5])  # sorted first: spacings 1, 2
    np.testing.assert_allclose(spacing_ratios([0.0, 1.0, 1.0, 4.0]), [0.0, 0.0])  # a degenerate pair
    assert np.isnan(spacing_ratios([1.0, 1.0, 1.0, 2.0])[0])  # 0/0: undefined, dropped by averages
    assert spacing_ratios([1.0, 2.0]).size == 0
    # Invariant under shifts and rescaling of the spectrum: no unfolding needed.
    levels = np.random.default_rng(0).random(20)
    np.testing.assert_allclose(spacing_ratios(3.7 * levels - 2.0), spacing_ratios(levels))


def test_reference_constants():
    # Atas et al. PRL 110, 084101 (2013), Table I; Poisson exactly 2 ln 2 - 1.
    assert (GOE_R, GUE_R) == (0.5307, 0.5996)
    assert POISSON_R == pytest.approx(0.3863, abs=5e-5)


@pytest.mark.parametrize("make, expected, others", [(goe, GOE_R, (GUE_R, POISSON_R)),
                                                     (gue, GUE_R, (GOE_R, POISSON_R))])
def test_random_matrices_give_their_ensemble(make, expected, others):
    m = mean_ratio(bulk_ratios(np.random.default_rng(1), make))
    assert m.realizations == 10 and m.ratios == 10 * 198
    assert 0.003 < m.error < 0.01
    assert abs(m.mean - expected) < 3 * m.error
    for other in others:  # and the observable resolves the symmetry class
        assert abs(m.mean - other) > 6 * m.error


def test_uncorrelated_levels_give_poisson():
    rng = np.random.default_rng(2)
    m = mean_ratio([spacing_ratios(rng.random(200)) for _ in range(20)])
    assert abs(m.mean - POISSON_R) < 3 * m.error
    assert abs(m.mean - GOE_R) > 10 * m.error


def anderson_ratios(W, realizations=8, window=60):
    """r of the `window` levels closest to E = 0 of 3D Anderson Hamiltonians, L = 8."""
    out = []
    for k in range(realizations):
        levels = np.linalg.eigvalsh(build_hamiltonian(LatticeModel(dim=3, L=8, W=W), 0, k).matrix.toarray())
        out.append(spacing_ratios(levels[np.argsort(np.abs(levels))[:window]]))
    return out


def test_anderson_metal_is_goe_and_insulator_is_poisson():
    # At L = 8 the insulator keeps a little level repulsion between states whose tails overlap:
    # 40 realizations give <r> = 0.408 +- 0.007 at W = 40 (0.398 at W = 60), 0.522 +- 0.006 at W = 4.
    metal, insulator = mean_ratio(anderson_ratios(4.0)), mean_ratio(anderson_ratios(40.0))
    assert abs(metal.mean - GOE_R) < 3 * metal.error
    assert abs(insulator.mean - POISSON_R) < 0.035 and insulator.mean > POISSON_R - 3 * insulator.error
    assert metal.mean - insulator.mean > 5 * math.hypot(metal.error, insulator.error)


def test_grouping_by_realization_and_bootstrap_error():
    rng = np.random.default_rng(3)
    windows = [rng.random(7) for _ in range(300)]
    eigenvalues = np.concatenate(windows)
    realization = np.repeat(np.arange(300), 7)
    order = rng.permutation(eigenvalues.size)  # a dataset need not be sorted
    ratios = ratios_by_realization(eigenvalues[order], realization[order])
    assert len(ratios) == 300 and all(len(r) == 5 for r in ratios)
    np.testing.assert_allclose(np.sort(ratios[0]), np.sort(spacing_ratios(windows[0])))
    # With equal windows the bootstrap error is the standard error of the realization means.
    m = mean_ratio(ratios)
    analytic = np.std([r.mean() for r in ratios], ddof=1) / np.sqrt(300)
    assert m.error == pytest.approx(analytic, rel=0.15)
    with pytest.raises(DataError):
        mean_ratio([np.empty(0)])


def test_predicted_error_matches_repeated_experiments():
    # Measure the variance model once at nev = 5 (the anderson3d-large campaign), then predict
    # the error of <r> from R = 40 realizations at nev = 5, 12 and 50, and compare with the
    # spread of 200 independent such experiments.
    rng = np.random.default_rng(4)
    pilot = [spacing_ratios(rng.random(5)) for _ in range(3000)]
    variance = ratio_variance(pilot)
    assert variance.nev == 5 and variance.variance > 0 and variance.lag1 > 0  # neighbours share a spacing
    for nev in (5, 12, 50):
        means = [np.mean([spacing_ratios(rng.random(nev)).mean() for _ in range(40)]) for _ in range(200)]
        assert variance.error(40, nev) == pytest.approx(np.std(means, ddof=1), rel=0.2)
    needed = variance.realizations_needed(0.005)
    assert variance.error(needed) <= 0.005 < variance.error(needed - 1)
    assert realizations_needed(0.0025, 5, pilot) == pytest.approx(4 * needed, rel=0.01)
    assert variance.realizations_needed(0.005, nev=50) < needed / 10  # wider windows: fewer realizations


def test_variance_rejects_bad_input():
    with pytest.raises(DataError, match="nev >= 5"):
        ratio_variance([np.array([0.5, 0.2])] * 10)
    with pytest.raises(ParameterError):
        RatioVariance(variance=0.05, lag1=0.0, between=0.0, nev=5).realizations_needed(0.0)
    with pytest.raises(ParameterError):
        RatioVariance(variance=-1.0, lag1=0.0, between=0.0, nev=5)
