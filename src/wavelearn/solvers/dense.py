"""Dense backend: LAPACK eigh on the full matrix. Exact, O(n^3): for tiny systems and tests."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ParameterError
from wavelearn.solvers.base import (Eigenpairs, SolverSettings, arithmetic, boundary_info, check_size, finish,
                                    window_count)

MAX_DIMENSION = 20_000  # beyond this a dense n x n matrix no longer fits a laptop's memory


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
