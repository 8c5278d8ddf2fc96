"""Level statistics: the ratio of consecutive level spacings, an ML-free probe of the transition.

For the sorted levels E_1 < E_2 < ... of one realization, with spacings s_n = E_{n+1} - E_n,

    r_n = min(s_n, s_{n+1}) / max(s_n, s_{n+1})  in [0, 1]

(Oganesyan & Huse, PRB 75, 155111 (2007)). Unlike the spacing distribution it needs no
unfolding: the local density of states cancels in the ratio. Its mean tells the phases apart:

* extended states, time-reversal symmetric H (real, orthogonal class): GOE, <r> = 0.5307
* extended states, broken time reversal (magnetic field, unitary class): GUE, <r> = 0.5996
* localized states (uncorrelated levels): Poisson, <r> = 2 ln 2 - 1 = 0.3863

The GOE and GUE values are the large-N numerical values of Atas, Bogomolny, Giraud & Roux,
PRL 110, 084101 (2013) (their Wigner-like surmise gives 4 - 2 sqrt 3 = 0.536 and
2 sqrt 3 / pi - 1/2 = 0.603); the Poisson value is exact. At the Anderson transition <r> takes
an L-independent critical value between the two, so curves <r>(W) of successive L cross at W_c.

A gathered dataset holds, per realization, the ``nev`` eigenvalues closest to the target
energy E: a window of nev levels gives nev - 2 ratios. Ratios of one realization share its
disorder, so errors are bootstrapped over realizations, never over individual ratios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from wavelearn.errors import DataError, ParameterError

# <r> of the three reference ensembles (Atas et al., PRL 110, 084101 (2013), Table I).
GOE_R = 0.5307
GUE_R = 0.5996
POISSON_R = 2.0 * math.log(2.0) - 1.0  # 0.3863, exact for uncorrelated levels
REFERENCE_R = {"GOE": GOE_R, "GUE": GUE_R, "Poisson": POISSON_R}

DEFAULT_BOOTSTRAP = 400


def spacing_ratios(levels: np.ndarray) -> np.ndarray:
    """r_n of one set of levels (any order; sorted here), length ``len(levels) - 2``.

    An exactly degenerate pair gives a zero spacing and r = 0; two zero spacings in a row
    (a threefold degeneracy) leave r undefined and give NaN, which the averages drop.
    """
    levels = np.sort(np.asarray(levels, dtype=np.float64).ravel())
    if levels.size < 3:
        return np.empty(0)
    s = np.diff(levels)
    lo, hi = np.minimum(s[:-1], s[1:]), np.maximum(s[:-1], s[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hi > 0, lo / np.where(hi > 0, hi, 1.0), np.nan)


def ratios_by_realization(eigenvalues: np.ndarray, realization: np.ndarray,
                          degenerate: np.ndarray | None = None) -> list[np.ndarray]:
    """Split the eigenvalues of one point by realization and return each realization's r_n
    (NaNs removed), in increasing order of the realization index.

    ``degenerate`` (bool, like ``eigenvalues``) marks the copies of exactly degenerate levels
    (datasets' ``multiplicity`` > 1): a ratio whose three levels include one is dropped, since
    an exact degeneracy (a zero spacing) is a property of a symmetric or disconnected piece of
    the sample, not a level correlation of the extended or localized states.
    """
    eigenvalues, realization = np.asarray(eigenvalues), np.asarray(realization)
    if eigenvalues.shape != realization.shape:
        raise DataError(f"eigenvalues {eigenvalues.shape} and realization {realization.shape} differ in shape")
    degenerate = np.zeros(eigenvalues.shape, bool) if degenerate is None else np.asarray(degenerate, bool)
    out = []
    for k in np.unique(realization):
        mine = realization == k
        order = np.argsort(eigenvalues[mine], kind="stable")
        r = spacing_ratios(eigenvalues[mine][order])
        flagged = degenerate[mine][order]
        if flagged.any() and r.size:
            touched = flagged[:-2] | flagged[1:-1] | flagged[2:]
            r = r[~touched]
        out.append(r[np.isfinite(r)])
    return out


def bootstrap_groups(values: Sequence[np.ndarray], statistic: Callable[[np.ndarray], np.ndarray] | None = None,
                     n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> np.ndarray:
    """Bootstrap replicas of a pooled mean over groups (realizations) resampled with replacement.

    ``values`` holds one array per group. Without ``statistic`` a replica is the mean of all
    values of the drawn groups (each group weighted by its size, as in the estimate itself).
    With ``statistic``, ``values`` must be rows of equal length (one per group) and a replica is
    ``statistic(values[drawn])``. Returns an array of ``n_boot`` replicas (fixed ``seed``: the
    same data give the same error bars).
    """
    if n_boot < 2:
        raise ParameterError(f"n_boot={n_boot}: the bootstrap needs at least 2 replicas")
    n = len(values)
    if n == 0:
        raise DataError("bootstrap over an empty set of realizations")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_boot, n))
    if statistic is not None:
        table = np.asarray(values)
        return np.array([statistic(table[d]) for d in draws])
    sums = np.array([np.sum(v) for v in values], dtype=np.float64)
    counts = np.array([len(v) for v in values], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums[draws].sum(axis=1) / counts[draws].sum(axis=1)


@dataclass(frozen=True)
class MeanRatio:
    """<r> of one point: ``mean`` of all ratios, ``error`` the bootstrap standard deviation over
    realizations, ``replicas`` the bootstrap values themselves (for scaling fits)."""

    mean: float
    error: float
    realizations: int
    ratios: int
    replicas: np.ndarray


def mean_ratio(ratios: Sequence[np.ndarray], n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> MeanRatio:
    """<r> over all ratios of all realizations, with its bootstrap error over realizations.

    With few realizations (below about 10) the bootstrap error is itself uncertain and tends
    to be low; size campaigns with :class:`RatioVariance` instead.
    """
    ratios = [np.asarray(r, dtype=np.float64) for r in ratios if len(r)]
    if not ratios:
        raise DataError("no level-spacing ratio: every realization needs at least 3 levels (nev >= 3)")
    pooled = np.concatenate(ratios)
    replicas = bootstrap_groups(ratios, n_boot=n_boot, seed=seed)
    return MeanRatio(mean=float(pooled.mean()), error=float(np.std(replicas, ddof=1)),
                     realizations=len(ratios), ratios=int(pooled.size), replicas=replicas)


@dataclass(frozen=True)
class RatioVariance:
    """Variance model of r within one point, for sizing campaigns.

    Write r_kn = <r> + t_k + e_kn for ratio n of realization k: t_k the realization's own
    offset (variance ``between``, sample-to-sample fluctuations), e_kn the level noise
    (variance ``variance``), neighbouring ratios sharing a spacing and hence correlated
    (covariance ``lag1``; correlations over two or more ratios are neglected). A window of nev
    levels holds m = nev - 2 ratios, whose mean has the variance

        V(m) = between + variance / m + 2 lag1 (m - 1) / m^2,

    and the error of <r> from R realizations is sqrt(V(m) / R).
    """

    variance: float
    lag1: float
    between: float
    nev: int

    def __post_init__(self) -> None:
        if self.variance < 0 or self.between < 0:
            raise ParameterError(f"variances must be >= 0 (variance={self.variance}, between={self.between})")
        if self.nev < 3:
            raise ParameterError(f"nev={self.nev}: a window needs at least 3 levels for one ratio")

    def window_variance(self, nev: int | None = None) -> float:
        """V(m): the variance of the mean r of one realization with a window of ``nev`` levels."""
        nev = self.nev if nev is None else nev
        if nev < 3:
            raise ParameterError(f"nev={nev}: a window needs at least 3 levels for one ratio")
        m = nev - 2
        return max(0.0, self.between + self.variance / m + 2 * self.lag1 * (m - 1) / m**2)

    def error(self, realizations: int, nev: int | None = None) -> float:
        """Predicted standard error of <r> with ``realizations`` windows of ``nev`` levels."""
        if realizations < 1:
            raise ParameterError(f"realizations={realizations}: need at least one")
        return math.sqrt(self.window_variance(nev) / realizations)

    def realizations_needed(self, target_error: float, nev: int | None = None) -> int:
        """Smallest number of realizations whose predicted error of <r> is <= ``target_error``."""
        if not target_error > 0:
            raise ParameterError(f"target_error={target_error}: must be > 0")
        return max(1, math.ceil(self.window_variance(nev) / target_error**2 - 1e-12))


def ratio_variance(ratios: Sequence[np.ndarray]) -> RatioVariance:
    """Estimate :class:`RatioVariance` from the ratios of each realization of one point.

    From the autocovariances about the grand mean of ratios ``lag`` apart in one window,
    gamma_0 = between + variance, gamma_1 = between + lag1, gamma_2 = between, so windows
    need at least 3 ratios (nev >= 5). ``between`` is clipped at 0 (its estimate is noisy when
    the true value is 0); ``nev`` is that of the longest window.
    """
    ratios = [np.asarray(r, dtype=np.float64) for r in ratios if len(r)]
    longest = max((len(r) for r in ratios), default=0)
    if longest < 3 or len(ratios) < 2:
        raise DataError(f"ratio_variance: need >= 2 realizations with >= 3 ratios each (nev >= 5), got "
                        f"{len(ratios)} with at most {longest}")
    grand = np.concatenate(ratios).mean()
    gamma = []
    for lag in range(3):
        products = [(r[: len(r) - lag] - grand) * (r[lag:] - grand) for r in ratios if len(r) > lag]
        gamma.append(float(np.concatenate(products).mean()))
    between = max(0.0, gamma[2])
    return RatioVariance(variance=max(0.0, gamma[0] - between), lag1=gamma[1] - between, between=between,
                         nev=longest + 2)


def realizations_needed(target_error: float, nev: int, ratios: Sequence[np.ndarray]) -> int:
    """How many realizations with windows of ``nev`` levels a point needs so that <r> has
    standard error ``target_error``, from the measured ``ratios`` (one array per realization)
    of a point at a similar disorder (see :class:`RatioVariance`)."""
    return ratio_variance(ratios).realizations_needed(target_error, nev)
