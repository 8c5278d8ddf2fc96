"""Periodic spin lattices: the chain of L sites and the L x L square lattice.

Sites are numbered i = x on the chain and i = x + L y on the square lattice. Bonds are unordered
pairs (i, j) with i < j, each listed once; a lattice so small that a bond would appear twice
(chain L < 3, square L < 3, next-nearest bonds of a chain with L < 5) is refused, because the
periodic images would double its coupling.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np

from wavelearn.errors import ParameterError

GEOMETRIES = ("chain", "square")


def _unique_bonds(pairs: list[tuple[int, int]], what: str, geometry: str, L: int) -> np.ndarray:
    bonds = [tuple(sorted(p)) for p in pairs]
    if len(set(bonds)) != len(bonds) or any(i == j for i, j in bonds):
        raise ParameterError(f"L={L} is too small for {what} bonds of a periodic {geometry}: "
                             f"periodic images would coincide (use a larger L)")
    return np.array(sorted(bonds), dtype=np.int64).reshape(-1, 2)


@dataclass(frozen=True)
class SpinLattice:
    """``geometry`` chain or square, ``L`` sites per side, periodic boundaries."""

    geometry: str = "chain"
    L: int = 8

    def __post_init__(self) -> None:
        if self.geometry not in GEOMETRIES:
            raise ParameterError(f"geometry={self.geometry!r} is not one of {', '.join(GEOMETRIES)}")
        if isinstance(self.L, bool) or not isinstance(self.L, (int, np.integer)) or self.L < 3:
            raise ParameterError(f"L={self.L!r} must be an integer >= 3 (periodic {self.geometry})")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def n_sites(self) -> int:
        return self.L if self.geometry == "chain" else self.L * self.L

    def _coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        i = np.arange(self.n_sites)
        return (i, np.zeros_like(i)) if self.geometry == "chain" else (i % self.L, i // self.L)

    def _site(self, x, y) -> np.ndarray:
        x, y = np.mod(x, self.L), np.mod(y, self.L)
        return x if self.geometry == "chain" else x + self.L * y

    def _shifted(self, shifts: list[tuple[int, int]]) -> list[tuple[int, int]]:
        x, y = self._coordinates()
        pairs = []
        for dx, dy in shifts:
            pairs += list(zip(range(self.n_sites), self._site(x + dx, y + dy).tolist()))
        return pairs

    @cached_property
    def bonds(self) -> np.ndarray:
        """Nearest-neighbour bonds, shape (n_bonds, 2): N on the chain, 2N on the square lattice."""
        shifts = [(1, 0)] if self.geometry == "chain" else [(1, 0), (0, 1)]
        return _unique_bonds(self._shifted(shifts), "nearest-neighbour", self.geometry, self.L)

    @cached_property
    def next_bonds(self) -> np.ndarray:
        """Next-nearest bonds of J1-J2: (i, i+2) on the chain, the two diagonals on the square lattice."""
        shifts = [(2, 0)] if self.geometry == "chain" else [(1, 1), (1, -1)]
        return _unique_bonds(self._shifted(shifts), "next-nearest", self.geometry, self.L)

    @property
    def bipartite(self) -> bool:
        """Nearest neighbours always on opposite sublattices: periodic with even L."""
        return self.L % 2 == 0

    @cached_property
    def sublattice(self) -> np.ndarray:
        """0 or 1 per site, (x + y) mod 2; raises for odd L, where the periodic lattice is not bipartite."""
        if not self.bipartite:
            raise ParameterError(f"L={self.L} is odd: the periodic {self.geometry} is not bipartite, "
                                 f"so it has no sublattices (and no Marshall sign)")
        x, y = self._coordinates()
        return ((x + y) % 2).astype(np.int64)

    @cached_property
    def translations(self) -> np.ndarray:
        """All lattice translations as permutations, shape (n_translations, N): row t maps site i to
        ``translations[t, i]``; row 0 is the identity."""
        x, y = self._coordinates()
        shifts = [(dx, 0) for dx in range(self.L)] if self.geometry == "chain" else [
            (dx, dy) for dy in range(self.L) for dx in range(self.L)]
        return np.stack([self._site(x + dx, y + dy) for dx, dy in shifts]).astype(np.int64)
