"""The spin-1/2 basis of N sites, optionally restricted to one total-Sz sector.

A basis state is an integer whose bit i is 1 when spin i points up (sigma^z_i = +1) and 0 when
it points down (sigma^z_i = -1); configurations as arrays hold sigma^z_i = +-1 in column i.
Total Sz = (n_up - n_down) / 2 in the spin convention S = sigma / 2. The states of a sector are
stored sorted, so the index of a state is found by binary search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from wavelearn.errors import ParameterError

MAX_SITES = 40  # integer encoding in int64 with room to spare; enumeration is limited separately
MAX_ENUMERATION = 50_000_000  # states held in memory at once (400 MB of int64)


@dataclass(frozen=True)
class SpinHilbert:
    """``n_sites`` spins 1/2; ``sz`` the total S^z (S = sigma/2) of the sector, or None for all 2^N.

    ``sz`` must make n_up = N/2 + sz an integer in [0, N]: Sz = 0 needs an even N.
    """

    n_sites: int
    sz: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.n_sites, bool) or not isinstance(self.n_sites, (int, np.integer)) or not (
                1 <= self.n_sites <= MAX_SITES):
            raise ParameterError(f"n_sites={self.n_sites!r} must be an integer in [1, {MAX_SITES}]")
        if self.sz is not None:
            n_up = self.n_sites / 2 + self.sz
            if abs(n_up - round(n_up)) > 1e-12:
                raise ParameterError(
                    f"sz={self.sz!r} is impossible for N={self.n_sites} spins: Sz = (n_up - n_down)/2 "
                    f"is {'half-integer' if self.n_sites % 2 else 'integer'} for "
                    f"{'odd' if self.n_sites % 2 else 'even'} N")
            if not 0 <= round(n_up) <= self.n_sites:
                raise ParameterError(f"sz={self.sz!r} must lie in [-N/2, N/2] = [{-self.n_sites / 2}, {self.n_sites / 2}]")

    @property
    def n_up(self) -> int | None:
        return None if self.sz is None else int(round(self.n_sites / 2 + self.sz))

    @property
    def size(self) -> int:
        return 2**self.n_sites if self.sz is None else math.comb(self.n_sites, self.n_up)

    def check_enumerable(self, limit: int = MAX_ENUMERATION) -> None:
        if self.size > limit:
            raise ParameterError(f"N={self.n_sites} (sz={self.sz}) has {self.size} basis states, more than the "
                                 f"{limit} that can be enumerated here")

    @cached_property
    def states(self) -> np.ndarray:
        """The basis states as sorted int64 bit patterns."""
        self.check_enumerable()
        if self.sz is None:
            return np.arange(2**self.n_sites, dtype=np.int64)
        return states_with_popcount(self.n_sites, self.n_up)

    def index(self, states: np.ndarray) -> np.ndarray:
        """Positions of ``states`` in :attr:`states`; -1 for states outside the sector."""
        states = np.asarray(states, dtype=np.int64)
        position = np.searchsorted(self.states, states)
        position = np.minimum(position, self.size - 1)
        return np.where(self.states[position] == states, position, -1)

    def configurations(self, states: np.ndarray | None = None) -> np.ndarray:
        """sigma^z = +-1 arrays (int8, shape (len(states), N)) of ``states`` (default: all)."""
        states = self.states if states is None else np.asarray(states, dtype=np.int64)
        bits = (states[:, None] >> np.arange(self.n_sites, dtype=np.int64)) & 1
        return (2 * bits - 1).astype(np.int8)

    def encode(self, configurations: np.ndarray) -> np.ndarray:
        """Integers of sigma^z = +-1 configurations (inverse of :meth:`configurations`)."""
        bits = (np.asarray(configurations) > 0).astype(np.int64)
        return bits @ (np.int64(1) << np.arange(self.n_sites, dtype=np.int64))


def states_with_popcount(n: int, k: int) -> np.ndarray:
    """All n-bit integers with exactly k bits set, ascending.

    Built by the recursion S(n, k) = S(n-1, k) followed by S(n-1, k-1) + 2^(n-1), which keeps
    the order and never touches the 2^n integers outside the sector.
    """
    # table[j] = S(m, j) for the current m, for the j that can still reach k
    table = {0: np.zeros(1, dtype=np.int64)}
    for m in range(1, n + 1):
        top = np.int64(1) << np.int64(m - 1)
        lowest = max(0, k - (n - m))
        new = {}
        for j in range(lowest, min(k, m) + 1):
            parts = []
            if j in table and j <= m - 1:
                parts.append(table[j])
            if j - 1 in table:
                parts.append(table[j - 1] + top)
            new[j] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        table = new
    return table[k]
