"""Rank and size of the MPI world."""

from __future__ import annotations


def world_rank_size() -> tuple[int, int]:
    """Rank and size from MPI itself, whatever the launcher (mpiexec, srun); (0, 1) without mpi4py."""
    try:
        from mpi4py import MPI
    except ImportError:
        return 0, 1
    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
