"""Loading Kwant the way a transport process needs it: one BLAS thread, no PETSc beside it.

* One BLAS thread. Kwant's work per field point is a sparse MUMPS factorisation whose dense
  fronts are small, plus small dense LAPACK problems for the lead modes; OpenBLAS threads on
  them only contend (measured: ten times slower with the default thread count on 2 cores).
  Jobs run one per core instead. :func:`load_kwant` sets ``OPENBLAS_NUM_THREADS`` and
  ``OMP_NUM_THREADS`` to 1 before Kwant's libraries load (OpenBLAS reads them at load time)
  and limits every OpenBLAS already loaded in the process (NumPy's, SciPy's) through its
  ``*openblas_set_num_threads*`` entry point.
* No PETSc. The native route links Kwant against Debian's sequential MUMPS
  (``libzmumps_seq``) and PETSc against the MPI MUMPS (``libzmumps``); both export the same
  symbol names, so with petsc4py loaded first (it exports its libraries globally) Kwant's
  calls could bind to the MPI build. :func:`load_kwant` refuses to run in a process that
  has imported petsc4py, and afterwards blocks any import of petsc4py in that process.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.abc
import os
import sys
from types import ModuleType

from wavelearn.errors import WavelearnError

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
FORBIDDEN = ("petsc4py", "slepc4py")
SOLVERS = ("mumps", "scipy")


class TransportRuntimeError(WavelearnError, RuntimeError):
    """Kwant cannot run correctly in this process."""


class _BlockPetsc(importlib.abc.MetaPathFinder):
    """Refuses petsc4py/slepc4py in a process that uses Kwant (two MUMPS builds)."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: D102
        if fullname.split(".")[0] in FORBIDDEN:
            raise ImportError(
                f"{fullname} cannot be imported in a process that uses Kwant: PETSc's MPI MUMPS and "
                "Kwant's sequential MUMPS export the same symbols; run them in separate processes")
        return None


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:  # not Linux: rely on the environment variables
        return []
    return sorted(p for p in paths if ".so" in p)


def _openblas_setters(path: str) -> list:
    lib = ctypes.CDLL(path)
    names = ("openblas_set_num_threads", "openblas_set_num_threads64_",
             "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_")
    return [getattr(lib, name) for name in names if hasattr(lib, name)]


def blas_threads() -> dict[str, int]:
    """Threads of every OpenBLAS loaded in this process, by library path."""
    result = {}
    for path in _loaded_openblas():
        lib = ctypes.CDLL(path)
        for name in ("openblas_get_num_threads", "openblas_get_num_threads64_",
                     "scipy_openblas_get_num_threads", "scipy_openblas_get_num_threads64_"):
            if hasattr(lib, name):
                result[path] = int(getattr(lib, name)())
                break
    return result


def limit_blas_threads() -> None:
    """One BLAS thread, now and for libraries loaded later (module docstring)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    for path in _loaded_openblas():
        for setter in _openblas_setters(path):
            setter.argtypes = [ctypes.c_int]
            setter(1)


def load_kwant() -> ModuleType:
    """Import Kwant with one BLAS thread and without PETSc in the process; return the module."""
    present = [name for name in FORBIDDEN if name in sys.modules]
    if present:
        raise TransportRuntimeError(
            f"{', '.join(present)} is loaded in this process: Kwant's sequential MUMPS must not share a "
            "process with PETSc's MPI MUMPS (same symbol names); run transport in its own process")
    limit_blas_threads()
    if not any(isinstance(finder, _BlockPetsc) for finder in sys.meta_path):
        sys.meta_path.insert(0, _BlockPetsc())
    import kwant  # noqa: PLC0415 (deliberately after the settings above)

    limit_blas_threads()  # OpenBLAS copies loaded by Kwant's import (SciPy's, MUMPS's)
    return kwant


#: MUMPS fill-reducing ordering. Measured CPU seconds per field point of antidot billiards
#: (kwant_decides, i.e. SCOTCH here -> amd): 100x100 0.119 -> 0.084, 200x200 0.534 -> 0.458;
#: amf and qamd are within noise of amd, pord is the slowest.
MUMPS_ORDERING = "amd"
#: Right-hand sides (incoming modes) per MUMPS solve call: 16 instead of Kwant's 6 saves
#: about 8 % per field point at 100x100 and 200x200 (measured).
MUMPS_NRHS = 16


@functools.lru_cache(maxsize=None)
def solver(name: str):
    """A Kwant solver instance (``smatrix``, ``wave_function``): ``mumps`` (kwant.solvers.mumps,
    :data:`MUMPS_ORDERING`, :data:`MUMPS_NRHS`) or ``scipy`` (kwant.solvers.sparse, the SciPy fallback,
    kept for comparisons). Its own instance, so Kwant's global default solver is untouched."""
    if name not in SOLVERS:
        raise TransportRuntimeError(f"solver={name!r} is not one of {', '.join(SOLVERS)}")
    load_kwant()
    if name == "mumps":
        try:
            import kwant.solvers.mumps as module  # noqa: PLC0415
        except ImportError as err:
            raise TransportRuntimeError(
                f"Kwant was built without MUMPS ({err}); rebuild it with envs/native/build-kwant.sh "
                "or use the conda environment envs/transport.yaml") from None
        instance = module.Solver()
        instance.options(ordering=MUMPS_ORDERING, nrhs=MUMPS_NRHS)
        return instance
    import kwant.solvers.sparse as module  # noqa: PLC0415

    return module.Solver()
