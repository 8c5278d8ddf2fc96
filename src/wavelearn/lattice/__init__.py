"""Tight-binding models on square (2D) and simple-cubic (3D) lattices."""

from wavelearn.lattice.params import DISTRIBUTIONS, MODELS, PERCOLATION_KINDS, LatticeModel
from wavelearn.lattice.hamiltonian import Hamiltonian, build_hamiltonian
from wavelearn.lattice.seeding import point_hash, realization_rng

__all__ = [
    "DISTRIBUTIONS",
    "MODELS",
    "PERCOLATION_KINDS",
    "LatticeModel",
    "Hamiltonian",
    "build_hamiltonian",
    "point_hash",
    "realization_rng",
]
