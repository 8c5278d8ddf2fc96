"""Labelled training samples from gathered datasets: each phase is a window of a parameter.

Ohtsuki & Ohtsuki's recipe: train on eigenstates deep inside known phases (e.g. metal for
W in [8, 14], insulator for W in [20, 26] in the 3D Anderson model) and leave the critical
region out; then classify everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from wavelearn import checks
from wavelearn.errors import DataError
from wavelearn.io.datasets import nondegenerate, read_dataset, realization_groups
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
        for bound in ("low", "high"):
            checks.number(f"class {self.name!r}: {bound}", getattr(self, bound))
        if self.low > self.high:
            raise DataError(f"class {self.name!r}: window [{self.low}, {self.high}] is empty (low > high)")

    @classmethod
    def parse(cls, text: str) -> "ClassWindow":
        """``NAME:PARAMETER:LOW:HIGH``, e.g. ``metal:W:8:14``."""
        try:
            name, parameter, low, high = text.split(":")
            return cls(name, parameter, float(low), float(high))
        except ValueError:
            raise DataError(f"class window {text!r}: expected NAME:PARAMETER:LOW:HIGH, e.g. metal:W:8:14") from None


@dataclass
class Samples:
    density: np.ndarray  # (N, *shape) float32
    labels: np.ndarray  # (N,) int, index into the class names; -1 when unlabelled
    groups: np.ndarray  # (N,) int, one id per (point, realization): states of one H stay together
    meta: dict[str, np.ndarray]  # per-sample W, p, flux, L, realization, ...
    classes: tuple[str, ...]
    degenerate_excluded: int = 0  # samples of the class windows left out: vectors of degenerate levels


def label_samples(paths: Sequence[str | Path], windows: Sequence[ClassWindow], input: str = "r") -> Samples:
    """Samples of the datasets that fall in a class window, labelled by window order.

    Vectors of degenerate levels (:func:`wavelearn.io.datasets.nondegenerate`) are not wave
    functions of one phase's Hamiltonian to learn from: they are left out, and counted."""
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
    usable = nondegenerate(meta)
    excluded = int(np.sum((labels >= 0) & ~usable))
    keep = (labels >= 0) & usable
    for index, window in enumerate(windows):
        if not np.any(keep & (labels == index)):
            raise DataError(f"class {window.name!r}: every one of its {int(np.sum(labels == index))} samples is a "
                            "vector of a degenerate level (multiplicity > 1), which no phase is learned from: "
                            "choose an energy E away from the degenerate levels, or add on-site disorder")
    return Samples(density[keep], labels[keep], realization_groups(meta)[keep],
                   {key: value[keep] for key, value in meta.items()}, tuple(w.name for w in windows), excluded)


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
