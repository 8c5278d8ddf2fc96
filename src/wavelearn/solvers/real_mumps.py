"""Real LDL^T (or LU) factorisations by Debian's sequential MUMPS, through a thin C shim.

``dmumps_shim.c`` (built by ``envs/native/build-dmumps.sh`` into the venv's ``lib/``) hides
the MUMPS structure behind a few functions, called here with ctypes: no second PETSc build is
needed for real arithmetic. :class:`RealFactor` factorises a real sparse A once and then
solves A X = B for blocks of right-hand sides (MUMPS's dense multi-RHS solve streams the
factor once per block, which is what makes a block Krylov method cheap).

The sequential MUMPS exports the same symbols as the MPI one PETSc links against. Both are
loaded as dependencies of modules opened with local symbol scope (ctypes here, Python's
extension loader for petsc4py), so each resolves its own: one process may use both (tested,
also under mpiexec), though a real-H job never imports PETSc at all.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ConvergenceError, WavelearnError
from wavelearn.solvers.base import MUMPS_ORDERINGS, WORKSPACE_PERCENT

LIBRARY_NAME = "libwavelearn_dmumps.so"
LIBRARY_VARIABLE = "WAVELEARN_DMUMPS_LIBRARY"  # another location of the shim (tests, other installs)

# INFOG(1) values that a larger workspace (WORKSPACE_PERCENT) may cure.
WORKSPACE_ERRORS = (-8, -9, -14, -15, -17, -20)

_library = None


def library_path() -> Path:
    """Where the shim is looked for: $WAVELEARN_DMUMPS_LIBRARY, else the venv's lib/."""
    return Path(os.environ.get(LIBRARY_VARIABLE) or Path(sys.prefix) / "lib" / LIBRARY_NAME)


def available() -> bool:
    return library_path().is_file()


def _load():
    global _library
    if _library is None:
        path = library_path()
        if not path.is_file():
            raise WavelearnError(f"real MUMPS shim {path} not found: run 'make install' "
                                 f"(envs/native/build-dmumps.sh) or set {LIBRARY_VARIABLE}")
        lib = ctypes.CDLL(str(path))
        handle = ctypes.c_void_p
        lib.wl_dmumps_new.argtypes = [ctypes.c_int]
        lib.wl_dmumps_new.restype = handle
        lib.wl_dmumps_set_icntl.argtypes = [handle, ctypes.c_int, ctypes.c_int]
        lib.wl_dmumps_analyse.argtypes = [handle, ctypes.c_int, ctypes.c_longlong] + [ctypes.c_void_p] * 3
        lib.wl_dmumps_factorize.argtypes = [handle]
        lib.wl_dmumps_solve.argtypes = [handle, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.wl_dmumps_infog.argtypes = [handle, ctypes.c_int]
        lib.wl_dmumps_rinfog.argtypes = [handle, ctypes.c_int]
        lib.wl_dmumps_rinfog.restype = ctypes.c_double
        lib.wl_dmumps_free.argtypes = [handle]
        _library = lib
    return _library


def _coordinates(matrix: sp.spmatrix, symmetric: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-based row and column indices (int32) and real values; the upper triangle when
    ``symmetric`` (MUMPS SYM = 2 reads one triangle and sums entries given twice)."""
    coo = sp.coo_matrix(matrix)
    if np.iscomplexobj(coo.data) and np.any(coo.data.imag):
        raise WavelearnError("RealFactor needs a real matrix")
    if symmetric:
        coo = sp.triu(coo, format="coo")
    return (np.ascontiguousarray(coo.row + 1, dtype=np.int32), np.ascontiguousarray(coo.col + 1, dtype=np.int32),
            np.ascontiguousarray(coo.data.real, dtype=np.float64))


class RealFactor:
    """A = P L D L^T P^T (``symmetric``, MUMPS SYM = 2) or P L U Q (SYM = 0) of a real sparse A.

    ``ordering`` is a key of :data:`MUMPS_ORDERINGS`. Statistics after the factorisation: :attr:`flops`
    (RINFOG(3)), :attr:`entries` (INFOG(29), entries in the factors), :attr:`memory_mb`
    (INFOG(22)), :attr:`negative_pivots` (INFOG(12): with SYM = 2 the number of negative
    eigenvalues of A, Sylvester's inertia), :attr:`seconds` (``analysis``, ``factor``).
    """

    def __init__(self, matrix: sp.spmatrix, *, symmetric: bool = True, ordering: str = "pord"):
        self.n = matrix.shape[0]
        self.symmetric = symmetric
        # MUMPS keeps the pointers: the arrays live as long as this object.
        self._rows, self._cols, self._values = _coordinates(matrix, symmetric)
        self._handle = None
        t0 = time.perf_counter()
        self.ordering = ordering
        self._handle = self._analysed(symmetric, ordering)
        self.seconds = {"analysis": time.perf_counter() - t0}
        self._factorize()

    def refactor(self, matrix: sp.spmatrix) -> bool:
        """Factorise ``matrix`` reusing this factor's ordering and analysis, if it has the same
        sparsity pattern; False (and nothing done) if not."""
        rows, cols, values = _coordinates(matrix, self.symmetric)
        if self._handle is None or not (np.array_equal(rows, self._rows) and np.array_equal(cols, self._cols)):
            return False
        self._values[:] = values
        self.seconds = {"analysis": 0.0}
        self._factorize()
        return True

    def _factorize(self) -> None:
        t1 = time.perf_counter()
        for workspace in WORKSPACE_PERCENT:
            _load().wl_dmumps_set_icntl(self._handle, 14, workspace)
            status = _load().wl_dmumps_factorize(self._handle)
            if status not in WORKSPACE_ERRORS:
                break
        if status < 0:
            self._fail("factorisation", status, f" (workspace up to {workspace} %)")
        self.seconds["factor"] = time.perf_counter() - t1
        self.flops = self.rinfog(3)
        self.entries = float(self.infog(29))
        self.memory_mb = float(self.infog(22))
        self.negative_pivots = self.infog(12)

    def _analysed(self, symmetric: bool, ordering: str):
        lib = _load()
        handle = lib.wl_dmumps_new(2 if symmetric else 0)
        if not handle:
            raise WavelearnError("MUMPS initialisation failed")
        lib.wl_dmumps_set_icntl(handle, 7, MUMPS_ORDERINGS[ordering])
        status = lib.wl_dmumps_analyse(handle, self.n, len(self._values), self._rows.ctypes.data,
                                       self._cols.ctypes.data, self._values.ctypes.data)
        if status < 0:
            detail = lib.wl_dmumps_infog(handle, 2)
            lib.wl_dmumps_free(handle)
            raise ConvergenceError(f"MUMPS analysis ({ordering}) failed: INFOG(1) = {status}, INFOG(2) = {detail}")
        return handle

    def _fail(self, what: str, status: int, detail: str = ""):
        message = f"MUMPS {what} failed: INFOG(1) = {status}, INFOG(2) = {self.infog(2)}{detail}"
        self.close()
        raise ConvergenceError(message)

    def infog(self, i: int) -> int:
        return _load().wl_dmumps_infog(self._handle, i)

    def rinfog(self, i: int) -> float:
        return _load().wl_dmumps_rinfog(self._handle, i)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """A^{-1} B for a vector or an n x k block B (a new array; B is not changed)."""
        x = np.array(rhs, dtype=np.float64, order="F", copy=True)
        block = x.reshape(self.n, -1, order="F")
        status = _load().wl_dmumps_solve(self._handle, block.ctypes.data, block.shape[1], self.n)
        if status < 0:
            self._fail("solve", status)
        return x

    def close(self) -> None:
        if getattr(self, "_handle", None):
            _load().wl_dmumps_free(self._handle)
        self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
