"""IPR and the correlation dimension D2 against exact results and the Anderson model."""

import math

import numpy as np
import pytest

from wavelearn.analysis.multifractal import binomial_cascade, box_moments, box_sizes, coarse_grain, \
    d2_box, d2_from_sizes, ipr, point_d2
from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel, build_hamiltonian


def uniform(L, dim):
    return np.full((1,) + (L,) * dim, 1.0 / L**dim)


def single_site(L, dim):
    density = np.zeros((1,) + (L,) * dim)
    density[(0,) + (L // 3,) * dim] = 1.0
    return density


def cascade_d2(p, dim=1):
    return -dim * math.log2(p**2 + (1 - p) ** 2)


def test_ipr_limits():
    np.testing.assert_allclose(ipr(uniform(6, 3)), [6.0**-3])
    np.testing.assert_allclose(ipr(single_site(6, 3)), [1.0])
    half = np.zeros((1, 4, 4))
    half[0, :2] = 1 / 8
    np.testing.assert_allclose(ipr(half), [1 / 8])


def test_coarse_graining_sums_boxes():
    rng = np.random.default_rng(0)
    density = rng.random((3, 6, 6, 6))
    density /= density.sum(axis=(1, 2, 3), keepdims=True)
    mu = coarse_grain(density, 2)
    assert mu.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(mu[1, 2, 0, 1], density[1, 4:6, 0:2, 2:4].sum())
    np.testing.assert_allclose(mu.sum(axis=(1, 2, 3)), 1.0)
    np.testing.assert_allclose(box_moments(density, (1, 6))[:, 0], ipr(density))
    np.testing.assert_allclose(box_moments(density, (1, 6))[:, 1], 1.0)  # one box holds everything
    assert box_sizes(20) == (1, 2, 4, 5, 10) and box_sizes(8) == (1, 2, 4)
    with pytest.raises(ParameterError, match="divisor"):
        coarse_grain(density, 4)


@pytest.mark.parametrize("dim, L", [(1, 64), (2, 16), (3, 8)])
def test_d2_of_uniform_and_single_site_states(dim, L):
    np.testing.assert_allclose(d2_box(uniform(L, dim)), [dim], atol=1e-12)
    np.testing.assert_allclose(d2_box(single_site(L, dim)), [0.0], atol=1e-12)


@pytest.mark.parametrize("p, dim, levels", [(0.3, 1, 10), (0.2, 1, 8), (0.35, 2, 6), (0.25, 3, 4)])
def test_d2_of_binomial_cascade(p, dim, levels):
    density = binomial_cascade(levels, p, dim)[None]
    assert density.shape == (1,) + (2**levels,) * dim and density.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(d2_box(density), [cascade_d2(p, dim)], rtol=1e-10)
    # Across sizes at fixed p: IPR(L) = L^-D2 exactly.
    by_size = {2**k: [ipr(binomial_cascade(k, p, dim)[None])] for k in range(2, levels + 1)}
    d2, err, _ = d2_from_sizes(by_size, n_boot=50)
    assert d2 == pytest.approx(cascade_d2(p, dim), rel=1e-10) and err == pytest.approx(0.0, abs=1e-12)


def test_uniform_states_across_sizes_give_d():
    d2, _, _ = d2_from_sizes({L: [ipr(uniform(L, 3))] for L in (4, 6, 8, 12)})
    assert d2 == pytest.approx(3.0, abs=1e-12)


def test_point_d2_bootstraps_over_realizations():
    # Realizations differ (random cascade weight p_k): the bootstrap error of the ensemble D2
    # must match the spread of independent re-draws of the whole point.
    rng = np.random.default_rng(1)

    def point(R=30, states=3):
        ps = rng.uniform(0.2, 0.4, R)
        density = np.stack([binomial_cascade(8, p) for p in np.repeat(ps, states)])
        sizes = box_sizes(256, largest=0.25)
        return point_d2(box_moments(density, sizes), sizes, 256, np.repeat(np.arange(R), states))

    estimate, error, replicas = point(R=30)
    assert replicas.shape == (400,) and error > 0
    assert cascade_d2(0.2) < estimate < cascade_d2(0.4)
    spread = np.std([point(R=30)[0] for _ in range(60)], ddof=1)
    assert error == pytest.approx(spread, rel=0.35)


def test_anderson_states_lose_dimension_with_disorder():
    # Dense diagonalization of 3D Anderson Hamiltonians, L = 8: the 10 states closest to
    # E = 0 are extended (D2 close to 3; L = 8 boxes 1, 2, 4) in the metal at W = 4 and
    # localized (D2 well below 1) at W = 40; the critical W = 16.5 lies in between.
    def d2_at(W, realizations=3):
        moments, realization = [], []
        for k in range(realizations):
            hamiltonian = build_hamiltonian(LatticeModel(dim=3, L=8, W=W), 0, k).matrix.toarray()
            energies, vectors = np.linalg.eigh(hamiltonian)
            picked = vectors[:, np.argsort(np.abs(energies))[:10]].T
            moments.append(box_moments((np.abs(picked) ** 2).reshape(-1, 8, 8, 8), (1, 2, 4)))
            realization += [k] * 10
        return point_d2(np.concatenate(moments), (1, 2, 4), 8, np.array(realization), n_boot=100)

    metal, critical, insulator = d2_at(4.0), d2_at(16.5), d2_at(40.0)
    assert 2.0 < metal[0] < 3.0
    assert 0.05 < insulator[0] < 0.8
    assert metal[0] - 5 * metal[1] > critical[0] > insulator[0] + 5 * insulator[1]
    typical = point_d2(np.array([[1 / 512, 1 / 64, 1 / 8]]), (1, 2, 4), 8, np.zeros(1, int), method="typical")
    assert typical[0] == pytest.approx(3.0)
