"""Multifractal analysis of |psi|^2: inverse participation ratio and the correlation dimension D2.

For a normalised state on N = L^d sites,

    IPR = sum_r |psi(r)|^4,

of order 1/N = L^-d for an extended state, O(1) for a localized one, and L^-D2 at the Anderson
transition, where the critical eigenstates are multifractal with 0 < D2 < d.

Box-size scaling within one state: coarse-grain |psi|^2 into the (L/b)^d boxes of side b (b
divides L), mu_box = sum_{r in box} |psi(r)|^2, and form the moment

    P_2(b) = sum_boxes mu_box^2   ~   (b / L)^D2,

so D2 is the slope of ln P_2 against ln(b/L) (b = 1 gives the IPR itself). Uniform states give
D2 = d, a state on one site D2 = 0. Averages over states follow the ensemble (annealed) route,
ln <P_2(b)> against ln(b/L), the one used for finite-size scaling of multifractal spectra
(Rodriguez, Vasquez, Slevin & Roemer, PRB 84, 134209 (2011)); the typical route averages
ln P_2 instead.

System-size scaling across L: <IPR>(L) ~ L^-D2 at fixed disorder, D2 the slope of -ln <IPR>
against ln L.

Errors are bootstrapped over disorder realizations (states of one realization share it).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from wavelearn.errors import DataError, ParameterError
from wavelearn.analysis.levels import DEFAULT_BOOTSTRAP


def ipr(density: np.ndarray) -> np.ndarray:
    """sum_r |psi(r)|^4 of each state of ``density`` (n_states, *shape), |psi|^2 summing to 1."""
    flat = np.asarray(density).reshape(len(density), -1).astype(np.float64)
    return np.sum(flat**2, axis=1)


def box_sizes(L: int, largest: float = 0.5) -> tuple[int, ...]:
    """The box sides b that divide L with 1 <= b <= largest * L (default: all up to L/2)."""
    if L < 2:
        raise ParameterError(f"L={L}: box scaling needs L >= 2")
    return tuple(b for b in range(1, L + 1) if L % b == 0 and b <= largest * L)


def coarse_grain(density: np.ndarray, b: int) -> np.ndarray:
    """Box measures mu of side ``b``: ``density`` (n, L, ..., L) -> (n, L/b, ..., L/b)."""
    density = np.asarray(density)
    shape = density.shape[1:]
    L = shape[0]
    if any(s != L for s in shape):
        raise DataError(f"coarse_grain: the lattice {shape} is not a hypercube")
    if b < 1 or L % b:
        raise ParameterError(f"b={b}: the box side must be a positive divisor of L={L}")
    split = [len(density)]
    for _ in shape:
        split += [L // b, b]
    return density.reshape(split).sum(axis=tuple(range(2, len(split), 2)))


def box_moments(density: np.ndarray, sizes: Sequence[int], q: float = 2.0) -> np.ndarray:
    """P_q(b) = sum_boxes mu_box^q for each state (rows) and each b in ``sizes`` (columns)."""
    density = np.asarray(density, dtype=np.float64)
    out = np.empty((len(density), len(sizes)))
    for j, b in enumerate(sizes):
        mu = coarse_grain(density, b).reshape(len(density), -1)
        out[:, j] = np.sum(mu**q, axis=1)
    return out


def _slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope of y (..., n) against x (n,)."""
    x = np.asarray(x, dtype=np.float64)
    xc = x - x.mean()
    return (np.asarray(y) - np.mean(y, axis=-1, keepdims=True)) @ xc / (xc @ xc)


def d2_from_moments(moments: np.ndarray, sizes: Sequence[int], L: int) -> np.ndarray:
    """D2 of each row of ``moments`` (P_2 at the box sides ``sizes``): the slope of ln P_2
    against ln(b/L). A 1-D ``moments`` (an average over states) gives a scalar."""
    if len(sizes) < 2:
        raise ParameterError(f"box sides {tuple(sizes)}: the slope needs at least two "
                             "(choose L with more divisors)")
    return _slope(np.log(np.asarray(sizes) / L), np.log(moments))


def d2_box(density: np.ndarray, sizes: Sequence[int] | None = None) -> np.ndarray:
    """D2 of each single state of ``density`` (n_states, L, ..., L) by box-size scaling."""
    L = np.asarray(density).shape[1]
    sizes = box_sizes(L) if sizes is None else tuple(sizes)
    return d2_from_moments(box_moments(density, sizes), sizes, L)


def _realization_means(values: np.ndarray, realization: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (n_states, ...) over the states of each realization."""
    keys = np.unique(realization)
    return np.stack([values[realization == k].mean(axis=0) for k in keys])


def _bootstrap_rows(rows: np.ndarray, statistic, n_boot: int, seed: int) -> np.ndarray:
    """Replicas of ``statistic(rows[drawn].mean(0))``, rows = realizations drawn with replacement.

    Every realization holds the same number of states in a dataset, so the mean of the
    realization means equals the mean over states.
    """
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(rows), size=(n_boot, len(rows)))
    return np.array([statistic(rows[d].mean(axis=0)) for d in draws])


def point_d2(moments: np.ndarray, sizes: Sequence[int], L: int, realization: np.ndarray,
             method: str = "ensemble", n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0
             ) -> tuple[float, float, np.ndarray]:
    """D2 of one point from the P_2(b) of its states, with a bootstrap over realizations.

    ``method="ensemble"``: slope of ln <P_2(b)>; ``"typical"``: slope of <ln P_2(b)>.
    Returns (D2, bootstrap standard deviation, replicas).
    """
    if method not in ("ensemble", "typical"):
        raise ParameterError(f"method={method!r} is not one of ensemble, typical")
    values = np.log(moments) if method == "typical" else np.asarray(moments, dtype=np.float64)
    rows = _realization_means(values, np.asarray(realization))
    x = np.log(np.asarray(sizes) / L)

    def statistic(mean_row):
        return _slope(x, mean_row if method == "typical" else np.log(mean_row))

    estimate = float(statistic(rows.mean(axis=0)))
    if len(rows) < 2:
        return estimate, float("nan"), np.full(n_boot, estimate)
    replicas = _bootstrap_rows(rows, statistic, n_boot, seed)
    return estimate, float(np.std(replicas, ddof=1)), replicas


def d2_from_sizes(ipr_by_size: Mapping[int, Sequence[np.ndarray] | np.ndarray], n_boot: int = DEFAULT_BOOTSTRAP,
                  seed: int = 0) -> tuple[float, float, np.ndarray]:
    """D2 from system-size scaling, <IPR>(L) ~ L^-D2, at one disorder.

    ``ipr_by_size`` maps L to that size's IPR values, one array per realization (or a flat
    array: one value per realization). D2 is minus the slope of ln <IPR> against ln L; the
    bootstrap redraws the realizations of each L independently. Returns (D2, error, replicas).
    """
    if len(ipr_by_size) < 2:
        raise DataError(f"D2 from system sizes needs at least two L, got {sorted(ipr_by_size)}")
    sizes = sorted(ipr_by_size)
    x = np.log(np.asarray(sizes, dtype=np.float64))
    groups = [[np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in ipr_by_size[L]] for L in sizes]
    means = np.array([np.concatenate(g).mean() for g in groups])
    estimate = float(-_slope(x, np.log(means)))
    rng = np.random.default_rng(seed)
    replica_means = np.empty((n_boot, len(sizes)))
    for j, g in enumerate(groups):
        sums = np.array([v.sum() for v in g])
        counts = np.array([v.size for v in g], dtype=np.float64)
        draws = rng.integers(0, len(g), size=(n_boot, len(g)))
        replica_means[:, j] = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    replicas = -_slope(x, np.log(replica_means))
    return estimate, float(np.std(replicas, ddof=1)), replicas


def binomial_cascade(levels: int, p: float, dim: int = 1) -> np.ndarray:
    """The deterministic binomial multifractal on L = 2**levels sites per side (sum 1).

    In 1-D each interval passes a fraction p of its weight to its left half and 1 - p to its
    right half, ``levels`` times; in ``dim`` dimensions the measure is the product of 1-D
    cascades. Exactly P_2(b) = (b/L)^D2 with D2 = -dim * log2(p^2 + (1 - p)^2), the reference of
    the tests.
    """
    if not 0.0 < p < 1.0:
        raise ParameterError(f"p={p}: the cascade weight must lie in (0, 1)")
    mu = np.ones(1)
    for _ in range(levels):
        mu = np.stack([p * mu, (1 - p) * mu], axis=1).ravel()
    out = mu
    for _ in range(dim - 1):
        out = np.multiply.outer(out, mu)
    return out
