"""Per-point summary of gathered datasets: participation ratios of the eigenstates.

The participation ratio of a normalised state, P = 1 / (N sum_r |psi(r)|^4), is the fraction of
the N lattice sites it occupies: O(1) for extended (metallic) states, -> 0 as 1/N for
localized ones. Its mean over states and realizations, against W for several L, shows the
metal-insulator transition before any learning. Vectors of degenerate levels (arbitrary members
of an eigenspace, :func:`wavelearn.io.datasets.nondegenerate`) are left out and counted.
"""

from __future__ import annotations

import os
from collections import defaultdict

import h5py
import numpy as np

from wavelearn.io.atomic import write_csv
from wavelearn.io.datasets import nondegenerate
from wavelearn.io.formats import DATASET, check_format
from wavelearn.io.integrity import density_block

FIELDS = ("study", "L", "W", "p", "flux", "energy", "samples", "degenerate_excluded", "participation",
          "participation_stderr")


def participation_ratio(density: np.ndarray) -> np.ndarray:
    """P = 1 / (N sum |psi|^4) for each state of ``density`` (n_states, *shape), sum 1 each."""
    flat = density.reshape(density.shape[0], -1).astype(np.float64)
    return 1.0 / (flat.shape[1] * np.sum(flat**2, axis=1))


def summarize_dataset(path: str | os.PathLike) -> list[dict]:
    rows = []
    with h5py.File(path, "r") as f:
        check_format(f, DATASET, path)
        study = f.attrs.get("study", "")
        samples = {name: f["samples"][name][()] for name in ("W", "p", "flux", "L", "energy", "multiplicity")}
        ratios = np.concatenate([participation_ratio(density_block(f, i, i + 256))
                                 for i in range(0, f["density"].shape[0], 256)])
    usable = nondegenerate(samples)
    groups, excluded = defaultdict(list), defaultdict(int)
    for i, key in enumerate(zip(samples["L"], samples["W"], samples["p"], samples["flux"], samples["energy"])):
        if usable[i]:
            groups[key].append(ratios[i])
        else:
            groups.setdefault(key, [])
            excluded[key] += 1
    for (L, W, p, flux, energy), values in sorted(groups.items()):
        values = np.array(values)
        mean = float(values.mean()) if len(values) else float("nan")
        stderr = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
        rows.append(dict(study=study, L=int(L), W=float(W), p=float(p), flux=float(flux), energy=float(energy),
                         samples=len(values), degenerate_excluded=excluded[(L, W, p, flux, energy)],
                         participation=mean, participation_stderr=float(stderr)))
    return rows


def write_summary(datasets: list[str], csv_path: str, plot_path: str | None = None) -> list[dict]:
    rows = [row for path in datasets for row in summarize_dataset(path)]
    write_csv(csv_path, rows, FIELDS)
    if plot_path:
        from wavelearn.analysis.plots import plot_summary

        plot_summary(rows, plot_path)
    return rows
