"""The plots of the fingerprint campaign: g(B) of a few layouts (the fingerprints themselves),
with each layout's antidots and its scattering-state density image."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wavelearn import checks
from wavelearn.io.figures import pyplot, save_figure
from wavelearn.io.fingerprints import read_fingerprints


def plot_fingerprints(dataset: str | Path, path: str | Path, layouts: int = 4) -> None:
    """Top: g(B) in e^2/h of the first ``layouts`` layouts (offset for legibility) and the mean;
    below: density image (log scale) of each, antidot centres marked."""
    from matplotlib.colors import LogNorm

    checks.integer("layouts", layouts, 1)
    data = read_fingerprints(dataset)
    n = min(layouts, len(data))
    plt = pyplot()
    fig = plt.figure(figsize=(3.2 * max(n, 2), 6.4))
    grid = fig.add_gridspec(2, n)
    ax = fig.add_subplot(grid[0, :])
    for i in range(n):
        ax.plot(data.field, data.conductance[i] + 2 * i, lw=1, label=f"layout {int(data.layout[i])} (+{2 * i})")
    ax.plot(data.field, data.conductance.mean(axis=0), "k--", lw=1.5, label=f"mean of {len(data)}")
    ax.set_xlabel("flux per plaquette φ (h/e)")
    ax.set_ylabel("g (e²/h)")
    ax.legend(fontsize=7, ncol=2)
    ax.set_title(f"magneto-conductance fingerprints, {data.params.label()}", fontsize=9)
    for i in range(n):
        sub = fig.add_subplot(grid[1, i])
        if data.density is not None:
            image = np.maximum(data.density[i], 1e-12)
            sub.imshow(image.T, origin="lower", cmap="magma", norm=LogNorm(vmin=max(image.max() * 1e-4, 1e-12),
                                                                          vmax=image.max()))
        if len(data.positions[i]):
            sub.plot(data.positions[i][:, 0], data.positions[i][:, 1], "c+", ms=6)
        sub.set_title(f"layout {int(data.layout[i])}: |ψ|² at φ={data.params.image_field:g}", fontsize=8)
        sub.set_xticks([]), sub.set_yticks([])
    save_figure(fig, path)
