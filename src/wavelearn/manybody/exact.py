"""Exact ground-state energies of :class:`~wavelearn.manybody.hamiltonians.SpinModel` (Pauli convention).

The sparse H of one Sz sector goes through the eigen-solver interface in its "lowest eigenvalues"
mode (:class:`~wavelearn.solvers.LowestSettings`): LAPACK ``eigh`` (dense) for small sectors,
ARPACK Lanczos (scipy), or SLEPc Krylov-Schur under MPI for 24-28 spins (every rank assembles the
same sparse matrix; SLEPc distributes its rows).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from wavelearn.errors import ParameterError
from wavelearn.manybody.hamiltonians import CONVENTION, SpinModel
from wavelearn.solvers import BACKENDS, LowestSettings, get_solver

DENSE_MAX_DIMENSION = 6_000   # eigh of a 6000 x 6000 matrix: ~ 300 MB, tens of seconds
AUTO_DENSE_BELOW = 1_000      # "auto": dense up to this dimension, then scipy
AUTO_SCIPY_BELOW = 2_000_000  # "auto": scipy (one process) up to here, then slepc


@dataclass
class GroundState:
    """The ``nev`` lowest energies of the sector (ascending), Pauli convention, and the ground state."""

    energies: np.ndarray
    vector: np.ndarray | None
    dimension: int
    sz: float | None
    backend: str
    seconds: float
    convention: str = CONVENTION
    info: dict = field(default_factory=dict)

    @property
    def energy(self) -> float:
        return float(self.energies[0])


def choose_backend(dimension: int, backend: str) -> str:
    if backend == "auto":
        return "dense" if dimension <= AUTO_DENSE_BELOW else "scipy" if dimension <= AUTO_SCIPY_BELOW else "slepc"
    if backend not in BACKENDS:
        raise ParameterError(f"backend={backend!r} is not one of auto, {', '.join(BACKENDS)}")
    return backend


def ground_state(model: SpinModel, *, sz: float | None | str = "auto", nev: int = 1, backend: str = "auto",
                 tol: float = 1e-10, marshall: bool = False) -> GroundState:
    """Lowest ``nev`` eigenvalues of ``model`` in the sector ``sz`` ("auto": 0 for even N of the
    Sz-conserving models, the full space for ising). ``marshall`` rotates H by the Marshall sign
    first (same spectrum; used by the tests)."""
    hilbert = model.hilbert(sz)
    chosen = choose_backend(hilbert.size, backend)
    if chosen == "dense" and hilbert.size > DENSE_MAX_DIMENSION:
        raise ParameterError(f"backend dense: N={model.n_sites} (sz={hilbert.sz}) has dimension {hilbert.size} > "
                             f"{DENSE_MAX_DIMENSION}; use scipy or slepc")
    if hilbert.size <= nev:
        raise ParameterError(f"nev={nev} must be smaller than the dimension {hilbert.size} of N={model.n_sites}")
    start = time.perf_counter()
    H = model.matrix(hilbert, marshall=marshall)
    pairs = get_solver(chosen).solve(H, LowestSettings(nev=nev, tol=tol))
    vector = None if pairs.vectors is None else pairs.vectors[:, 0]
    return GroundState(pairs.values, vector, hilbert.size, hilbert.sz, chosen, time.perf_counter() - start,
                       info=pairs.info)


def ground_energy(model: SpinModel, **kwargs) -> float:
    return ground_state(model, **kwargs).energy


def ising_chain_energy(n_sites: int, J: float = 1.0, h: float = 1.0) -> float:
    """Closed form of the clean periodic transverse-field Ising chain H = -J sum sz sz - h sum sx (Pauli):

        E0 = - sum_k sqrt(J^2 + h^2 - 2 J h cos k),   k = (2m + 1) pi / N,  m = 0 .. N-1,

    the antiperiodic momenta of the Jordan-Wigner fermions in the even-parity sector, which holds
    the ground state of the periodic chain for even N (Pfeuty 1970)."""
    if n_sites % 2:
        raise ParameterError(f"N={n_sites}: the closed form is for even N")
    k = (2 * np.arange(n_sites) + 1) * np.pi / n_sites
    return float(-np.sum(np.sqrt(J * J + h * h - 2 * J * h * np.cos(k))))
