"""Labelled training samples from gathered datasets: each phase is a window of a parameter.

Ohtsuki & Ohtsuki's recipe: train on eigenstates deep inside known phases (e.g. metal for
W in [8, 14], insulator for W in [20, 26] in the 3D Anderson model) and leave the critical
region out; then classify everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from wavelearn.errors import DataError
from wavelearn.lattice.params import SCANNED as PARAMETERS


@dataclass(frozen=True)
class ClassWindow:
    """Samples whose ``parameter`` lies in [low, high] belong to phase ``name``."""

    name: str
    parameter: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if self.parameter not in PARAMETERS:
            raise DataError(f"class {self.name!r}: parameter {self.parameter!r} is not one of {', '.join(PARAMETERS)}")
        if self.low > self.high:
            raise DataError(f"class {self.name!r}: window [{self.low}, {self.high}] is empty (low > high)")


@dataclass
class Samples:
    density: np.ndarray  # (N, *shape) float32
    labels: np.ndarray  # (N,) int, index into the class names; -1 when unlabelled
    groups: np.ndarray  # (N,) int, one id per (point, realization): states of one H stay together
    meta: dict[str, np.ndarray]  # per-sample W, p, flux, L, realization, ...
    classes: tuple[str, ...]


INPUTS = {"r": "density", "k": "density_k"}


def read_dataset(paths: Sequence[str | Path], input: str = "r") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Concatenate gathered datasets (same lattice shape) -> |psi(r)|^2 (input "r") or
    |psi(k)|^2 (input "k"), and the per-sample metadata."""
    field = INPUTS[input]
    densities, metas, shape = [], [], None
    for path in paths:
        if not Path(path).exists():
            raise DataError(f"dataset {path} does not exist")
        with h5py.File(path, "r") as f:
            if f.attrs.get("format") != "wavelearn-dataset":
                raise DataError(f"{path} is not a gathered wavelearn dataset")
            if shape is not None and f["density"].shape[1:] != shape:
                raise DataError(f"{path} has lattice shape {f['density'].shape[1:]}, the first dataset {shape}")
            if field not in f:
                raise DataError(f"{path} has no {field!r} (|psi(k)|^2 needs save_psi: true in the study)")
            shape = f["density"].shape[1:]
            densities.append(f[field][()])
            metas.append({key: f["samples"][key][()] for key in f["samples"]})
    meta = {key: np.concatenate([m[key] for m in metas]) for key in metas[0]}
    return np.concatenate(densities), meta


def realization_groups(meta: dict[str, np.ndarray]) -> np.ndarray:
    keys = [f"{h}/{r}" for h, r in zip(meta["point_hash"], meta["realization"])]
    _, groups = np.unique(keys, return_inverse=True)
    return groups


def label_samples(paths: Sequence[str | Path], windows: Sequence[ClassWindow], input: str = "r") -> Samples:
    """Samples of the datasets that fall in a class window, labelled by window order."""
    density, meta = read_dataset(paths, input)
    labels = np.full(len(density), -1)
    for index, window in enumerate(windows):
        values = meta[window.parameter]
        selected = (values >= window.low) & (values <= window.high)
        if not selected.any():
            raise DataError(
                f"class {window.name!r}: {window.parameter} in [{window.low}, {window.high}] selects no sample "
                f"(the data has {window.parameter} = {sorted(set(np.round(values, 6).tolist()))})"
            )
        if np.any(labels[selected] >= 0):
            raise DataError(f"class {window.name!r} overlaps another class window")
        labels[selected] = index
    keep = labels >= 0
    return Samples(density[keep], labels[keep], realization_groups(meta)[keep],
                   {key: value[keep] for key, value in meta.items()}, tuple(w.name for w in windows))


def split_by_group(groups: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices; all states of one Hamiltonian land on the same side."""
    unique = np.unique(groups)
    rng = np.random.default_rng([seed, 7919])
    n_val = int(round(fraction * len(unique)))
    if fraction > 0 and n_val == 0:
        n_val = 1
    val_groups = rng.choice(unique, size=n_val, replace=False) if n_val else np.array([], dtype=unique.dtype)
    is_val = np.isin(groups, val_groups)
    if is_val.all():
        raise DataError("validation split leaves no training sample; lower the validation fraction")
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)
