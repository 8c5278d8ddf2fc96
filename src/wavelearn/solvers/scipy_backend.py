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
from wavelearn.solvers.base import (
    Eigenpairs,
    SolverSettings,
    arithmetic,
    check_size,
    complete_nearest,
    converged_only,
    finish,
    require_converged,
)
from wavelearn.solvers.dense import solve_exactly, too_small_for_krylov


class ScipySolver:
    name = "scipy"

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        n = matrix.shape[0]
        check_size(n, settings)
        if too_small_for_krylov(n, settings):
            return solve_exactly(matrix, settings)
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
                                  {"converged": len(values), "arithmetic": arithmetic(matrix)})
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
        converged = len(values)
        values, vectors, residuals = finish(*converged_only(matrix, values, vectors, settings), matrix, settings)
        # The promise is the nev nearest: with an exactly degenerate level near E, ARPACK may
        # have found only some of its copies; the inertia count finds out, deflation the rest.
        values, vectors, residuals, extra = complete_nearest(
            matrix, settings, values, vectors, residuals,
            lambda found, k, sigma: self._deflated(matrix, sigma, settings, found, k), self.name)
        return Eigenpairs(values, vectors, residuals, {"solve": time.perf_counter() - start},
                          {"converged": converged, "arithmetic": arithmetic(matrix), **extra})

    def _deflated(self, matrix: sp.spmatrix, sigma: float, settings: SolverSettings, found: np.ndarray, k: int):
        """``k`` eigenpairs nearest sigma orthogonal to the columns of ``found``.

        ARPACK on P (H - sigma)^{-1} P with P = 1 - Q Q^H (Q an orthonormal basis of ``found``):
        the found vectors become eigenvectors of eigenvalue 0 and are never returned again,
        the rest keep theta = 1 / (lambda - sigma). Eigenvalues are the Rayleigh quotients.
        """
        n = matrix.shape[0]
        dtype = np.result_type(matrix.dtype, found.dtype)
        q, _ = np.linalg.qr(found.astype(dtype))
        shifted = (sp.csc_matrix(matrix) - sigma * sp.identity(n, format="csc")).astype(dtype)
        try:
            lu = spla.splu(shifted.tocsc())
        except RuntimeError as err:
            raise ConvergenceError(f"scipy: shift-invert at sigma={sigma} failed: {err}") from err

        def project(x):
            return x - q @ (q.conj().T @ x)

        op = spla.LinearOperator((n, n), matvec=lambda x: project(lu.solve(project(np.asarray(x, dtype)))),
                                 dtype=dtype)
        v0 = project(np.random.default_rng(54321).standard_normal(n).astype(dtype))
        try:
            _, vectors = spla.eigsh(op, k=k, which="LM", v0=v0, tol=settings.tol,
                                    maxiter=settings.max_it * n)
        except spla.ArpackNoConvergence as err:
            if len(err.eigenvalues) == 0:
                raise ConvergenceError(f"scipy: deflated solve near E={settings.target} did not converge") from err
            vectors = err.eigenvectors
        vectors = project(vectors)
        vectors /= np.linalg.norm(vectors, axis=0)
        values = np.real(np.einsum("ij,ij->j", vectors.conj(), matrix @ vectors))
        return values, vectors
