"""Per-point summary of gathered datasets: participation ratios of the eigenstates.

The participation ratio of a normalised state, P = 1 / (N sum_r |psi(r)|^4), is the fraction of
the N lattice sites it occupies: O(1) for extended (metallic) states, -> 0 as 1/N for
localized ones. Its mean over states and realizations, against W for several L, shows the
metal-insulator transition before any learning.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict

import h5py
import numpy as np

from wavelearn.io.atomic import atomic_path

FIELDS = ("study", "L", "W", "p", "flux", "energy", "samples", "participation", "participation_stderr")


def participation_ratio(density: np.ndarray) -> np.ndarray:
    """P = 1 / (N sum |psi|^4) for each state of ``density`` (n_states, *shape), sum 1 each."""
    flat = density.reshape(density.shape[0], -1).astype(np.float64)
    return 1.0 / (flat.shape[1] * np.sum(flat**2, axis=1))


def summarize_dataset(path: str | os.PathLike) -> list[dict]:
    rows = []
    with h5py.File(path, "r") as f:
        study = f.attrs.get("study", "")
        samples = {name: f["samples"][name][()] for name in ("W", "p", "flux", "L", "energy")}
        ratios = np.concatenate([participation_ratio(f["density"][i : i + 256])
                                 for i in range(0, f["density"].shape[0], 256)])
    groups = defaultdict(list)
    for i, key in enumerate(zip(samples["L"], samples["W"], samples["p"], samples["flux"], samples["energy"])):
        groups[key].append(ratios[i])
    for (L, W, p, flux, energy), values in sorted(groups.items()):
        values = np.array(values)
        stderr = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
        rows.append(dict(study=study, L=int(L), W=float(W), p=float(p), flux=float(flux), energy=float(energy),
                         samples=len(values), participation=float(values.mean()), participation_stderr=float(stderr)))
    return rows


def write_summary(datasets: list[str], csv_path: str, plot_path: str | None = None) -> list[dict]:
    rows = [row for path in datasets for row in summarize_dataset(path)]
    with atomic_path(csv_path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    if plot_path:
        plot_summary(rows, plot_path)
    return rows


def plot_summary(rows: list[dict], path: str) -> None:
    """Mean participation ratio against the parameter that varies, one curve per (study, L)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = defaultdict(list)
    for row in rows:
        curves[(row["study"], row["L"])].append(row)
    fig, ax = plt.subplots(figsize=(6, 4))
    for (study, L), pts in sorted(curves.items()):
        axis = next((k for k in ("W", "p", "flux") if len({pt[k] for pt in pts}) > 1), "W")
        pts = sorted(pts, key=lambda pt: pt[axis])
        ax.errorbar([pt[axis] for pt in pts], [pt["participation"] for pt in pts],
                    yerr=[pt["participation_stderr"] for pt in pts], marker="o", capsize=3,
                    label=f"{study}, L={L} (vs {axis})")
    ax.set_xlabel("W, p or flux (see legend)")
    ax.set_ylabel("mean participation ratio  1/(N Σ|ψ|⁴)")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.set_title("Eigenstates near E: extended (high) vs localized (low)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=os.path.splitext(path)[1].lstrip(".") or "png", dpi=120)
    plt.close(fig)
