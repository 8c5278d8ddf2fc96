"""The real-arithmetic path: MUMPS LDL^T through the C shim, block Lanczos, the auto backend."""

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from wavelearn.errors import ParameterError, WavelearnError
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.solvers import LowestSettings, SolverSettings, get_solver, real_mumps
from wavelearn.solvers.block_krylov import block_lanczos
from wavelearn.solvers.real_mumps import RealFactor

ANDERSON = LatticeModel(dim=3, L=8, W=16.5)


def same_subspace_error(a, b):
    return np.abs(np.linalg.svd(a.conj().T @ b, compute_uv=False) - 1).max()


def test_the_shim_is_installed():
    # make install builds it; without it auto would quietly take the complex path everywhere.
    assert real_mumps.available(), f"{real_mumps.library_path()} missing: run make install"


def test_real_path_agrees_with_the_complex_slepc_path_to_the_tolerance():
    H = build_hamiltonian(ANDERSON, 3, 0).matrix
    settings = SolverSettings(target=0.2, nev=6, tol=1e-10)
    real = get_solver("mumps").solve(H, settings)
    cplx = get_solver("slepc").solve(H, settings)
    assert real.info["arithmetic"] == "real" and cplx.info["arithmetic"] == "complex"
    assert real.vectors.dtype == np.float64
    np.testing.assert_allclose(real.values, cplx.values, rtol=0, atol=1e-10)
    assert same_subspace_error(real.vectors, cplx.vectors) < 1e-8
    assert real.residuals.max() < 1e-8


def test_auto_picks_the_path_from_the_hamiltonian():
    auto = get_solver("auto")
    real = auto.solve(build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0), 0, 0).matrix, SolverSettings(nev=3))
    field = auto.solve(build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0, flux=0.1), 0, 0).matrix,
                       SolverSettings(nev=3))
    lowest = auto.solve(build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0), 0, 0).matrix, LowestSettings(nev=3))
    assert (real.info["backend"], real.info["arithmetic"]) == ("mumps", "real")
    assert (field.info["backend"], field.info["arithmetic"]) == ("slepc", "complex")
    assert lowest.info["backend"] == "slepc"  # no shift-and-invert: nothing to factorise
    # Several MPI ranks: the MPI-parallel path whatever H.
    assert get_solver("auto", ranks=2).choose(build_hamiltonian(ANDERSON).matrix, SolverSettings()) == "slepc"


def test_auto_without_the_shim_takes_the_complex_path_and_mumps_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv(real_mumps.LIBRARY_VARIABLE, str(tmp_path / "missing.so"))
    H = build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0), 0, 0).matrix
    assert get_solver("auto").solve(H, SolverSettings(nev=3)).info["backend"] == "slepc"
    monkeypatch.setattr(real_mumps, "_library", None)
    with pytest.raises(WavelearnError, match="missing.so not found: run 'make install'"):
        get_solver("mumps").solve(H, SolverSettings(nev=3))


def test_mumps_refuses_a_field_and_the_lowest_mode():
    field = build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0, flux=0.1), 0, 0).matrix
    with pytest.raises(ParameterError, match="backend mumps solves real H only; a magnetic field"):
        get_solver("mumps").solve(field, SolverSettings(nev=3))
    real = build_hamiltonian(LatticeModel(dim=2, L=10, W=3.0), 0, 0).matrix
    with pytest.raises(ParameterError, match="finds eigenpairs near E"):
        get_solver("mumps").solve(real, LowestSettings(nev=3))


def test_repeated_solves_are_bit_identical_and_reuse_the_analysis():
    solver = get_solver("mumps")
    settings = SolverSettings(nev=5)
    first = [solver.solve(build_hamiltonian(ANDERSON, 0, k).matrix, settings) for k in range(3)]
    again = get_solver("mumps").solve(build_hamiltonian(ANDERSON, 0, 2).matrix, settings)
    # Realization 2 with a reused analysis (same sparsity pattern) equals a fresh solve exactly.
    assert np.array_equal(first[2].values, again.values)
    assert np.array_equal(first[2].vectors, again.vectors)
    assert solver._factor.seconds["analysis"] == 0.0


@pytest.mark.parametrize("ordering", ["scotch", "pord"])
def test_orderings_are_deterministic_across_processes(ordering):
    # SCOTCH draws random numbers and threads: without the shim's single thread and reset
    # generator two analyses of one matrix gave different orderings and different rounding.
    code = (f"import numpy as np; from wavelearn.lattice import LatticeModel, build_hamiltonian; "
            f"from wavelearn.solvers.real_mumps import RealFactor; "
            f"H = build_hamiltonian(LatticeModel(dim=3, L=10, W=16.5), 0, 0).matrix; "
            f"fs = [RealFactor(H, ordering={ordering!r}) for _ in range(3)]; "
            f"print(json.dumps([[f.rinfog(1) for f in fs], fs[-1].solve(np.ones(H.shape[0]))[:3].tolist()]))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True,
                                      text=True, check=True).stdout) for _ in range(2)]
    assert len(set(runs[0][0])) == 1 and runs[0] == runs[1]


def test_factor_solves_blocks_and_counts_inertia():
    H = build_hamiltonian(LatticeModel(dim=3, L=6, W=12.0), 1, 0).matrix
    shift = 0.37
    A = (H - shift * sp.identity(H.shape[0])).tocsr()
    factor = RealFactor(A)
    rhs = np.random.default_rng(0).standard_normal((H.shape[0], 5))
    block = factor.solve(rhs)
    np.testing.assert_allclose(A @ block, rhs, atol=1e-10)
    np.testing.assert_allclose(block[:, 2], factor.solve(rhs[:, 2]), atol=1e-12)  # a block = column by column
    # Sylvester: negative pivots of LDL^T = eigenvalues below the shift.
    assert factor.negative_pivots == int(np.sum(np.linalg.eigvalsh(H.toarray()) < shift))
    unsymmetric = RealFactor(A, symmetric=False)
    np.testing.assert_allclose(unsymmetric.solve(rhs), block, atol=1e-10)


def test_block_lanczos_on_a_known_spectrum_with_deflation():
    # T = diag(theta): the largest |theta| are known; deflating the first two finds the next ones.
    theta = np.concatenate([[50.0, -40.0, 30.0, -20.0, 10.0], np.linspace(-1, 1, 395)])
    rng = np.random.default_rng(7)
    basis, _ = np.linalg.qr(rng.standard_normal((400, 400)))

    def apply(block):
        return basis @ (theta[:, None] * (basis.T @ block))

    result = block_lanczos(apply, 400, 3, tol=1e-12, block=2, max_dim=20, max_restarts=100)
    assert result.converged.all()
    np.testing.assert_allclose(result.theta, [50.0, -40.0, 30.0], atol=1e-9)
    deflated = block_lanczos(apply, 400, 2, tol=1e-12, block=2, max_dim=20, max_restarts=100,
                             locked=basis[:, :2])
    np.testing.assert_allclose(deflated.theta, [30.0, -20.0], atol=1e-9)
    assert np.abs(basis[:, :2].T @ deflated.vectors).max() < 1e-10


def test_a_shard_records_the_path(tmp_path, wavelearn_cmd, env):
    import h5py

    outputs = {}
    for flux in ("0", "0.25"):
        out = tmp_path / f"flux{flux}.h5"
        subprocess.run(wavelearn_cmd("eigensolve", "--dim", "2", "--L", "8", "--W", "3", "--flux", flux,
                                     "--nev", "3", "--output", str(out), "--no-progress"),
                       check=True, env=env, capture_output=True)
        with h5py.File(out) as f:
            outputs[flux] = (f.attrs["backend"], f.attrs["solver"], f.attrs["arithmetic"])
    assert outputs == {"0": ("auto", "mumps", "real"), "0.25": ("auto", "slepc", "complex")}


def test_a_single_process_job_does_not_initialise_mpi(wavelearn_cmd, env, tmp_path):
    # No launcher variables: importing mpi4py (MPI_Init) would only cost start-up time.
    code = ("import sys; from wavelearn.cli.main import main; "
            f"main(['eigensolve', '--dim', '2', '--L', '6', '--nev', '2', '-o', {str(tmp_path / 's.h5')!r}, "
            "'--no-progress']); print(sorted(m for m in ('mpi4py.MPI', 'petsc4py.PETSc') if m in sys.modules))")
    clean = {k: v for k, v in env.items() if not k.startswith(("OMPI_", "PMI", "PMIX"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, check=True)
    assert out.stdout.strip().endswith("[]")
