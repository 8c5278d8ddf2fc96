"""Reproducible random streams: one per (campaign seed, point, realization).

Realization k of a point draws from

    SeedSequence(entropy=campaign_seed, spawn_key=(*point_hash words, k))

so its Hamiltonian is the same whatever the chunking of realizations into jobs, the order
in which jobs run, or the number of MPI ranks (every rank draws the same stream).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from wavelearn.lattice.params import LatticeModel

# Independent child streams of one realization, in a fixed order. Appending a new
# component at the end keeps the existing ones unchanged.
STREAMS = ("onsite", "sites", "bonds")


def point_hash(model: LatticeModel) -> str:
    """Stable hex digest of the physical parameters (canonical JSON, sorted keys, repr floats)."""
    canonical = json.dumps(model.as_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def realization_seed(campaign_seed: int, model: LatticeModel, realization: int) -> np.random.SeedSequence:
    if campaign_seed < 0 or realization < 0:
        raise ValueError("campaign seed and realization index must be non-negative")
    digest = point_hash(model)
    words = tuple(int(digest[i : i + 8], 16) for i in range(0, 32, 8))
    return np.random.SeedSequence(entropy=campaign_seed, spawn_key=(*words, realization))


def realization_rng(campaign_seed: int, model: LatticeModel, realization: int) -> dict[str, np.random.Generator]:
    """One independent generator per disorder component (see ``STREAMS``)."""
    children = realization_seed(campaign_seed, model, realization).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
