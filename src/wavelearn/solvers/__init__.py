"""Interior eigen-solvers behind one interface (:class:`~wavelearn.solvers.base.EigenSolver`).

Backends: ``auto`` (default) picks per Hamiltonian — ``mumps`` (real LDL^T, block Lanczos) for a
real H on one process, ``slepc`` (Krylov-Schur, complex MUMPS, MPI) otherwise; ``mumps``,
``slepc``, ``scipy`` (ARPACK + SuperLU, the reference) and ``dense`` (LAPACK) by name.
"""

from __future__ import annotations

import scipy.sparse as sp

from wavelearn.errors import ParameterError
from wavelearn.solvers.base import Eigenpairs, EigenSolver, LowestSettings, SolverSettings, is_real

BACKENDS = ("auto", "mumps", "slepc", "scipy", "dense")
# Backends that run on several MPI ranks (auto then takes the slepc path).
MPI_BACKENDS = ("auto", "slepc")


def get_solver(name: str, ranks: int = 1) -> EigenSolver:
    """The backend called ``name`` (see the module docstring); ``ranks``: MPI processes of the job."""
    if name == "auto":
        return AutoSolver(ranks)
    if name == "mumps":
        from wavelearn.solvers.mumps_backend import MumpsSolver

        return MumpsSolver()
    if name == "slepc":
        from wavelearn.solvers.slepc_backend import SlepcSolver

        return SlepcSolver()
    if name == "scipy":
        from wavelearn.solvers.scipy_backend import ScipySolver

        return ScipySolver()
    if name == "dense":
        from wavelearn.solvers.dense import DenseSolver

        return DenseSolver()
    raise ParameterError(f"backend={name!r} is not one of {', '.join(BACKENDS)}")


class AutoSolver:
    """Real arithmetic where it is exact, complex where it is needed.

    A real H (no magnetic field) on one process, nearest-E mode and the real MUMPS shim
    installed: the ``mumps`` backend. Otherwise (a field, several MPI ranks, lowest
    eigenvalues): ``slepc``. PETSc is imported only when the slepc path is taken, so a real-H
    job starts without PETSc and MPI. ``Eigenpairs.info["backend"]`` says which path solved.
    """

    name = "auto"

    def __init__(self, ranks: int = 1):
        self.ranks = ranks
        self._solvers: dict[str, EigenSolver] = {}

    def choose(self, matrix: sp.spmatrix, settings: SolverSettings) -> str:
        from wavelearn.solvers import real_mumps

        if self.ranks == 1 and settings.which == "nearest" and is_real(matrix) and real_mumps.available():
            return "mumps"
        return "slepc"

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        name = self.choose(matrix, settings)
        if name not in self._solvers:
            self._solvers[name] = get_solver(name)
        pairs = self._solvers[name].solve(matrix, settings)
        pairs.info["backend"] = name
        return pairs


__all__ = ["BACKENDS", "MPI_BACKENDS", "AutoSolver", "Eigenpairs", "EigenSolver", "LowestSettings",
           "SolverSettings", "get_solver"]
