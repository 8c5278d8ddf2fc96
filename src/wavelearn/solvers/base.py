"""The eigen-solver interface shared by every backend.

A backend finds the ``nev`` eigenpairs (lambda, psi) of a Hermitian H closest to a target
energy E (:class:`SolverSettings`), or the ``nev`` lowest ones (:class:`LowestSettings`: ground
states of many-body Hamiltonians). All backends hand their raw pairs to :func:`finish`, which sorts them by
|lambda - E|, makes exactly degenerate levels orthonormal, and computes the residuals
||H psi - lambda psi||_2 the same way for everyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ConvergenceError, ParameterError


ORDERINGS = ("auto", "amd", "amf", "pord", "qamd")
FACTORIZATIONS = ("auto", "lu", "ldlt")


@dataclass(frozen=True)
class SolverSettings:
    """Numerical settings of an interior eigen-solve.

    ``target``        E, the energy the eigenvalues should be closest to (units of t).
    ``nev``           number of eigenpairs wanted.
    ``tol``           relative convergence tolerance of the iterative backends.
    ``max_it``        maximum number of restarts/iterations of the iterative backends.
    ``ncv``           Krylov subspace size (None: the backend's default).
    ``shift_offset``  the shift-and-invert pole is sigma = E + shift_offset. A tiny offset
                      keeps H - sigma from being exactly singular when E is itself an
                      eigenvalue (percolation at E = 0 has many); it changes nothing else,
                      since results are still ordered by |lambda - E|.
    ``ordering``      fill-reducing ordering of the sparse factorisation (slepc backend):
                      ``auto`` or one of MUMPS's ``amd``, ``amf``, ``pord``, ``qamd``.
    ``factorization`` ``auto`` (LDL^T when H is real, LU when complex), ``lu`` or ``ldlt``.
    """

    target: float = 0.0
    nev: int = 5
    tol: float = 1e-10
    max_it: int = 1000
    ncv: int | None = None
    shift_offset: float = 1e-9
    ordering: str = "auto"
    factorization: str = "auto"

    def __post_init__(self) -> None:
        if isinstance(self.nev, bool) or not isinstance(self.nev, int) or self.nev < 1:
            raise ParameterError(f"nev={self.nev!r} must be a positive integer")
        if not self.tol > 0:
            raise ParameterError(f"tol={self.tol!r} must be positive")
        if self.max_it < 1:
            raise ParameterError(f"max_it={self.max_it!r} must be positive")
        if self.ncv is not None and self.ncv <= self.nev:
            raise ParameterError(f"ncv={self.ncv} must exceed nev={self.nev}")
        if self.factorization not in FACTORIZATIONS:
            raise ParameterError(f"factorization={self.factorization!r} is not one of {', '.join(FACTORIZATIONS)}")
        if self.ordering not in ORDERINGS:
            raise ParameterError(f"ordering={self.ordering!r} is not one of {', '.join(ORDERINGS)}")

    @property
    def sigma(self) -> float:
        return self.target + self.shift_offset

    @property
    def which(self) -> str:
        """``nearest``: the pairs closest to ``target`` (shift-and-invert); see :class:`LowestSettings`."""
        return "nearest"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LowestSettings(SolverSettings):
    """The ``nev`` lowest (algebraically smallest) eigenpairs, sorted ascending.

    No shift-and-invert: Krylov-Schur (slepc) or ARPACK (scipy) on H itself, which finds the
    extremal eigenvalues without a factorisation — what a many-body ground state needs.
    ``target``, ``shift_offset``, ``ordering`` and ``factorization`` are unused.
    """

    @property
    def which(self) -> str:
        return "smallest"


@dataclass
class Eigenpairs:
    """Result of one solve. ``vectors`` columns are normalised eigenvectors.

    Under MPI only rank 0 holds ``vectors`` (None elsewhere); every rank holds ``values``.
    ``timings`` are seconds: ``setup`` (matrix assembly), ``factor`` (numeric factorisation,
    when the backend can tell), ``solve`` (the whole eigen-solve including the factorisation).
    """

    values: np.ndarray
    vectors: np.ndarray | None
    residuals: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class EigenSolver(Protocol):
    """A backend: ``solve(H, settings)`` returns the ``nev`` pairs closest to the target."""

    name: str

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs: ...


def check_size(dimension: int, settings: SolverSettings) -> None:
    if settings.nev >= dimension:
        raise ParameterError(
            f"nev={settings.nev} must be smaller than the Hilbert-space dimension {dimension}"
        )


def require_converged(converged: int, settings: SolverSettings, backend: str) -> None:
    if converged < settings.nev:
        raise ConvergenceError(
            f"{backend}: only {converged} of nev={settings.nev} eigenpairs converged near "
            f"E={settings.target} (tol={settings.tol:g}, max_it={settings.max_it})",
            converged=converged,
            requested=settings.nev,
        )


def degenerate_clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Groups of indices (into ``values``) whose eigenvalues agree within ``tol``."""
    order = np.argsort(values, kind="stable")
    groups, current = [], [order[0]]
    for previous, index in zip(order[:-1], order[1:]):
        if values[index] - values[previous] <= tol:
            current.append(index)
        else:
            groups.append(np.array(current))
            current = [index]
    groups.append(np.array(current))
    return groups


def residual_norms(matrix: sp.spmatrix, values: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """||H psi_i - lambda_i psi_i||_2 for every column psi_i."""
    return np.linalg.norm(matrix @ vectors - vectors * values[np.newaxis, :], axis=0)


def finish(
    values: np.ndarray,
    vectors: np.ndarray,
    matrix: sp.spmatrix,
    settings: SolverSettings,
    *,
    degeneracy_tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the ``nev`` pairs closest to the target, orthonormalise degenerate levels, residuals.

    Iterative solvers return orthogonal eigenvectors only up to their tolerance, and inside
    an exactly degenerate eigenspace any orthonormal basis is as good as another: a QR
    factorisation of each cluster's vectors gives a basis orthonormal to machine precision.
    Which basis comes back inside a degenerate eigenspace depends on the backend and the
    number of MPI ranks (see README: "Degenerate levels").
    """
    values = np.real(np.asarray(values))
    key = values if settings.which == "smallest" else np.abs(values - settings.target)
    order = np.argsort(key, kind="stable")[: settings.nev]
    values, vectors = values[order], np.array(vectors[:, order])
    scale = max(1.0, float(np.max(np.abs(values))))
    for cluster in degenerate_clusters(values, degeneracy_tol * scale):
        if len(cluster) > 1:
            q, _ = np.linalg.qr(vectors[:, cluster])
            vectors[:, cluster] = q
    vectors /= np.linalg.norm(vectors, axis=0)
    residuals = residual_norms(matrix, values, vectors)
    # A pair far from satisfying H psi = lambda psi is never returned as valid.
    limit = max(1e-6, 1e3 * settings.tol) * max(scale, abs(settings.target) + 1.0)
    bad = int(np.sum(residuals > limit))
    if bad:
        where = "lowest" if settings.which == "smallest" else f"near E={settings.target}"
        raise ConvergenceError(
            f"{bad} of {settings.nev} eigenpairs {where} have residual "
            f"||H psi - lambda psi|| above {limit:.1e} (largest {residuals.max():.1e})",
            converged=settings.nev - bad,
            requested=settings.nev,
        )
    return values, vectors, residuals
