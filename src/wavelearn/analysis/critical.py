"""The critical point from a classifier's scan: P = 1/2 crossings with bootstrap intervals.

For every eigenstate a trained network gives P(phase). Per point (L and the scanned parameters)
the states of one realization are averaged first — realizations are the independent draws — and
the mean and standard error are taken over realizations. The critical point of one L is where
P(first class) crosses 1/2, by linear interpolation between neighbouring points; its 95 %
interval is the 2.5–97.5 percentile range of the same crossing over bootstrap resamples of the
realizations of every point. With several L, the crossing of the curves of the two largest sizes
(where P_L1 − P_L2 changes sign) estimates the L → ∞ transition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from wavelearn import checks
from wavelearn.io.scans import ScanResult
from wavelearn.lattice.params import SCANNED


def group_means(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Mean of the rows of ``values`` (N, k) within each group id of ``groups`` (N,), in sorted id order."""
    unique, inverse = np.unique(groups, return_inverse=True)
    sums = np.zeros((len(unique), values.shape[1]))
    np.add.at(sums, inverse, values)
    return sums / np.bincount(inverse)[:, None]


def usable(result: ScanResult) -> np.ndarray:
    """The states a phase diagram averages: all but the vectors of degenerate levels (the scan's
    ``degenerate`` column, :func:`wavelearn.io.datasets.nondegenerate`), which are arbitrary
    members of an eigenspace, not wave functions of the Hamiltonian to classify."""
    degenerate = result.meta.get("degenerate")
    return np.ones(len(result.probabilities), bool) if degenerate is None else ~np.asarray(degenerate, bool)


def point_probabilities(result: ScanResult) -> list[dict]:
    """Mean and standard error over realizations of P(class), per (L, W, p, flux), over the
    :func:`usable` states; ``degenerate_excluded`` counts the others (P is NaN where none is left)."""
    keys = np.stack([result.meta[k] for k in ("L", *SCANNED)], axis=1)
    good = usable(result)
    rows = []
    for key in np.unique(keys, axis=0):
        at_point = np.all(keys == key, axis=1)
        mask = at_point & good
        per_real = group_means(result.probabilities[mask], result.groups[mask]) if mask.any() \
            else np.full((0, len(result.classes)), np.nan)
        row = {"L": int(key[0]), **{k: float(v) for k, v in zip(SCANNED, key[1:])},
               "states": int(mask.sum()), "realizations": len(per_real),
               "degenerate_excluded": int(np.sum(at_point & ~good))}
        for c, name in enumerate(result.classes):
            row[f"P_{name}"] = float(per_real[:, c].mean()) if len(per_real) else float("nan")
            row[f"P_{name}_stderr"] = float(per_real[:, c].std(ddof=1) / np.sqrt(len(per_real))) \
                if len(per_real) > 1 else float("nan")
        rows.append(row)
    return rows


def crossing(x: np.ndarray, y: np.ndarray, level: float = 0.5) -> float:
    """First x where y (sampled at sorted x) crosses ``level``, by linear interpolation; NaN if none."""
    order = np.argsort(x)
    x, y = np.asarray(x, float)[order], np.asarray(y, float)[order] - level
    for i in range(len(x) - 1):
        if y[i] == 0:
            return float(x[i])
        if y[i] * y[i + 1] < 0:
            return float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))
    return float(x[-1]) if len(y) and y[-1] == 0 else float("nan")


def critical_point(result: ScanResult, L: int, class_index: int = 0, n_boot: int = 400,
                   seed: int = 0) -> tuple[float, float, float]:
    """(x_c, low, high): crossing of P(class) = 1/2 for size L, with a 95 % bootstrap interval
    over realizations (NaN bounds when fewer than half the resamples cross)."""
    param = result.parameter
    mask = (result.meta["L"] == L) & usable(result)
    xs = np.unique(result.meta[param][mask])
    per_point = []
    for x in xs:
        m = mask & (result.meta[param] == x)
        per_point.append(group_means(result.probabilities[m], result.groups[m])[:, class_index])
    estimate = crossing(xs, np.array([v.mean() for v in per_point]))
    rng = np.random.default_rng(seed)
    boot = [crossing(xs, np.array([rng.choice(v, len(v)).mean() for v in per_point])) for _ in range(n_boot)]
    boot = np.array(boot)
    boot = boot[np.isfinite(boot)]
    if len(boot) < n_boot // 2:
        return estimate, float("nan"), float("nan")
    low, high = np.percentile(boot, [2.5, 97.5])
    return estimate, float(low), float(high)


def size_crossing(result: ScanResult, L1: int, L2: int, class_index: int = 0) -> float:
    """Where the P(class) curves of sizes L1 and L2 cross (their difference changes sign)."""
    name = result.classes[class_index]
    rows = point_probabilities(result)
    a, b = ({r[result.parameter]: r[f"P_{name}"] for r in rows if r["L"] == L} for L in (L1, L2))
    common = sorted(set(a) & set(b))
    return crossing(np.array(common), np.array([a[x] - b[x] for x in common]), level=0.0)


@dataclass(frozen=True)
class CriticalEstimate:
    """One row of a phase diagram: ``size`` is an L, or "L1xL2" for the crossing of two sizes."""

    size: int | str
    value: float
    low: float = float("nan")
    high: float = float("nan")

    def text(self) -> str:
        """The value and interval to the precision of the interval (see :func:`format_interval`)."""
        return format_interval(self.value, self.low, self.high)


def phase_diagram(result: ScanResult, n_boot: int = 400) -> list[CriticalEstimate]:
    """The critical point for every L, then the crossing of the two largest sizes (when >= 2)."""
    checks.integer("n_boot", n_boot, 2)  # an interval needs two replicas at least
    sizes = sorted(np.unique(result.meta["L"]).tolist())
    rows = [CriticalEstimate(L, *critical_point(result, L, n_boot=n_boot)) for L in sizes]
    if len(sizes) >= 2:
        rows.append(CriticalEstimate(f"{sizes[-2]}x{sizes[-1]}", size_crossing(result, *sizes[-2:])))
    return rows


def format_interval(value: float, low: float = float("nan"), high: float = float("nan")) -> str:
    """``16.03 [15.73, 16.21]``: two significant digits of the interval's half width decide the
    decimals; without an interval, 4 significant digits."""
    if not math.isfinite(value):
        return "nan"
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return f"{value:.4g}"
    decimals = uncertainty_decimals((high - low) / 2)
    return f"{value:.{decimals}f} [{low:.{decimals}f}, {high:.{decimals}f}]"


def uncertainty_decimals(uncertainty: float) -> int:
    """The decimals that keep two significant digits of ``uncertainty`` (> 0): the digits a value
    with that uncertainty carries."""
    return max(0, 1 - math.floor(math.log10(uncertainty)))
