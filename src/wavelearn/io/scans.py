"""Scan files: the probabilities a trained phase classifier gives every state of a dataset.

Layout (format ``wavelearn-scan`` version 1, docs/formats.md): ``probabilities`` (N, n_classes)
float32; ``samples/`` the columns ``L``, ``W``, ``p``, ``flux``, ``energy``, ``eigenvalue``,
``realization``, ``point_hash`` of the dataset's samples, ``training`` (bool: the state's
realization trained the network) and ``degenerate`` (bool: a vector of a degenerate level, left
out of every average; datasets' ``multiplicity`` > 1); attributes ``classes`` (phase names, in
the network's order), ``parameter`` (the scanned parameter that varies) and the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from wavelearn.io.atomic import atomic_path
from wavelearn.io.datasets import realization_groups
from wavelearn.io.formats import SCAN as FORMAT, check_format, require
from wavelearn.io.provenance import provenance
from wavelearn.lattice.params import varying_parameters

FORMAT_VERSION = 1
COLUMNS = ("L", "W", "p", "flux", "energy", "eigenvalue", "realization", "point_hash")
OPTIONAL = ("training", "degenerate")  # bool: the state's realization trained the network; a degenerate level


@dataclass
class ScanResult:
    """P(class) for every state of a scan, with the states' metadata."""

    parameter: str  # the scanned parameter that varies: W, p or flux
    classes: tuple[str, ...]
    meta: dict[str, np.ndarray]  # per-sample columns
    probabilities: np.ndarray  # (N, n_classes)
    groups: np.ndarray  # (N,) one id per (point, realization)

    @classmethod
    def from_samples(cls, classes: Sequence[str], meta: dict[str, np.ndarray], probabilities: np.ndarray):
        return cls(varying_parameters(meta)[0], tuple(classes), meta, probabilities, realization_groups(meta))


def write_scan(result: ScanResult, path: str | Path) -> None:
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        for key, value in {"format": FORMAT, "format_version": FORMAT_VERSION, "classes": list(result.classes),
                           "parameter": result.parameter, **provenance()}.items():
            f.attrs[key] = value
        f.create_dataset("probabilities", data=result.probabilities.astype(np.float32))
        for key in (*COLUMNS, *(k for k in OPTIONAL if k in result.meta)):
            f.create_dataset(f"samples/{key}", data=result.meta[key])


def read_scans(paths: Sequence[str | Path]) -> ScanResult:
    """Concatenate scan files (e.g. one per L) written by :func:`write_scan`."""
    probs, metas, classes = [], [], None
    for path in paths:
        with h5py.File(path, "r") as f:
            check_format(f, FORMAT, path)
            require(f, ("probabilities", "classes", *(f"samples/{key}" for key in COLUMNS)), path)
            classes = tuple(str(c) for c in f.attrs["classes"])
            probs.append(f["probabilities"][()])
            metas.append({key: f["samples"][key][()] for key in f["samples"]})
    meta = {key: np.concatenate([m[key] for m in metas]) for key in metas[0]}
    return ScanResult.from_samples(classes, meta, np.concatenate(probs))


def without_training(result: ScanResult) -> ScanResult:
    """The scan without the states whose realizations trained the network (if marked)."""
    if "training" not in result.meta:
        return result
    keep = ~result.meta["training"].astype(bool)
    meta = {key: value[keep] for key, value in result.meta.items()}
    return ScanResult(result.parameter, result.classes, meta, result.probabilities[keep], result.groups[keep])
