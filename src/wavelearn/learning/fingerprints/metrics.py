"""How well a predicted image and layout match the truth, and what a trivial guess scores.

* Pixel correlation: the Pearson correlation r = cov(p, t) / (sigma_p sigma_t) over the pixels
  of one predicted image p and its true image t, averaged over samples (0 for a constant
  image, whose correlation is undefined). Insensitive to the images' overall scale.
* Antidot-position error: the predicted antidot centres are the probability-weighted
  centroids of the n connected regions of P(occupied) > 1/2 with the largest probability mass
  (n = the true number of antidots; when fewer regions exist, the highest local maxima of
  P outside them fill in). Predicted and true centres are matched one to one to minimise the summed distance
  (Hungarian algorithm, scipy.optimize.linear_sum_assignment); the error of a sample is the mean
  matched distance, in lattice units (pixels are lattice sites, indexed [x, y]).
* Baselines: the mean training image as the prediction of every image; and for layouts, the
  true layout of a random training sample with the same number of antidots (a layout drawn
  from the same distribution, knowing nothing of the fingerprint).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import ndimage
from scipy.optimize import linear_sum_assignment

from wavelearn.errors import DataError


def pixel_correlation(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Pearson correlation over the pixels of each sample: (N, H, W) x (N, H, W) -> (N,)."""
    p = np.asarray(predicted, np.float64).reshape(len(predicted), -1)
    t = np.asarray(true, np.float64).reshape(len(true), -1)
    if p.shape != t.shape:
        raise DataError(f"pixel correlation: predicted images {p.shape} and true images {t.shape} differ")
    p = p - p.mean(axis=1, keepdims=True)
    t = t - t.mean(axis=1, keepdims=True)
    norm = np.sqrt((p**2).sum(axis=1) * (t**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (p * t).sum(axis=1) / norm
    return np.where(norm > 0, r, 0.0)


def occupancy_centres(occupancy: np.ndarray) -> np.ndarray:
    """Centroids (x, y) of the connected regions (4-neighbour) of a 0/1 occupancy map, (k, 2)."""
    labels, count = ndimage.label(np.asarray(occupancy) > 0.5)
    if count == 0:
        return np.zeros((0, 2))
    return np.asarray(ndimage.center_of_mass(np.ones_like(labels, float), labels, range(1, count + 1)))


def predicted_centres(probability: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` antidot centres read from a map of P(occupied), (n, 2) in lattice units."""
    if n == 0:
        return np.zeros((0, 2))
    probability = np.asarray(probability, np.float64)
    labels, count = ndimage.label(probability > 0.5)
    centres = []
    if count:
        index = range(1, count + 1)
        mass = np.asarray(ndimage.sum(probability, labels, index))
        com = np.asarray(ndimage.center_of_mass(probability, labels, index)).reshape(count, 2)
        centres = [com[i] for i in np.argsort(-mass, kind="stable")[:n]]
    if len(centres) < n:
        # Too few confident regions: the highest local maxima (3x3) outside them stand in, then,
        # should there be too few of those, the most probable remaining pixels.
        free = labels.ravel() == 0
        peak = (probability == ndimage.maximum_filter(probability, size=3, mode="nearest")).ravel() & free
        flat_p = probability.ravel()
        ranked = [index[np.argsort(-flat_p[index], kind="stable")]
                  for index in (np.flatnonzero(peak), np.flatnonzero(free & ~peak))]
        for flat in np.concatenate(ranked)[: n - len(centres)]:
            centres.append(np.array(np.unravel_index(flat, probability.shape), float))
    return np.asarray(centres, float).reshape(n, 2)


def matched_error(predicted: np.ndarray, true: np.ndarray) -> float:
    """Mean distance between optimally matched (Hungarian) predicted and true centres."""
    predicted, true = np.asarray(predicted, float).reshape(-1, 2), np.asarray(true, float).reshape(-1, 2)
    if len(true) == 0:
        return 0.0
    distance = np.linalg.norm(true[:, None, :] - predicted[None, :, :], axis=-1)
    rows, cols = linear_sum_assignment(distance)
    return float(distance[rows, cols].sum() / len(true))


def position_errors(probability: np.ndarray, positions: Sequence[np.ndarray]) -> np.ndarray:
    """Per-sample antidot-position error (lattice units) of predicted occupancy maps (N, H, W)
    against the true centres (one (n_i, 2) array per sample)."""
    if len(probability) != len(positions):
        raise DataError(f"position error: {len(probability)} maps but {len(positions)} layouts")
    return np.array([matched_error(predicted_centres(p, len(t)), t) for p, t in zip(probability, positions)])


def mean_image_baseline(train_images: np.ndarray, test_images: np.ndarray) -> np.ndarray:
    """Pixel correlation of the mean training image, taken as every test image's prediction."""
    mean = np.asarray(train_images, np.float64).mean(axis=0)
    return pixel_correlation(np.broadcast_to(mean, test_images.shape), test_images)


def random_layout_baseline(train_positions: Sequence[np.ndarray], test_positions: Sequence[np.ndarray],
                           seed: int = 0) -> np.ndarray:
    """Per-sample position error of a random training layout with as many antidots as the test
    layout (the position error of a guess that ignores the fingerprint)."""
    rng = np.random.default_rng([seed, 104729])
    by_count: dict[int, list[np.ndarray]] = {}
    for layout in train_positions:
        by_count.setdefault(len(layout), []).append(np.asarray(layout, float))
    errors = []
    for layout in test_positions:
        pool = by_count.get(len(layout))
        if not pool:
            raise DataError(f"random-layout baseline: no training layout has {len(layout)} antidots")
        errors.append(matched_error(pool[rng.integers(len(pool))], layout))
    return np.array(errors)
