"""One BLAS thread per job process: the campaign's jobs are parallel by processes and MPI ranks.

Why: the solves' dense kernels are small (MUMPS's frontal matrices, a block of 4 right-hand
sides, the Krylov basis times a block), so OpenBLAS threads only contend — measured at 3D
L = 32 on 2 cores, the real eigen-solve took 2.0-2.8 s with OpenBLAS's default thread count
against 1.4-1.7 s with one, and Kwant's transport was ten times slower. The thread count also
changes how OpenBLAS splits its sums, so the last bits of eigenvalues would depend on the core
count of the node a job lands on; with one thread they do not.

OpenBLAS reads ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` when a copy of it is loaded;
:func:`limit_blas_threads` sets both for copies loaded later (MUMPS's through the real shim,
PETSc's, Kwant's) and calls ``openblas_set_num_threads`` of the copies already loaded
(NumPy's and SciPy's wheels bring their own). Only the standard library is used here: every
layer may call it.
"""

from __future__ import annotations

import ctypes
import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_")
_GETTERS = ("openblas_get_num_threads", "openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads", "scipy_openblas_get_num_threads64_")


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries mapped into this process (Linux; [] elsewhere)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:  # not Linux: rely on the environment variables
        return []
    return sorted(p for p in paths if ".so" in p)


def _entry_points(path: str, names: tuple[str, ...]) -> list:
    lib = ctypes.CDLL(path)
    return [getattr(lib, name) for name in names if hasattr(lib, name)]


def blas_threads() -> dict[str, int]:
    """Threads of every OpenBLAS loaded in this process, by library path."""
    result = {}
    for path in _loaded_openblas():
        getters = _entry_points(path, _GETTERS)
        if getters:
            result[path] = int(getters[0]())
    return result


def max_blas_threads() -> int:
    """The most threads any loaded OpenBLAS runs with (1 when none is loaded): what a job records."""
    return max(blas_threads().values(), default=1)


def limit_blas_threads() -> None:
    """One BLAS thread, now and for libraries loaded later (module docstring)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    for path in _loaded_openblas():
        for setter in _entry_points(path, _SETTERS):
            setter.argtypes = [ctypes.c_int]
            setter(1)
