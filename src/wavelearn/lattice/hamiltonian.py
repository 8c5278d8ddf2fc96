"""Assemble the tight-binding Hamiltonian of one disorder realization as a sparse matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from wavelearn.lattice.params import LatticeModel
from wavelearn.lattice.seeding import realization_rng

HOPPING = 1.0  # t: the energy unit


@dataclass(frozen=True)
class Hamiltonian:
    """H restricted to the sites in the Hilbert space.

    ``matrix[i, j]`` couples ``sites[i]`` and ``sites[j]``, flat C-order indices into the full
    lattice of shape ``model.shape`` (removed percolation sites, and with ``cluster="largest"``
    every site outside the largest cluster, are absent).
    """

    model: LatticeModel
    matrix: sp.csr_matrix
    sites: np.ndarray

    @property
    def dimension(self) -> int:
        return self.matrix.shape[0]

    @property
    def coordinates(self) -> np.ndarray:
        """Integer site coordinates, shape (dimension, dim), columns x, y[, z]."""
        return np.stack(np.unravel_index(self.sites, self.model.shape), axis=1)

    def on_lattice(self, values: np.ndarray) -> np.ndarray:
        """Scatter per-site values (..., dimension) onto the full lattice (..., *shape); 0 off it."""
        values = np.asarray(values)
        full = np.zeros(values.shape[:-1] + (self.model.n_sites,), dtype=values.dtype)
        full[..., self.sites] = values
        return full.reshape(values.shape[:-1] + self.model.shape)


def onsite_energies(model: LatticeModel, rng: np.random.Generator) -> np.ndarray:
    """eps_j for every lattice site, drawn from ``model.distribution`` with width W."""
    n = model.n_sites
    if model.W == 0.0:
        return np.zeros(n)
    if model.distribution == "box":
        return model.W * (rng.random(n) - 0.5)
    if model.distribution == "gaussian":
        return model.W * rng.standard_normal(n)
    return model.W * rng.standard_cauchy(n)  # cauchy: half width W


def largest_cluster(n_sites: int, kept: np.ndarray, edges: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Sorted flat indices of the largest connected cluster of the kept sites.

    ``kept`` (n_sites,) bool marks the sites in the sample, ``edges`` = (src, dst) the kept
    nearest-neighbour bonds (periodic wraps included); bonds touching a removed site are
    ignored. Of clusters of equal size the one holding the lowest site index wins, so the
    choice is a function of the realization alone.
    """
    src, dst = edges
    both = kept[src] & kept[dst]
    graph = sp.coo_matrix((np.ones(int(both.sum()), dtype=np.int8), (src[both], dst[both])),
                          shape=(n_sites, n_sites))
    count, labels = connected_components(graph, directed=False)
    members = np.flatnonzero(kept)
    if not len(members):
        return members
    sizes = np.bincount(labels[members], minlength=count)
    lowest = np.full(count, n_sites)
    np.minimum.at(lowest, labels[members], members)
    biggest = np.flatnonzero(sizes == sizes.max())
    chosen = biggest[np.argmin(lowest[biggest])]
    return members[labels[members] == chosen]


def build_hamiltonian(model: LatticeModel, campaign_seed: int = 0, realization: int = 0) -> Hamiltonian:
    """H for realization ``realization`` of ``model`` (see :mod:`wavelearn.lattice.seeding`).

    Every random number is drawn for the whole lattice whatever the boundary or the
    percolation kind, so the draws never depend on what is later discarded.
    """
    rng = realization_rng(campaign_seed, model, realization)
    n, shape = model.n_sites, model.shape
    index = np.arange(n).reshape(shape)
    eps = onsite_energies(model, rng["onsite"])

    # Hops j -> j + e_a along each axis a, one candidate per site and axis.
    bond_kept = np.ones((model.dim, n), dtype=bool)
    if model.model == "percolation" and model.percolation == "bond":
        bond_kept = rng["bonds"].random((model.dim, n)) < model.p
    x = np.unravel_index(np.arange(n), shape)[0]
    dtype = np.complex128 if model.is_complex else np.float64
    rows, cols, vals = [np.arange(n)], [np.arange(n)], [eps.astype(dtype)]
    bonds_src, bonds_dst = [], []  # the kept bonds, for the cluster of the Hilbert space
    for axis in range(model.dim):
        src = index.ravel()
        dst = np.roll(index, -1, axis=axis).ravel()
        keep = bond_kept[axis].copy()
        if model.boundary == "open":
            keep &= np.unravel_index(src, shape)[axis] < model.L - 1
        amplitude = np.full(n, -HOPPING, dtype=dtype)
        if axis == 1 and model.is_complex:
            # Landau gauge A = (0, B x, 0): Peierls phase on hops along y.
            amplitude = amplitude * np.exp(2j * np.pi * model.flux * x)
        s, d, a = src[keep], dst[keep], amplitude[keep]
        bonds_src.append(s), bonds_dst.append(d)
        rows += [d, s]  # <dst|H|src> = a and its Hermitian conjugate
        cols += [s, d]
        vals += [a, np.conj(a)]
    matrix = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    ).tocsr()  # duplicates (L = 2 periodic) are summed

    kept = np.ones(n, dtype=bool)
    if model.model == "percolation" and model.percolation == "site":
        kept = rng["sites"].random(n) < model.p
    sites = np.flatnonzero(kept)
    if model.cluster == "largest":
        sites = largest_cluster(n, kept, (np.concatenate(bonds_src), np.concatenate(bonds_dst)))
    if len(sites) < n:
        matrix = matrix[sites][:, sites].tocsr()
    matrix.sort_indices()
    return Hamiltonian(model=model, matrix=matrix, sites=sites)
