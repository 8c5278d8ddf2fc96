"""How well a predicted image and layout match the truth, and what a guess without a network scores.

* Pixel correlation: the Pearson correlation r = cov(p, t) / (sigma_p sigma_t) over the pixels
  of one predicted image p and its true image t, averaged over samples (0 for a constant
  image, whose correlation is undefined). Insensitive to the images' overall scale.
* Antidot-position error: the predicted antidot centres are the probability-weighted
  centroids of the n connected regions of P(occupied) > 1/2 with the largest probability mass
  (n = the true number of antidots; when fewer regions exist, the highest local maxima of
  P outside them fill in), refined by weighted k-means on the pixels with P >= max(P) / 2
  (:func:`predicted_centres`). Predicted and true centres are matched one to one to minimise the summed distance
  (Hungarian algorithm, scipy.optimize.linear_sum_assignment); the error of a sample is the mean
  matched distance, in lattice units (pixels are lattice sites, indexed [x, y]).
* Symmetric devices: where g(B) cannot tell a layout from its images under the device's
  symmetry group G (:mod:`wavelearn.transport.symmetry`), every score is the best over G: the
  position error is min over s in G of the error against s(true layout), the correlation the
  max over the image's group (``VAEData.group``, ``VAEData.image_group``). Networks and
  baselines are scored alike. The default devices have G = {identity}.
* Baselines, none of them a network:
  - *mean image*: the mean training image as every image's prediction;
  - *random layout*: the true layout of a random training sample with the same number of
    antidots (a layout from the same distribution, knowing nothing of the fingerprint);
  - *nearest neighbour*: the image and the layout of the training sample whose g(B) is closest
    in Euclidean distance after standardising each field point by the training set's mean and
    standard deviation (a lookup table of the training data: what a network must beat to have
    learned anything beyond memorising).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import ndimage
from scipy.optimize import linear_sum_assignment

from wavelearn.errors import DataError
from wavelearn.learning.fingerprints.data import VAEData
from wavelearn.transport.symmetry import transform_image, transform_positions

#: the baselines' names in reports, in this order
BASELINES = ("mean image", "random layout", "nearest neighbour")


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


def predicted_centres(probability: np.ndarray, n: int, iterations: int = 30) -> np.ndarray:
    """The ``n`` antidot centres read from a map of P(occupied), (n, 2) in lattice units:
    weighted k-means (Lloyd) on the pixels with P >= max(P) / 2, weight P, started from the
    seeds of :func:`seed_centres` and from farthest-point seeds, the lower weighted sum of
    squared distances kept. On a confident map (disjoint blobs) the seeds are already the
    blobs' centroids; on a blurred one the local maxima of a plateau are arbitrary (its flat
    top ties), while the k-means centres split its mass (measured: a VAE trained on 128 Kwant
    layouts of the default device, 32 held out: 6.44 sites with the bare seeds, 4.11 with the
    refinement, 5.51 for a random layout)."""
    seeds = seed_centres(probability, n)
    if n == 0:
        return seeds
    probability = np.asarray(probability, np.float64)
    upper = probability >= 0.5 * probability.max()
    points, weights = np.argwhere(upper).astype(np.float64), probability[upper]
    runs = [_lloyd(points, weights, start, iterations) for start in (seeds, _farthest(points, weights, seeds[0], n))]
    return min(runs, key=lambda run: run[1])[0]


def _farthest(points: np.ndarray, weights: np.ndarray, first: np.ndarray, n: int) -> np.ndarray:
    """Deterministic k-means++ seeds: ``first``, then the pixel of largest weight x squared
    distance to the nearest seed so far."""
    centres = [np.asarray(first, np.float64)]
    while len(centres) < n:
        distance = ((points[:, None, :] - np.asarray(centres)[None]) ** 2).sum(axis=-1).min(axis=1)
        centres.append(points[np.argmax(weights * distance)])
    return np.asarray(centres)


def _lloyd(points: np.ndarray, weights: np.ndarray, centres: np.ndarray, iterations: int) -> tuple[np.ndarray, float]:
    """Weighted k-means from ``centres``: (centres, sum of weight x squared distance)."""
    centres = np.array(centres, np.float64)
    for _ in range(iterations + 1):
        squared = ((points[:, None, :] - centres[None]) ** 2).sum(axis=-1)
        nearest = np.argmin(squared, axis=1)
        updated = centres.copy()
        for k in range(len(centres)):
            mine = nearest == k
            if weights[mine].sum() > 0:  # a centre with no pixel keeps its place
                updated[k] = (weights[mine, None] * points[mine]).sum(axis=0) / weights[mine].sum()
        if np.array_equal(updated, centres):
            break
        centres = updated
    cost = float((weights * ((points[:, None, :] - centres[None]) ** 2).sum(axis=-1).min(axis=1)).sum())
    return centres, cost


def seed_centres(probability: np.ndarray, n: int) -> np.ndarray:
    """``n`` centres from a map of P(occupied), (n, 2): the probability-weighted centroids of the
    regions P > 1/2 with the most mass, then the highest local maxima outside them."""
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


def position_errors(probability: np.ndarray, positions: Sequence[np.ndarray],
                    group: Sequence[str] = ("identity",)) -> np.ndarray:
    """Per-sample antidot-position error (lattice units) of predicted occupancy maps (N, H, W)
    against the true centres (one (n_i, 2) array per sample), the best over ``group``."""
    if len(probability) != len(positions):
        raise DataError(f"position error: {len(probability)} maps but {len(positions)} layouts")
    probability = np.asarray(probability)
    return layout_errors([predicted_centres(p, len(t)) for p, t in zip(probability, positions)], positions,
                         group, probability.shape[1:])


def layout_errors(predicted: Sequence[np.ndarray], positions: Sequence[np.ndarray], group: Sequence[str],
                  shape: tuple[int, ...]) -> np.ndarray:
    """Per-sample matched error of predicted centres against the true ones, min over ``group``
    acting on the true layout in a rectangle of ``shape`` = (Lx, Ly)."""
    return np.array([min(matched_error(p, transform_positions(name, t, tuple(shape))) for name in group)
                     for p, t in zip(predicted, positions)])


def image_scores(predicted: np.ndarray, true: np.ndarray, group: Sequence[str] = ("identity",)) -> np.ndarray:
    """Per-sample pixel correlation (N,), the best over ``group`` acting on the true images."""
    return np.max([pixel_correlation(predicted, transform_image(name, true)) for name in group], axis=0)


def nearest_neighbours(train_signal: np.ndarray, test_signal: np.ndarray) -> np.ndarray:
    """Index of the training signal closest to each test signal (Euclidean, after standardising
    each column by the training set's mean and standard deviation)."""
    train_signal, test_signal = np.asarray(train_signal, np.float64), np.asarray(test_signal, np.float64)
    mean, std = train_signal.mean(axis=0), train_signal.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    a, b = (train_signal - mean) / std, (test_signal - mean) / std
    distance = (b**2).sum(axis=1)[:, None] - 2 * b @ a.T + (a**2).sum(axis=1)[None, :]
    return np.argmin(distance, axis=1)


def random_layouts(train_positions: Sequence[np.ndarray], test_positions: Sequence[np.ndarray],
                   seed: int = 0) -> list[np.ndarray]:
    """For each test layout, a random training layout with as many antidots (seeded)."""
    rng = np.random.default_rng([seed, 104729])
    by_count: dict[int, list[np.ndarray]] = {}
    for layout in train_positions:
        by_count.setdefault(len(layout), []).append(np.asarray(layout, float))
    chosen = []
    for layout in test_positions:
        pool = by_count.get(len(layout))
        if not pool:
            raise DataError(f"random-layout baseline: no training layout has {len(layout)} antidots")
        chosen.append(pool[rng.integers(len(pool))])
    return chosen


def baselines(train: VAEData, test: VAEData, seed: int = 0) -> dict[str, dict[str, float]]:
    """The three baselines' mean scores on ``test`` from ``train`` (module docstring), each
    scored over the data's symmetry groups: {name: {"correlation"?, "position_error"}}."""
    shape = test.shape
    result: dict[str, dict[str, float]] = {}
    images = train.image is not None and test.image is not None
    if images:
        mean = np.broadcast_to(train.image.astype(np.float64).mean(axis=0), test.image.shape)
        result["mean image"] = {"correlation": float(image_scores(mean, test.image, test.image_group).mean())}
    result["random layout"] = {"position_error": float(layout_errors(
        random_layouts(train.positions, test.positions, seed), test.positions, test.group, shape).mean())}
    nearest = nearest_neighbours(train.signal, test.signal)
    result["nearest neighbour"] = {"position_error": float(layout_errors(
        [train.positions[i] for i in nearest], test.positions, test.group, shape).mean())}
    if images:
        result["nearest neighbour"] = {
            "correlation": float(image_scores(train.image[nearest], test.image, test.image_group).mean()),
            **result["nearest neighbour"]}
    return result


def scores(test: VAEData, images: np.ndarray | None, probability: np.ndarray) -> dict[str, float]:
    """A network's mean scores on ``test``: ``correlation`` (with images), ``position_error``."""
    result = {}
    if images is not None and test.image is not None:
        result["correlation"] = float(image_scores(images, test.image, test.image_group).mean())
    result["position_error"] = float(position_errors(probability, test.positions, test.group).mean())
    return result


def neighbourhood_score(latent: np.ndarray, values: np.ndarray, k: int = 10) -> float:
    """How well the latent space orders a layout property: R^2 = 1 - sum (y - y_hat)^2 / sum (y - <y>)^2
    of y_hat = the mean of ``values`` over each sample's ``k`` nearest other latent means
    (Euclidean, leave one out). 1: neighbours in latent space share the property; ~0: unrelated."""
    latent, values = np.asarray(latent, np.float64), np.asarray(values, np.float64)
    if len(latent) <= k:
        raise DataError(f"neighbourhood score: {len(latent)} latent means, need more than k={k}")
    distance = ((latent[:, None, :] - latent[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(distance, np.inf)
    predicted = values[np.argsort(distance, axis=1)[:, :k]].mean(axis=1)
    return float(1 - ((values - predicted) ** 2).sum() / ((values - values.mean()) ** 2).sum())


def report(networks: dict, baselines: dict, data: VAEData, n_train: int, n_test: int) -> dict:
    """The content of ``metrics.json``: ``symmetry_group`` and ``image_symmetry_group`` (the
    device's elements every score is the best over), ``layouts`` (training, held out),
    ``networks`` {name: scores}, ``baselines`` {name: scores} (:mod:`metrics`)."""
    return {"symmetry_group": list(data.group), "image_symmetry_group": list(data.image_group),
            "layouts": {"training": n_train, "held_out": n_test}, "networks": networks, "baselines": baselines}


def format_report(metrics: dict) -> str:
    """``metrics.json`` (:func:`report`) as a plain-text table: one row per network and baseline,
    columns pixel correlation (higher is better) and position error in sites (lower is better),
    then whether each network beats every baseline on each metric."""
    if not isinstance(metrics, dict) or not {"networks", "baselines", "symmetry_group", "layouts"} <= set(metrics):
        raise DataError("not a metrics.json of 'wavelearn vae evaluate' (networks, baselines, symmetry_group, "
                        "layouts); evaluate the networks again")
    rows = [(name, values, "network") for name, values in metrics["networks"].items()]
    rows += [(f"baseline: {name}", values, "baseline") for name, values in metrics["baselines"].items()]
    width = max(len(name) for name, _, _ in rows)
    cell = lambda values, key, digits: f"{values[key]:.{digits}f}" if key in values else "-"  # noqa: E731
    lines = [f"{'':{width}}  {'pixel correlation':>17}  {'position error (sites)':>22}",
             *(f"{name:{width}}  {cell(v, 'correlation', 3):>17}  {cell(v, 'position_error', 2):>22}"
               for name, v, _ in rows)]
    best_correlation = max((v["correlation"] for v in metrics["baselines"].values() if "correlation" in v),
                           default=None)
    best_error = min(v["position_error"] for v in metrics["baselines"].values() if "position_error" in v)
    for name, values in metrics["networks"].items():
        verdicts = [f"position error {'beats' if values['position_error'] < best_error else 'does NOT beat'} "
                    "every baseline"]
        if "correlation" in values and best_correlation is not None:
            verdicts.insert(0, f"correlation {'beats' if values['correlation'] > best_correlation else 'does NOT beat'}"
                               " every baseline")
        lines.append(f"{name}: {'; '.join(verdicts)}")
    group = metrics["symmetry_group"]
    lines.append(f"{metrics['layouts']['training']} training / {metrics['layouts']['held_out']} held-out layouts; "
                 + ("device without symmetry: scores against the true layout" if group == ["identity"] else
                    f"scores are the best over the device's symmetries {', '.join(group)} (images: "
                    f"{', '.join(metrics['image_symmetry_group'])})"))
    return "\n".join(lines)
