"""SLEPc backend: Krylov-Schur with shift-and-invert, the inverse applied by a MUMPS factorisation.

    (H - sigma)^{-1} x = theta x,   lambda = sigma + 1/theta,

so the eigenvalues closest to sigma converge first. The linear solves use KSP ``preonly`` with
a direct factorisation by MUMPS: LDL^T (PETSc "cholesky", MUMPS SYM=2) when H is real
symmetric, LU when H is complex Hermitian (MUMPS has no Hermitian LDL^H). PETSc is built with
complex scalars, so a real H is factorised in complex arithmetic here: the ``auto`` backend sends
a real H on one process to the real ``mumps`` backend instead.

With :class:`~wavelearn.solvers.base.LowestSettings` (many-body ground states) there is no
shift: Krylov-Schur on H itself with SMALLEST_REAL, no factorisation.

The matrix is assembled in parallel: every rank builds the same scipy matrix (the RNG streams
make that deterministic and it is cheap next to the factorisation) and inserts only its own
contiguous row range. Eigenvectors are gathered on rank 0.
"""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ConvergenceError, ParameterError
from wavelearn.solvers.base import (
    MUMPS_ORDERINGS,
    WORKSPACE_PERCENT,
    Eigenpairs,
    SolverSettings,
    check_size,
    complete_nearest,
    converged_only,
    count_below,
    finish,
    is_real,
    require_converged,
    window_count,
)
from wavelearn.solvers.dense import solve_exactly, too_small_for_krylov

_prefix_counter = itertools.count()


def _petsc():
    # Imported lazily so that the package (and its other backends) work without PETSc.
    import petsc4py

    petsc4py.init()
    from petsc4py import PETSc
    from slepc4py import SLEPc

    return PETSc, SLEPc


def row_range(n: int, size: int, rank: int) -> tuple[int, int]:
    """Contiguous block of rows owned by ``rank``: PETSc's default split of n rows."""
    base, extra = divmod(n, size)
    start = rank * base + min(rank, extra)
    return start, start + base + (rank < extra)


def use_ldlt(matrix: sp.spmatrix, settings: SolverSettings) -> bool:
    real = is_real(matrix)
    if settings.factorization == "ldlt" and not real:
        raise ParameterError("factorization 'ldlt' needs a real H; a magnetic field makes H complex: use lu or auto")
    return real if settings.factorization == "auto" else settings.factorization == "ldlt"


class SlepcSolver:
    name = "slepc"

    def __init__(self, comm=None):
        PETSc, _ = _petsc()
        self.comm = comm if comm is not None else PETSc.COMM_WORLD

    @property
    def rank(self) -> int:
        return self.comm.getRank()

    def _assemble(self, matrix: sp.csr_matrix):
        PETSc, _ = _petsc()
        n = matrix.shape[0]
        start, stop = row_range(n, self.comm.getSize(), self.comm.getRank())
        indptr = matrix.indptr[start : stop + 1]
        lo, hi = indptr[0], indptr[-1]
        csr = (
            (indptr - lo).astype(PETSc.IntType),
            matrix.indices[lo:hi].astype(PETSc.IntType),
            matrix.data[lo:hi].astype(PETSc.ScalarType),
        )
        mat = PETSc.Mat().createAIJ(size=((stop - start, n), (stop - start, n)), csr=csr, comm=self.comm)
        mat.assemble()
        return mat

    @staticmethod
    def _options(settings: SolverSettings, ldlt: bool) -> dict[str, str]:
        ordering = settings.mumps_ordering
        if ordering == "scotch":
            raise ParameterError("ordering scotch: the MPI MUMPS that PETSc uses is built without SCOTCH "
                                 "(use it with backend mumps, or auto on one process)")
        return {
            "st_type": "sinvert",
            "st_ksp_type": "preonly",
            "st_pc_type": "cholesky" if ldlt else "lu",
            "st_pc_factor_mat_solver_type": "mumps",
            "st_mat_mumps_icntl_7": str(MUMPS_ORDERINGS[ordering]),
            "st_mat_mumps_icntl_14": str(WORKSPACE_PERCENT[0]),  # workspace margin (%)
        }

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs:
        PETSc, SLEPc = _petsc()
        matrix = sp.csr_matrix(matrix)
        check_size(matrix.shape[0], settings)
        if too_small_for_krylov(matrix.shape[0], settings):  # every rank, the same numbers
            pairs = solve_exactly(matrix, settings)
            pairs.vectors = pairs.vectors if self.rank == 0 else None
            return pairs
        lowest = settings.which == "smallest"
        ldlt = use_ldlt(matrix, settings)
        t0 = time.perf_counter()
        mat = self._assemble(matrix)
        if ldlt:
            # Only "symmetric": MUMPS refuses Cholesky of matrices flagged Hermitian.
            mat.setOption(PETSc.Mat.Option.SYMMETRIC, True)
        else:
            mat.setOption(PETSc.Mat.Option.HERMITIAN, True)
        t_setup = time.perf_counter() - t0

        # Options live under a prefix unique to this solve and are removed afterwards,
        # so concurrent or successive solves never see each other's settings.
        prefix = f"wl{next(_prefix_counter)}_"
        opts = PETSc.Options()
        options = {} if lowest else self._options(settings, ldlt)
        for key, value in options.items():
            opts.setValue(prefix + key, value)
        eps = None
        try:
            eps, t_factor, t_solve = self._eps(mat, settings, settings.nev, lowest, options, prefix)
            nconv = eps.getConverged()
            require_converged(nconv, settings, self.name)
            values, vectors = self._collect(eps, mat, nconv)
            factor = {} if lowest else {"factorization": "ldlt" if ldlt else "lu",
                                        "ordering": settings.mumps_ordering}
            info = {
                "converged": nconv,
                "arithmetic": "complex",  # PETSc is built with complex scalars
                "iterations": eps.getIterationNumber(),
                **factor,
                "ranks": self.comm.getSize(),
                **({} if lowest else self._mumps_statistics(eps)),
            }
            eps.destroy()
            eps = None

            # Rank 0 sorts, orthonormalises and checks; its verdict is shared with every rank.
            mpi = self.comm.tompi4py()
            outcome = None
            if self.rank == 0:
                try:
                    raw = (values, vectors) if lowest else converged_only(matrix, values, vectors, settings)
                    outcome = finish(*raw, matrix, settings)
                except ConvergenceError as err:
                    outcome = err
            outcome = mpi.bcast(outcome, root=0)
            if isinstance(outcome, ConvergenceError):
                raise outcome
            values, vectors, residuals = outcome
            if not lowest:
                # The nev nearest whatever the degeneracy: the ranks count the window by inertia
                # (one shift each), all take part in the deflated solves for what is missing.
                t2 = time.perf_counter()

                def shared_counts(shifts):
                    # Shift i is factorised on rank i % size, every rank gets every count; a
                    # failed count is raised on every rank (none is left in the allgather).
                    mine = {}
                    for i, shift in enumerate(shifts):
                        if i % mpi.Get_size() == self.rank:
                            try:
                                mine[i] = count_below(matrix, shift)
                            except ConvergenceError as err:
                                mine[i] = err
                    everyone = {i: c for part in mpi.allgather(mine) for i, c in part.items()}
                    for c in everyone.values():
                        if isinstance(c, ConvergenceError):
                            raise c
                    return [everyone[i] for i in range(len(shifts))]

                def count(found_values):
                    # Rank 0's values decide the shifts, so every rank counts the same window.
                    return window_count(matrix, settings, mpi.bcast(found_values, root=0), counts=shared_counts)

                def more(found, k, sigma):
                    return self._deflated(mat, dataclasses.replace(settings, shift_offset=sigma - settings.target),
                                          k, options, prefix, found)

                values, vectors, residuals, extra = complete_nearest(
                    matrix, settings, values, vectors, residuals, more, self.name, counter=count)
                values, vectors, residuals = mpi.bcast((values, vectors, residuals), root=0)
                info.update(extra)
                t_solve += time.perf_counter() - t2
        finally:
            if eps is not None:
                eps.destroy()
            mat.destroy()
            for key in options:
                opts.delValue(prefix + key)

        if self.rank != 0:
            vectors = None
        timings = {"setup": t_setup, "factor": t_factor, "solve": t_solve}
        return Eigenpairs(values, vectors, residuals, timings, info)

    def _eps(self, mat, settings: SolverSettings, nev: int, lowest: bool, options: dict, prefix: str,
             deflation=None):
        """A solved EPS for ``nev`` pairs (orthogonal to the Vecs in ``deflation``), and its timings."""
        PETSc, SLEPc = _petsc()
        opts = PETSc.Options()
        eps = None
        # MUMPS sizes its workspace from the analysis; an (almost) singular H - sigma with many
        # delayed pivots (clean lattices at a degenerate level) needs more (INFOG(1) = -9):
        # retried with a larger ICNTL(14) before giving up.
        for attempt, workspace in enumerate(WORKSPACE_PERCENT):
            if not lowest:
                options["st_mat_mumps_icntl_14"] = str(workspace)
                opts.setValue(prefix + "st_mat_mumps_icntl_14", str(workspace))
            if eps is not None:
                eps.destroy()
            eps = SLEPc.EPS().create(comm=self.comm)
            eps.setOptionsPrefix(prefix)
            eps.setOperators(mat)
            eps.setProblemType(SLEPc.EPS.ProblemType.HEP)
            eps.setType(SLEPc.EPS.Type.KRYLOVSCHUR)
            if lowest:
                eps.setWhichEigenpairs(SLEPc.EPS.Which.SMALLEST_REAL)
            else:
                eps.setWhichEigenpairs(SLEPc.EPS.Which.TARGET_MAGNITUDE)
                eps.setTarget(settings.sigma)
            ncv = settings.ncv if deflation is None else None
            eps.setDimensions(nev=nev, ncv=ncv or PETSc.DECIDE)
            eps.setTolerances(tol=settings.tol, max_it=settings.max_it)
            if deflation is not None:
                eps.setDeflationSpace(deflation)
            eps.setFromOptions()
            t1 = time.perf_counter()
            try:
                eps.setUp()  # symbolic + numeric factorisation of H - sigma
                break
            except (PETSc.Error, SystemError) as err:  # petsc4py may surface it as SystemError
                if lowest or attempt == len(WORKSPACE_PERCENT) - 1:
                    eps.destroy()
                    raise ConvergenceError(
                        f"slepc: factorisation of H - sigma at sigma={settings.sigma} failed "
                        f"(MUMPS workspace up to {workspace} %): {str(err).splitlines()[0]}"
                    ) from err
        t_factor = time.perf_counter() - t1
        eps.solve()
        return eps, t_factor, time.perf_counter() - t1

    def _deflated(self, mat, settings: SolverSettings, k: int, options: dict, prefix: str, found: np.ndarray):
        """``k`` pairs nearest sigma orthogonal to the columns of ``found`` (every rank gets them).

        SLEPc's deflation space: Krylov-Schur works in the orthogonal complement of ``found``,
        so copies of a degenerate level it already returned cannot come back.
        """
        vecs = []
        start, stop = mat.getOwnershipRange()
        for column in found.T:
            v = mat.createVecRight()
            v.setArray(column[start:stop].astype(v.getArray().dtype))
            vecs.append(v)
        eps = None
        try:
            eps, _, _ = self._eps(mat, settings, k, False, options, prefix, deflation=vecs)
            nconv = eps.getConverged()
            if nconv:
                values, vectors = self._collect(eps, mat, nconv)
            else:  # nothing new: the caller's next count says so, or it gives up
                values, vectors = np.empty(0), np.empty((found.shape[0], 0), found.dtype)
        finally:
            if eps is not None:
                eps.destroy()
            for v in vecs:
                v.destroy()
        return self.comm.tompi4py().bcast((values, vectors), root=0)

    def _collect(self, eps, mat, nconv: int):
        """All converged eigenvalues (every rank) and eigenvectors (rank 0 only)."""
        PETSc, _ = _petsc()
        vr = mat.createVecRight()
        scatter, local = PETSc.Scatter.toZero(vr)
        values = np.empty(nconv)
        columns = []
        for i in range(nconv):
            values[i] = eps.getEigenpair(i, vr).real
            scatter.scatter(vr, local, addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
            if self.rank == 0:
                columns.append(local.getArray().copy())
        scatter.destroy()
        local.destroy()
        vr.destroy()
        return values, (np.stack(columns, axis=1) if self.rank == 0 else None)

    @staticmethod
    def _mumps_statistics(eps) -> dict[str, float]:
        """MUMPS's own counts: factorisation flops (RINFOG(3)), entries in factors, memory."""
        factor = eps.getST().getKSP().getPC().getFactorMatrix()
        return {
            "mumps_flops": float(factor.getMumpsRinfog(3)),
            "mumps_factor_entries": float(factor.getMumpsInfog(29)),
            "mumps_memory_mb_total": float(factor.getMumpsInfog(22)),
        }
