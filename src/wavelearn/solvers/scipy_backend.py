"""SciPy backend: ARPACK (eigsh) in shift-invert mode around sigma, SuperLU factorisation.

This is the reference a user would otherwise write by hand; the slepc backend is benchmarked
against it (docs/benchmarks.md).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from wavelearn.errors import ConvergenceError
from wavelearn.solvers.base import Eigenpairs, SolverSettings, check_size, finish, require_converged


class ScipySolver:
    name = "scipy"

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        n = matrix.shape[0]
        check_size(n, settings)
        start = time.perf_counter()
        # A fixed pseudo-random start makes ARPACK deterministic (its default start is
        # random); a constant vector would be an exact eigenvector of a clean lattice.
        v0 = np.random.default_rng(12345).standard_normal(n).astype(matrix.dtype)
        try:
            if settings.which == "smallest":
                # Lanczos on H itself: the lowest eigenvalues are extremal, no factorisation needed.
                values, vectors = spla.eigsh(
                    matrix.tocsr(), k=settings.nev, which="SA", v0=v0, ncv=settings.ncv, tol=settings.tol,
                    maxiter=settings.max_it * n)
                values, vectors, residuals = finish(values, vectors, matrix, settings)
                return Eigenpairs(values, vectors, residuals, {"solve": time.perf_counter() - start},
                                  {"converged": len(values)})
            values, vectors = spla.eigsh(
                matrix.tocsc(),
                k=settings.nev,
                sigma=settings.sigma,
                which="LM",
                v0=v0,
                ncv=settings.ncv,
                tol=settings.tol,
                maxiter=settings.max_it * n,
            )
        except spla.ArpackNoConvergence as err:
            require_converged(len(err.eigenvalues), settings, self.name)
            values, vectors = err.eigenvalues, err.eigenvectors
        except RuntimeError as err:  # e.g. singular factor
            raise ConvergenceError(f"scipy: shift-invert at sigma={settings.sigma} failed: {err}") from err
        values, vectors, residuals = finish(values, vectors, matrix, settings)
        return Eigenpairs(values, vectors, residuals, {"solve": time.perf_counter() - start}, {"converged": len(values)})
