"""Training curves: every metric of the history, training and validation side by side."""

from __future__ import annotations

import csv
from pathlib import Path

from wavelearn.io.figures import grid, save_figure
from wavelearn.learning.core import Callback, FitResult, HISTORY


def plot_history(history_csv: str | Path, path: str | Path) -> None:
    """One panel per metric m (columns ``train_m`` and, when present, ``val_m``) against epoch."""
    with open(history_csv) as handle:
        rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    metrics = [k[len("train_"):] for k in rows[0] if k.startswith("train_")]
    fig, axes = grid(len(metrics), max_columns=3, panel=(4.0, 3.2))
    epochs = [r["epoch"] for r in rows]
    for ax, metric in zip(axes, metrics):
        ax.plot(epochs, [r[f"train_{metric}"] for r in rows], "o-", label="training")
        if f"val_{metric}" in rows[0]:
            ax.plot(epochs, [r[f"val_{metric}"] for r in rows], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend(fontsize=8)
    save_figure(fig, path)


class HistoryPlot(Callback):
    """Writes ``history.png`` beside ``history.csv`` when training ends."""

    def on_fit_end(self, result: FitResult) -> None:
        if result.history:
            plot_history(result.workdir / HISTORY, result.workdir / "history.png")
