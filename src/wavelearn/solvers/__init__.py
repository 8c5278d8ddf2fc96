"""Interior eigen-solvers behind one interface (:class:`~wavelearn.solvers.base.EigenSolver`)."""

from __future__ import annotations

from wavelearn.errors import ParameterError
from wavelearn.solvers.base import Eigenpairs, EigenSolver, LowestSettings, SolverSettings

BACKENDS = ("slepc", "scipy", "dense")


def get_solver(name: str) -> EigenSolver:
    """The backend called ``name``: ``slepc`` (default, MPI), ``scipy`` or ``dense``."""
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


__all__ = ["BACKENDS", "Eigenpairs", "EigenSolver", "LowestSettings", "SolverSettings", "get_solver"]
