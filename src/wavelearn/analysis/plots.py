"""The plots of the eigenstate campaign: participation ratios per study, |psi|^2 across the
transition, and the CNN phase diagrams. (Training curves are the training core's:
:mod:`wavelearn.learning.plots`.)"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from wavelearn.analysis.critical import CriticalEstimate, point_probabilities
from wavelearn.io.datasets import nondegenerate
from wavelearn.io.figures import grid, pyplot, save_figure
from wavelearn.io.formats import DATASET, check_format
from wavelearn.io.scans import ScanResult
from wavelearn.lattice.params import SCANNED, varying_parameters


def plot_summary(rows: list[dict], path: str | Path) -> None:
    """One panel per study on a grid (at most 3 columns): mean participation ratio against the
    first parameter that varies (W, p or flux), one curve per L and per value of the others."""
    studies = sorted({row["study"] for row in rows})
    fig, axes = grid(len(studies))
    for ax, study in zip(axes, studies):
        pts = [row for row in rows if row["study"] == study]
        axis, *others = varying_parameters({k: [pt[k] for pt in pts] for k in SCANNED})
        curves = defaultdict(list)
        for pt in pts:
            curves[(pt["L"], *(pt[k] for k in others))].append(pt)
        for key, curve in sorted(curves.items()):
            curve = sorted(curve, key=lambda pt: pt[axis])
            label = f"L={key[0]}" + "".join(f", {k}={v:g}" for k, v in zip(others, key[1:]))
            ax.errorbar([pt[axis] for pt in curve], [pt["participation"] for pt in curve],
                        yerr=[pt["participation_stderr"] for pt in curve], marker="o", capsize=3, label=label)
        ax.set_xlabel(axis)
        ax.set_yscale("log")
        ax.set_title(study, fontsize=10)
        ax.legend(fontsize=7)
        ax.set_ylabel("mean participation ratio 1/(N Σ|ψ|⁴)", fontsize=8)
    fig.suptitle("Eigenstates near E: extended (high) vs localized (low)", fontsize=11)
    save_figure(fig, path)


def plot_state_slices(dataset: str | Path, values: Sequence[float], path: str | Path, parameter: str = "W") -> None:
    """|psi|^2 of one state at each requested parameter value (3D: summed along z, so the whole
    state shows; log colour scale, as localized states span decades): the state closest to E
    among the non-degenerate levels (a vector of a degenerate level is no one state's image),
    or, where every state is degenerate, the closest one, titled so."""
    from matplotlib.colors import LogNorm

    with h5py.File(dataset, "r") as f:
        check_format(f, DATASET, dataset)
        column = f["samples"][parameter][()]
        state = f["samples"]["state"][()]
        usable = nondegenerate({"multiplicity": f["samples"]["multiplicity"][()]})
        picks = []
        for value in values:
            nearest = column[np.argmin(np.abs(column - value))]
            at_value = column == nearest
            candidates = np.flatnonzero(at_value & usable)
            degenerate = not len(candidates)
            if degenerate:
                candidates = np.flatnonzero(at_value)
            index = int(candidates[np.argmin(state[candidates])])
            picks.append((nearest, f["density"][index], degenerate))
    plt = pyplot()
    fig, axes = plt.subplots(1, len(picks), figsize=(3.2 * len(picks), 3.2), squeeze=False)
    for ax, (value, density, degenerate) in zip(axes[0], picks):
        image = density.sum(axis=2) if density.ndim == 3 else density
        ax.imshow(image.T, origin="lower", cmap="magma", norm=LogNorm(vmin=max(image.max() * 1e-4, 1e-12),
                                                                      vmax=image.max()))
        ax.set_title(f"{parameter} = {value:g}" + (" (sum over z)" if density.ndim == 3 else "")
                     + ("\nevery state degenerate" if degenerate else ""), fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("|ψ|² of the non-degenerate state closest to E", fontsize=10)
    save_figure(fig, path)


def plot_phase_diagram(result: ScanResult, estimates: Sequence[CriticalEstimate], path: str | Path,
                       class_index: int = 0) -> None:
    """P(class) against the scanned parameter for every L, crossings and intervals marked."""
    plt = pyplot()
    name = result.classes[class_index]
    rows = point_probabilities(result)
    by_size = {e.size: e for e in estimates}
    fig, ax = plt.subplots(figsize=(6, 4))
    for L in sorted({row["L"] for row in rows}):
        pts = sorted((r for r in rows if r["L"] == L), key=lambda r: r[result.parameter])
        line = ax.errorbar([r[result.parameter] for r in pts], [r[f"P_{name}"] for r in pts],
                           yerr=[r[f"P_{name}_stderr"] for r in pts], marker="o", capsize=3, label=f"L={L}")
        estimate = by_size.get(L)
        if estimate is not None and np.isfinite(estimate.value):
            color = line[0].get_color()
            ax.axvline(estimate.value, color=color, ls="--", lw=1)
            if np.isfinite(estimate.low):
                ax.axvspan(estimate.low, estimate.high, color=color, alpha=0.15)
    ax.axhline(0.5, color="gray", lw=0.8)
    ax.set_xlabel(result.parameter)
    ax.set_ylabel(f"P({name})")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Phase diagram by CNN: crossings of P = 1/2 (bands: 95 % bootstrap)", fontsize=9)
    save_figure(fig, path)
