"""Spin-1/2 Hamiltonians on periodic lattices, in the **Pauli convention** (sigma^a, eigenvalues +-1).

    ising       H = -J sum_<ij> sz_i sz_j  -  h sum_i sx_i            + sum_i w_i sz_i
    xxz         H =  J sum_<ij> (sx_i sx_j + sy_i sy_j + Delta sz_i sz_j) + sum_i w_i sz_i
    heisenberg  xxz with Delta = 1:  H = J sum_<ij> sigma_i . sigma_j  + sum_i w_i sz_i
    j1j2        H = J sum_<ij> sigma_i . sigma_j + J2 sum_<<ij>> sigma_i . sigma_j + sum_i w_i sz_i

<ij> are nearest-neighbour bonds, <<ij>> next-nearest ones (chain: i, i+2; square: diagonals).
In the spin convention S = sigma/2 the same H reads 4 J S_i . S_j (two-spin terms) and 2 w_i S^z_i:
an energy printed here is 4x the usual "J S.S" energy of the Heisenberg model (e.g. N = 4 chain:
E0 = -8 J here, -2 J with S operators).

Random on-site fields w_i, i.i.d. uniform in [-W, W] (the many-body-localisation convention), are
drawn from the stream of realization k of the model's point:
SeedSequence(entropy=seed, spawn_key=(*SHA-256 words of the parameters, k)) as in
:mod:`wavelearn.lattice.seeding`, so one realization is the same Hamiltonian everywhere.

The Hamiltonian acts on a configuration sigma (sz eigenvalues +-1) as
H|sigma> = diag(sigma)|sigma> + sum_m c_m(sigma) |sigma with the sites of move m flipped>, where a move
is a single flip (transverse field, c = -h) or an exchange of an antiparallel pair (sx sx + sy sy
gives 2 on antiparallel pairs, c = 2 J_b; 0 on parallel ones). :class:`LocalTerms` holds these
rules as arrays, which is the form variational Monte Carlo needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from wavelearn.errors import ParameterError
from wavelearn.manybody.hilbert import SpinHilbert
from wavelearn.manybody.lattices import SpinLattice

CONVENTION = "pauli"
MODELS = ("ising", "xxz", "heisenberg", "j1j2")
SZ_CONSERVING = ("xxz", "heisenberg", "j1j2")


@dataclass(frozen=True)
class LocalTerms:
    """H as arrays: diagonal couplings and off-diagonal moves (see the module docstring).

    diag(sigma) = sum_b zz[b] sigma_{pairs[b,0]} sigma_{pairs[b,1]} + sum_i field[i] sigma_i
    move m flips the sites ``flips[m]`` (one or two columns) with element ``coupling[m]``; when
    ``exchange`` the element is nonzero only if the two flipped spins are antiparallel.
    """

    n_sites: int
    pairs: np.ndarray      # (n_zz, 2) int
    zz: np.ndarray         # (n_zz,) float
    field: np.ndarray      # (N,) float
    flips: np.ndarray      # (M, 1) or (M, 2) int
    coupling: np.ndarray   # (M,) float
    exchange: bool

    def diagonal(self, sigma: np.ndarray) -> np.ndarray:
        sigma = np.asarray(sigma, dtype=np.float64)
        return (sigma[..., self.pairs[:, 0]] * sigma[..., self.pairs[:, 1]]) @ self.zz + sigma @ self.field

    def elements(self, sigma: np.ndarray) -> np.ndarray:
        """Off-diagonal elements <sigma'_m|H|sigma>, shape (..., M)."""
        sigma = np.asarray(sigma)
        shape = sigma.shape[:-1] + (len(self.coupling),)
        if not self.exchange:
            return np.broadcast_to(self.coupling, shape).astype(np.float64)
        antiparallel = sigma[..., self.flips[:, 0]] != sigma[..., self.flips[:, 1]]
        return np.where(antiparallel, self.coupling, 0.0)

    def connected(self, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All sigma' with <sigma'|H|sigma> possibly nonzero and those elements, for a batch.

        Returns ``(sigma_prime, mels)`` of shapes (B, 1 + M, N) and (B, 1 + M): column 0 is
        sigma itself with the diagonal element, column m + 1 is move m (element 0 when the move
        does not apply, so the shapes are fixed — what a jitted local energy wants).
        """
        sigma = np.atleast_2d(np.asarray(sigma, dtype=np.int8))
        sign = np.ones((len(self.coupling), self.n_sites), dtype=np.int8)
        for column in range(self.flips.shape[1]):
            sign[np.arange(len(self.coupling)), self.flips[:, column]] = -1
        flipped = sigma[:, None, :] * sign[None, :, :]
        sigma_prime = np.concatenate([sigma[:, None, :], flipped], axis=1)
        mels = np.concatenate([self.diagonal(sigma)[:, None], self.elements(sigma)], axis=1)
        return sigma_prime, mels


def _hash_words(parameters: dict[str, Any]) -> tuple[int, ...]:
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return tuple(int(digest[i: i + 8], 16) for i in range(0, 32, 8))


@dataclass(frozen=True)
class SpinModel:
    """One spin model on one lattice (Pauli convention; equations in the module docstring).

    ``model``     ising, xxz, heisenberg or j1j2
    ``geometry``  chain or square; ``L`` sites per side (periodic)
    ``J``         nearest-neighbour coupling (J > 0: ferromagnetic Ising, antiferromagnetic Heisenberg)
    ``h``         transverse field of the Ising model
    ``delta``     zz anisotropy of xxz (1 for heisenberg and j1j2)
    ``J2``        next-nearest coupling of j1j2
    ``W``         strength of the random fields w_i in [-W, W] (0: clean)
    ``seed``, ``realization``   the random stream of the fields
    """

    model: str = "heisenberg"
    geometry: str = "chain"
    L: int = 8
    J: float = 1.0
    h: float = 1.0
    delta: float = 1.0
    J2: float = 0.0
    W: float = 0.0
    seed: int = 0
    realization: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ParameterError(f"model={self.model!r} is not one of {', '.join(MODELS)}")
        SpinLattice(self.geometry, self.L)  # validates geometry and L
        for name in ("J", "h", "delta", "J2", "W"):
            value = getattr(self, name)
            if not np.isfinite(value):
                raise ParameterError(f"{name}={value!r} must be finite")
        if self.W < 0:
            raise ParameterError(f"W={self.W!r} must be >= 0")
        if self.model == "heisenberg" and self.delta != 1.0:
            raise ParameterError(f"delta={self.delta!r}: heisenberg has delta = 1 (use model xxz)")
        if self.model != "j1j2" and self.J2 != 0.0:
            raise ParameterError(f"J2={self.J2!r} needs model j1j2 (model={self.model!r})")
        if self.model == "j1j2":
            _ = self.lattice.next_bonds  # refuses lattices too small for next-nearest bonds
        for name in ("seed", "realization"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ParameterError(f"{name}={value!r} must be an integer >= 0")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        extra = {"ising": f"h{self.h:g}", "xxz": f"delta{self.delta:g}", "heisenberg": "", "j1j2": f"J2_{self.J2:g}"}
        parts = [self.model, f"{self.geometry}{self.L}", extra[self.model], f"W{self.W:g}"]
        return "_".join(p for p in parts if p)

    @property
    def lattice(self) -> SpinLattice:
        return SpinLattice(self.geometry, self.L)

    @property
    def n_sites(self) -> int:
        return self.lattice.n_sites

    @property
    def conserves_sz(self) -> bool:
        return self.model in SZ_CONSERVING

    def default_sz(self) -> float | None:
        """The sector of the ground state of the clean antiferromagnet: Sz = 0 (1/2 for odd N); None for ising."""
        if not self.conserves_sz:
            return None
        return 0.0 if self.n_sites % 2 == 0 else 0.5

    def hilbert(self, sz: float | None | str = "auto") -> SpinHilbert:
        """The basis H acts on; ``sz`` a sector (Sz-conserving models only), None (all), or "auto"."""
        if isinstance(sz, str):
            if sz != "auto":
                raise ParameterError(f"sz={sz!r} must be a number, None or 'auto'")
            sz = self.default_sz()
        if sz is not None and not self.conserves_sz:
            raise ParameterError(f"sz={sz!r}: the {self.model} model does not conserve total Sz; use sz=None")
        return SpinHilbert(self.n_sites, sz)

    @cached_property
    def fields(self) -> np.ndarray:
        """The random on-site fields w_i (zeros when W = 0)."""
        if self.W == 0:
            return np.zeros(self.n_sites)
        point = {k: v for k, v in self.as_dict().items() if k not in ("seed", "realization")}
        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(*_hash_words(point), self.realization))
        return np.random.default_rng(sequence).uniform(-self.W, self.W, self.n_sites)

    @cached_property
    def terms(self) -> LocalTerms:
        lattice = self.lattice
        bonds = lattice.bonds
        if self.model == "ising":
            return LocalTerms(self.n_sites, bonds, np.full(len(bonds), -self.J), self.fields.copy(),
                              np.arange(self.n_sites)[:, None], np.full(self.n_sites, -self.h), exchange=False)
        couplings = np.full(len(bonds), self.J)
        zz = np.full(len(bonds), self.J * self.delta)
        if self.model == "j1j2":
            bonds = np.concatenate([bonds, lattice.next_bonds])
            couplings = np.concatenate([couplings, np.full(len(lattice.next_bonds), self.J2)])
            zz = np.concatenate([zz, np.full(len(lattice.next_bonds), self.J2)])
        return LocalTerms(self.n_sites, bonds, zz, self.fields.copy(), bonds, 2.0 * couplings, exchange=True)

    def matrix(self, hilbert: SpinHilbert | None = None, *, marshall: bool = False) -> sp.csr_matrix:
        """H in the basis of ``hilbert`` (default: :meth:`hilbert` "auto") as a real CSR matrix.

        ``marshall``: conjugated by the Marshall sign U = diag((-1)^{n_up on sublattice 1}),
        U H U — same spectrum; for the bipartite antiferromagnet all off-diagonal elements become
        <= 0, so the ground state is positive (Perron-Frobenius).
        """
        hilbert = self.hilbert() if hilbert is None else hilbert
        if hilbert.n_sites != self.n_sites:
            raise ParameterError(f"hilbert space of {hilbert.n_sites} sites for a model of {self.n_sites}")
        if hilbert.sz is not None and not self.conserves_sz:
            raise ParameterError(f"sz={hilbert.sz}: the {self.model} model does not conserve total Sz")
        terms = self.terms
        states = hilbert.states
        n = len(states)
        rows, cols, vals = [np.arange(n)], [np.arange(n)], []
        # diagonal in chunks: configurations of all states at once could be large
        diagonal = np.empty(n)
        chunk = 1 << 18
        for start in range(0, n, chunk):
            diagonal[start: start + chunk] = terms.diagonal(hilbert.configurations(states[start: start + chunk]))
        vals.append(diagonal)
        sign = self._marshall_of_states(states) if marshall else None
        for sites, coupling in zip(terms.flips, terms.coupling):
            mask = np.int64(0)
            for site in sites:
                mask |= np.int64(1) << np.int64(site)
            source = np.arange(n)
            if terms.exchange:
                bit_i = (states >> np.int64(sites[0])) & 1
                bit_j = (states >> np.int64(sites[1])) & 1
                source = source[bit_i != bit_j]
            target = hilbert.index(states[source] ^ mask)
            value = np.full(len(source), coupling)
            if sign is not None:
                value = value * sign[source] * sign[target]
            rows.append(target)
            cols.append(source)
            vals.append(value)
        H = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        return H.tocsr()

    def _marshall_of_states(self, states: np.ndarray) -> np.ndarray:
        mask = np.int64(0)
        for site in np.flatnonzero(self.lattice.sublattice == 1):
            mask |= np.int64(1) << np.int64(site)
        return 1.0 - 2.0 * (np.bitwise_count(states & mask) % 2)


def marshall_sign(lattice: SpinLattice, sigma: np.ndarray) -> np.ndarray:
    """(-1)^{number of up spins on sublattice 1} for configurations sigma (+-1), shape (...,)."""
    up_on_b = np.sum((np.asarray(sigma) > 0) & (lattice.sublattice == 1), axis=-1)
    return 1 - 2 * (up_on_b % 2)
