"""What a file's numbers promise, checked by its reader before anything is computed or written
from them: finite values, non-negative densities that sum to 1 per state, arrays whose shapes
agree. A damaged file (a NaN written by a failing node, a hand-edited copy, a truncated array)
is a one-line :class:`~wavelearn.errors.DataError` naming the file, the array and the sample —
never a NaN that a gather passes on and a network trains on.

``check_shard``, ``check_dataset`` and ``check_fingerprints`` are called by the readers of
:mod:`wavelearn.io.shards`, :mod:`wavelearn.io.datasets` and :mod:`wavelearn.io.fingerprints`.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping

import numpy as np

from wavelearn.errors import DataError

#: |sum of a stored density - 1| allowed. Densities are stored as float32 after normalisation in
#: float64: every value is rounded by at most 2^-24 of itself, so the sum is off by < 1e-7.
NORM_TOLERANCE = 1e-4

FIX = "the file is damaged: delete it and rerun the job that wrote it"


def check_rows(path: str | os.PathLike, name: str, array: np.ndarray, label: Callable[[tuple], str], *,
               shape: tuple[int, ...] | None = None, leading: int = 1, finite: bool = True,
               nonnegative: bool = False, normalised: bool = False) -> np.ndarray:
    """Check ``array`` (its first ``leading`` axes index samples, ``label(index)`` names one) and
    return it: its ``shape``, and per sample finite values, none negative, a sum of 1."""
    array = np.asarray(array)
    if shape is not None and array.shape != tuple(shape):
        raise DataError(f"{path}: {name!r} has shape {array.shape}, expected {tuple(shape)}: {FIX}")
    if array.size == 0 or array.ndim < leading:
        return array
    samples = array.shape[:leading]
    flat = array.reshape(int(np.prod(samples)), -1)
    tests = []
    if finite and np.issubdtype(array.dtype, np.inexact):
        tests.append((~np.isfinite(flat).all(axis=1), "holds a non-finite value",
                      lambda row: row[~np.isfinite(row)][0]))
    if nonnegative and np.issubdtype(array.dtype, np.number):
        tests.append(((flat < 0).any(axis=1), "holds a negative value", lambda row: row[row < 0].min()))
    if normalised:
        sums = flat.sum(axis=1, dtype=np.float64)
        tests.append((np.abs(sums - 1) > NORM_TOLERANCE, "does not sum to 1", lambda row: row.sum(dtype=np.float64)))
    for bad, what, value in tests:
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            index = np.unravel_index(first, samples)
            raise DataError(f"{path}: {name!r} of {label(tuple(int(i) for i in index))} {what} "
                            f"({value(flat[first]).item()!r}; {int(bad.sum())} such sample(s)): {FIX}")
    return array


def check_shard(path: str | os.PathLike, shard: Any) -> Any:
    """An eigenstate shard (:class:`wavelearn.io.shards.ShardData`) as docs/formats.md promises it;
    returned unchanged."""
    R, nev = len(shard.realization), shard.settings.nev
    states = (R, nev)

    def label(index: tuple) -> str:
        text = f"realization {shard.realization[index[0]]}"
        return text + (f", state {index[1]}" if len(index) > 1 else "")

    for name in ("realization", "dimension", "solve_seconds", "factor_seconds"):
        check_rows(path, name, getattr(shard, name), label, shape=(R,), finite=False)
    check_rows(path, "eigenvalues", shard.eigenvalues, label, shape=states, leading=2)
    check_rows(path, "residuals", shard.residuals, label, shape=states, leading=2, nonnegative=True)
    check_rows(path, "multiplicity", shard.multiplicity, label, shape=states, leading=2)
    if np.any(np.asarray(shard.multiplicity) < 1):
        raise DataError(f"{path}: 'multiplicity' holds a value < 1: {FIX}")
    check_rows(path, "density", shard.density, label, shape=(*states, *shard.model.shape), leading=2,
               nonnegative=True, normalised=True)
    if shard.psi is not None:
        check_rows(path, "psi", shard.psi, label, shape=(*states, *shard.model.shape), leading=2)
    return shard


def check_dataset(path: str | os.PathLike, field: str, density: np.ndarray,
                  samples: Mapping[str, np.ndarray]) -> None:
    """A gathered dataset's ``field`` (density or density_k, (N, *shape)) and its ``samples/``
    columns of length N."""
    n = len(density)

    def label(index: tuple) -> str:
        i = index[0]
        where = ", ".join(f"{key}={samples[key][i]:g}" for key in ("W", "p", "flux") if key in samples)
        return (f"sample {i} ({where}, realization {samples['realization'][i]}, state {samples['state'][i]})"
                if "realization" in samples and "state" in samples else f"sample {i}")

    for key, column in samples.items():
        if len(column) != n:
            raise DataError(f"{path}: samples/{key} has {len(column)} entries for {n} samples: {FIX}")
        if key in ("eigenvalue", "residual", "W", "p", "flux", "energy"):
            check_rows(path, f"samples/{key}", column, label)
    check_rows(path, field, density, label, nonnegative=True, normalised=True)


def density_block(handle, start: int, stop: int) -> np.ndarray:
    """Samples ``start:stop`` of an open dataset file's ``density``, checked like
    :func:`check_dataset` checks the whole (for readers that stream a dataset block by block)."""
    block = handle["density"][start:stop]
    return check_rows(handle.filename, "density", block, lambda index: f"sample {start + index[0]}",
                      nonnegative=True, normalised=True)


#: per array of a fingerprint file: what its values promise (docs/fingerprints-format.md)
FINGERPRINT_RULES = {
    "conductance": dict(nonnegative=True),
    "open_modes": dict(nonnegative=True),
    "density": dict(nonnegative=True),
    "positions": dict(),
}


def check_fingerprints(path: str | os.PathLike, arrays: Mapping[str, np.ndarray | None]) -> Mapping:
    """The rows of a fingerprint file (name -> (N, ...) array, ``layout`` among them to name the
    layouts); the arrays without a rule (occupancy, timings) are only counted. Returned unchanged."""
    layout = np.asarray(arrays["layout"])

    def label(index: tuple) -> str:
        return f"layout {layout[index[0]]}"

    for name, array in arrays.items():
        if array is None:
            continue
        if len(array) != len(layout):
            raise DataError(f"{path}: {name!r} has {len(array)} rows for {len(layout)} layouts: {FIX}")
        if name in FINGERPRINT_RULES:
            check_rows(path, name, array, label, **FINGERPRINT_RULES[name])
    return arrays
