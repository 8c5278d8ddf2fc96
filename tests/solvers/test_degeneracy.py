"""The nev eigenpairs nearest E, whatever the degeneracy: every backend against exact diagonalisation.

Clean lattices (W = 0) have exactly degenerate levels (2D periodic L x L: the tight-binding
band -2 sum_mu cos k_mu with its lattice symmetries), flux lattices Landau/Hofstadter
degeneracy. A Krylov solver started from one vector sees one direction of each degenerate
eigenspace; without the inertia count it returns some copies of a level and then farther ones.
"""

import numpy as np
import pytest
import scipy.linalg

from wavelearn.errors import ConvergenceError
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.solvers import SolverSettings, get_solver
from wavelearn.solvers import base
from wavelearn.solvers.base import count_below, window_count

CLEAN_2D = LatticeModel(dim=2, L=8, W=0.0)
CLEAN_3D = LatticeModel(dim=3, L=6, W=0.0)
FLUX_4 = LatticeModel(dim=2, L=8, W=0.0, flux=1 / 4)
FLUX_8 = LatticeModel(dim=2, L=16, W=0.0, flux=1 / 8)
# Isolated clusters (single sites at 0, dimers at +-1, ...) repeat their levels many times.
PERCOLATION_2D = LatticeModel(dim=2, L=12, model="percolation", p=0.55, percolation="site", cluster="all")
PERCOLATION_3D = LatticeModel(dim=3, L=6, model="percolation", p=0.3, percolation="site", cluster="all")

# (model, E, nev): E at a degenerate level, just beside one, and between levels.
CASES = [
    (CLEAN_2D, 0.0, 6),
    (CLEAN_2D, 1e-3, 6),
    (CLEAN_2D, 2.0, 7),
    (CLEAN_2D, 2.0 - 1e-4, 9),
    (CLEAN_3D, 1.0, 10),
    (CLEAN_3D, 1.05, 10),
    (CLEAN_3D, 2.0, 40),
    (FLUX_4, 0.3, 8),
    (FLUX_4, -2.0, 12),
    (FLUX_8, -2.9, 10),
    (FLUX_8, -2.5, 20),
    (PERCOLATION_2D, 0.0, 8),
    (PERCOLATION_2D, 0.02, 14),
    (PERCOLATION_2D, 1.0, 6),
    (PERCOLATION_2D, 0.9, 12),
    (PERCOLATION_3D, 0.95, 10),
    (PERCOLATION_3D, 0.5, 30),
]


def case_id(case):
    model, energy, nev = case
    return f"{model.model}-{model.dim}d-L{model.L}-flux{model.flux:g}-E{energy:g}-nev{nev}"


def exact_nearest(H, energy, nev):
    spectrum = np.linalg.eigvalsh(H.toarray())
    return spectrum, spectrum[np.argsort(np.abs(spectrum - energy), kind="stable")[:nev]]


def same_subspace_error(a, b):
    return np.abs(np.linalg.svd(a.conj().T @ b, compute_uv=False) - 1).max()


# The mumps backend solves real H only (its refusal of a field: test_mumps.py).
BACKEND_CASES = [pytest.param(backend, case, id=f"{backend}-{case_id(case)}")
                 for backend in ("mumps", "slepc", "scipy", "dense") for case in CASES
                 if backend != "mumps" or case[0].flux == 0]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend, case", BACKEND_CASES)
def test_nearest_eigenvalues_despite_degeneracy(backend, case):
    model, energy, nev = case
    H = build_hamiltonian(model, 0, 0).matrix
    spectrum, nearest = exact_nearest(H, energy, nev)
    result = get_solver(backend).solve(H, SolverSettings(target=energy, nev=nev, tol=1e-12))
    # The distances |lambda - E| are unique even when the boundary level is not.
    np.testing.assert_allclose(np.sort(np.abs(result.values - energy)), np.sort(np.abs(nearest - energy)),
                               atol=1e-8)
    radius = np.abs(nearest - energy).max()
    on_boundary = np.abs(np.abs(spectrum - energy) - radius) < 1e-7
    inside = np.abs(spectrum - energy) < radius - 1e-7
    if on_boundary.sum() + inside.sum() > nev:  # a level straddles the nev boundary
        assert result.info["boundary_degeneracy"] == on_boundary.sum()
        assert result.info["boundary_returned"] == nev - inside.sum()
        strictly = np.abs(result.values - energy) < radius - 1e-7
        np.testing.assert_allclose(np.sort(result.values[strictly]), np.sort(spectrum[inside]), atol=1e-8)
        boundary_values = spectrum[on_boundary]
        for value in result.values[~strictly]:
            assert np.min(np.abs(boundary_values - value)) < 1e-8
    else:
        assert "boundary_degeneracy" not in result.info
        np.testing.assert_allclose(np.sort(result.values), np.sort(nearest), atol=1e-8)
    # With the pole 1e-9 from an exactly degenerate level (E = 2 in 3D: theta ~ 1e9) Krylov-Schur
    # converges the other pairs only to residuals ~1e-6; their eigenvalues are still good to
    # residual^2 / gap. The backends' own limit is 1e-6 (|E| + 1).
    assert result.residuals.max() < 1e-6 * (abs(energy) + 1)
    assert np.abs(result.vectors.conj().T @ result.vectors - np.eye(nev)).max() < 1e-10
    # Every level strictly inside the window comes back with its whole eigenspace.
    for level in np.unique(np.round(spectrum[inside], 9)):
        exact_space = scipy.linalg.null_space(H.toarray() - level * np.eye(H.shape[0]), rcond=1e-8)
        mine = result.vectors[:, np.abs(result.values - level) < 1e-7]
        assert mine.shape[1] == exact_space.shape[1]
        assert same_subspace_error(mine, exact_space) < 1e-6


def test_the_cases_are_degenerate_and_krylov_alone_misses_levels():
    """Without the count ARPACK returns farther levels: the cases above test something."""
    import scipy.sparse.linalg as spla

    H = build_hamiltonian(FLUX_8, 0, 0).matrix
    settings = SolverSettings(target=-2.9, nev=10, tol=1e-12)
    _, nearest = exact_nearest(H, -2.9, 10)
    v0 = np.random.default_rng(12345).standard_normal(H.shape[0]).astype(H.dtype)
    raw, _ = spla.eigsh(H.tocsc(), k=10, sigma=settings.sigma, which="LM", v0=v0, tol=1e-12)
    # ARPACK alone: 5 copies of the inner 8-fold level and 5 of the farther boundary level.
    inner = nearest[np.argmin(np.abs(nearest - settings.target))]
    assert np.count_nonzero(np.abs(raw - inner) < 1e-8) < np.count_nonzero(np.abs(nearest - inner) < 1e-8) == 8
    result = get_solver("scipy").solve(H, settings)
    assert result.info["completion_rounds"] >= 1


@pytest.mark.parametrize("model", [CLEAN_2D, CLEAN_3D, FLUX_4,
                                   LatticeModel(dim=2, L=12, model="percolation", p=0.55, percolation="site", cluster="all"),
                                   LatticeModel(dim=3, L=4, W=3.0, flux=0.25)],
                         ids=lambda m: m.label())
def test_inertia_count_equals_exact_count(model):
    # Reference: Sylvester's law on the dense LDL^T of scipy.linalg.ldl, and the spectrum itself.
    H = build_hamiltonian(model, 3, 0).matrix
    spectrum = np.linalg.eigvalsh(H.toarray())
    shifts = [s for s in np.linspace(-5.5, 5.5, 23) if np.min(np.abs(spectrum - s)) > 1e-6]
    shifts += [spectrum[7] + 1e-7, spectrum[7] - 1e-7]
    for shift in shifts:
        _, d, _ = scipy.linalg.ldl(H.toarray() - shift * np.eye(H.shape[0]), hermitian=True)
        dense_negative = int(np.sum(np.linalg.eigvalsh(d) < 0))  # d has 1x1 and 2x2 blocks
        assert count_below(H, shift) == int(np.sum(spectrum < shift)) == dense_negative, shift


def test_window_count_on_a_straddling_level():
    H = build_hamiltonian(CLEAN_2D).matrix
    settings = SolverSettings(target=2.0, nev=6)
    spectrum = np.linalg.eigvalsh(H.toarray())
    # E = 2 is 4-fold; the next level sqrt(2) (distance 2 - sqrt 2) is 8-fold: 4 + 8 = 12 > 6.
    values = np.array([2.0] * 4 + [np.sqrt(2)] * 2)
    count = window_count(H, settings, values)
    assert (count.inner, count.inner_returned, count.outer) == (4, 4, 4 + int(np.sum(np.abs(spectrum - np.sqrt(2)) < 1e-9)))
    assert count.straddles and count.missing == 0 and count.boundary_returned == 2
    # Two copies of E = 2 and farther levels: two inner eigenvalues are missing.
    missing = window_count(H, settings, np.array([2.0] * 2 + [np.sqrt(2)] * 4))
    assert missing.missing == 2 and not missing.straddles


def test_non_degenerate_results_are_unchanged_by_the_count():
    """Disordered H: no completion round, no flag, and the values are those ARPACK returned."""
    import scipy.sparse.linalg as spla

    H = build_hamiltonian(LatticeModel(dim=3, L=6, W=8.0), 0, 0).matrix
    settings = SolverSettings(target=0.3, nev=6, tol=1e-12)
    v0 = np.random.default_rng(12345).standard_normal(H.shape[0]).astype(H.dtype)
    raw, _ = spla.eigsh(H.tocsc(), k=6, sigma=settings.sigma, which="LM", v0=v0, tol=1e-12)
    result = get_solver("scipy").solve(H, settings)
    np.testing.assert_array_equal(result.values, raw[np.argsort(np.abs(raw - 0.3), kind="stable")])
    assert set(result.info) == {"converged", "arithmetic"}


def test_completion_gives_up_with_a_clear_error(monkeypatch):
    H = build_hamiltonian(FLUX_8, 0, 0).matrix
    monkeypatch.setattr(base, "MAX_COMPLETION_ROUNDS", 0)
    with pytest.raises(ConvergenceError, match=r"eigenvalues within .* of E=-2.9 still missing after 0 deflated"):
        get_solver("scipy").solve(H, SolverSettings(target=-2.9, nev=10, tol=1e-12))


@pytest.mark.mpi
@pytest.mark.timeout(120)
def test_two_ranks_find_every_copy(tmp_path, wavelearn_cmd, env):
    import subprocess

    from wavelearn.io.shards import read_shard

    out = tmp_path / "flux.h5"
    args = ["eigensolve", "--dim", "2", "--L", "16", "--W", "0", "--flux", "0.125", "--energy", "-2.9",
            "--nev", "10", "--seed", "1", "--realizations", "0:1", "--no-progress", "--output", str(out)]
    # env: the environment before this process initialised MPI in-process (the other tests
    # here call slepc directly), whose singleton variables would confuse a nested mpiexec.
    done = subprocess.run(wavelearn_cmd(*args, ranks=2), capture_output=True, text=True, timeout=100, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    shard = read_shard(out)
    H = build_hamiltonian(FLUX_8, 0, 0).matrix
    _, nearest = exact_nearest(H, -2.9, 10)
    np.testing.assert_allclose(np.sort(np.abs(shard.eigenvalues[0] + 2.9)), np.sort(np.abs(nearest + 2.9)),
                               atol=1e-8)
    # Without the inertia count ARPACK misses some of the inner level: this case needs completion.
    assert get_solver("scipy").solve(H, SolverSettings(target=-2.9, nev=10)).info["completion_rounds"] >= 1
