"""MUMPS backend: real H in real arithmetic, shift-and-invert by block Lanczos, one process.

Without a magnetic field H is real symmetric. This backend factorises H - sigma by the real
LDL^T of Debian's sequential MUMPS (:class:`~wavelearn.solvers.real_mumps.RealFactor`; LU with
``factorization: lu``) and finds the nev eigenvalues nearest sigma as the largest |theta| of
(H - sigma)^{-1} by block Lanczos (:func:`~wavelearn.solvers.block_krylov.block_lanczos`):

    (H - sigma)^{-1} x = theta x,   lambda = x^T H x  (the Rayleigh quotient, = sigma + 1/theta).

Against the complex SLEPc path a real LDL^T does a quarter of the flops and moves half the
bytes per triangular solve, and a block of right-hand sides reads the factor once for all of
them (docs/benchmarks.md). Consecutive realizations with the same sparsity pattern (every
Anderson realization of a point) reuse the ordering and symbolic analysis: only the numerical
factorisation is repeated. The degeneracy contract is the slepc backend's (complete_nearest).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ParameterError
from wavelearn.solvers.base import (
    Eigenpairs,
    SolverSettings,
    check_size,
    complete_nearest,
    converged_only,
    finish,
    is_real,
    require_converged,
)
from wavelearn.solvers.block_krylov import block_lanczos
from wavelearn.solvers.dense import solve_exactly, too_small_for_krylov
from wavelearn.solvers.real_mumps import RealFactor

def block_size(nev: int) -> int:
    """Right-hand sides per application of (H - sigma)^{-1}: 4 measured best for nev = 5 at 3D
    L = 32 and 40 (fewest passes over the factor per converged pair), 8 for larger nev."""
    return 4 if nev <= 8 else 8


def subspace_size(settings: SolverSettings) -> int:
    """Largest block Krylov basis before a thick restart (``ncv`` when given)."""
    block = block_size(settings.nev)
    return settings.ncv or max(10 * block, 2 * settings.nev + 4 * block)


class MumpsSolver:
    name = "mumps"

    def __init__(self):
        self._factor: RealFactor | None = None  # kept for the next realization's analysis

    def _factorised(self, shifted: sp.spmatrix, settings: SolverSettings) -> RealFactor:
        ordering = settings.mumps_ordering
        symmetric = settings.factorization != "lu"
        factor = self._factor
        same_settings = factor is not None and (factor.symmetric, factor.ordering) == (symmetric, ordering)
        if not (same_settings and factor.refactor(shifted)):
            if factor is not None:
                factor.close()
            factor = RealFactor(shifted, symmetric=symmetric, ordering=ordering)
        self._factor = factor
        return factor

    def _lanczos(self, matrix: sp.csr_matrix, settings: SolverSettings, sigma: float, nev: int,
                 locked: np.ndarray | None = None):
        """Factorise H - sigma, run block Lanczos; Rayleigh quotients and vectors of the pairs, which
        converged (boolean), statistics."""
        n = matrix.shape[0]
        t0 = time.perf_counter()
        factor = self._factorised(matrix - sigma * sp.identity(n, format="csr"), settings)
        t_factor = time.perf_counter() - t0
        norm = float(abs(matrix).sum(axis=1).max()) + abs(sigma)  # ||H - sigma||_inf

        def converged_pairs(vectors, theta, theta_max):
            # ||H x - lambda x|| <= tol ||H - sigma||, or the rounding floor: a solve with H - sigma
            # has a backward error ~ eps ||H - sigma|| amplified by ||T|| = theta_max. Normally far
            # below tol (theta_max ~ 1 / level spacing); with the pole 1e-9 from an exactly
            # degenerate level (theta_max ~ 1e9) it limits every pair to ~1e-8 (SLEPc's alike).
            image = matrix @ vectors
            values = np.einsum("ij,ij->j", vectors, image)
            residuals = np.linalg.norm(image - vectors * values, axis=0)
            floor = 10 * np.finfo(float).eps * norm * theta_max
            return residuals <= np.maximum(settings.tol * norm, floor)

        result = block_lanczos(factor.solve, n, nev, tol=settings.tol, block=block_size(settings.nev),
                               max_dim=subspace_size(settings), max_restarts=settings.max_it, locked=locked,
                               converged_pairs=converged_pairs)
        vectors = result.vectors
        values = np.einsum("ij,ij->j", vectors, matrix @ vectors)
        statistics = {"ordering": factor.ordering, "block": block_size(settings.nev),
                      "applications": result.applications, "columns": result.columns,
                      "restarts": result.restarts, "mumps_flops": factor.flops,
                      "mumps_factor_entries": factor.entries, "mumps_memory_mb_total": factor.memory_mb}
        return values, vectors, result.converged, t_factor, statistics

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        matrix = sp.csr_matrix(matrix)
        n = matrix.shape[0]
        check_size(n, settings)
        if not is_real(matrix):
            raise ParameterError("backend mumps solves real H only; a magnetic field (flux != 0) makes H complex: "
                                 "use backend auto or slepc")
        if settings.which != "nearest":
            raise ParameterError("backend mumps finds eigenpairs near E (shift-and-invert); "
                                 "for the lowest ones use slepc or scipy")
        if too_small_for_krylov(n, settings):
            return solve_exactly(matrix, settings)
        matrix = matrix.astype(np.float64)
        start = time.perf_counter()
        values, vectors, converged, t_factor, statistics = self._lanczos(matrix, settings, settings.sigma,
                                                                         settings.nev)
        analysis = self._factor.seconds["analysis"]  # before any deflated solve refactorises
        values, vectors = values[converged], vectors[:, converged]
        # Some pairs may stop short of the tolerance when the pole sits on an exactly degenerate
        # level (the rounding floor of the solves); the deflated solves of complete_nearest, at a
        # pole moved off the level, find them. With none converged there is nothing to go on.
        if not len(values):
            require_converged(0, settings, self.name)
        converged = len(values)
        values, vectors, residuals = finish(*converged_only(matrix, values, vectors, settings), matrix, settings)

        def more(found, k, sigma):
            # Deflation: the new search runs orthogonal to every pair found so far. Its pairs are
            # judged by the final residual limit (converged_only), like the other backends': the
            # found vectors are eigenvectors only to their own residuals, which bounds the new ones'.
            locked, _ = np.linalg.qr(found)
            new_values, new_vectors, _, _, _ = self._lanczos(matrix, settings, sigma, k, locked=locked)
            return new_values, new_vectors

        values, vectors, residuals, extra = complete_nearest(matrix, settings, values, vectors, residuals,
                                                             more, self.name)
        info = {"converged": converged, "arithmetic": "real", "method": "block-lanczos",
                "factorization": "lu" if settings.factorization == "lu" else "ldlt", **statistics, **extra}
        timings = {"analysis": analysis, "factor": t_factor,
                   "solve": time.perf_counter() - start}
        return Eigenpairs(values, vectors, residuals, timings, info)

