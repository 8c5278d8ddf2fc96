"""Dense backend: LAPACK eigh on the full matrix. Exact, O(n^3): for tiny systems and tests."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ParameterError
from wavelearn.solvers.base import (Eigenpairs, SolverSettings, arithmetic, boundary_info, check_size, finish,
                                    window_count)

MAX_DIMENSION = 20_000  # beyond this a dense n x n matrix no longer fits a laptop's memory


# Below this dimension the whole spectrum is cheaper and safer than any Krylov method.
KRYLOV_MIN_DIMENSION = 64


def too_small_for_krylov(n: int, settings: SolverSettings) -> bool:
    """Whether a Krylov backend hands the matrix to :func:`solve_exactly`: fewer than
    :data:`KRYLOV_MIN_DIMENSION` sites (a clean 2 x 2 x 2 lattice in a field at a degenerate E
    left SLEPc a pair with residual 2.4e-6), or nev >= n - 1 (ARPACK needs k < n - 1)."""
    return n < KRYLOV_MIN_DIMENSION or settings.nev >= n - 1


def solve_exactly(matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
    """The dense solve in place of a Krylov backend's (:func:`too_small_for_krylov`);
    ``info["fallback"]`` says so."""
    pairs = DenseSolver().solve(matrix, settings)
    pairs.info["fallback"] = "dense"
    return pairs


class DenseSolver:
    name = "dense"

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        n = matrix.shape[0]
        check_size(n, settings)
        if n > MAX_DIMENSION:
            raise ParameterError(f"dense backend: dimension {n} > {MAX_DIMENSION}; use slepc or scipy")
        start = time.perf_counter()
        values, vectors = np.linalg.eigh(matrix.toarray())
        spectrum = values
        values, vectors, residuals = finish(values, vectors, matrix, settings)
        info = {"converged": n, "arithmetic": arithmetic(matrix)}
        if settings.which == "nearest":
            # The whole spectrum is at hand: the same window count as the Krylov backends, exactly.
            count = window_count(matrix, settings, values, below=lambda _, shift: int(np.sum(spectrum < shift)))
            info.update(boundary_info(count))
        return Eigenpairs(values, vectors, residuals, {"solve": time.perf_counter() - start}, info)
