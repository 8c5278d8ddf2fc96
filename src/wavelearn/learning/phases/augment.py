"""Data augmentation by the symmetries of a periodic lattice.

A random translation (the torus has no origin) and a random element of the point group of the
square (8 elements) or the cube (48): axis permutations and reflections. Both leave the
physics (and the phase label) unchanged.
"""

from __future__ import annotations

import itertools

import numpy as np


def point_group(dim: int) -> list[tuple[tuple[int, ...], tuple[bool, ...]]]:
    """All (axis permutation, axis flips) pairs: 8 for dim 2, 48 for dim 3."""
    return [(perm, flips) for perm in itertools.permutations(range(dim))
            for flips in itertools.product((False, True), repeat=dim)]


def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply an independent random translation and point-group element to each sample."""
    dim = batch.ndim - 1
    group = point_group(dim)
    out = np.empty_like(batch)
    for i, sample in enumerate(batch):
        perm, flips = group[rng.integers(len(group))]
        sample = np.transpose(sample, perm)
        flip_axes = tuple(a for a, f in enumerate(flips) if f)
        if flip_axes:
            sample = np.flip(sample, axis=flip_axes)
        out[i] = np.roll(sample, tuple(rng.integers(0, s) for s in sample.shape), axis=tuple(range(dim)))
    return out
