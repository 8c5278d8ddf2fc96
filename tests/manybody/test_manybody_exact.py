"""Spin Hamiltonians and exact diagonalisation against closed forms and an independent construction."""

import functools

import numpy as np
import pytest

from wavelearn.errors import ParameterError
from wavelearn.manybody import SpinHilbert, SpinLattice, SpinModel
from wavelearn.manybody.exact import ground_state, ising_chain_energy
from wavelearn.manybody.hamiltonians import marshall_sign

PAULI = {"x": np.array([[0, 1], [1, 0]], complex), "y": np.array([[0, -1j], [1j, 0]]),
         "z": np.array([[1, 0], [0, -1]], complex)}


def site_operator(op, i, n):
    """sigma^op on site i of n as a 2^n matrix; site i is bit i of the basis index (bit 1 = up).

    np.kron puts site 0 as the most significant factor, so the factors run from site n-1 down
    to site 0; the Pauli z with up = index 0 becomes diag(-1, +1) in the bit convention."""
    local = {"x": PAULI["x"], "y": -PAULI["y"], "z": -PAULI["z"]}[op]  # basis order (down, up)
    out = np.array([[1.0 + 0j]])
    for site in reversed(range(n)):
        out = np.kron(out, local if site == i else np.eye(2))
    return out


@functools.lru_cache(maxsize=None)
def kron_hamiltonian(model: SpinModel) -> np.ndarray:
    """The same H written term by term from Kronecker products (no shared code with the package)."""
    n = model.n_sites
    ops = {(a, i): site_operator(a, i, n) for a in "xyz" for i in range(n)}
    H = np.zeros((2**n, 2**n), complex)
    for i, j in model.lattice.bonds:
        if model.model == "ising":
            H -= model.J * ops["z", i] @ ops["z", j]
        else:
            H += model.J * (ops["x", i] @ ops["x", j] + ops["y", i] @ ops["y", j]
                            + model.delta * ops["z", i] @ ops["z", j])
    if model.model == "j1j2":
        for i, j in model.lattice.next_bonds:
            H += model.J2 * sum(ops[a, i] @ ops[a, j] for a in "xyz")
    for i in range(n):
        if model.model == "ising":
            H -= model.h * ops["x", i]
        H += model.fields[i] * ops["z", i]
    return H


@pytest.mark.parametrize("n, h", [(4, 0.5), (6, 1.0), (8, 1.7), (10, 0.3)])
def test_ising_chain_closed_form(n, h):
    E = ground_state(SpinModel("ising", "chain", n, J=1.0, h=h), backend="dense").energy
    assert E == pytest.approx(ising_chain_energy(n, 1.0, h), rel=1e-12, abs=1e-11)


def test_ising_scipy_backend_matches_closed_form():
    model = SpinModel("ising", "chain", 14, h=1.0)  # critical point, dimension 16384
    assert ground_state(model, backend="scipy").energy == pytest.approx(ising_chain_energy(14), rel=1e-10)


def test_heisenberg_n4_known_value():
    # S convention: E0 = -2 J for the 4-site ring; Pauli convention: 4x that.
    for backend in ("dense", "scipy"):
        assert ground_state(SpinModel("heisenberg", "chain", 4), backend=backend, nev=1 if backend == "dense"
                            else 1).energy == pytest.approx(-8.0, abs=1e-10)


@pytest.mark.parametrize("n", [4, 6, 8])
def test_heisenberg_chain_against_kronecker(n):
    model = SpinModel("heisenberg", "chain", n)
    reference = np.linalg.eigvalsh(kron_hamiltonian(model))[0]
    assert ground_state(model, backend="dense").energy == pytest.approx(reference, abs=1e-9)
    # the full H agrees element by element with the independent construction
    full = model.matrix(model.hilbert(None)).toarray()
    np.testing.assert_allclose(full, kron_hamiltonian(model).real, atol=1e-12)


def test_heisenberg_ring_of_10_published_value():
    # E0 = -4.515446354 J with S operators for the periodic N = 10 chain (Bonner-Fisher series of
    # exact diagonalisations); x4 in the Pauli convention
    E = ground_state(SpinModel("heisenberg", "chain", 10), backend="scipy").energy
    assert E == pytest.approx(4 * -4.515446354, abs=1e-8)


@pytest.mark.parametrize("model", [
    SpinModel("xxz", "chain", 6, delta=0.5, W=1.5, seed=3),
    SpinModel("ising", "chain", 6, h=0.7, W=0.8, seed=1, realization=2),
    SpinModel("j1j2", "chain", 8, J2=0.5, W=0.5),
    SpinModel("heisenberg", "square", 3, W=2.0),
], ids=lambda m: m.label())
def test_full_matrices_against_kronecker(model):
    full = model.matrix(model.hilbert(None)).toarray()
    np.testing.assert_allclose(full, kron_hamiltonian(model).real, atol=1e-12)
    assert np.all(np.abs(kron_hamiltonian(model).imag) < 1e-12)


def test_square_4x4_heisenberg_energy():
    # published: E0 / N = -0.701780 J (S convention) for the 4x4 periodic Heisenberg antiferromagnet
    E = ground_state(SpinModel("heisenberg", "square", 4), backend="scipy").energy
    assert E / 16 / 4 == pytest.approx(-0.7017802, abs=1e-6)


def test_sz_sectors_reassemble_the_spectrum():
    model = SpinModel("xxz", "chain", 6, delta=0.7, W=1.0, seed=5)
    full = np.linalg.eigvalsh(model.matrix(model.hilbert(None)).toarray())
    sectors = np.concatenate([np.linalg.eigvalsh(model.matrix(SpinHilbert(6, sz)).toarray())
                              for sz in (-3, -2, -1, 0, 1, 2, 3)])
    np.testing.assert_allclose(np.sort(sectors), full, atol=1e-10)


def test_marshall_rotation_keeps_spectrum_and_makes_ground_state_positive():
    model = SpinModel("heisenberg", "chain", 8)
    hilbert = model.hilbert()
    H, U = model.matrix(hilbert).toarray(), model.matrix(hilbert, marshall=True).toarray()
    np.testing.assert_allclose(np.linalg.eigvalsh(U), np.linalg.eigvalsh(H), atol=1e-10)
    off = U - np.diag(np.diag(U))
    assert off.max() <= 0 and off.min() < 0  # stoquastic
    psi = np.linalg.eigh(H)[1][:, 0]
    signs = marshall_sign(model.lattice, hilbert.configurations())
    rotated = psi * signs
    rotated *= np.sign(rotated[np.argmax(np.abs(rotated))])
    assert rotated.min() > -1e-12  # Marshall's sign rule: psi(sigma) * sign(sigma) >= 0


def test_hilbert_encoding_and_sector_enumeration():
    h = SpinHilbert(10, 1.0)
    assert h.size == 210 and len(h.states) == 210
    assert np.all(np.bitwise_count(h.states) == 6) and np.all(np.diff(h.states) > 0)
    conf = h.configurations()
    np.testing.assert_array_equal(h.encode(conf), h.states)
    np.testing.assert_array_equal(h.index(h.states[::7]), np.arange(0, 210, 7))
    assert h.index(np.array([0]))[0] == -1


def test_fields_reproducible_and_in_range():
    a = SpinModel("heisenberg", "chain", 10, W=3.0, seed=7, realization=1)
    b = SpinModel("heisenberg", "chain", 10, W=3.0, seed=7, realization=1)
    c = SpinModel("heisenberg", "chain", 10, W=3.0, seed=7, realization=2)
    np.testing.assert_array_equal(a.fields, b.fields)
    assert not np.allclose(a.fields, c.fields)
    assert np.all(np.abs(a.fields) <= 3.0) and np.ptp(a.fields) > 1.0


def test_connected_elements_reproduce_matrix():
    model = SpinModel("j1j2", "chain", 6, J2=0.3, W=1.0)
    hilbert = model.hilbert(None)
    H = model.matrix(hilbert).toarray()
    sigma = hilbert.configurations()
    primes, mels = model.terms.connected(sigma)
    rebuilt = np.zeros_like(H)
    for col in range(len(sigma)):
        rows = hilbert.index(hilbert.encode(primes[col]))
        np.add.at(rebuilt[:, col], rows, mels[col])
    np.testing.assert_allclose(rebuilt, H, atol=1e-12)


def test_impossible_inputs():
    with pytest.raises(ParameterError, match="sz=0"):
        SpinHilbert(7, 0)
    with pytest.raises(ParameterError, match="L=2"):
        SpinLattice("chain", 2)
    with pytest.raises(ParameterError, match="next-nearest"):
        SpinModel("j1j2", "chain", 4, J2=0.5)
    with pytest.raises(ParameterError, match="not bipartite"):
        _ = SpinLattice("chain", 7).sublattice
    with pytest.raises(ParameterError, match="does not conserve"):
        SpinModel("ising", "chain", 6).hilbert(0)
    with pytest.raises(ParameterError, match="backend dense: N=16"):
        ground_state(SpinModel("heisenberg", "square", 4), backend="dense")
    with pytest.raises(ParameterError, match="W="):
        SpinModel(W=-1.0)
    with pytest.raises(ParameterError, match="model="):
        SpinModel("hubbard")
