"""Plots a physicist looks at: training curves and slices of |psi|^2 across the transition."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from wavelearn.io.atomic import atomic_path


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (jobs have no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 110) -> None:
    """Lay out, write atomically (format from the suffix: png, pdf, ...) and close."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", dpi=dpi)
    pyplot().close(fig)


def plot_history(history_csv: str | Path, path: str | Path) -> None:
    """Loss and accuracy per epoch, training and validation."""
    with open(history_csv) as handle:
        rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
    epochs = [r["epoch"] for r in rows]
    for key, ax in (("loss", ax1), ("accuracy", ax2)):
        ax.plot(epochs, [r[f"train_{key}"] for r in rows], "o-", label="training")
        ax.plot(epochs, [r[f"val_{key}"] for r in rows], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend(fontsize=8)
    save_figure(fig, path)


def plot_state_slices(dataset: str | Path, values: Sequence[float], path: str | Path, parameter: str = "W") -> None:
    """|psi|^2 of one state at each requested parameter value (3D: summed along z, so the whole
    state shows; log colour scale, as localized states span decades)."""
    with h5py.File(dataset, "r") as f:
        column = f["samples"][parameter][()]
        state = f["samples"]["state"][()]
        picks = []
        for value in values:
            nearest = column[np.argmin(np.abs(column - value))]
            index = int(np.flatnonzero((column == nearest) & (state == 0))[0])
            picks.append((nearest, f["density"][index]))
    plt = pyplot()
    fig, axes = plt.subplots(1, len(picks), figsize=(3.2 * len(picks), 3.2), squeeze=False)
    for ax, (value, density) in zip(axes[0], picks):
        from matplotlib.colors import LogNorm

        image = density.sum(axis=2) if density.ndim == 3 else density
        ax.imshow(image.T, origin="lower", cmap="magma", norm=LogNorm(vmin=max(image.max() * 1e-4, 1e-12),
                                                                      vmax=image.max()))
        ax.set_title(f"{parameter} = {value:g}" + (" (sum over z)" if density.ndim == 3 else ""), fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("|ψ|² of the state closest to E", fontsize=10)
    save_figure(fig, path)
