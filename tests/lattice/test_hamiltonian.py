"""The lattice Hamiltonians against analytic spectra and symmetry relations."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from wavelearn.lattice import LatticeModel, build_hamiltonian


def spectrum(model, seed=0, k=0):
    return np.linalg.eigvalsh(build_hamiltonian(model, seed, k).matrix.toarray())


def tight_binding_band(L, dim, boundary):
    """E = -2 sum_a cos k_a with k = 2 pi m / L (periodic) or pi m / (L + 1) (open)."""
    if boundary == "periodic":
        k = 2 * np.pi * np.arange(L) / L
    else:
        k = np.pi * np.arange(1, L + 1) / (L + 1)
    energies = [-2 * sum(np.cos(ks)) for ks in itertools.product(k, repeat=dim)]
    return np.sort(energies)


def harper_spectrum(L, p, q):
    """Hofstadter spectrum of the L x L periodic square lattice at flux p/q per plaquette.

    Magnetic Bloch theorem in the Landau gauge of the model (phase exp(2 pi i phi x) on hops
    along y): psi(x, y) = exp(i kx x + i ky y) u(x mod q) with kx = 2 pi m / L over the L/q
    magnetic cells, ky = 2 pi n / L, and u an eigenvector of the q x q Harper matrix
        h[s, s] = -2 cos(ky - 2 pi phi s),   hops s -> s + 1 with -1 (Bloch phase at the cell edge).
    """
    phi = p / q
    energies = []
    for m, n in itertools.product(range(L // q), range(L)):
        kx, ky = 2 * np.pi * m / L, 2 * np.pi * n / L
        h = np.diag(-2 * np.cos(ky - 2 * np.pi * phi * np.arange(q))).astype(complex)
        for s in range(q):
            t = (s + 1) % q
            phase = np.exp(1j * kx * q) if s + 1 == q else 1.0
            h[t, s] += -phase  # hop s -> s+1, the last one into the next magnetic cell
            h[s, t] += -np.conj(phase)
        energies.extend(np.linalg.eigvalsh(h))
    return np.sort(energies)


MODELS = [
    LatticeModel(dim=3, L=5, W=4.0),
    LatticeModel(dim=2, L=8, W=2.0, distribution="gaussian", flux=0.25),
    LatticeModel(dim=3, L=4, W=1.0, distribution="cauchy", flux=0.5),
    LatticeModel(dim=3, L=5, model="percolation", p=0.6, percolation="site", W=1.0),
    LatticeModel(dim=2, L=7, model="percolation", p=0.5, percolation="bond", flux=3 / 7),
    LatticeModel(dim=2, L=6, W=3.0, flux=0.17, boundary="open"),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.label())
def test_hermitian_and_dtype(model):
    H = build_hamiltonian(model, 3, 1).matrix
    assert abs(H - H.conj().T).max() < 1e-14
    assert H.dtype == (np.complex128 if model.flux else np.float64)


@pytest.mark.parametrize("dim, L, boundary", [(2, 6, "periodic"), (3, 4, "periodic"), (2, 2, "periodic"),
                                              (2, 7, "open"), (3, 5, "open")])
def test_clean_spectrum_is_the_tight_binding_band(dim, L, boundary):
    model = LatticeModel(dim=dim, L=L, boundary=boundary)
    np.testing.assert_allclose(spectrum(model), tight_binding_band(L, dim, boundary), atol=1e-10)


@pytest.mark.parametrize("p, q, L", [(1, 3, 9), (1, 4, 8), (2, 5, 10), (1, 2, 6)])
def test_clean_flux_spectrum_is_hofstadter(p, q, L):
    model = LatticeModel(dim=2, L=L, flux=p / q)
    np.testing.assert_allclose(spectrum(model), harper_spectrum(L, p, q), atol=1e-10)


def test_3d_flux_spectrum_separates_into_harper_plus_z_band():
    L, q = 6, 3
    expected = np.sort([e + ez for e in harper_spectrum(L, 1, q) for ez in -2 * np.cos(2 * np.pi * np.arange(L) / L)])
    np.testing.assert_allclose(spectrum(LatticeModel(dim=3, L=L, flux=1 / q)), expected, atol=1e-10)


def test_flux_is_gauge_periodic_and_time_reversal_symmetric():
    # (Different flux values are different points with different disorder: use clean lattices.)
    reference = build_hamiltonian(LatticeModel(dim=2, L=6, flux=1 / 3)).matrix
    # phi -> phi + 1 multiplies each Peierls phase by exp(2 pi i x) = 1
    shifted = build_hamiltonian(LatticeModel(dim=2, L=6, flux=4 / 3)).matrix
    assert abs(shifted - reference).max() < 1e-12
    # phi -> -phi is complex conjugation (time reversal)
    reversed_field = build_hamiltonian(LatticeModel(dim=2, L=6, flux=-1 / 3)).matrix
    assert abs(reversed_field - reference.conj()).max() < 1e-14


def test_flux_changes_the_spectrum():
    clean = spectrum(LatticeModel(dim=2, L=6))
    assert np.abs(spectrum(LatticeModel(dim=2, L=6, flux=1 / 3)) - clean).max() > 0.1


@pytest.mark.parametrize("kind", ["site", "bond"])
def test_full_occupation_is_the_clean_lattice(kind):
    clean = build_hamiltonian(LatticeModel(dim=3, L=4, W=2.0), 5, 0)
    full = build_hamiltonian(LatticeModel(dim=3, L=4, W=2.0, model="percolation", p=1.0, percolation=kind), 5, 0)
    assert full.dimension == 64
    # Same W and p=1: only the model name differs, so the disorder draws differ; compare hops.
    off = lambda H: H - sp.diags(H.diagonal())  # noqa: E731
    assert abs(off(full.matrix) - off(clean.matrix)).max() == 0
    np.testing.assert_allclose(
        spectrum(LatticeModel(dim=3, L=4, model="percolation", p=1.0, percolation=kind)),
        tight_binding_band(4, 3, "periodic"), atol=1e-10)


def test_site_percolation_removes_sites_and_keeps_coordinates():
    model = LatticeModel(dim=2, L=20, model="percolation", p=0.6, percolation="site", cluster="all")
    H = build_hamiltonian(model, 1, 0)
    assert 0.5 < H.dimension / 400 < 0.7
    coords = H.coordinates
    assert coords.shape == (H.dimension, 2)
    # Every hop connects lattice neighbours (periodic distance 1) among kept sites.
    rows, cols = H.matrix.nonzero()
    offdiag = rows != cols
    d = np.abs(coords[rows[offdiag]] - coords[cols[offdiag]])
    d = np.minimum(d, 20 - d).sum(axis=1)
    assert np.all(d == 1)


def test_bond_percolation_keeps_a_fraction_p_of_bonds():
    model = LatticeModel(dim=3, L=12, model="percolation", p=0.3, percolation="bond", cluster="all")
    H = build_hamiltonian(model, 1, 0).matrix
    bonds = (H.nnz - H.shape[0]) / 2  # diagonal stored explicitly
    assert abs(bonds / (3 * 12**3) - 0.3) < 0.02


def test_clean_bipartite_spectrum_is_chiral_symmetric():
    # Percolation without on-site disorder keeps the lattice bipartite: E <-> -E.
    model = LatticeModel(dim=3, L=6, model="percolation", p=0.7, percolation="site")
    e = spectrum(model)
    np.testing.assert_allclose(e, -e[::-1], atol=1e-9)


@pytest.mark.parametrize(
    "distribution, check",
    [
        ("box", lambda e, W: np.all(np.abs(e) <= W / 2) and abs(e.var() - W**2 / 12) < 0.03 * W**2 / 12),
        ("gaussian", lambda e, W: abs(e.std() - W) < 0.02 * W),
        ("cauchy", lambda e, W: abs(np.median(np.abs(e)) - W) < 0.03 * W),  # half width W
    ],
)
def test_disorder_distributions(distribution, check):
    W = 2.5
    eps = build_hamiltonian(LatticeModel(dim=3, L=30, W=W, distribution=distribution), 0, 0).matrix.diagonal()
    assert abs(eps.mean()) < 0.05 * W or distribution == "cauchy"
    assert check(eps, W)


def test_on_lattice_scatters_values_and_zeros_removed_sites():
    model = LatticeModel(dim=2, L=5, model="percolation", p=0.5, percolation="site")
    H = build_hamiltonian(model, 0, 0)
    full = H.on_lattice(np.arange(1, H.dimension + 1, dtype=float))
    assert full.shape == (5, 5)
    assert np.count_nonzero(full) == H.dimension
    assert full.ravel()[H.sites[-1]] == H.dimension
