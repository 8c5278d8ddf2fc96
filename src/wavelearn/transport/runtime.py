"""Loading Kwant the way a transport process needs it: one BLAS thread, no PETSc beside it.

* One BLAS thread. Kwant's work per field point is a sparse MUMPS factorisation whose dense
  fronts are small, plus small dense LAPACK problems for the lead modes; OpenBLAS threads on
  them only contend (measured: 1.4x slower wall time with the default two threads on 2 cores,
  bench/transport_bench.py).
  Jobs run one per core instead. :func:`load_kwant` calls
  :func:`wavelearn.blas.limit_blas_threads` before Kwant's libraries load and again after.
* No PETSc. The native route links Kwant against Debian's sequential MUMPS
  (``libzmumps_seq``) and PETSc against the MPI MUMPS (``libzmumps``); both export the same
  symbol names, so with petsc4py loaded first (it exports its libraries globally) Kwant's
  calls could bind to the MPI build. :func:`load_kwant` refuses to run in a process that
  has imported petsc4py, and afterwards blocks any import of petsc4py in that process.
"""

from __future__ import annotations

import functools
import importlib.abc
import sys
from types import ModuleType

from wavelearn.blas import limit_blas_threads
from wavelearn.errors import WavelearnError

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
