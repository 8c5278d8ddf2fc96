"""Shared test helpers. MPI runs as root need OpenMPI's explicit permission."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
# Containers often forbid the cross-memory-attach OpenMPI uses for shared memory.
os.environ.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def wavelearn_cmd(*args: str, ranks: int = 1) -> list[str]:
    exe = str(BIN / "wavelearn")
    if ranks == 1:
        return [exe, *args]
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.fail("mpiexec not found: the native stack is not installed (run 'make install')")
    return [mpiexec, "-n", str(ranks), "--oversubscribe", exe, *args]


def run_cli(*args: str, ranks: int = 1, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(wavelearn_cmd(*args, ranks=ranks), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"wavelearn {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
