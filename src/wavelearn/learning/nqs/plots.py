"""Figures of VMC runs (files of :mod:`wavelearn.io.nqs`): the energy trace with the exact line, and
the relative error against the hidden-unit density alpha. Energies in the Pauli convention."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Sequence

import numpy as np

from wavelearn.errors import DataError
from wavelearn.io.figures import pyplot, save_figure
from wavelearn.io.nqs import NQSRun


def _label(run: NQSRun) -> str:
    model, rbm = run.settings["model"], run.settings["rbm"]
    return f"{model['model']} {model['geometry']} L={model['L']} W={model['W']:g} alpha={rbm['alpha']:g}"


def plot_energy_trace(runs: Sequence[NQSRun], path: str | Path) -> None:
    """Energy per site against iteration with error bars, the exact energy per site dashed."""
    if not runs:
        raise DataError("no runs to plot")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for run in runs:
        n = run.attrs.get("n_sites", 1)
        trace = run.trace
        line, = ax.plot(trace["iteration"], trace["energy"] / n, lw=1, label=_label(run))
        ax.fill_between(trace["iteration"], (trace["energy"] - trace["energy_error"]) / n,
                        (trace["energy"] + trace["energy_error"]) / n, color=line.get_color(), alpha=0.25, lw=0)
        if run.exact_energy is not None:
            ax.axhline(run.exact_energy / n, color=line.get_color(), ls="--", lw=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("E / N  (Pauli convention)")
    finals = [run.trace["energy"][-1] / run.attrs.get("n_sites", 1) for run in runs]
    exacts = [run.exact_energy / run.attrs.get("n_sites", 1) for run in runs if run.exact_energy is not None]
    low = min(finals + exacts)
    ax.set_ylim(low - 0.05 * abs(low), max(finals) + 0.1 * abs(low))  # the interesting end, not the start
    ax.legend(fontsize=7)
    save_figure(fig, path)


def plot_error_vs_alpha(runs: Sequence[NQSRun], path: str | Path) -> None:
    """Relative error |E - E0| / |E0| against alpha, one line per model and lattice (runs with an
    exact energy only)."""
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for run in runs:
        if run.relative_error is None:
            continue
        model = run.settings["model"]
        key = f"{model['model']} {model['geometry']} L={model['L']} W={model['W']:g}"
        groups[key].append((run.settings["rbm"]["alpha"], run.relative_error))
    if not groups:
        raise DataError("no run has an exact energy: nothing to plot against alpha")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    for key, points in sorted(groups.items()):
        alpha, error = np.array(sorted(points)).T
        ax.plot(alpha, error, "o-", label=key)
    ax.set_xlabel("alpha (hidden units per spin)")
    ax.set_ylabel("relative error of E")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    save_figure(fig, path)
