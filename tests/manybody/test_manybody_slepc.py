"""Ground states through SLEPc Krylov-Schur (the solvers' "lowest eigenvalues" mode), one and two MPI ranks."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from wavelearn.manybody import SpinModel
from wavelearn.manybody.exact import ground_state, ising_chain_energy
from wavelearn.solvers import LowestSettings, SolverSettings, get_solver

pytestmark = pytest.mark.slepc


def test_slepc_lowest_matches_closed_form_and_lanczos():
    ising = SpinModel("ising", "chain", 12, h=0.8)
    assert ground_state(ising, backend="slepc").energy == pytest.approx(ising_chain_energy(12, 1.0, 0.8), rel=1e-10)
    model = SpinModel("j1j2", "chain", 16, J2=0.3, W=0.7, seed=2)
    slepc = ground_state(model, backend="slepc", nev=3)
    scipy = ground_state(model, backend="scipy", nev=3)
    np.testing.assert_allclose(slepc.energies, scipy.energies, atol=1e-9)
    assert np.all(np.diff(slepc.energies) >= 0)
    assert slepc.info["ranks"] == 1 and "factorization" not in slepc.info  # no shift-and-invert


def test_lowest_settings_leave_nearest_mode_alone():
    assert SolverSettings().which == "nearest" and LowestSettings().which == "smallest"
    assert SolverSettings().as_dict() == LowestSettings().as_dict()  # no new field in shard attributes
    H = SpinModel("heisenberg", "chain", 8).matrix()
    values = np.linalg.eigvalsh(H.toarray())
    for backend in ("dense", "scipy", "slepc"):
        lowest = get_solver(backend).solve(H, LowestSettings(nev=4)).values
        np.testing.assert_allclose(lowest, values[:4], atol=1e-9, err_msg=backend)
        nearest = get_solver(backend).solve(H, SolverSettings(target=0.05, nev=2)).values
        assert np.all(np.abs(nearest - 0.05) <= np.sort(np.abs(values - 0.05))[1] + 1e-9)


SCRIPT = """
import json
from mpi4py import MPI
from wavelearn.manybody import SpinModel
from wavelearn.manybody.exact import ground_state
gs = ground_state(SpinModel("heisenberg", "square", 4, W=0.5, seed=1), backend="slepc", nev=2)
if MPI.COMM_WORLD.rank == 0:
    print(json.dumps({"energies": gs.energies.tolist(), "ranks": gs.info["ranks"]}))
"""


@pytest.mark.mpi
@pytest.mark.timeout(120)
def test_slepc_ground_state_under_mpi(env, requires):
    # ``env``: the environment captured before this process initialised MPI (an initialised
    # parent's OMPI_/PMIX_ variables would make the child mpiexec fail)
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    requires(mpiexec is not None, "mpiexec not found")
    proc = subprocess.run([mpiexec, "-n", "2", sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=110, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ranks"] == 2
    reference = ground_state(SpinModel("heisenberg", "square", 4, W=0.5, seed=1), backend="scipy", nev=2)
    np.testing.assert_allclose(result["energies"], reference.energies, atol=1e-9)
