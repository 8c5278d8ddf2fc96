"""Rank and size of the MPI world, without paying for MPI in single-process jobs."""

from __future__ import annotations

import os

# Set by every MPI launcher in the processes it starts: Open MPI's mpiexec (OMPI_*), MPICH's and
# Intel MPI's Hydra and Slurm's srun with PMI-1/PMI-2 (PMI_*), PMIx launchers and srun --mpi=pmix
# (PMIX_*). Without any of them a process is a singleton: size 1, and importing mpi4py (which
# initialises MPI, ~0.3 s) would only delay the job.
LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "PMIX_NAMESPACE")


def launched_by_mpi() -> bool:
    return any(name in os.environ for name in LAUNCHER_VARIABLES)


def world_rank_size() -> tuple[int, int]:
    """Rank and size from MPI itself, whatever the launcher (mpiexec, srun); (0, 1) for a process
    no MPI launcher started, or without mpi4py."""
    if not launched_by_mpi():
        return 0, 1
    try:
        from mpi4py import MPI
    except ImportError:
        return 0, 1
    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
