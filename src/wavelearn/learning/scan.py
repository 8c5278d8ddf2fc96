"""Apply a trained network to a scan and locate the critical point.

For every eigenstate the network gives P(phase); averaged per point (W, p or flux; and L) with
its standard error over realizations. The critical point of one L is where P(first class)
crosses 1/2 (linear interpolation between neighbouring points); its interval comes from a
bootstrap over realizations (resampled with replacement within each point). With several L,
the crossing of the P curves of the two largest sizes estimates the L -> infinity transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from wavelearn.io.atomic import atomic_path, write_csv
from wavelearn.lattice.params import varying_parameters
from wavelearn.learning.data import PARAMETERS, read_dataset, realization_groups
from wavelearn.learning.models import check_shape


@dataclass
class ScanResult:
    parameter: str  # the parameter that varies: W, p or flux
    classes: tuple[str, ...]
    meta: dict[str, np.ndarray]  # per sample
    probabilities: np.ndarray  # (N, n_classes)
    groups: np.ndarray  # (N,) realization ids

    def points(self) -> list[dict]:
        """Mean and standard error of P(class) per (L, W, p, flux)."""
        keys = np.stack([self.meta[k] for k in ("L", *PARAMETERS)], axis=1)
        rows = []
        for key in np.unique(keys, axis=0):
            mask = np.all(keys == key, axis=1)
            # Average states within a realization first: realizations are the independent draws.
            per_real = _group_means(self.probabilities[mask], self.groups[mask])
            row = {"L": int(key[0]), **{k: float(v) for k, v in zip(PARAMETERS, key[1:])},
                   "states": int(mask.sum()), "realizations": len(per_real)}
            for c, name in enumerate(self.classes):
                row[f"P_{name}"] = float(per_real[:, c].mean())
                row[f"P_{name}_stderr"] = float(per_real[:, c].std(ddof=1) / np.sqrt(len(per_real))) \
                    if len(per_real) > 1 else float("nan")
            rows.append(row)
        return rows


def _group_means(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    unique, inverse = np.unique(groups, return_inverse=True)
    sums = np.zeros((len(unique), values.shape[1]))
    np.add.at(sums, inverse, values)
    return sums / np.bincount(inverse)[:, None]


def scan(trainer, classes: Sequence[str], dataset_paths: Sequence[str | Path], input: str = "r") -> ScanResult:
    density, meta = read_dataset(dataset_paths, input)
    check_shape(trainer.cnn, density.shape[1:])
    probabilities = trainer.predict(density)
    return ScanResult(varying_parameters(meta)[0], tuple(classes), meta, probabilities, realization_groups(meta))


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
    """Crossing of P(class) = 1/2 for size L, with a 95 % bootstrap interval over realizations."""
    param = result.parameter
    mask = result.meta["L"] == L
    xs = np.unique(result.meta[param][mask])
    per_point = []
    for x in xs:
        m = mask & (result.meta[param] == x)
        per_point.append(_group_means(result.probabilities[m], result.groups[m])[:, class_index])
    estimate = crossing(xs, np.array([v.mean() for v in per_point]))
    rng = np.random.default_rng(seed)
    boot = [crossing(xs, np.array([rng.choice(v, len(v)).mean() for v in per_point])) for _ in range(n_boot)]
    boot = np.array(boot)
    boot = boot[np.isfinite(boot)]
    if len(boot) < n_boot // 2:
        return estimate, float("nan"), float("nan")
    low, high = np.percentile(boot, [2.5, 97.5])
    return estimate, float(low), float(high)


def write_scan(result: ScanResult, csv_path: str | Path, h5_path: str | Path | None = None) -> list[dict]:
    rows = result.points()
    write_csv(csv_path, rows)
    if h5_path:
        with atomic_path(h5_path) as tmp, h5py.File(tmp, "w") as f:
            f.attrs["format"] = "wavelearn-scan"
            f.attrs["classes"] = list(result.classes)
            f.attrs["parameter"] = result.parameter
            f.create_dataset("probabilities", data=result.probabilities.astype(np.float32))
            for key in ("L", "W", "p", "flux", "energy", "eigenvalue", "realization", "point_hash"):
                f.create_dataset(f"samples/{key}", data=result.meta[key])
    return rows


def read_scans(paths: Sequence[str | Path]) -> ScanResult:
    """Concatenate scan files (e.g. one per L) written by :func:`write_scan`."""
    probs, metas, classes = [], [], None
    for path in paths:
        with h5py.File(path, "r") as f:
            classes = tuple(str(c) for c in f.attrs["classes"])
            probs.append(f["probabilities"][()])
            metas.append({key: f["samples"][key][()] for key in f["samples"]})
    meta = {key: np.concatenate([m[key] for m in metas]) for key in metas[0]}
    return ScanResult(varying_parameters(meta)[0], classes, meta, np.concatenate(probs), realization_groups(meta))


def plot_phase_diagram(result: ScanResult, estimates: dict[int, tuple[float, float, float]], path: str | Path,
                       class_index: int = 0) -> None:
    """P(class) against the scanned parameter for every L, crossings and intervals marked."""
    from wavelearn.analysis.plots import pyplot, save_figure

    plt = pyplot()
    name = result.classes[class_index]
    rows = result.points()
    fig, ax = plt.subplots(figsize=(6, 4))
    for L in sorted({row["L"] for row in rows}):
        pts = sorted((r for r in rows if r["L"] == L), key=lambda r: r[result.parameter])
        line = ax.errorbar([r[result.parameter] for r in pts], [r[f"P_{name}"] for r in pts],
                           yerr=[r[f"P_{name}_stderr"] for r in pts], marker="o", capsize=3, label=f"L={L}")
        xc, lo, hi = estimates.get(L, (np.nan,) * 3)
        if np.isfinite(xc):
            color = line[0].get_color()
            ax.axvline(xc, color=color, ls="--", lw=1)
            if np.isfinite(lo):
                ax.axvspan(lo, hi, color=color, alpha=0.15)
    ax.axhline(0.5, color="gray", lw=0.8)
    ax.set_xlabel(result.parameter)
    ax.set_ylabel(f"P({name})")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Phase diagram by CNN: crossings of P = 1/2 (bands: 95 % bootstrap)", fontsize=9)
    save_figure(fig, path)
