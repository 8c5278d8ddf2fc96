"""Rank and size of the MPI world, without requiring MPI for single-process runs."""

from __future__ import annotations

import os

# Environment variables set by OpenMPI, MPICH/Hydra, Slurm's PMI launchers.
_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE")


def launched_size() -> int:
    """Number of processes the launcher started (1 when not launched by mpiexec/srun)."""
    for name in _SIZE_VARIABLES:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 1


def world_rank_size() -> tuple[int, int]:
    """Rank and size from MPI itself (whatever the launcher); (0, 1) without mpi4py."""
    try:
        from mpi4py import MPI
    except ImportError:
        if launched_size() > 1:
            raise RuntimeError("launched on several ranks but mpi4py is not installed") from None
        return 0, 1
    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
