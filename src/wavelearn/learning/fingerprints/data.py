"""The VAE's samples: g(B), the wave-function image and the antidot layout of each layout.

Read from fingerprint datasets (format ``wavelearn-fingerprints``,
:mod:`wavelearn.io.fingerprints`: ``conductance`` (N, F) in e^2/h, ``density`` (N, Lx, Ly),
``occupancy`` (N, Lx, Ly), ``positions`` (N, antidots, 2), ``field`` (F,)), or made up by
:func:`synthetic_fingerprints`, a small inverse problem of the same shape for tests and
benchmarks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Sequence

import numpy as np

from wavelearn.errors import DataError, ParameterError


@dataclass
class VAEData:
    """N layouts: ``signal`` (N, F) g(B) in e^2/h; ``occupancy`` (N, H, W) 0/1 antidot sites;
    ``image`` (N, H, W) wave-function density (None when not measured); ``positions`` one (n_i, 2)
    array of antidot centres (x, y) per layout, in lattice units (the pixel indices of the
    images); ``field`` (F,) the field grid; ``meta`` per-layout arrays (e.g. ``layout``);
    ``group`` the elements of the device's symmetry group (names of
    :data:`wavelearn.transport.symmetry.ELEMENTS`) that leave g(B) unchanged, under which a
    layout is only known up to symmetry, and ``image_group`` those under which the image follows
    the layout (:mod:`wavelearn.transport.symmetry`)."""

    signal: np.ndarray
    occupancy: np.ndarray
    image: np.ndarray | None
    positions: list[np.ndarray]
    field: np.ndarray
    meta: dict[str, np.ndarray] = dataclass_field(default_factory=dict)
    group: tuple[str, ...] = ("identity",)
    image_group: tuple[str, ...] = ("identity",)

    def __post_init__(self) -> None:
        self.signal = np.asarray(self.signal, np.float32)
        self.occupancy = np.asarray(self.occupancy, np.float32)
        if self.image is not None:
            self.image = np.asarray(self.image, np.float32)
        self.positions = [np.asarray(p, np.float64).reshape(-1, 2) for p in self.positions]
        n = len(self.signal)
        if self.signal.ndim != 2 or self.occupancy.ndim != 3:
            raise DataError(f"VAE data: signal {self.signal.shape} must be (N, F) and occupancy "
                            f"{self.occupancy.shape} (N, H, W)")
        if self.image is not None and self.image.shape != self.occupancy.shape:
            raise DataError(f"VAE data: images {self.image.shape} and occupancy {self.occupancy.shape} differ")
        if len(self.occupancy) != n or len(self.positions) != n:
            raise DataError(f"VAE data: {n} signals, {len(self.occupancy)} occupancy maps and "
                            f"{len(self.positions)} layouts")
        if len(self.field) != self.signal.shape[1]:
            raise DataError(f"VAE data: {len(self.field)} field points but signals of {self.signal.shape[1]}")
        self.group, self.image_group = tuple(self.group), tuple(self.image_group)
        if "identity" not in self.group or not set(self.image_group) <= set(self.group):
            raise DataError(f"VAE data: symmetry group {self.group} must hold the identity and the image's "
                            f"group {self.image_group}")

    def __len__(self) -> int:
        return len(self.signal)

    @property
    def shape(self) -> tuple[int, int]:
        return self.occupancy.shape[1], self.occupancy.shape[2]

    def subset(self, index: np.ndarray) -> "VAEData":
        return VAEData(self.signal[index], self.occupancy[index], None if self.image is None else self.image[index],
                       [self.positions[i] for i in index], self.field,
                       {key: value[index] for key, value in self.meta.items()}, self.group, self.image_group)

    def fingerprint(self) -> str:
        """SHA-256 of every array (a checkpoint is resumed only on the same data)."""
        digest = hashlib.sha256()
        for array in (self.signal, self.occupancy, self.image, np.asarray(self.field, np.float64),
                      *self.positions):
            if array is not None:
                digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


def fold_field(field: np.ndarray, signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fold g(B) onto |B|: (|B| grid ascending, (N, F') signals averaged over the points of equal |B|).

    Two-terminal Onsager reciprocity makes g(B) = g(-B) exactly, so a window symmetric about
    B = 0 repeats every point: the encoder reads each independent field value once (a grid of
    B >= 0 only is returned as it is).
    """
    field, signal = np.asarray(field, np.float64), np.asarray(signal)
    if np.all(field >= 0) and np.all(np.diff(field) > 0):
        return field, signal
    # |B| equal up to the round-off of a symmetric linspace are one point
    _, first, inverse = np.unique(np.round(np.abs(field), 12), return_index=True, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(first))
    folded = np.zeros((len(signal), len(first)))
    np.add.at(folded.T, inverse, np.asarray(signal, np.float64).T)
    return np.abs(field[first]), (folded / counts).astype(signal.dtype)


def read_datasets(paths: Sequence[str | Path]) -> VAEData:
    """Fingerprint files (chunks or gathered datasets of one billiard), rows concatenated, g(B)
    folded onto |B| (:func:`fold_field`), with the device's symmetry groups."""
    from wavelearn.io.fingerprints import read_fingerprints
    from wavelearn.transport.symmetry import device_group, image_group

    if not paths:
        raise DataError("no fingerprint dataset given")
    parts = [read_fingerprints(path, load_images=True) for path in paths]
    first = parts[0]
    for path, part in zip(paths, parts):
        if not np.array_equal(part.field, first.field) or part.density.shape[1:] != first.density.shape[1:]:
            raise DataError(f"{path}: another field grid or image size than {paths[0]}")
        if part.params.lead_rows != first.params.lead_rows or part.params.image_field != first.params.image_field:
            raise DataError(f"{path}: other leads or image field than {paths[0]}")
    field, signal = fold_field(first.field, np.concatenate([p.conductance for p in parts]))
    return VAEData(
        signal=signal,
        occupancy=np.concatenate([p.occupancy for p in parts]),
        image=np.concatenate([p.density for p in parts]),
        positions=[row for p in parts for row in p.positions],
        field=field,
        meta={"layout": np.concatenate([p.layout for p in parts])},
        group=device_group(first.params),
        image_group=image_group(first.params),
    )


def split_layouts(n: int, fraction: float, seed: int, stream: int = 7919) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out indices: a seeded random ``fraction`` of the layouts is held out
    (``stream``: another split from the same seed, e.g. the selection layouts of training)."""
    if not 0 < fraction < 1:
        raise ParameterError(f"held-out fraction={fraction!r} must lie strictly between 0 and 1")
    n_test = max(1, int(round(fraction * n)))
    if n_test >= n:
        raise DataError(f"{n} layouts leave none for training with a held-out fraction of {fraction}")
    order = np.random.default_rng([seed, stream]).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def synthetic_fingerprints(n: int, grid: int = 8, n_fields: int = 32, max_antidots: int = 2,
                           seed: int = 0) -> VAEData:
    """A small inverse problem shaped like the real one (for tests and benchmarks).

    Each layout has 1..``max_antidots`` antidots: plus-shaped discs (a site and its 4
    neighbours) centred at distinct, non-touching sites of [1, grid-2]^2. Its "fingerprint" on
    b in [0, 1] is a deterministic, nonlinear function of the layout,

        g(b) = sum_a (1 + y_a / grid) exp( -(b - x_a / grid)^2 / 0.01 ) + 0.3 cos(2 pi b x_a y_a / grid^2),

    and its "wave function" a blurred function of the layout: the Gaussian blur (sigma 1 site)
    of the occupancy, plus 0.1.
    """
    from scipy import ndimage

    if grid < 4:
        raise ParameterError(f"grid={grid!r} must be >= 4")
    rng = np.random.default_rng([seed, 31337])
    b = np.linspace(0.0, 1.0, n_fields)
    signal = np.zeros((n, n_fields))
    occupancy = np.zeros((n, grid, grid))
    positions = []
    for i in range(n):
        count = int(rng.integers(1, max_antidots + 1))
        centres: list[tuple[int, int]] = []
        while len(centres) < count:
            c = tuple(int(v) for v in rng.integers(1, grid - 1, 2))
            if all(abs(c[0] - d[0]) + abs(c[1] - d[1]) >= 4 for d in centres):
                centres.append(c)
        for x, y in centres:
            for dx, dy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
                occupancy[i, x + dx, y + dy] = 1.0
            signal[i] += (1 + y / grid) * np.exp(-((b - x / grid) ** 2) / 0.01)
            signal[i] += 0.3 * np.cos(2 * np.pi * b * x * y / grid**2)
        positions.append(np.array(centres, float))
    image = np.stack([ndimage.gaussian_filter(o, 1.0, mode="constant") for o in occupancy]) + 0.1
    return VAEData(signal, occupancy, image, positions, b, {"layout": np.arange(n)})


def layout_property(positions: Sequence[np.ndarray], name: str) -> np.ndarray:
    """A number per layout to colour latent maps by: ``centre_x``/``centre_y`` the mean antidot
    coordinate, ``spread`` the rms distance of the antidots from their mean, ``count``."""
    functions = {
        "centre_x": lambda p: p[:, 0].mean() if len(p) else np.nan,
        "centre_y": lambda p: p[:, 1].mean() if len(p) else np.nan,
        "spread": lambda p: np.sqrt(((p - p.mean(axis=0)) ** 2).sum(axis=1).mean()) if len(p) else np.nan,
        "count": lambda p: float(len(p)),
    }
    if name not in functions:
        raise ParameterError(f"layout property {name!r} is not one of {', '.join(functions)}")
    return np.array([functions[name](np.asarray(p, float).reshape(-1, 2)) for p in positions])


LAYOUT_PROPERTIES = ("centre_x", "centre_y", "spread", "count")
