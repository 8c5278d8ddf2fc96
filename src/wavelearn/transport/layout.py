"""Random antidot layouts: one reproducible device per (campaign seed, sample, layout index).

Layout k of a sample draws from

    SeedSequence(entropy=campaign_seed, spawn_key=(*sample_hash words, k))

(wavelearn.lattice.seeding.realization_seed, with the hash taken over
:meth:`Billiard.sample_dict`: Lx, Ly, antidots, radius, gap), split into the independent child
streams ``STREAMS``. So a layout is the same whatever the chunking of layouts into jobs or
their order, and the same antidots (and disorder pattern, scaled by W) are measured when only
the Fermi energy, the leads, the field sweep, the wall height or W change.

Antidot centres are placed by random sequential addition: a centre is drawn uniformly in
[R, Lx-1-R] x [R, Ly-1-R] and kept when its distance to every kept centre is >= 2R + gap;
otherwise it is redrawn. :data:`wavelearn.transport.params.MAX_PACKING` keeps this fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from wavelearn.errors import ParameterError
from wavelearn.lattice.seeding import point_hash, realization_seed
from wavelearn.transport.params import Billiard

#: Independent child streams of one layout, in a fixed order (append only).
STREAMS = ("antidots", "onsite")
#: Rejected draws allowed per antidot before giving up (never reached below MAX_PACKING).
MAX_ATTEMPTS_PER_ANTIDOT = 10_000


class _Sample:
    """What :func:`point_hash` hashes for a layout: the parameters of the antidot placement."""

    def __init__(self, params: Billiard):
        self._values = params.sample_dict()

    def as_dict(self) -> dict[str, Any]:
        return self._values


def sample_hash(params: Billiard) -> str:
    """SHA-256 hex digest of :meth:`Billiard.sample_dict` (canonical JSON, as for lattice points)."""
    return point_hash(_Sample(params))  # type: ignore[arg-type]  (duck-typed: needs as_dict())


@dataclass(frozen=True)
class Layout:
    """One device: antidot centres (x, y) in lattice units, shape (antidots, 2), and the
    on-site disorder energies eps, shape (Lx, Ly) (zeros when W = 0)."""

    index: int
    positions: np.ndarray
    onsite: np.ndarray


def layout_streams(campaign_seed: int, params: Billiard, index: int) -> dict[str, np.random.Generator]:
    if campaign_seed < 0 or index < 0:
        raise ParameterError(f"campaign seed {campaign_seed} and layout index {index} must be >= 0")
    seed = realization_seed(campaign_seed, _Sample(params), index)  # type: ignore[arg-type]
    children = seed.spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def place_antidots(params: Billiard, rng: np.random.Generator) -> np.ndarray:
    """Centres of ``params.antidots`` non-overlapping discs, shape (n, 2), by random
    sequential addition (module docstring)."""
    n, radius = params.antidots, params.radius
    low = np.array([radius, radius])
    high = np.array([params.Lx - 1 - radius, params.Ly - 1 - radius])
    min_distance = 2 * radius + params.gap
    centres = np.empty((n, 2))
    placed, attempts = 0, 0
    while placed < n:
        attempts += 1
        if attempts > MAX_ATTEMPTS_PER_ANTIDOT * n:
            raise ParameterError(
                f"could not place antidots={n} of radius={radius} with gap={params.gap} in "
                f"{params.Lx}x{params.Ly} after {attempts - 1} draws; use fewer or smaller antidots")
        candidate = rng.uniform(low, high)
        if placed and np.min(np.hypot(*(centres[:placed] - candidate).T)) < min_distance:
            continue
        centres[placed] = candidate
        placed += 1
    return centres


def draw_layout(campaign_seed: int, params: Billiard, index: int) -> Layout:
    """Layout ``index`` of the billiard ``params`` (see the module docstring)."""
    streams = layout_streams(campaign_seed, params, index)
    positions = place_antidots(params, streams["antidots"])
    onsite = np.zeros(params.shape)
    if params.W > 0:  # W (u - 1/2): the same pattern u for every W
        onsite = params.W * (streams["onsite"].random(size=params.shape) - 0.5)
    return Layout(index=index, positions=positions, onsite=onsite)


def occupancy(params: Billiard, positions: np.ndarray) -> np.ndarray:
    """Boolean image, shape (Lx, Ly) indexed [x, y]: True on sites inside an antidot
    (distance to its centre < radius)."""
    x, y = np.meshgrid(np.arange(params.Lx), np.arange(params.Ly), indexing="ij")
    inside = np.zeros(params.shape, dtype=bool)
    for cx, cy in np.asarray(positions).reshape(-1, 2):
        inside |= (x - cx) ** 2 + (y - cy) ** 2 < params.radius**2
    return inside


def conductor_sites(params: Billiard, layout: Layout) -> np.ndarray:
    """Boolean mask (Lx, Ly) of the sites in the scattering region.

    Hard-wall antidots remove their sites; then only the sites connected (nearest neighbours)
    to a lead's contact rows are kept: a pocket enclosed by antidots carries no current, and
    an isolated site at the Fermi energy would make the scattering problem singular.
    """
    kept = np.ones(params.shape, dtype=bool)
    if math.isinf(params.potential):
        kept &= ~occupancy(params, layout.positions)
    labels, _ = ndimage.label(kept)  # 4-connectivity: the lattice's nearest neighbours
    left, right = params.lead_rows
    contact = np.concatenate([labels[0, list(left)], labels[-1, list(right)]])
    return np.isin(labels, contact[contact > 0])


def potential_image(params: Billiard, layout: Layout) -> np.ndarray:
    """On-site energies eps_j + V_j, shape (Lx, Ly): disorder, plus V inside finite antidots."""
    energies = layout.onsite.copy()
    if params.antidots and not math.isinf(params.potential):
        energies[occupancy(params, layout.positions)] += params.potential
    return energies
