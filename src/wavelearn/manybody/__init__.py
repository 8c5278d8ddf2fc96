"""Spin-1/2 many-body models: Hilbert spaces, lattices, Hamiltonians and exact diagonalisation.

Every Hamiltonian here is written with **Pauli operators** sigma^a (eigenvalues +-1); in the spin
convention S^a = sigma^a / 2 the same couplings give energies 4x smaller for two-spin terms and
2x smaller for fields. Files and printed energies carry ``convention = "pauli"``.
"""

from wavelearn.manybody.hamiltonians import CONVENTION, MODELS, LocalTerms, SpinModel
from wavelearn.manybody.hilbert import SpinHilbert
from wavelearn.manybody.lattices import SpinLattice

__all__ = ["CONVENTION", "MODELS", "LocalTerms", "SpinHilbert", "SpinLattice", "SpinModel"]
