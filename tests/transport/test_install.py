"""Kwant is installed, solves with the sequential MUMPS (not SciPy), with one BLAS thread and
never beside PETSc. Every check runs in a fresh interpreter: the test process may have loaded
petsc4py (the eigen-solver tests), and wavelearn refuses Kwant beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

# Subprocesses: one BLAS thread (as the workflow runs them), nothing else changed.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def python(code: str, env: dict, *flags: str) -> str:
    result = subprocess.run([sys.executable, *flags, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.timeout(120)
def test_kwant_solves_with_mumps():
    # Kwant picks its default solver at import (kwant/solvers/default.py): MUMPS when
    # kwant.linalg._mumps imports, else SciPy with a RuntimeWarning -- an error here.
    out = python("""
        import json
        import kwant, kwant.linalg.mumps, kwant.linalg._mumps as lib
        import kwant.solvers.default, kwant.solvers.mumps, kwant.solvers.sparse
        from wavelearn.transport import runtime
        lat = kwant.lattice.square(norbs=1)
        syst = kwant.Builder()
        syst[(lat(x, y) for x in range(10) for y in range(5))] = 0.0
        syst[lat.neighbors()] = -1.0
        lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
        lead[(lat(0, y) for y in range(5))] = 0.0
        lead[lat.neighbors()] = -1.0
        syst.attach_lead(lead)
        syst.attach_lead(lead.reversed())
        fsyst = syst.finalized()
        print(json.dumps({
            "default": kwant.solvers.default.smodule.__name__,
            "smatrix": type(kwant.smatrix.__self__).__module__,
            # kwant.solvers.mumps prefers the python-mumps package when installed (conda-forge's
            # route); the native route must use the kwant.linalg._mumps built here.
            "context": kwant.solvers.mumps.MUMPSContext.__module__,
            "library": lib.__file__,
            "t_mumps": kwant.smatrix(fsyst, 0.5).transmission(1, 0),
            "t_scipy": kwant.solvers.sparse.smatrix(fsyst, 0.5).transmission(1, 0),
            "wavelearn": type(runtime.solver("mumps")).__module__,
            "ordering": runtime.solver("mumps").ordering,
        }))
    """, ENV, "-W", "error::RuntimeWarning")
    info = json.loads(out)
    assert info["default"] == "kwant.solvers.mumps"
    assert info["smatrix"] == "kwant.solvers.mumps"
    assert info["context"] == "kwant.linalg.mumps"
    assert info["wavelearn"] == "kwant.solvers.mumps" and info["ordering"] == "amd"  # what our jobs use
    # A clean 5-site-wide wire at E = 0.5 transmits all of its 4 open modes (both solvers):
    # e_n = -2 cos(n pi / 6) = -1.73, -1, 0, 1, 1.73 and |E - e_n| < 2 for n = 2..5.
    assert info["t_mumps"] == pytest.approx(4.0, abs=1e-10)
    assert info["t_scipy"] == pytest.approx(4.0, abs=1e-10)
    libs = subprocess.run(["ldd", info["library"]], capture_output=True, text=True, check=True).stdout
    assert "libzmumps_seq" in libs
    assert not any("libzmumps" in line and "_seq" not in line for line in libs.splitlines()), libs


@pytest.mark.timeout(120)
def test_kwant_refuses_petsc_in_the_same_process():
    out = python("""
        import sys, types
        from wavelearn.transport.runtime import TransportRuntimeError, load_kwant
        sys.modules["petsc4py"] = types.ModuleType("petsc4py")  # as if the eigen-solver ran here
        try:
            load_kwant()
        except TransportRuntimeError as err:
            print("refused:", err)
        del sys.modules["petsc4py"]
        load_kwant()
        try:
            import petsc4py
        except ImportError as err:
            print("blocked:", err)
    """, ENV)
    assert "refused: petsc4py is loaded in this process" in out
    assert "blocked: petsc4py cannot be imported in a process that uses Kwant" in out


@pytest.mark.timeout(120)
def test_one_blas_thread():
    # Even when the environment asks for many threads and NumPy's OpenBLAS is already loaded.
    out = python("""
        import json
        import numpy, scipy.linalg
        from wavelearn.transport import system  # loads Kwant through load_kwant()
        from wavelearn.blas import blas_threads
        print(json.dumps(blas_threads()))
    """, {**ENV, "OPENBLAS_NUM_THREADS": "8", "OMP_NUM_THREADS": "8"})
    threads = json.loads(out)
    assert threads, "no OpenBLAS found in the process"
    assert any("scipy_openblas" in path or "numpy" in path for path in threads), threads
    assert set(threads.values()) == {1}, threads
