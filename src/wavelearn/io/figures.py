"""Figures as files: matplotlib without a display, written atomically like every output."""

from __future__ import annotations

from pathlib import Path

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


def grid(n_panels: int, max_columns: int = 3, panel: tuple[float, float] = (4.5, 3.8)):
    """A figure with ``n_panels`` axes on a grid of at most ``max_columns`` columns; the unused
    axes of the last row are hidden. Returns (figure, flat list of the used axes)."""
    plt = pyplot()
    columns = max(1, min(max_columns, n_panels))
    rows = -(-n_panels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(panel[0] * columns, panel[1] * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return fig, flat[:n_panels]
