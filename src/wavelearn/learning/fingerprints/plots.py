"""Figures of the fingerprint VAE: reconstructions of held-out layouts and t-SNE maps of the
latent space (training curves come from :class:`wavelearn.learning.plots.HistoryPlot`).

Images are indexed [x, y] (x the transport direction), drawn with x to the right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from wavelearn.errors import DataError
from wavelearn.io.figures import grid, pyplot, save_figure


def _show(ax, image: np.ndarray, title: str, cmap: str, vmin=None, vmax=None) -> None:
    ax.imshow(np.asarray(image).T, origin="lower", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])


def plot_reconstructions(path: str | Path, true_occupancy: np.ndarray, probability: np.ndarray,
                         true_image: np.ndarray | None = None, predicted_image: np.ndarray | None = None,
                         positions: Sequence[np.ndarray] | None = None,
                         predicted_positions: Sequence[np.ndarray] | None = None, samples: int = 4) -> None:
    """One row per sample: true and predicted image (when given), true layout and P(occupied);
    true centres as white circles, predicted ones as red crosses."""
    n = min(samples, len(true_occupancy))
    if n == 0:
        raise DataError("no sample to plot")
    with_images = true_image is not None and predicted_image is not None
    columns = 4 if with_images else 2
    fig, axes = grid(n * columns, max_columns=columns, panel=(2.6, 2.4))
    for i in range(n):
        row = axes[i * columns : (i + 1) * columns]
        if with_images:
            top = float(max(true_image[i].max(), predicted_image[i].max()))
            _show(row[0], true_image[i], f"#{i} true |psi|^2", "magma", 0, top)
            _show(row[1], predicted_image[i], "predicted", "magma", 0, top)
        _show(row[-2], true_occupancy[i], "true layout", "Greys", 0, 1)
        _show(row[-1], probability[i], "P(antidot)", "Greys", 0, 1)
        if positions is not None:
            for ax in row[-2:]:
                ax.plot(*np.asarray(positions[i]).reshape(-1, 2).T, "o", mfc="none", mec="tab:blue", ms=8)
        if predicted_positions is not None:
            row[-1].plot(*np.asarray(predicted_positions[i]).reshape(-1, 2).T, "x", color="tab:red", ms=8)
    save_figure(fig, path)


def tsne(latent: np.ndarray, dimensions: int, seed: int = 0) -> np.ndarray:
    """t-SNE embedding (scikit-learn) of latent means (N, latent) into ``dimensions`` (2 or 3)."""
    from sklearn.manifold import TSNE

    latent = np.asarray(latent, np.float64)
    if len(latent) < 3:
        raise DataError(f"t-SNE needs at least 3 samples, got {len(latent)}")
    perplexity = float(min(30.0, (len(latent) - 1) / 3))
    return TSNE(n_components=dimensions, perplexity=perplexity, init="pca", random_state=seed).fit_transform(latent)


def plot_latent_maps(path: str | Path, latents: Mapping[str, np.ndarray],
                     colour: np.ndarray | Mapping[str, np.ndarray], colour_label: str,
                     seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """t-SNE of each network's latent means in 2D (top row) and 3D (bottom row), one column per
    network (e.g. with and without the wave-function branch), coloured by a layout property
    (one array for all, or one per network). Returns the embeddings {name: (2D, 3D)}."""
    plt = pyplot()
    colours = colour if isinstance(colour, Mapping) else {name: colour for name in latents}
    names = list(latents)
    if not names:
        raise DataError("no latent means to map")
    fig = plt.figure(figsize=(4.6 * len(names), 8.4))
    embeddings = {}
    for column, name in enumerate(names):
        flat, deep = tsne(latents[name], 2, seed), tsne(latents[name], 3, seed)
        embeddings[name] = (flat, deep)
        ax = fig.add_subplot(2, len(names), column + 1)
        points = ax.scatter(flat[:, 0], flat[:, 1], c=colours[name], s=10, cmap="viridis")
        ax.set_title(f"{name}: t-SNE 2D", fontsize=10)
        fig.colorbar(points, ax=ax, label=colour_label)
        ax3 = fig.add_subplot(2, len(names), len(names) + column + 1, projection="3d")
        ax3.scatter(deep[:, 0], deep[:, 1], deep[:, 2], c=colours[name], s=8, cmap="viridis")
        ax3.set_title(f"{name}: t-SNE 3D", fontsize=10)
    save_figure(fig, path)
    return embeddings
