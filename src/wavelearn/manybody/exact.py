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


def heisenberg_chain_energy(n_sites: int, J: float = 1.0, tol: float = 1e-14) -> float:
    """Ground-state energy of the periodic antiferromagnetic Heisenberg chain H = J sum sigma_i . sigma_{i+1}
    (Pauli convention, J > 0, even N >= 4) from the Bethe ansatz (Bethe 1931; e.g. Karbach & Mueller,
    Computers in Physics 11, 36 (1997)).

    In the spin convention H = 4 J sum (S_i . S_{i+1} - 1/4) + N J. The singlet ground state has
    M = N/2 magnons with real rapidities lambda_j solving

        N arctan(2 lambda_j) = pi I_j + sum_{l != j} arctan(lambda_j - lambda_l),
        I_j = -(M - 1)/2, ..., (M - 1)/2,

    and E0 = N J - 4 J sum_j 2 / (4 lambda_j^2 + 1). The equations are solved by Newton's method
    from the fixed point's start lambda_j = tan(pi I_j / N) / 2 (the roots are symmetric about 0
    and increase with I_j), to ``tol`` in the residual. E0/N -> J (1 - 4 ln 2) as N -> infinity.
    """
    if isinstance(n_sites, bool) or not isinstance(n_sites, (int, np.integer)) or n_sites < 4 or n_sites % 2:
        raise ParameterError(f"N={n_sites!r}: the Bethe-ansatz ground state is for an even chain N >= 4")
    if not J > 0:
        raise ParameterError(f"J={J!r}: the Bethe-ansatz singlet is the ground state of the antiferromagnet J > 0")
    n, m = int(n_sites), int(n_sites) // 2
    quantum = np.arange(m) - (m - 1) / 2
    lam = 0.5 * np.tan(np.pi * quantum / n)
    for _ in range(200):
        diff = lam[:, None] - lam[None, :]
        residual = n * np.arctan(2 * lam) - np.pi * quantum - np.arctan(diff).sum(axis=1)
        if np.max(np.abs(residual)) < tol * n:
            break
        kernel = 1.0 / (1.0 + diff**2)  # d arctan(lambda_j - lambda_l) / d lambda
        jacobian = kernel.copy()
        np.fill_diagonal(jacobian, 0.0)
        jacobian[np.diag_indices(m)] = 2 * n / (1 + 4 * lam**2) - jacobian.sum(axis=1)
        lam = lam - np.linalg.solve(jacobian, residual)
    else:
        raise ParameterError(f"N={n}: the Bethe equations did not converge")
    return float(n * J - 4 * J * np.sum(2.0 / (4 * lam**2 + 1)))
